#include "generator.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"
#include "rng.h"

namespace mrdflow::synth {
namespace {

constexpr double kUnitsPerMolecule = 0.5;  // BD linear units per molecule of a PE-bright reagent
constexpr std::size_t kBlock = 16384;      // events per independent random stream
constexpr double kLn10 = 2.302585092994046;

struct Cell {
  double fsc_a = 0, fsc_h = 0, ssc_a = 0, ssc_h = 0;
  std::array<double, kMaxStains> fluor{};  // emitted by each stain's fluorochrome
  std::array<double, kMaxStains> af{};     // autofluorescence seen by each stain's detector
};

class CellDrawer {
 public:
  explicit CellDrawer(const SampleModel& m) : m_(m), n_(m.panel.stains.size()) {
    double acc = 0;
    for (std::size_t p = 0; p < kPopulationCount; ++p) {
      acc += m.nucleated_weights[p];
      partner_cdf_[p] = acc;
    }
    for (std::size_t i = 0; i < n_; ++i) {
      brightness_[i] = fluor_brightness(m.panel.stains[i].fluor) * kUnitsPerMolecule;
      detector_af_[i] = detector_autofluorescence(m.panel.stains[i].fluor);
      marker_[i] = static_cast<std::size_t>(m.panel.stains[i].marker);
    }
  }

  void draw(Population pop, Rng& rng, Cell& c) const {
    switch (pop) {
      case Population::Doublet: return draw_doublet(rng, c);
      case Population::Aggregate: {
        draw_single(partner(rng), rng, c);
        c.fsc_a *= rng.uniform(3, 8);
        c.fsc_h *= rng.uniform(1.5, 3);
        c.ssc_a *= rng.uniform(3, 10);
        c.ssc_h *= rng.uniform(2, 6);
        const double f = rng.uniform(2, 5);
        for (std::size_t i = 0; i < n_; ++i) c.fluor[i] *= f, c.af[i] *= f;
        return;
      }
      default: return draw_single(pop, rng, c);
    }
  }

 private:
  Population partner(Rng& rng) const {
    const double u = rng.uniform() * partner_cdf_[kPopulationCount - 1];
    std::size_t p = 0;
    while (p + 1 < kPopulationCount && partner_cdf_[p] <= u) ++p;
    return Population(p);
  }

  void draw_doublet(Rng& rng, Cell& c) const {
    Cell other;
    draw_single(partner(rng), rng, c);
    draw_single(partner(rng), rng, other);
    c.fsc_h = std::max(c.fsc_h, other.fsc_h) * rng.uniform(1.0, 1.25);
    c.ssc_h = std::max(c.ssc_h, other.ssc_h) * rng.uniform(1.0, 1.3);
    c.fsc_a += other.fsc_a;
    c.ssc_a += other.ssc_a;
    for (std::size_t i = 0; i < n_; ++i) c.fluor[i] += other.fluor[i], c.af[i] += other.af[i];
  }

  void draw_single(Population pop, Rng& rng, Cell& c) const {
    const auto p = static_cast<std::size_t>(pop);
    Phenotype phen;
    Scatter sc;
    double af;
    if (is_hematogone(pop)) {
      const double t = pop == Population::HematogoneI    ? rng.uniform(0.0, 0.3)
                       : pop == Population::HematogoneII ? rng.uniform(0.3, 0.75)
                                                         : rng.uniform(0.75, 1.0);
      phen = hematogone_levels(t);
      sc = hematogone_scatter(t);
      af = 1.0;
    } else if (is_blast(pop)) {
      phen = m_.blast.phenotype;
      sc = m_.blast.scatter;
      af = m_.blast.autofluorescence;
      if (pop == Population::BlastCD19negCD22pos || pop == Population::BlastCD19negCD22neg)
        phen[static_cast<std::size_t>(Marker::CD19)] = {kNegative, 0.3};
      if (pop == Population::BlastCD19posCD22neg || pop == Population::BlastCD19negCD22neg)
        phen[static_cast<std::size_t>(Marker::CD22)] = {kNegative, 0.3};
    } else {
      const auto& ref = m_.populations[p];
      phen = ref.phenotype;
      sc = ref.scatter;
      af = ref.autofluorescence;
    }
    c.fsc_a = sc.fsc * std::exp(rng.normal() * sc.fsc_sd);
    c.ssc_a = sc.ssc * std::exp(rng.normal() * sc.ssc_sd);
    c.fsc_h = c.fsc_a * m_.fsc_height_ratio * (1 + 0.03 * rng.normal());
    c.ssc_h = c.ssc_a * 0.82 * (1 + 0.04 * rng.normal());
    // Autofluorescence grows with cell size and is correlated across detectors.
    const double cell_af = af * std::exp(kLn10 * 0.12 * rng.normal()) * std::sqrt(c.fsc_a / 50000.0);
    for (std::size_t i = 0; i < n_; ++i) {
      const std::size_t mk = marker_[i];
      const Level lv = phen[mk];
      const double log_molecules = lv.mean + m_.marker_shift[mk] + m_.population_shift[p][mk] +
                                   lv.sd * m_.spread_factor[mk] * rng.normal();
      c.fluor[i] = std::exp(kLn10 * log_molecules) * brightness_[i];
      c.af[i] = cell_af * detector_af_[i];
    }
  }

