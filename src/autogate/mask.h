#pragma once
// An event population is a byte mask over all events of a sample (1 = member). Bytes, not
// bits: the gating loops stay branch-free and vectorise; 1M events cost 1 MB per population.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

namespace mrdflow::autogate {

using Mask = std::vector<std::uint8_t>;
using Column = std::span<const double>;

// Eight bytes per step, their sum taken inside a 64-bit word (exact for any byte values): the
// pipeline counts populations of a million events a few dozen times per sample, and the byte
// loop does not vectorise at -O2.
inline std::size_t count(const Mask& m) {
  constexpr std::uint64_t kBytes = 0x00FF00FF00FF00FFull, kHalves = 0x0000FFFF0000FFFFull;
  std::size_t n = 0, i = 0;
  for (; i + 8 <= m.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, m.data() + i, sizeof w);
    w = (w & kBytes) + ((w >> 8) & kBytes);
    w = (w & kHalves) + ((w >> 16) & kHalves);
    n += (w & 0xFFFFFFFFull) + (w >> 32);
  }
  for (; i < m.size(); ++i) n += m[i];
  return n;
}

// Byte-wise AND, eight bytes per step.
inline Mask mask_and(const Mask& a, const Mask& b) {
  const std::size_t size = a.size();
  Mask out(size);
  std::size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    std::uint64_t x, y;
    std::memcpy(&x, a.data() + i, sizeof x);
    std::memcpy(&y, b.data() + i, sizeof y);
    x &= y;
    std::memcpy(out.data() + i, &x, sizeof x);
  }
  for (; i < size; ++i) out[i] = a[i] & b[i];
  return out;
}

inline Mask mask_and_not(const Mask& a, const Mask& b) {
  Mask out(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) out[i] = a[i] & static_cast<std::uint8_t>(!b[i]);
  return out;
}

inline Mask mask_or(const Mask& a, const Mask& b) {
  Mask out(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) out[i] = a[i] | b[i];
  return out;
}

// Indices of the members, ascending.
inline std::vector<std::size_t> members(const Mask& m) {
  std::vector<std::size_t> idx;
  idx.reserve(count(m));
  for (std::size_t i = 0; i < m.size(); ++i)
    if (m[i]) idx.push_back(i);
  return idx;
}

// At most `limit` member indices, evenly strided over the members (deterministic subsample for
// density estimation and model fitting; classification then runs over all events).
std::vector<std::size_t> subsample(const Mask& m, std::size_t limit);

}  // namespace mrdflow::autogate
