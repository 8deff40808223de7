// Values as flowCore's read.FCS returns them with its defaults (transformation="linearize",
// truncate_max_range=TRUE). Evidence and the per-rule test files: docs/fcs-semantics.md.
#include <cmath>
#include <cstdint>
#include <vector>

#include "fcs/detail.h"

namespace mrdflow::fcs::detail {

void apply_flowcore_defaults(DataSet& ds, const std::function<bool(const Channel&)>& keep_above_range) {
  // A file flowCore itself wrote after transforming carries "transformation": flowCore then
  // neither truncates (keyword present at all) nor linearizes (value applied/custom).
  const auto* tr = ds.keywords.find("transformation");
  const bool truncate = tr == nullptr;
  std::vector<char> exempt(ds.channels.size(), 0);
  if (keep_above_range)
    for (std::size_t c = 0; c < ds.channels.size(); ++c) exempt[c] = keep_above_range(ds.channels[c]);
  const bool linearize = tr == nullptr || (*tr != "applied" && *tr != "custom");
  // Channels are independent: one column per thread, warnings added afterwards in channel order.
  const auto nch = static_cast<std::int64_t>(ds.channels.size());
  std::vector<char> clipped(ds.channels.size(), 0);
#pragma omp parallel for schedule(dynamic, 1) if (ds.events.events() > 65536)
  for (std::int64_t ci = 0; ci < nch; ++ci) {
    const auto c = static_cast<std::size_t>(ci);
    const auto& ch = ds.channels[c];
    // flowCore decides on $DATATYPE; FCS 3.2 per-column types follow the column's own type.
    const bool is_int = ch.datatype == 'I';
    // Integer data: flowCore's range is as.integer($PnR).
    const double range = is_int ? std::trunc(ch.range) : ch.range;
    auto col = ds.events.column(c);
    if (truncate && !exempt[c]) {
      bool any = false;
      for (double& v : col) {  // branch-free so it vectorises; NaN stays NaN
        any |= v > range;
        v = v > range ? range : v;
      }
      clipped[c] = any;
    }
    if (linearize && is_int && ch.log_decades > 0) {
      const double f1 = ch.log_decades;
      const double f2 = ch.log_offset == 0 ? 1.0 : ch.log_offset;  // legacy f2=0 means 1
      for (double& v : col) v = std::pow(10.0, v / range * f1) * f2;
    }
  }
  for (std::size_t c = 0; c < ds.channels.size(); ++c) {
    if (!clipped[c]) continue;
    const auto& ch = ds.channels[c];
    const double range = ch.datatype == 'I' ? std::trunc(ch.range) : ch.range;
    ds.warnings.push_back("values of channel '" + ch.name + "' above its $PnR " + std::to_string(range) +
                          " were truncated to it (flowCore truncate_max_range=TRUE)");
  }
}

}  // namespace mrdflow::fcs::detail
