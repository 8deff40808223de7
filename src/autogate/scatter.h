#pragma once
// Scatter gates on linear-scaled scatter: debris (low-FSC valley) and singlets (FSC-H/FSC-A
// ratio band). Both work from the sample's own distribution; no fixed coordinates.
#include <optional>

#include "autogate/mask.h"

namespace mrdflow::autogate {

struct DebrisGate {
  Mask cells;            // members of `in` above the threshold
  double threshold = 0;  // FSC value
  bool debris_peak = false;  // a separate low-FSC debris mode was found
};
// Debris lies below the valley between a low-FSC mode and the cell modes; without a debris
// mode, the cut is where the density left of the first cell mode falls below 2% of it.
DebrisGate gate_debris(Column fsc, const Mask& in);

struct SingletGate {
  Mask singlets;
  double median_ratio = 0, mad_ratio = 0, low = 0, high = 0;
};
// Doublets carry about twice the area at a similar pulse height: a low height/area ratio.
// Singlets: ratio within [median - k_low MAD, median + k_high MAD].
SingletGate gate_singlets(Column area, Column height, const Mask& in, double k_low = 4.0,
                          double k_high = 6.0);

}  // namespace mrdflow::autogate
