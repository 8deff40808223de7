// EventMatrix storage and DataSet helpers.
#include <sys/mman.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <new>

#include "fcs/fcs.h"

namespace mrdflow::fcs {

namespace {

constexpr std::size_t kHugePage = std::size_t{2} << 20;

// Large arrays come from an anonymous mapping advised for transparent huge pages: the first
// touch of 500 MB of fresh 4 KB pages costs ~130k page faults, which dominated decode time.
std::unique_ptr<double[], EventStorageDeleter> allocate(std::size_t count) {
  if (count > std::numeric_limits<std::size_t>::max() / sizeof(double)) throw std::bad_alloc();
  const std::size_t bytes = count * sizeof(double);
  if (bytes >= 2 * kHugePage) {
    const std::size_t mapped = (bytes + kHugePage - 1) / kHugePage * kHugePage;
    void* p = ::mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    ::madvise(p, mapped, MADV_HUGEPAGE);
    return {static_cast<double*>(p), EventStorageDeleter{mapped}};
  }
  return {new double[count], EventStorageDeleter{0}};
}

}  // namespace

void EventStorageDeleter::operator()(double* p) const noexcept {
  if (p == nullptr) return;
  if (mapped_bytes > 0) ::munmap(p, mapped_bytes);
  else delete[] p;
}

EventMatrix::EventMatrix(std::size_t events, std::size_t channels)
    : events_(events), channels_(channels), data_(allocate(events * channels)) {}

EventMatrix::EventMatrix(const EventMatrix& other)
    : events_(other.events_), channels_(other.channels_), data_(allocate(other.events_ * other.channels_)) {
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
