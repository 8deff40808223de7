#include "autogate/scatter.h"

#include <algorithm>
#include <cmath>

#include "autogate/parallel_for.h"
#include "autogate/stats.h"

namespace mrdflow::autogate {

DebrisGate gate_debris(Column fsc, const Mask& in) {
  DebrisGate g;
  g.cells = in;
  std::vector<std::size_t> idx = subsample(in, 200000);
  std::vector<double> v;
  v.reserve(idx.size());
  for (auto i : idx)
    if (std::isfinite(fsc[i])) v.push_back(fsc[i]);
  if (v.size() < 100) return g;
  std::vector<double> tmp = v;
  const double lo = std::min(0.0, *quantile_inplace(tmp, 0.0));
  const double hi = *quantile_inplace(tmp, 0.999);
  if (!(hi > lo)) return g;
  Histogram h = histogram(v, lo, hi, 256);
  smooth(h, 2.0);
  auto p = peaks(h, 0.03, 0.3);
  if (p.empty()) return g;
  std::size_t cut = 0;
  // A debris mode: the lowest peak, in the lower fifth of the range and at less than half the
  // FSC of the next mode (cells); it may be the highest mode of all.
  if (p.size() >= 2 && h.center(p[0]) < lo + 0.2 * (hi - lo) &&
      h.center(p[0]) - lo < 0.5 * (h.center(p[1]) - lo)) {
    cut = valley_between(h, p[0], p[1]);
    g.debris_peak = true;
  } else {
    const std::size_t first = p[0];
    const double floor = 0.02 * h.counts[first];
    cut = first;
    while (cut > 0 && h.counts[cut] > floor) --cut;
  }
  g.threshold = h.lo + static_cast<double>(cut) * h.width() + (g.debris_peak ? 0.5 * h.width() : 0.0);
  for_each_block(fsc.size(), [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) g.cells[i] = static_cast<std::uint8_t>(in[i] && fsc[i] > g.threshold);
  });
  return g;
}

SingletGate gate_singlets(Column area, Column height, const Mask& in, double k_low,
                          double k_high) {
  SingletGate g;
  g.singlets = in;
  std::vector<double> ratio;
  for (auto i : subsample(in, 200000))
    if (area[i] > 0 && std::isfinite(height[i])) ratio.push_back(height[i] / area[i]);
  auto mm = median_mad(ratio);
  if (!mm) return g;
  g.median_ratio = mm->median;
  g.mad_ratio = std::max(mm->mad, 0.005 * std::abs(mm->median));
  g.low = g.median_ratio - k_low * g.mad_ratio;
  g.high = g.median_ratio + k_high * g.mad_ratio;
  for_each_block(area.size(), [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      if (!in[i]) continue;
      const double r = area[i] > 0 ? height[i] / area[i] : -1.0;
      g.singlets[i] = static_cast<std::uint8_t>(r >= g.low && r <= g.high);
    }
  });
  return g;
}

}  // namespace mrdflow::autogate
