#include "truth.h"

#include <nlohmann/json.hpp>

#include "common/atomic_file.h"

namespace mrdflow::synth {

std::string truth_json(const Tube& tube, const std::string& fcs_file_name) {
  using nlohmann::ordered_json;
  const Truth& t = tube.truth;
  const SampleModel& m = tube.model;
  auto optional_number = [](std::optional<double> v) { return v ? ordered_json(*v) : ordered_json(nullptr); };

  ordered_json j;
  j["schema"] = "mrdflow-synth/truth/1";
  j["file"] = fcs_file_name;
  j["scenario"] = t.scenario;
  j["description"] = t.description;
  j["seed"] = t.seed;
  j["style"] = t.style;
  j["cytometer"] = t.cytometer;
  j["events_total"] = t.events_total;

  ordered_json panel = ordered_json::array();
  for (const auto& s : m.panel.stains) {
    panel.push_back({{"marker", std::string(marker_name(s.marker))},
                     {"fluorochrome", s.fluor_label},
                     {"channel", s.detector},
                     {"label", s.label}});
  }
  j["panel"] = panel;

  ordered_json pops = ordered_json::array();
  for (std::size_t p = 0; p < kPopulationCount; ++p) {
    const auto pop = Population(p);
    pops.push_back({{"code", p},
                    {"name", std::string(population_name(pop))},
                    {"count", t.counts[p]},
                    {"nucleated", is_nucleated(pop)},
                    {"blast", is_blast(pop)}});
  }
  j["populations"] = pops;
  j["nucleated_events"] = t.nucleated;
  j["blast_events"] = t.blasts;
  j["hematogone_events"] = t.hematogones;
  j["mrd_percent"] = mrd_percent(t);
  j["expected_mrd_status"] = expected_mrd_status(t);

  ordered_json blasts;
  blasts["cd19_positive_events"] = t.blasts_cd19_positive;
  blasts["cd22_positive_events"] = t.blasts_cd22_positive;
  blasts["cd19_percent_positive"] = optional_number(cd19_percent_positive(t));
  blasts["cd22_percent_positive"] = optional_number(cd22_percent_positive(t));
  blasts["cd22_dim"] = t.blasts > 0 && m.scenario.cd22_dim;
  blasts["aberrancies"] = t.blasts > 0 ? m.blast.aberrancies : std::vector<std::string>{};
  blasts["maturation_arrest_t"] = m.blast.maturation_t;
  j["blasts"] = blasts;

  ordered_json rule;
  rule["rule"] = "CD19 > 95% and CD22 > 95% of blasts; indeterminate below 50 blast events";
  rule["verdict"] = expected_verdict(t);
  j["eligibility"] = rule;

  ordered_json qc;
  qc["margin_events"] = t.margin_events;
  qc["flow_anomaly"] = t.anomaly.present
                           ? ordered_json{{"first_event", t.anomaly.first_event},
                                          {"end_event", t.anomaly.end_event},
                                          {"start_time", t.anomaly.start_time},
                                          {"end_time", t.anomaly.end_time},
                                          {"events", t.anomaly.end_event - t.anomaly.first_event}}
                           : ordered_json(nullptr);
  qc["nucleated_outside_anomaly"] = t.nucleated_outside_anomaly;
  qc["blasts_outside_anomaly"] = t.blasts_outside_anomaly;
  qc["mrd_percent_outside_anomaly"] =
      t.nucleated_outside_anomaly == 0
          ? 0.0
          : 100.0 * static_cast<double>(t.blasts_outside_anomaly) / static_cast<double>(t.nucleated_outside_anomaly);
  j["qc"] = qc;
  const auto dot = fcs_file_name.rfind('.');
  j["labels"] = {{"file", fcs_file_name.substr(0, dot) + ".labels"}, {"format", "one uint8 population code per event, event order"}};
  return j.dump(2) + "\n";
}

void write_truth(const std::filesystem::path& path, const Tube& tube, const std::string& fcs_file_name) {
  write_file_atomic(path, truth_json(tube, fcs_file_name));
}

void write_labels(const std::filesystem::path& path, const Tube& tube) {
  write_file_atomic(path, std::string_view(reinterpret_cast<const char*>(tube.labels.data()), tube.labels.size()));
}

}  // namespace mrdflow::synth
