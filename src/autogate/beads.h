#pragma once
// Counting beads (absolute counts, e.g. CAR-T cells/uL): polystyrene beads loaded with a mix of
// dyes are bright in (nearly) every fluorescence detector at once, which no cell is - even
// granulocytes or plasma cells are bright for a few markers only. They must not enter the
// nucleated-cell denominator.
#include <cstddef>
#include <vector>

#include "autogate/mask.h"

namespace mrdflow::autogate {

struct BeadOptions {
  std::size_t min_channels = 4;   // at least this many detectors bright
  double channel_share = 0.75;    // ... and at least this share of all fluorescence detectors
  double bright_quantile = 0.999; // "bright" = above the midpoint of median and this quantile
  std::size_t min_events = 10;    // fewer candidates are stray events, not a bead population
};

struct BeadGate {
  Mask beads;
  std::vector<double> bright_limits;  // per channel, transformed units
};

BeadGate find_counting_beads(const std::vector<Column>& fluorescence, const Mask& in,
                             const BeadOptions& options = {});

}  // namespace mrdflow::autogate
