#pragma once
// What one sample's analysis produced: the in-memory form of the per-sample report
// (shared/spec/report.md, schema mrdflow/sample-report/1). The report module serialises it;
// the analysis fills it. std::nullopt is written as JSON null ("does not apply").
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mrdflow::analysis {

struct Interval {
  double lo = 0, hi = 0;
};

struct ChannelInfo {
  std::string name;                   // $PnN
  std::optional<std::string> marker;  // $PnS or null
};

struct PopulationCount {
  std::string name;                   // standard names: all, qc_pass, cells, singlets, nucleated, ...
  std::optional<std::string> parent;
  std::uint64_t count = 0;
  double percent_of_parent = 0;
};

struct QcResult {
  std::string status = "pass";        // pass | warn | fail
  std::uint64_t events_removed = 0;
  std::vector<std::string> flags;
};

struct MrdResult {
  std::uint64_t blast_events = 0;
  std::string denominator = "nucleated";
  std::uint64_t denominator_events = 0;
  double percent = 0;
  Interval ci95;
  std::uint64_t lod_events = 20, loq_events = 50;
  double lod_percent = 0, loq_percent = 0;
  std::string status;                 // detected | below_loq | not_detected
};

struct AntigenResult {
  std::string population = "blasts";
  std::uint64_t events = 0, positive_events = 0;
  double percent_positive = 0;
  Interval ci95;
  double threshold = 0;               // transformed scale (docs/analysis.md)
  double median_intensity = 0;        // linear scale
  std::optional<double> mfi_ratio;
  bool dim = false;
  std::string threshold_source;       // e.g. "t_nk_cells p99.5", "template"
};

struct EligibilityRule {
  std::string marker;
  double threshold_percent = 95;
  std::optional<double> value;
  std::optional<bool> pass;
};

struct Eligibility {
  std::vector<EligibilityRule> rules;
  std::string verdict;                // eligible | not_eligible | indeterminate
  std::string reason;
};

struct CarTResult {
  std::uint64_t t_cell_events = 0, car_events = 0;
  double percent_of_t_cells = 0;
  Interval ci95;
  std::optional<double> cells_per_ul;
};

struct BCellResult {
  std::string marker;
  std::uint64_t events = 0;
  double percent_of_lymphocytes = 0;
  std::optional<double> cells_per_ul;
  std::optional<bool> aplasia;
};

struct SampleResult {
  // software / run
  std::string software_version;
  std::string started;                // ISO-8601, kept under "run" (timing is not compared)
  double seconds = 0;
  // error (set when the sample could not be analysed)
  std::optional<std::string> error_kind, error_message;
  // input
  std::string file;                   // file name
  std::string path;                   // full path as given (not in the JSON contract)
  std::string sha256;
  std::string fcs_version;
  std::uint64_t events_total = 0;
  std::vector<ChannelInfo> channels;
  // template
  std::string template_name, template_sha256;
  // sample
  std::string sample_id;
  std::optional<std::string> patient_id, specimen;
  std::optional<double> timepoint_day;
  // results
  QcResult qc;
  std::vector<PopulationCount> populations;
  std::optional<MrdResult> mrd;
  std::map<std::string, AntigenResult> antigens;   // ordered: byte-identical output
  std::optional<Eligibility> eligibility;
  std::optional<CarTResult> car_t;
  std::optional<BCellResult> b_cells;
  std::vector<std::string> warnings;  // e.g. marker resolution notes
};

}  // namespace mrdflow::analysis
