#pragma once
// Acquisition quality control in the manner of flowAI / PeacoQC: events are binned by Time,
// bins whose event count (flow rate) or per-channel trimmed mean deviates from the run by more
// than `mad_limit` robust SDs (MAD x 1.4826) are removed; events piled at the top of a scatter
// channel's range (margin events) are removed.
#include <string>
#include <vector>

#include "autogate/mask.h"

namespace mrdflow::autogate {

struct TimeQcOptions {
  std::size_t min_events_per_bin = 150;  // PeacoQC min_cells
  std::size_t max_bins = 500;            // PeacoQC max_bins
  std::size_t target_events_per_bin = 1000;
  double mad_limit = 6.0;                // PeacoQC MAD default
};

struct TimeQcResult {
  Mask keep;                       // events of `in` that passed
  std::size_t bins = 0, bins_removed = 0;
  std::size_t rate_bins_removed = 0, signal_bins_removed = 0;
  std::vector<std::string> flags;  // human-readable findings
};

// `signals` are transformed channels whose per-bin medians are checked (e.g. scatter + markers).
TimeQcResult time_qc(Column time, const std::vector<Column>& signals,
                     const std::vector<std::string>& signal_names, const Mask& in,
                     const TimeQcOptions& options = {});

// Events of `in` at (or above) the top of range of any of the given channels. `top` is the
// channel's maximum value (FCS range); values >= top * (1 - 1e-9) count as saturated.
Mask margin_events(const std::vector<Column>& channels, const std::vector<double>& top,
                   const Mask& in);

}  // namespace mrdflow::autogate
