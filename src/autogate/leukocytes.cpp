#include "autogate/leukocytes.h"

#include <algorithm>
#include <cmath>

#include "autogate/parallel_for.h"
#include "autogate/stats.h"

namespace mrdflow::autogate {
namespace {

// log10 of linear SSC: lymphoid and granulocyte modes get comparable widths.
double log_ssc(double v, double floor) { return std::log10(std::max(v, floor)); }

}  // namespace

LeukocyteGates gate_leukocytes(Column cd45, Column ssc, const Mask& nucleated) {
  LeukocyteGates g;
  const std::size_t n = cd45.size();
  g.low_ssc.assign(n, 0);
  g.lymphocytes.assign(n, 0);
  g.monocytes.assign(n, 0);
  g.granulocytes.assign(n, 0);
  auto idx = subsample(nucleated, 100000);
  if (idx.size() < 50) {
    g.notes.push_back("too few nucleated events for leukocyte subsets");
    return g;
  }
  std::vector<double> s;
  s.reserve(idx.size());
  std::vector<double> positive;
  for (auto i : idx)
    if (ssc[i] > 0) positive.push_back(ssc[i]);
  const double floor = positive.empty() ? 1e-6 : std::max(1e-9, *quantile(Column(positive), {}, 0.001));
  for (auto i : idx) s.push_back(log_ssc(ssc[i], floor));
  std::vector<double> tmp = s;
  const double lo = *quantile_inplace(tmp, 0.001), hi = *quantile_inplace(tmp, 0.999);
  Histogram h = histogram(s, lo, hi + 1e-9, 200);
  smooth(h, 2.5);
  auto p = peaks(h, 0.03, 0.25);
  double split_log = hi, gran_log = hi + 1;
  if (p.size() >= 2) {
    split_log = h.center(valley_between(h, p[0], p[1]));
    gran_log = h.center(valley_between(h, p[p.size() - 2], p.back()));
  } else if (!p.empty()) {
    // One mode: lymphoid-sized events up to 3 robust SDs above it (upper half of the mode).
    std::vector<double> upper;
    const double m = h.center(p[0]);
    for (double v : s)
      if (v >= m) upper.push_back(v - m);
    const double sd = 1.4826 * quantile_inplace(upper, 0.5).value_or(0.1);
    split_log = m + 3 * sd;
    g.notes.push_back("single SSC mode: no granulocyte population separated");
  }
  g.ssc_split = std::pow(10.0, split_log);
  g.granulocyte_split = std::pow(10.0, gran_log);
  for_each_block(n, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      if (!nucleated[i]) continue;
      g.low_ssc[i] = ssc[i] < g.ssc_split;
      g.granulocytes[i] = ssc[i] >= g.granulocyte_split;
    }
  });
  // Lymphocytes: the brightest CD45 mode among low-SSC events.
  auto c = gather(cd45, g.low_ssc);
  if (c.size() < 50) return g;
  // Both tails in one selection (c is finite, gathered so): reorders c, whose order nothing
  // below depends on.
  const auto crange = quantiles_inplace(c, {0.001, 0.999});
  const double clo = *crange[0], chi = *crange[1];
  Histogram hc = histogram(c, clo, chi + 1e-9, 200);
  smooth(hc, 2.0);
  auto pc = peaks(hc, 0.05, 0.3);
  if (pc.empty()) return g;
  const std::size_t bright = pc.back();
  const double m = hc.center(bright);
  std::vector<double> upper;
  for (double v : c)
    if (v >= m) upper.push_back(v - m);
  const double sd = 1.4826 * quantile_inplace(upper, 0.5).value_or(0.05);
  double low = m - 3 * sd;
  if (pc.size() >= 2) low = std::max(low, hc.center(valley_between(hc, pc[pc.size() - 2], bright)));
  g.cd45_lymph_low = low;
  for_each_block(n, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      if (!nucleated[i]) continue;
      g.lymphocytes[i] = g.low_ssc[i] && cd45[i] >= low;
      g.monocytes[i] = !g.low_ssc[i] && !g.granulocytes[i] && cd45[i] >= low;
    }
  });
  return g;
}

std::optional<ModeSplit> bright_mode(Column marker, const Mask& in) {
  auto v = gather(marker, in);
  auto split = bimodal_split(v);
  if (!split) return std::nullopt;
  ModeSplit r;
  r.threshold = *split;
  r.positive.assign(marker.size(), 0);
  for (std::size_t i = 0; i < marker.size(); ++i) r.positive[i] = in[i] && marker[i] > *split;
  return r;
}

Mask any_above(const std::vector<Column>& channels, const std::vector<double>& thresholds,
               const Mask& in) {
  Mask out(in.size(), 0);
  for (std::size_t c = 0; c < channels.size(); ++c) {
    const auto col = channels[c];
    const double t = thresholds[c];
    for (std::size_t i = 0; i < col.size(); ++i) out[i] |= static_cast<std::uint8_t>(col[i] > t);
  }
  for (std::size_t i = 0; i < in.size(); ++i) out[i] &= in[i];
  return out;
}

}  // namespace mrdflow::autogate
