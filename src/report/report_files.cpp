#include "report/report_files.h"

#include <system_error>

#include "common/atomic_file.h"
#include "common/error.h"
#include "report/html_report.h"
#include "report/json_report.h"
#include "report/summary_csv.h"

namespace mrdflow::report {

ReportDirectory::ReportDirectory(std::filesystem::path dir) : dir_(std::move(dir)) {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec || !std::filesystem::is_directory(dir_))
    throw Error("io", dir_.string() + ": cannot create output directory" +
                          (ec ? ": " + ec.message() : std::string(": not a directory")));
}

std::string ReportDirectory::write_sample(const std::string& stem,
                                          const analysis::SampleResult& result) const {
  std::string json = render_sample_report(result);
  write_file_atomic(dir_ / (stem + ".json"), json);
  write_file_atomic(dir_ / (stem + ".html"), render_sample_html(result, stem + ".json"));
  return json;
}

void ReportDirectory::write_batch_files(std::span<const SampleFiles> samples) const {
  std::string csv = summary_header_line();
  std::vector<IndexEntry> index;
  index.reserve(samples.size());
  for (const auto& s : samples) {
    csv += summary_row(s.result);
    index.push_back({&s.result, s.stem + ".html", s.stem + ".json"});
  }
  write_file_atomic(dir_ / "summary.csv", csv);
  write_file_atomic(dir_ / "index.html", render_index_html(index));
}

}  // namespace mrdflow::report
