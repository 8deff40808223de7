// EventMatrix storage and DataSet helpers.
#include <algorithm>
#include <cstring>

#include "fcs/fcs.h"

namespace mrdflow::fcs {

EventMatrix::EventMatrix(std::size_t events, std::size_t channels)
    : events_(events), channels_(channels),
      data_(std::make_unique_for_overwrite<double[]>(events * channels)) {}

EventMatrix::EventMatrix(const EventMatrix& other)
    : events_(other.events_), channels_(other.channels_),
      data_(std::make_unique_for_overwrite<double[]>(other.events_ * other.channels_)) {
  if (events_ * channels_ > 0)
    std::memcpy(data_.get(), other.data_.get(), events_ * channels_ * sizeof(double));
}

EventMatrix& EventMatrix::operator=(const EventMatrix& other) {
  if (this != &other) *this = EventMatrix(other);
  return *this;
}

std::optional<std::size_t> DataSet::channel_index(std::string_view name) const {
  for (std::size_t i = 0; i < channels.size(); ++i)
    if (channels[i].name == name) return i;
  for (std::size_t i = 0; i < channels.size(); ++i)
    if (iequals(channels[i].name, name)) return i;
  return std::nullopt;
}

}  // namespace mrdflow::fcs
