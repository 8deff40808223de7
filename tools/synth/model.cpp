#include "model.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "common/error.h"
#include "rng.h"

namespace mrdflow::synth {
namespace {

constexpr std::size_t idx(Marker m) { return static_cast<std::size_t>(m); }
constexpr std::size_t idx(Population p) { return static_cast<std::size_t>(p); }

// Largest-remainder split of `total` by weights, so counts add up exactly.
std::vector<std::size_t> apportion(std::size_t total, const std::vector<double>& weights) {
  const double sum = std::accumulate(weights.begin(), weights.end(), 0.0);
  std::vector<std::size_t> out(weights.size(), 0);
  if (sum <= 0 || total == 0) return out;
  std::vector<std::pair<double, std::size_t>> remainders;
  std::size_t given = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const double exact = static_cast<double>(total) * weights[i] / sum;
    out[i] = static_cast<std::size_t>(std::floor(exact));
    given += out[i];
    remainders.push_back({exact - std::floor(exact), i});
  }
  std::stable_sort(remainders.begin(), remainders.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (std::size_t k = 0; given < total; ++k, ++given) ++out[remainders[k % remainders.size()].second];
  return out;
}

// The leukemic clone: arrested early on the B-precursor continuum plus 2-4 aberrancies.
BlastModel make_blast(Rng& rng, const Panel& panel, const Scenario& scenario) {
  BlastModel b;
  b.maturation_t = rng.uniform(0.02, 0.30);
  b.phenotype = hematogone_levels(b.maturation_t);
  for (auto& lv : b.phenotype) lv.sd = std::max(lv.sd, rng.uniform(0.15, 0.25));
  b.scatter = {rng.uniform(52000, 70000), 0.11, rng.uniform(10000, 19000), 0.22};
  b.autofluorescence = rng.uniform(0.9, 1.2);
  auto& P = b.phenotype;
  auto set = [&](Marker m, double mean) { P[idx(m)].mean = mean; };
  auto add = [&](Marker m, double delta) { P[idx(m)].mean += delta; };

  struct Option {
    const char* name;
    Marker needs;
    int weight;
  };
  const Option options[] = {
      {"CD10 over-expression", Marker::CD10, 3}, {"CD10 negative", Marker::CD10, 1},
      {"CD38 under-expression", Marker::CD38, 4}, {"CD45 negative", Marker::CD45, 2},
      {"CD45 under-expression", Marker::CD45, 2}, {"CD58 over-expression", Marker::CD58, 3},
      {"CD20 asynchronous (CD34+CD20+)", Marker::CD20, 2}, {"CD34 over-expression", Marker::CD34, 1},
      {"CD66c/CD123 aberrant", Marker::CD66c_CD123, 3}, {"CD24 under-expression", Marker::CD24, 1},
      {"CD22 under-expression", Marker::CD22, 0},
  };
  const int wanted = 2 + static_cast<int>(rng.below(3));
  std::vector<bool> used(std::size(options), false);
  int total_weight = 0;
  for (const auto& o : options) total_weight += o.weight;
  for (int picked = 0, guard = 0; picked < wanted && guard < 200; ++guard) {
    int r = static_cast<int>(rng.below(static_cast<std::uint64_t>(total_weight)));
    std::size_t k = 0;
    while (r >= options[k].weight) r -= options[k++].weight;
    const std::string name = options[k].name;
    if (used[k] || !panel.has(options[k].needs)) continue;
    // Mutually exclusive pairs.
    auto taken = [&](const char* other) {
      for (std::size_t j = 0; j < std::size(options); ++j)
        if (used[j] && name != other && std::string(options[j].name) == other) return true;
      return false;
    };
    if ((name == "CD10 negative" && taken("CD10 over-expression")) ||
        (name == "CD10 over-expression" && taken("CD10 negative")) ||
        (name == "CD45 negative" && taken("CD45 under-expression")) ||
        (name == "CD45 under-expression" && taken("CD45 negative")))
      continue;
    used[k] = true;
    ++picked;
    b.aberrancies.push_back(name);
    if (name == "CD10 over-expression") add(Marker::CD10, rng.uniform(0.45, 0.8));
    else if (name == "CD10 negative") set(Marker::CD10, kNegative + 0.2);
    else if (name == "CD38 under-expression") add(Marker::CD38, -rng.uniform(1.0, 1.8));
    else if (name == "CD45 negative") set(Marker::CD45, kNegative + 0.3);
    else if (name == "CD45 under-expression") add(Marker::CD45, -rng.uniform(0.5, 0.9));
    else if (name == "CD58 over-expression") add(Marker::CD58, rng.uniform(0.6, 0.95));
    else if (name == "CD20 asynchronous (CD34+CD20+)") {
      set(Marker::CD20, rng.uniform(3.7, 4.3));
      set(Marker::CD34, std::max(P[idx(Marker::CD34)].mean, 4.0));
    } else if (name == "CD34 over-expression") add(Marker::CD34, rng.uniform(0.3, 0.6));
    else if (name == "CD66c/CD123 aberrant") set(Marker::CD66c_CD123, rng.uniform(3.8, 4.3));
    else if (name == "CD24 under-expression") add(Marker::CD24, -rng.uniform(0.8, 1.4));
  }
  // CD22 on B-ALL blasts is usually somewhat below normal B; the dim scenario puts it about one
  // decade below normal mature B (4.3) yet well above the negatives.
  b.cd22_level = scenario.cd22_dim ? rng.uniform(3.55, 3.7) : rng.uniform(3.65, 3.95);
  if (scenario.cd22_dim) b.aberrancies.push_back("CD22 dim");
  // Clonal CD19/CD22 expression is tight, so the truth's positive/negative split stays measurable.
  P[idx(Marker::CD22)] = {b.cd22_level, scenario.cd22_dim ? rng.uniform(0.1, 0.13) : rng.uniform(0.12, 0.17)};
  P[idx(Marker::CD19)] = {rng.uniform(3.8, 4.2), rng.uniform(0.13, 0.2)};
  return b;
}

}  // namespace

SampleModel build_model(const Scenario& scenario, std::uint64_t seed, std::size_t events, Style style,
                        int flow_anomaly) {
  SampleModel m;
  m.scenario = scenario;
  m.seed = seed;
  m.events = events == 0 ? scenario.default_events : events;
  if (m.events < 1000 || m.events > 50'000'000) {
    throw Error("usage", "--events must be between 1000 and 50000000, got " + std::to_string(m.events));
  }
  Rng rng(stream_seed(seed, 0));
  m.panel = make_panel(style, &rng);
  m.time_first = rng.chance(0.25);

  for (std::size_t k = 0; k < kMarkerCount; ++k) {
    m.marker_shift[k] = rng.uniform(-0.2, 0.2);
    m.spread_factor[k] = rng.uniform(0.85, 1.3);
  }
  for (auto& row : m.population_shift)
    for (auto& v : row) v = rng.normal(0, 0.06);
  for (std::size_t p = 0; p < kPopulationCount; ++p) m.populations[p] = reference_population(Population(p));
  {  // Dead cells: shrunken, sticky (non-specific binding), CD45 partly retained.
    auto& dead = m.populations[idx(Population::DeadCell)];
    for (auto& lv : dead.phenotype) lv = {rng.uniform(2.2, 2.6), 0.45};
    dead.phenotype[idx(Marker::CD45)] = {3.6, 0.5};
  }
  for (std::size_t p = 0; p < kPopulationCount; ++p) {  // scatter differs a little between samples
    auto& sc = m.populations[p].scatter;
    sc.fsc *= rng.uniform(0.92, 1.08);
    sc.ssc *= rng.uniform(0.9, 1.1);
  }

  const std::size_t n_stains = m.panel.stains.size();
  for (std::size_t i = 0; i < n_stains; ++i) {
    m.detector_gain[i] = std::pow(10.0, rng.uniform(-0.15, 0.15));
    m.photon_units[i] = rng.uniform(4.0, 20.0);  // sets the spillover spreading
  }
  m.electronic_noise = rng.uniform(8, 20);
  m.scatter_gain = std::pow(10.0, rng.uniform(-0.08, 0.08));
  m.fsc_height_ratio = rng.uniform(0.72, 0.86);
  m.spillover.assign(n_stains * n_stains, 0.0);
  for (std::size_t i = 0; i < n_stains; ++i) {
    for (std::size_t j = 0; j < n_stains; ++j) {
      const double nominal = nominal_spillover(m.panel.stains[i].fluor, m.panel.stains[j].fluor);
      m.spillover[i * n_stains + j] = i == j ? 1.0 : nominal * rng.uniform(0.75, 1.25);
    }
  }

  m.blast = make_blast(rng, m.panel, scenario);
  m.blast_cd19_fraction = rng.uniform(scenario.cd19_positive.lo, scenario.cd19_positive.hi);
  m.blast_cd22_fraction = rng.uniform(scenario.cd22_positive.lo, scenario.cd22_positive.hi);

  // Nuisance events, as fractions of all events.
  using P = Population;
  const double f_debris = rng.uniform(0.03, 0.12), f_rbc = rng.uniform(0.01, 0.06),
               f_dead = rng.uniform(0.01, 0.04), f_doublet = rng.uniform(0.02, 0.06),
               f_aggregate = rng.uniform(0.0005, 0.004);
  auto frac = [&](double f) { return static_cast<std::size_t>(std::llround(f * static_cast<double>(m.events))); };
  m.counts[idx(P::Debris)] = frac(f_debris);
  m.counts[idx(P::RbcGhost)] = frac(f_rbc);
  m.counts[idx(P::DeadCell)] = frac(f_dead);
  m.counts[idx(P::Doublet)] = frac(f_doublet);
  m.counts[idx(P::Aggregate)] = frac(f_aggregate);
  std::size_t nuisance = 0;
  for (std::size_t p = 0; p < 5; ++p) nuisance += m.counts[p];
  const std::size_t nucleated = m.events - nuisance;

  std::size_t blasts = 0;
  if (scenario.blast_events) blasts = std::min(*scenario.blast_events, nucleated / 2);
  else if (scenario.mrd_fraction)
    blasts = static_cast<std::size_t>(std::llround(
        rng.uniform(scenario.mrd_fraction->lo, scenario.mrd_fraction->hi) * static_cast<double>(nucleated)));
  double hg_fraction = rng.uniform(scenario.hematogone_fraction.lo, scenario.hematogone_fraction.hi);
  if (scenario.b_cell_aplasia) hg_fraction *= 0.02;
  const std::size_t hematogones = static_cast<std::size_t>(std::llround(hg_fraction * static_cast<double>(nucleated)));

  // Normal background (weights of nucleated cells that are neither blasts nor hematogones).
  std::vector<P> normal = {P::ErythroidPrecursor, P::Granulocyte, P::Monocyte, P::TCell, P::NKCell,
                           P::MatureB, P::PlasmaCell, P::Basophil, P::MyeloidProgenitor};
  std::vector<double> w = {rng.uniform(0.03, 0.12), rng.uniform(0.45, 0.65), rng.uniform(0.04, 0.09),
                           rng.uniform(0.08, 0.18), rng.uniform(0.01, 0.04), rng.uniform(0.01, 0.04),
                           rng.uniform(0.002, 0.01), rng.uniform(0.002, 0.01), rng.uniform(0.005, 0.02)};
  if (scenario.b_cell_aplasia) w[5] *= 0.02;
  const auto normal_counts = apportion(nucleated - blasts - hematogones, w);
  for (std::size_t k = 0; k < normal.size(); ++k) m.counts[idx(normal[k])] = normal_counts[k];

  m.hematogone_stage_weights = {rng.uniform(0.12, 0.3), rng.uniform(0.4, 0.6), rng.uniform(0.15, 0.35)};
  const auto stages = apportion(hematogones, {m.hematogone_stage_weights.begin(), m.hematogone_stage_weights.end()});
  m.counts[idx(P::HematogoneI)] = stages[0];
  m.counts[idx(P::HematogoneII)] = stages[1];
  m.counts[idx(P::ImmatureB)] = stages[2];

  // Blast antigen components: CD19-negative ones first, CD22-negative ones last, overlapping only
  // when together they exceed all blasts.
  const auto n19pos = static_cast<std::size_t>(std::llround(m.blast_cd19_fraction * static_cast<double>(blasts)));
  const auto n22pos = static_cast<std::size_t>(std::llround(m.blast_cd22_fraction * static_cast<double>(blasts)));
  const std::size_t n19neg = blasts - n19pos, n22neg = blasts - n22pos;
  const std::size_t both_neg = n19neg + n22neg > blasts ? n19neg + n22neg - blasts : 0;
  m.counts[idx(P::BlastCD19negCD22neg)] = both_neg;
  m.counts[idx(P::BlastCD19negCD22pos)] = n19neg - both_neg;
  m.counts[idx(P::BlastCD19posCD22neg)] = n22neg - both_neg;
  m.counts[idx(P::BlastCD19posCD22pos)] = blasts - n19neg - n22neg + both_neg;

  for (std::size_t p = 0; p < kPopulationCount; ++p)
    m.nucleated_weights[p] = is_nucleated(Population(p)) ? static_cast<double>(m.counts[p]) : 0.0;

  m.events_per_second = rng.uniform(2500, 9000);
  const bool anomaly = flow_anomaly < 0 ? rng.chance(0.4) : flow_anomaly == 1;
  if (anomaly) {
    m.anomaly.present = true;
    const double start = rng.uniform(0.2, 0.8), width = rng.uniform(0.04, 0.09);
    m.anomaly.first_event = static_cast<std::size_t>(start * static_cast<double>(m.events));
    m.anomaly.end_event = std::min(m.events, m.anomaly.first_event +
                                                 static_cast<std::size_t>(width * static_cast<double>(m.events)));
    m.anomaly.rate_factor = rng.uniform(3.0, 6.0);
    m.anomaly.signal_factor = rng.uniform(0.45, 0.7);
    m.anomaly.clog_seconds = rng.uniform(2.0, 8.0);
  }
  return m;
}

}  // namespace mrdflow::synth
