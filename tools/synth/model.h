#pragma once
// Everything about one synthetic file that is decided once per seed before any event is drawn:
// the panel as acquired, reagent/instrument variation, composition, the leukemic phenotype,
// nuisance and the exact number of events of every population.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "panel.h"
#include "population.h"
#include "scenario.h"

namespace mrdflow::synth {

inline constexpr std::size_t kMaxStains = 16;

struct BlastModel {
  double maturation_t;                 // where the leukemic clone is arrested on the continuum
  Phenotype phenotype;                 // of the CD19+ CD22+ component
  Scatter scatter;
  double autofluorescence;
  double cd22_level;                   // log10 molecules of CD22 on CD22-positive blasts
  std::vector<std::string> aberrancies;  // human-readable list for the truth file
};

struct FlowAnomaly {
  bool present = false;
  std::size_t first_event = 0, end_event = 0;  // [first, end) in acquisition order
  double rate_factor = 1;                      // event rate inside vs outside
  double signal_factor = 1;                    // all signals multiplied inside the window
  double clog_seconds = 0;                     // gap with no events before the burst
};

struct SampleModel {
  Scenario scenario;
  std::uint64_t seed = 0;
  std::size_t events = 0;
  Panel panel;
  bool time_first = false;

  // Reagent/instrument variation.
  std::array<double, kMarkerCount> marker_shift{};   // decades, ±0.2
  std::array<double, kMarkerCount> spread_factor{};  // multiplies every sd of the marker
  std::array<std::array<double, kMarkerCount>, kPopulationCount> population_shift{};
  std::array<PopulationModel, kPopulationCount> populations{};
  std::array<double, kMaxStains> detector_gain{};    // per stain/detector, linear
  std::array<double, kMaxStains> photon_units{};     // BD units per photoelectron
  double electronic_noise = 12;                      // BD units, sd
  double scatter_gain = 1;
  double fsc_height_ratio = 0.8;
  std::vector<double> spillover;                     // row-major stains x stains, BD units

  // Composition.
  std::array<std::size_t, kPopulationCount> counts{};
  std::array<double, kPopulationCount> nucleated_weights{};  // partner cells of doublets
  std::array<double, 3> hematogone_stage_weights{};
  double blast_cd19_fraction = 1, blast_cd22_fraction = 1;
  BlastModel blast;

  // Acquisition.
  double events_per_second = 5000;
  FlowAnomaly anomaly;
};

// `events` 0 means the scenario's default. Throws mrdflow::Error("usage", ...) on bad arguments.
SampleModel build_model(const Scenario& scenario, std::uint64_t seed, std::size_t events, Style style,
                        int flow_anomaly /* -1 auto, 0 no, 1 yes */);

}  // namespace mrdflow::synth
