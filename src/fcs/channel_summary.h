#pragma once
// Per-channel summary of decoded values (min, max, mean over the non-NaN values; NaN count), as
// `mrdflow info --stats` prints it and the truth files state it.
#include <cstddef>
#include <span>

namespace mrdflow::fcs {

struct ChannelSummary {
  double min, max, mean;  // NaN when the channel holds no non-NaN value
  std::size_t nan_count;
};

ChannelSummary summarize_channel(std::span<const double> values) noexcept;

}  // namespace mrdflow::fcs
