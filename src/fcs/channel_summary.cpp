#include "fcs/channel_summary.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace mrdflow::fcs {

ChannelSummary summarize_channel(std::span<const double> values) noexcept {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  ChannelSummary s{kInf, -kInf, 0, 0};
  long double sum = 0;  // extended precision: means of millions of values match the truth files
  std::size_t n = 0;
  for (const double v : values) {
    if (std::isnan(v)) {
      ++s.nan_count;
      continue;
    }
    s.min = std::min(s.min, v);
    s.max = std::max(s.max, v);
    sum += v;
    ++n;
  }
  if (n == 0) return {kNaN, kNaN, kNaN, s.nan_count};
  s.mean = static_cast<double>(sum / static_cast<long double>(n));
  return s;
}

}  // namespace mrdflow::fcs
