#include "report/summary_csv.h"

#include <optional>

#include "report/text_format.h"

namespace mrdflow::report {
namespace {

using namespace mrdflow::analysis;

std::string count(std::uint64_t n) { return std::to_string(n); }

std::optional<std::uint64_t> population_count(const SampleResult& r, std::string_view name) {
  for (const auto& p : r.populations)
    if (p.name == name) return p.count;
  return std::nullopt;
}

const AntigenResult* antigen(const SampleResult& r, const std::string& marker) {
  const auto it = r.antigens.find(marker);
  return it == r.antigens.end() ? nullptr : &it->second;
}

}  // namespace

const std::vector<std::string>& summary_columns() {
  static const std::vector<std::string> columns = {
      "file", "sample_id", "patient_id", "specimen", "timepoint_day", "template",
      "result", "error_kind", "error_message", "events_total", "qc_status", "qc_flags",
      "nucleated_events", "blast_events", "mrd_denominator", "denominator_events",
      "mrd_percent", "mrd_ci95_lo", "mrd_ci95_hi", "lod_percent", "loq_percent", "mrd_status",
      "cd19_percent_positive", "cd19_mfi_ratio", "cd19_dim", "cd22_percent_positive",
      "cd22_mfi_ratio", "cd22_dim", "verdict", "reason", "car_t_percent_of_t_cells",
      "car_t_ci95_lo", "car_t_ci95_hi", "car_t_cells_per_ul", "b_cell_marker",
      "b_cells_percent_of_lymphocytes", "b_cell_aplasia"};
  return columns;
}

std::string summary_header_line() {
  std::string line;
  for (const auto& c : summary_columns()) line += (line.empty() ? "" : ",") + c;
  return line + "\n";
}

std::string summary_row(const SampleResult& r) {
  const bool failed = r.error_kind.has_value() || r.error_message.has_value();
  std::vector<std::string> f;
  f.reserve(summary_columns().size());
  f.push_back(r.file);
  f.push_back(r.sample_id);
  f.push_back(r.patient_id.value_or(""));
  f.push_back(r.specimen.value_or(""));
  f.push_back(format_number(r.timepoint_day));
  f.push_back(r.template_name);
  f.push_back(failed ? "error" : "ok");
  f.push_back(failed ? r.error_kind.value_or("error") : "");
  f.push_back(failed ? r.error_message.value_or("") : "");
  f.push_back(r.fcs_version.empty() ? "" : count(r.events_total));
  std::string flags;
  for (const auto& flag : r.qc.flags) flags += (flags.empty() ? "" : "; ") + flag;
  f.push_back(failed ? "" : r.qc.status);
  f.push_back(failed ? "" : flags);
  const auto nucleated = failed ? std::nullopt : population_count(r, "nucleated");
  f.push_back(nucleated ? count(*nucleated) : "");
  const MrdResult* mrd = !failed && r.mrd ? &*r.mrd : nullptr;
  f.push_back(mrd ? count(mrd->blast_events) : "");
  f.push_back(mrd ? mrd->denominator : "");
  f.push_back(mrd ? count(mrd->denominator_events) : "");
  // Percentages of an empty denominator are undefined: empty cells, as null in the JSON.
  const MrdResult* pct = mrd && mrd->denominator_events > 0 ? mrd : nullptr;
  f.push_back(pct ? format_number(pct->percent) : "");
  f.push_back(pct ? format_number(pct->ci95.lo) : "");
  f.push_back(pct ? format_number(pct->ci95.hi) : "");
  f.push_back(pct ? format_number(pct->lod_percent) : "");
  f.push_back(pct ? format_number(pct->loq_percent) : "");
  f.push_back(mrd ? mrd->status : "");
  for (const std::string marker : {"CD19", "CD22"}) {
    const AntigenResult* a = failed ? nullptr : antigen(r, marker);
    f.push_back(a ? format_number(a->percent_positive) : "");
    f.push_back(a ? format_number(a->mfi_ratio) : "");
    f.push_back(a ? (a->dim ? "true" : "false") : "");
  }
  const Eligibility* e = !failed && r.eligibility ? &*r.eligibility : nullptr;
  f.push_back(e ? e->verdict : "");
  f.push_back(e ? e->reason : "");
  const CarTResult* car = !failed && r.car_t ? &*r.car_t : nullptr;
  f.push_back(car ? format_number(car->percent_of_t_cells) : "");
  f.push_back(car ? format_number(car->ci95.lo) : "");
  f.push_back(car ? format_number(car->ci95.hi) : "");
  f.push_back(car ? format_number(car->cells_per_ul) : "");
  const BCellResult* b = !failed && r.b_cells ? &*r.b_cells : nullptr;
  f.push_back(b ? b->marker : "");
  f.push_back(b ? format_number(b->percent_of_lymphocytes) : "");
  f.push_back(b && b->aplasia ? (*b->aplasia ? "true" : "false") : "");

  std::string line;
  for (std::size_t i = 0; i < f.size(); ++i) line += (i ? "," : "") + csv_field(f[i]);
  return line + "\n";
}

std::string render_summary_csv(std::span<const SampleResult> results) {
  std::string out = summary_header_line();
  for (const auto& r : results) out += summary_row(r);
  return out;
}

}  // namespace mrdflow::report