  const SampleModel& m_;
  std::size_t n_;
  std::array<double, kPopulationCount> partner_cdf_{};
  std::array<double, kMaxStains> brightness_{}, detector_af_{};
  std::array<std::size_t, kMaxStains> marker_{};
};

}  // namespace

Tube generate(const GenerateRequest& request) {
  const Scenario* scenario = find_scenario(request.scenario);
  if (!scenario) throw Error("usage", "unknown scenario '" + request.scenario + "' (see --list)");
  return generate(build_model(*scenario, request.seed, request.events, request.style, request.flow_anomaly));
}

Tube generate(const SampleModel& model) {
  Tube tube;
  tube.model = model;
  const SampleModel& m = tube.model;
  const Instrument& inst = m.panel.instrument;
  const std::size_t n = m.events;
  const std::size_t n_stains = m.panel.stains.size();
  tube.events = n;

  // Column layout as the instrument records it.
  auto add = [&](std::string name, std::string marker, int stain) {
    tube.channels.push_back({std::move(name), std::move(marker), inst.range, stain});
  };
  if (m.time_first) add(inst.time, "", -1);
  add(inst.fsc_area, "", -1);
  add(inst.fsc_height, "", -1);
  add(inst.ssc_area, "", -1);
  if (inst.ssc_height) add(*inst.ssc_height, "", -1);
  for (std::size_t i = 0; i < n_stains; ++i)
    add(m.panel.stains[i].detector, m.panel.stains[i].label, static_cast<int>(i));
  if (!m.time_first) add(inst.time, "", -1);
  const std::size_t n_channels = tube.channels.size();
  auto column_of = [&](const std::string& name) {
    for (std::size_t c = 0; c < n_channels; ++c)
      if (tube.channels[c].name == name) return c;
    return n_channels;
  };
  const std::size_t c_fsc_a = column_of(inst.fsc_area), c_fsc_h = column_of(inst.fsc_height),
                    c_ssc_a = column_of(inst.ssc_area), c_time = column_of(inst.time);
  const std::size_t c_ssc_h = inst.ssc_height ? column_of(*inst.ssc_height) : n_channels;
  std::array<std::size_t, kMaxStains> c_stain{};
  for (std::size_t c = 0; c < n_channels; ++c)
    if (tube.channels[c].stain >= 0) c_stain[static_cast<std::size_t>(tube.channels[c].stain)] = c;

  // Acquisition order: exact population counts, shuffled.
  tube.labels.reserve(n);
  for (std::size_t p = 0; p < kPopulationCount; ++p)
    tube.labels.insert(tube.labels.end(), m.counts[p], static_cast<std::uint8_t>(p));
  if (tube.labels.size() != n) throw Error("internal", "population counts do not add up to --events");
  Rng order(stream_seed(m.seed, 1));
  for (std::size_t i = n; i > 1; --i) std::swap(tube.labels[i - 1], tube.labels[order.below(i)]);

  // Time: Poisson arrivals; an anomaly is a clog (gap) followed by a burst of faster events.
  std::vector<double> seconds(n);
  {
    Rng clock(stream_seed(m.seed, 2));
    double t = clock.uniform(0.05, 0.5);
    for (std::size_t e = 0; e < n; ++e) {
      const bool inside = m.anomaly.present && e >= m.anomaly.first_event && e < m.anomaly.end_event;
      if (m.anomaly.present && e == m.anomaly.first_event) t += m.anomaly.clog_seconds;
      t += clock.exponential(m.events_per_second * (inside ? m.anomaly.rate_factor : 1.0));
      seconds[e] = t;
    }
  }

  // Spillover in file units: detector gains differ, so S'ij = Sij * gain_j / gain_i.
  tube.spillover.resize(n_stains * n_stains);
  for (std::size_t i = 0; i < n_stains; ++i)
    for (std::size_t j = 0; j < n_stains; ++j)
      tube.spillover[i * n_stains + j] = m.spillover[i * n_stains + j] * m.detector_gain[j] / m.detector_gain[i];

  tube.values.assign(n * n_channels, 0.0f);
  const double top = inst.range - 1;
  const double electronic_var = m.electronic_noise * m.electronic_noise;
  const CellDrawer drawer(m);
  const std::size_t blocks = (n + kBlock - 1) / kBlock;
  std::vector<std::size_t> block_margin(blocks, 0);
  float* out = tube.values.data();

#pragma omp parallel for schedule(dynamic, 1)
  for (std::size_t b = 0; b < blocks; ++b) {
    Rng rng(stream_seed(m.seed, 1000 + b));
    Cell cell;
    std::size_t margin = 0;
    const std::size_t end = std::min(n, (b + 1) * kBlock);
    for (std::size_t e = b * kBlock; e < end; ++e) {
      drawer.draw(Population(tube.labels[e]), rng, cell);
      const bool inside = m.anomaly.present && e >= m.anomaly.first_event && e < m.anomaly.end_event;
      const double signal = inside ? m.anomaly.signal_factor : 1.0;
      bool clipped = false;
      auto put = [&](std::size_t c, double v) {
        if (v >= top) v = top, clipped = true;
        out[c * n + e] = static_cast<float>(v);
      };
      const double scatter = inst.scale * m.scatter_gain * signal;
      put(c_fsc_a, std::max(1.0, (cell.fsc_a + 150 * rng.normal()) * scatter));
      put(c_fsc_h, std::max(1.0, (cell.fsc_h + 150 * rng.normal()) * scatter));
      put(c_ssc_a, std::max(1.0, (cell.ssc_a + 100 * rng.normal()) * scatter));
      if (c_ssc_h < n_channels) put(c_ssc_h, std::max(1.0, (cell.ssc_h + 100 * rng.normal()) * scatter));
      for (std::size_t j = 0; j < n_stains; ++j) {
        double s = cell.af[j];
        for (std::size_t i = 0; i < n_stains; ++i) s += cell.fluor[i] * m.spillover[i * n_stains + j];
        s *= signal;
        // Photon (Poisson-like, variance proportional to signal) and electronic noise are
        // independent normals, so one draw with the summed variance is the same distribution.
        const double noise_sd = std::sqrt(m.photon_units[j] * std::max(s, 0.0) + electronic_var);
        const double observed = s + noise_sd * rng.normal();
        put(c_stain[j], observed * m.detector_gain[j] * inst.scale);
      }
      out[c_time * n + e] = static_cast<float>(seconds[e] / inst.timestep);
      if (clipped) ++margin;
    }
    block_margin[b] = margin;
  }

  // Truth, counted from the labels actually written.
  Truth& t = tube.truth;
  t.scenario = m.scenario.name;
  t.description = m.scenario.description;
  t.style = std::string(style_name(inst.style));
  t.cytometer = inst.cytometer;
  t.seed = m.seed;
  t.events_total = n;
  for (std::size_t e = 0; e < n; ++e) {
    const auto pop = Population(tube.labels[e]);
    ++t.counts[tube.labels[e]];
    const bool inside = m.anomaly.present && e >= m.anomaly.first_event && e < m.anomaly.end_event;
    if (is_nucleated(pop) && !inside) ++t.nucleated_outside_anomaly;
    if (is_blast(pop) && !inside) ++t.blasts_outside_anomaly;
  }
  for (std::size_t p = 0; p < kPopulationCount; ++p) {
    const auto pop = Population(p);
    if (is_nucleated(pop)) t.nucleated += t.counts[p];
    if (is_blast(pop)) t.blasts += t.counts[p];
    if (is_hematogone(pop)) t.hematogones += t.counts[p];
  }
  using P = Population;
  auto count = [&](P p) { return t.counts[static_cast<std::size_t>(p)]; };
  t.blasts_cd19_positive = count(P::BlastCD19posCD22pos) + count(P::BlastCD19posCD22neg);
  t.blasts_cd22_positive = count(P::BlastCD19posCD22pos) + count(P::BlastCD19negCD22pos);
  for (auto v : block_margin) t.margin_events += v;
  if (m.anomaly.present) {
    t.anomaly = {true, m.anomaly.first_event, m.anomaly.end_event,
                 seconds[m.anomaly.first_event] / inst.timestep, seconds[m.anomaly.end_event - 1] / inst.timestep};
  }
  return tube;
}

double mrd_percent(const Truth& t) {
  return t.nucleated == 0 ? 0.0 : 100.0 * static_cast<double>(t.blasts) / static_cast<double>(t.nucleated);
}

std::optional<double> cd19_percent_positive(const Truth& t) {
  if (t.blasts == 0) return std::nullopt;
  return 100.0 * static_cast<double>(t.blasts_cd19_positive) / static_cast<double>(t.blasts);
}

std::optional<double> cd22_percent_positive(const Truth& t) {
  if (t.blasts == 0) return std::nullopt;
  return 100.0 * static_cast<double>(t.blasts_cd22_positive) / static_cast<double>(t.blasts);
}

std::string expected_mrd_status(const Truth& t) {
  if (t.blasts >= 50) return "detected";
  if (t.blasts >= 20) return "below_loq";
  return "not_detected";
}

std::string expected_verdict(const Truth& t) {
  if (t.blasts < 50) return "indeterminate";
  return *cd19_percent_positive(t) > 95.0 && *cd22_percent_positive(t) > 95.0 ? "eligible" : "not_eligible";
}

}  // namespace mrdflow::synth
