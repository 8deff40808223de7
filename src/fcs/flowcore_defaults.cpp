// Values as flowCore's read.FCS returns them with its defaults (transformation="linearize",
// truncate_max_range=TRUE). Evidence and the per-rule test files: docs/fcs-semantics.md.
#include <cmath>

#include "fcs/detail.h"

namespace mrdflow::fcs::detail {

void apply_flowcore_defaults(DataSet& ds) {
  // A file flowCore itself wrote after transforming carries "transformation": flowCore then
  // neither truncates (keyword present at all) nor linearizes (value applied/custom).
  const auto* tr = ds.keywords.find("transformation");
  const bool truncate = tr == nullptr;
  const bool linearize = tr == nullptr || (*tr != "applied" && *tr != "custom");
  for (std::size_t c = 0; c < ds.channels.size(); ++c) {
    const auto& ch = ds.channels[c];
    // flowCore decides on $DATATYPE; FCS 3.2 per-column types follow the column's own type.
    const bool is_int = ch.datatype == 'I';
    // Integer data: flowCore's range is as.integer($PnR).
    const double range = is_int ? std::trunc(ch.range) : ch.range;
    auto col = ds.events.column(c);
    if (truncate) {
      bool clipped = false;
      for (double& v : col)
        if (v > range) {
          v = range;
          clipped = true;
        }
      if (clipped)
        ds.warnings.push_back("values of channel '" + ch.name + "' above its $PnR " +
                              std::to_string(range) +
                              " were truncated to it (flowCore truncate_max_range=TRUE)");
    }
    if (linearize && is_int && ch.log_decades > 0) {
      const double f1 = ch.log_decades;
      const double f2 = ch.log_offset == 0 ? 1.0 : ch.log_offset;  // legacy f2=0 means 1
      for (double& v : col) v = std::pow(10.0, v / range * f1) * f2;
    }
  }
}

}  // namespace mrdflow::fcs::detail
