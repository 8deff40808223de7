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
#ifdef MADV_POPULATE_WRITE
constexpr int kMadvPopulateWrite = MADV_POPULATE_WRITE;
#else
constexpr int kMadvPopulateWrite = 23;  // Linux 5.14+
#endif

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
    // Every value is written right after allocation anyway: populating the mapping with a few
    // kernel calls (in parallel: the kernel zeroes each page) is much cheaper on a
    // paravirtualised VM than taking the first-touch faults one by one from the decode loop.
    // Older kernels lack MADV_POPULATE_WRITE (EINVAL); pages are then faulted in on first touch.
    // In parallel from 16 MB: reading the 1M-event bench sample (a 120 MB matrix, 60 slices)
    // took 0.06-0.18 s with one thread populating, 0.06-0.11 s with two (5 paired runs). Slices
    // are handed out one at a time: a slice's cost varies by tens of times on this VM (memory the
    // host has not backed yet), and a static half each left one thread waiting on the other for
    // up to 80 ms.
    const auto slices = static_cast<std::int64_t>(mapped / kHugePage);
    auto* base = static_cast<std::byte*>(p);
#pragma omp parallel for schedule(dynamic, 1) if (slices >= 8)
    for (std::int64_t i = 0; i < slices; ++i)
      ::madvise(base + static_cast<std::size_t>(i) * kHugePage, kHugePage, kMadvPopulateWrite);
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
    : events_(events), channels_(channels), capacity_(events * channels),
      data_(allocate(events * channels)) {}

EventMatrix EventMatrix::recycle(EventMatrix&& storage, std::size_t events, std::size_t channels) {
  if (channels != 0 && events > std::numeric_limits<std::size_t>::max() / channels)
    throw std::bad_alloc();
  if (!storage.data_ || storage.capacity_ < events * channels) return EventMatrix(events, channels);
  EventMatrix m(std::move(storage));
  m.events_ = events;
  m.channels_ = channels;
  return m;
}

EventMatrix::EventMatrix(const EventMatrix& other)
    : events_(other.events_), channels_(other.channels_), capacity_(other.events_ * other.channels_),
      data_(allocate(other.events_ * other.channels_)) {
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
