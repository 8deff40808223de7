#pragma once
// Cell populations of a bone-marrow MRD tube and their phenotypes on a log10(antigen molecules)
// scale. The numbers are the model's "normal ranges"; a SampleModel shifts and widens them per seed.
#include <array>
#include <cstdint>
#include <string_view>

#include "panel.h"

namespace mrdflow::synth {

// Per-event label codes written to <stem>.labels (one byte per event). Stable: documented in
// docs/synthetic-data.md; append new codes, never renumber.
enum class Population : std::uint8_t {
  Debris = 0,
  Doublet = 1,
  RbcGhost = 2,          // unlysed/ghost erythrocytes: anucleate, CD45-, tiny
  DeadCell = 3,
  Aggregate = 4,         // clumps saturating scatter (margin events)
  ErythroidPrecursor = 5,  // nucleated red-cell precursors: CD45-negative, low SSC
  Granulocyte = 6,
  Monocyte = 7,
  TCell = 8,
  NKCell = 9,
  MatureB = 10,
  PlasmaCell = 11,
  Basophil = 12,         // also stands for pDC: CD123 bright, CD22 dim, CD19-
  MyeloidProgenitor = 13,  // CD34+ CD19- normal myeloblasts
  HematogoneI = 14,      // maturation time t < 0.3: CD34+ CD10 bright CD20-
  HematogoneII = 15,     // 0.3 <= t < 0.75: CD34- CD10+ CD20 rising
  ImmatureB = 16,        // t >= 0.75: CD10 dim, CD20+
  BlastCD19posCD22pos = 17,
  BlastCD19negCD22pos = 18,
  BlastCD19posCD22neg = 19,
  BlastCD19negCD22neg = 20,
};
inline constexpr std::size_t kPopulationCount = 21;

std::string_view population_name(Population p);
inline bool is_blast(Population p) {
  return static_cast<int>(p) >= static_cast<int>(Population::BlastCD19posCD22pos);
}
inline bool is_hematogone(Population p) {
  return p == Population::HematogoneI || p == Population::HematogoneII ||
         p == Population::ImmatureB;
}
// The MRD denominator as the truth defines it: single, intact, viable nucleated cells, i.e.
// everything except debris, doublets, anucleate red cells, dead cells and aggregates.
// CD45-negative blasts and erythroid precursors ARE nucleated.
inline bool is_nucleated(Population p) { return static_cast<int>(p) >= 5; }

// Mean and spread of one antigen on one population, log10 molecules per cell.
struct Level {
  double mean;
  double sd;
};
inline constexpr double kNegative = 1.8;  // non-specific binding only

using Phenotype = std::array<Level, kMarkerCount>;

struct Scatter {
  double fsc, fsc_sd;   // FSC-A, BD linear units, log-normal spread as a fraction
  double ssc, ssc_sd;
};

struct PopulationModel {
  Phenotype phenotype;
  Scatter scatter;
  double autofluorescence;  // multiple of lymphocyte autofluorescence
};

// Reference phenotypes of the non-maturing populations (hematogones use hematogone_levels).
PopulationModel reference_population(Population p);

// Normal B-cell precursor maturation continuum: antigen means at maturation time t in [0, 1].
Phenotype hematogone_levels(double t);
Scatter hematogone_scatter(double t);

}  // namespace mrdflow::synth
