// mrdflow analyze: the automated batch (shared/spec/report.md). Wires options to
// report::run_batch; exit 0 all analysed, 1 at least one sample failed, 2 usage error
// (bad option, missing input, bad manifest or template).
#include <omp.h>

#include <iostream>

#include "command.h"
#include "common/error.h"

#include "report/batch.h"

namespace mrdflow::cli {
namespace {

struct AnalyzeArgs {
  std::vector<std::string> inputs;
  std::string template_path, manifest_path, out_dir = "mrdflow-report", db_path;
  int threads = 0;
};

int run_analyze(const AnalyzeArgs& args) {
  report::BatchOptions o;
  o.inputs = args.inputs;
  if (!args.template_path.empty()) o.template_path = args.template_path;
  if (!args.manifest_path.empty()) o.manifest_path = args.manifest_path;
  if (!args.db_path.empty()) o.db_path = args.db_path;
  o.out_dir = args.out_dir;
  o.threads = args.threads > 0 ? args.threads : std::max(1, omp_get_num_procs());
  o.log = &std::cerr;
  try {
    const auto outcome = report::run_batch(o);
    std::cout << "analysed " << outcome.samples << " sample" << (outcome.samples == 1 ? "" : "s") << ", "
              << outcome.failed << " failed; report: " << (outcome.out_dir / "index.html").string()
              << "; database: " << outcome.db_path.string() << "\n";
    return outcome.failed == 0 ? kExitOk : kExitFailure;
  } catch (const Error& e) {
    std::cerr << "mrdflow: error: " << e.what() << "\n";
    const bool usage = e.kind() == "usage" || e.kind() == "manifest" || e.kind() == "template";
    return usage ? kExitUsage : kExitFailure;
  }
}

const RegisterCommand kAnalyze(20, [](CLI::App& root, int& exit_code) {
  auto args = std::make_shared<AnalyzeArgs>();
  CLI::App* cmd = root.add_subcommand(
      "analyze", "Analyse FCS files (MRD, CD19/CD22 eligibility, CAR-T) into JSON/HTML/CSV reports and a database");
  cmd->add_option("--template", args->template_path,
                  "gating template (gating/NAME.yaml); default: chosen per file from its markers")
      ->check(CLI::ExistingFile);
  cmd->add_option("--manifest", args->manifest_path,
                  "CSV: file,patient_id,specimen,timepoint_day,beads_per_test,volume_ul,wbc_per_ul")
      ->check(CLI::ExistingFile);
  cmd->add_option("--out", args->out_dir, "output directory")->capture_default_str();
  cmd->add_option("--threads", args->threads, "threads (default: all cores)")->check(CLI::PositiveNumber);
  cmd->add_option("--db", args->db_path, "results database (default: OUT/results.sqlite)");
  cmd->add_option("inputs", args->inputs, "FCS files and/or directories (searched recursively for *.fcs)")
      ->required();
  cmd->callback([args, &exit_code] { exit_code = run_analyze(*args); });
});

}  // namespace
}  // namespace mrdflow::cli
