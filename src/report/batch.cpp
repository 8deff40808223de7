#include "report/batch.h"

#include <omp.h>

#include <chrono>
#include <ctime>
#include <exception>
#include <ostream>

#include "analysis/analysis.h"
#include "common/error.h"
#include "common/sha256.h"
#include "fcs/fcs.h"
#include "mrdflow/version.h"
#include "report/inputs.h"
#include "report/manifest.h"
#include "report/report_files.h"
#include "report/template_choice.h"
#include "store/results_db.h"

namespace mrdflow::report {
namespace fs = std::filesystem;
namespace {

using analysis::SampleResult;

std::string now_iso8601() {
  const auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// An error entry for a file that never reached analyze_sample (header unreadable, no template
// suits): the input fields are filled as far as they are known.
SampleResult error_entry(const fs::path& path, std::string kind, std::string message) {
  SampleResult r;
  r.software_version = kVersion;
  r.started = now_iso8601();
  r.file = path.filename().string();
  r.path = path.string();
  r.sample_id = path.stem().string();
  try {
    r.sha256 = sha256_file_hex(path);
  } catch (const std::exception&) {
    // unreadable: sha256 stays unknown (null)
  }
  r.error_kind = std::move(kind);
  r.error_message = std::move(message);
  return r;
}

struct Setup {
  std::vector<InputFile> inputs;
  std::optional<Manifest> manifest;
  std::optional<analysis::Template> fixed_template;
  std::optional<TemplateCatalog> catalog;
};

// Picks the template for one file from its channel labels (header only, no event data read).
SampleResult analyse_one(const InputFile& in, const Setup& setup, int inner_threads) {
  analysis::SampleContext context;
  const ManifestEntry* entry = setup.manifest ? setup.manifest->find(in.path.filename().string()) : nullptr;
  if (entry) context = entry->context;

  std::optional<analysis::Template> tmpl = setup.fixed_template;
  std::string choice_note;
  if (!tmpl) {
    fcs::DataSet header;
    try {
      fcs::ReadOptions ro;
      ro.read_events = false;
      header = fcs::read_fcs(in.path, ro);
    } catch (const Error& e) {
      return error_entry(in.path, e.kind(), e.what());
    }
    std::vector<std::string> labels;
    for (const auto& ch : header.channels) {
      if (!ch.marker.empty()) labels.push_back(ch.marker);
      labels.push_back(ch.name);
    }
    tmpl = setup.catalog->choose(labels);
    if (!tmpl) {
      SampleResult r = error_entry(in.path, "missing_markers",
                                   in.path.filename().string() + ": not an MRD tube: missing markers " +
                                       setup.catalog->missing_markers(labels));
      r.fcs_version = header.header.version.rfind("FCS", 0) == 0 ? header.header.version.substr(3)
                                                                  : header.header.version;
      r.events_total = header.event_count;
      for (const auto& ch : header.channels)
        r.channels.push_back({ch.name, ch.marker.empty() ? std::nullopt : std::optional(ch.marker)});
      return r;
    }
    choice_note = "template '" + tmpl->name() + "' chosen from the file's markers (" +
                  tmpl->path().filename().string() + ")";
  }

  analysis::AnalyzeOptions options;
  options.threads = inner_threads;
  SampleResult r = analysis::analyze_sample(in.path, *tmpl, context, options);
  if (!choice_note.empty()) r.warnings.insert(r.warnings.begin(), choice_note);
  // The manifest wins over anything the analysis took from FCS keywords.
  if (entry) {
    if (entry->context.patient_id) r.patient_id = entry->context.patient_id;
    if (entry->context.specimen) r.specimen = entry->context.specimen;
    if (entry->context.timepoint_day) r.timepoint_day = entry->context.timepoint_day;
  } else if (setup.manifest) {
    r.warnings.push_back("not listed in the manifest " + setup.manifest->source);
  }
  if (r.software_version.empty()) r.software_version = kVersion;
  // B-cell aplasia is the CAR-T pharmacodynamic read-out: in a tube without a CAR channel it
  // does not apply, so b_cells is null there (spec; docs/report.md), in every output alike.
  if (!r.car_t && r.b_cells) r.b_cells.reset();
  return r;
}

}  // namespace

BatchOutcome run_batch(const BatchOptions& options) {
  if (options.threads < 1) throw Error("usage", "--threads must be at least 1");
  Setup setup;
  setup.inputs = collect_inputs(options.inputs);
  if (options.manifest_path) setup.manifest = read_manifest(*options.manifest_path);
  if (options.template_path) setup.fixed_template = analysis::load_template(*options.template_path);
  else setup.catalog.emplace(gating_dir());

  const ReportDirectory out(options.out_dir);
  BatchOutcome outcome;
  outcome.out_dir = out.dir();
  outcome.db_path = options.db_path.value_or(out.dir() / "results.sqlite");
  store::ResultsDb db(outcome.db_path);

  const int n = static_cast<int>(setup.inputs.size());
  // Few large samples: threads inside each; many samples: one thread per sample.
  const int outer = std::max(1, std::min(options.threads, n));
  const int inner = std::max(1, options.threads / outer);
  if (outer > 1 && inner > 1) omp_set_max_active_levels(2);

  std::vector<SampleFiles> done(static_cast<std::size_t>(n));
  std::size_t failed = 0;
  int finished = 0;
#pragma omp parallel for schedule(dynamic, 1) num_threads(outer) reduction(+ : failed)
  for (int i = 0; i < n; ++i) {
    const InputFile& in = setup.inputs[static_cast<std::size_t>(i)];
    SampleResult r;
    try {
      r = analyse_one(in, setup, inner);
    } catch (const Error& e) {
      r = error_entry(in.path, e.kind(), e.what());
    } catch (const std::exception& e) {  // e.g. out of memory: this sample fails, the batch goes on
      r = error_entry(in.path, "internal", in.path.filename().string() + ": " + e.what());
    }
    std::string write_error;
    try {
      const std::string json = out.write_sample(in.stem, r);
#pragma omp critical(mrdflow_results_db)
      {
        try {
          db.put(r, json);
        } catch (const std::exception& e) {
          write_error = e.what();
        }
      }
    } catch (const std::exception& e) {
      write_error = e.what();
    }
    const bool sample_failed = r.error_kind.has_value() || r.error_message.has_value() || !write_error.empty();
    if (sample_failed) ++failed;
#pragma omp critical(mrdflow_batch_log)
    {
      ++finished;
      if (options.log) {
        *options.log << "[" << finished << "/" << n << "] " << in.path.string() << ": ";
        if (!write_error.empty()) *options.log << "cannot write report: " << write_error;
        else if (r.error_message) *options.log << "error (" << r.error_kind.value_or("error") << "): " << *r.error_message;
        else *options.log << "ok (" << r.template_name << ", " << r.seconds << " s)";
        *options.log << "\n" << std::flush;
      }
    }
    done[static_cast<std::size_t>(i)] = {in.stem, std::move(r)};
  }
  out.write_batch_files(done);
  outcome.samples = static_cast<std::size_t>(n);
  outcome.failed = failed;
  return outcome;
}

}  // namespace mrdflow::report
