#pragma once
// Draws the events of one synthetic MRD tube from its SampleModel: column-major float32 values
// as the instrument would record them (spillover applied, photon + electronic noise, gain,
// top-of-scale clipping), one population label per event, and the truth.
#include <cstdint>
#include <span>
#include <optional>
#include <string>
#include <vector>

#include "model.h"

namespace mrdflow::synth {

struct TubeChannel {
  std::string name;    // $PnN
  std::string marker;  // $PnS, "" for scatter and time
  double range;        // $PnR
  int stain = -1;      // index into panel.stains, -1 for scatter/time
};

struct AnomalyTruth {
  bool present = false;
  std::size_t first_event = 0, end_event = 0;
  double start_time = 0, end_time = 0;  // Time channel units
};

struct Truth {
  std::string scenario, description, style, cytometer;
  std::uint64_t seed = 0;
  std::size_t events_total = 0;
  std::array<std::size_t, kPopulationCount> counts{};
  std::size_t nucleated = 0, blasts = 0, hematogones = 0;
  std::size_t blasts_cd19_positive = 0, blasts_cd22_positive = 0;
  std::size_t margin_events = 0;       // events with any channel at the top of scale
  std::size_t nucleated_outside_anomaly = 0, blasts_outside_anomaly = 0;
  AnomalyTruth anomaly;
};

struct Tube {
  SampleModel model;
  std::vector<TubeChannel> channels;  // FCS column order
  std::size_t events = 0;
  std::vector<float> values;          // column-major: values[c * events + e]
  std::vector<std::uint8_t> labels;   // Population code per event
  std::vector<double> spillover;      // row-major over panel.stains, in file units
  Truth truth;

  std::span<const float> column(std::size_t c) const { return {values.data() + c * events, events}; }
};

struct GenerateRequest {
  std::string scenario;
  std::uint64_t seed = 1;
  std::size_t events = 0;      // 0 = scenario default
  Style style = Style::BD;
  int flow_anomaly = -1;       // -1 by seed, 0 never, 1 always
};

Tube generate(const GenerateRequest& request);
Tube generate(const SampleModel& model);

// Figures derived from the truth counts (the report's definitions).
double mrd_percent(const Truth& t);
std::optional<double> cd19_percent_positive(const Truth& t);  // nullopt without blasts
std::optional<double> cd22_percent_positive(const Truth& t);
std::string expected_mrd_status(const Truth& t);  // detected | below_loq | not_detected
std::string expected_verdict(const Truth& t);     // eligible | not_eligible | indeterminate

}  // namespace mrdflow::synth
