#include "population.h"

#include <algorithm>
#include <cmath>

namespace mrdflow::synth {

std::string_view population_name(Population p) {
  static constexpr std::array<std::string_view, kPopulationCount> names = {
      "debris", "doublet", "rbc_ghost", "dead_cell", "aggregate", "erythroid_precursor",
      "granulocyte", "monocyte", "t_cell", "nk_cell", "mature_b", "plasma_cell", "basophil",
      "myeloid_progenitor", "hematogone_I", "hematogone_II", "immature_b",
      "blast_cd19pos_cd22pos", "blast_cd19neg_cd22pos", "blast_cd19pos_cd22neg",
      "blast_cd19neg_cd22neg"};
  return names[static_cast<std::size_t>(p)];
}

namespace {

constexpr Level N{kNegative, 0.30};  // negative
constexpr Level lv(double mean, double sd = 0.22) { return {mean, sd}; }

//                        CD19     CD22     CD10     CD34     CD20     CD38     CD45     CD3      CD58     66c/123  CD24     CD7
constexpr Phenotype kNone{N, N, N, N, N, N, N, N, N, N, N, N};
constexpr Phenotype kErythroid{N, N, N, N, N, lv(3.0, 0.35), lv(1.9, 0.30), N, lv(3.0, 0.3), N, N, N};
constexpr Phenotype kGranulocyte{N, N, lv(3.9, 0.45), N, N, lv(2.8, 0.35), lv(4.4, 0.18), N, lv(3.5, 0.25),
                                 lv(4.5, 0.25), lv(4.6, 0.22), N};
constexpr Phenotype kMonocyte{N, N, N, N, N, lv(3.9, 0.25), lv(5.05, 0.15), N, lv(4.0, 0.22),
                              lv(3.3, 0.25), lv(2.2, 0.35), N};
constexpr Phenotype kTCell{N, N, N, N, N, lv(3.0, 0.45), lv(5.2, 0.15), lv(4.8, 0.18), lv(3.7, 0.3),
                           N, N, lv(4.5, 0.25)};
constexpr Phenotype kNKCell{N, N, N, N, N, lv(4.0, 0.25), lv(5.05, 0.15), N, lv(3.8, 0.25), N, N,
                            lv(4.3, 0.25)};
constexpr Phenotype kMatureB{lv(4.3, 0.2), lv(4.45, 0.2), N, N, lv(4.9, 0.2), lv(3.3, 0.4),
                             lv(5.0, 0.15), N, lv(3.4, 0.25), N, lv(4.4, 0.2), N};
constexpr Phenotype kPlasma{lv(3.4, 0.45), N, N, N, N, lv(5.4, 0.2), lv(4.0, 0.4), N, lv(3.8, 0.25),
                            N, N, N};
constexpr Phenotype kBasophil{N, lv(3.0, 0.25), N, N, N, lv(4.0, 0.25), lv(4.2, 0.2), N, lv(3.5, 0.25),
                              lv(4.4, 0.25), N, N};
constexpr Phenotype kMyeloidProgenitor{N, N, N, lv(4.3, 0.25), N, lv(4.6, 0.2), lv(4.0, 0.2), N,
                                       lv(3.8, 0.25), lv(3.0, 0.35), N, lv(2.6, 0.5)};

}  // namespace

PopulationModel reference_population(Population p) {
  using P = Population;
  switch (p) {
    case P::Debris: return {kNone, {9000, 0.55, 9000, 0.8}, 0.5};
    case P::RbcGhost: return {kNone, {16000, 0.25, 3500, 0.35}, 0.4};
    case P::DeadCell: return {kNone, {24000, 0.30, 26000, 0.5}, 2.5};
    case P::ErythroidPrecursor: return {kErythroid, {38000, 0.15, 7500, 0.25}, 0.7};
    case P::Granulocyte: return {kGranulocyte, {88000, 0.13, 115000, 0.25}, 3.2};
    case P::Monocyte: return {kMonocyte, {80000, 0.12, 42000, 0.2}, 2.0};
    case P::TCell: return {kTCell, {50000, 0.10, 12000, 0.22}, 1.0};
    case P::NKCell: return {kNKCell, {53000, 0.10, 15000, 0.22}, 1.1};
    case P::MatureB: return {kMatureB, {49000, 0.10, 11000, 0.22}, 1.0};
    case P::PlasmaCell: return {kPlasma, {72000, 0.12, 26000, 0.25}, 1.6};
    case P::Basophil: return {kBasophil, {55000, 0.10, 15000, 0.25}, 1.2};
    case P::MyeloidProgenitor: return {kMyeloidProgenitor, {60000, 0.10, 20000, 0.25}, 1.3};
    default: break;  // doublets/aggregates are built from other cells; hematogones/blasts elsewhere
  }
  return {kNone, {50000, 0.1, 12000, 0.2}, 1.0};
}

namespace {
// Keypoints of the maturation trajectory at t = 0, 0.25, 0.5, 0.75, 1.
struct Track {
  double v[5];
};
constexpr Track kTracks[kMarkerCount] = {
    {{3.7, 3.9, 4.0, 4.1, 4.2}},   // CD19
    {{3.3, 3.6, 3.8, 4.0, 4.2}},   // CD22: dim on stage I, normal when mature
    {{4.8, 4.6, 4.2, 3.5, 2.4}},   // CD10: bright, fading
    {{4.3, 3.3, 1.9, 1.8, 1.8}},   // CD34: lost early in stage II
    {{1.8, 2.1, 3.3, 4.3, 4.8}},   // CD20: rising, inverse to CD34
    {{4.9, 4.9, 4.8, 4.5, 3.8}},   // CD38: bright through the precursor stages
    {{3.9, 4.2, 4.5, 4.8, 5.0}},   // CD45: dim to bright
    {{1.8, 1.8, 1.8, 1.8, 1.8}},   // CD3
    {{3.5, 3.4, 3.3, 3.3, 3.3}},   // CD58
    {{1.8, 1.8, 1.8, 1.8, 1.8}},   // CD66c/CD123
    {{4.0, 4.4, 4.6, 4.6, 4.4}},   // CD24
    {{1.8, 1.8, 1.8, 1.8, 1.8}},   // CD7
};
double interpolate(const Track& tr, double t) {
  const double x = std::clamp(t, 0.0, 1.0) * 4.0;
  const int i = std::min(3, static_cast<int>(x));
  const double f = x - i;
  return tr.v[i] * (1 - f) + tr.v[i + 1] * f;
}
}  // namespace

Phenotype hematogone_levels(double t) {
  Phenotype out{};
  for (std::size_t m = 0; m < kMarkerCount; ++m) {
    const bool negative = kTracks[m].v[0] <= kNegative && kTracks[m].v[4] <= kNegative;
    out[m] = {interpolate(kTracks[m], t), negative ? 0.30 : 0.17};
  }
  return out;
}

Scatter hematogone_scatter(double t) {
  // Early precursors are slightly larger than mature B cells.
  return {52000 - 5000 * t, 0.09, 11500, 0.2};
}

}  // namespace mrdflow::synth
