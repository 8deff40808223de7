#include "autogate/beads.h"

#include <algorithm>
#include <cmath>

#include "autogate/parallel_for.h"
#include "autogate/stats.h"

namespace mrdflow::autogate {

BeadGate find_counting_beads(const std::vector<Column>& fl, const Mask& in, const BeadOptions& o) {
  BeadGate g;
  const std::size_t n = in.size();
  g.beads.assign(n, 0);
  if (fl.size() < o.min_channels) return g;
  // Per-detector bright limit from an evenly strided subsample (deterministic, no full sort).
  const auto idx = subsample(in, 200000);
  if (idx.size() < 100) return g;
  // Channels on their own (each its own subsample copy), then events in blocks: per-item work,
  // so the limits and hits do not depend on the thread count.
  g.bright_limits.assign(fl.size(), INFINITY);
  parallel_for(fl.size(), true, [&](std::size_t c) {
    std::vector<double> v(idx.size());
    for (std::size_t j = 0; j < idx.size(); ++j) v[j] = fl[c][idx[j]];
    // Halfway between the typical event and the very top of the detector: beads (often a few
    // percent of events) sit at that top in every detector, so a plain high quantile could
    // fall inside the bead cloud itself.
    const double top = quantile_inplace(v, o.bright_quantile).value_or(INFINITY);
    const double mid = quantile_inplace(v, 0.5).value_or(top);
    g.bright_limits[c] = mid + 0.5 * (top - mid);
  });
  const std::size_t need = std::max(o.min_channels,
      static_cast<std::size_t>(std::ceil(o.channel_share * static_cast<double>(fl.size()))));
  for_each_block(n, [&](std::size_t begin, std::size_t end) {
    std::vector<std::uint8_t> hits(end - begin, 0);
    for (std::size_t c = 0; c < fl.size(); ++c) {
      const auto col = fl[c];
      const double lim = g.bright_limits[c];
      for (std::size_t i = begin; i < end; ++i) hits[i - begin] = static_cast<std::uint8_t>(hits[i - begin] + (col[i] > lim));
    }
    for (std::size_t i = begin; i < end; ++i) g.beads[i] = static_cast<std::uint8_t>(in[i] && hits[i - begin] >= need);
  });
  const auto found = static_cast<std::size_t>(std::count(g.beads.begin(), g.beads.end(), std::uint8_t{1}));
  if (found < o.min_events) std::fill(g.beads.begin(), g.beads.end(), 0);
  return g;
}

}  // namespace mrdflow::autogate
