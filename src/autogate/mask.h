#pragma once
// An event population is a byte mask over all events of a sample (1 = member). Bytes, not
// bits: the gating loops stay branch-free and vectorise; 1M events cost 1 MB per population.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace mrdflow::autogate {

using Mask = std::vector<std::uint8_t>;
using Column = std::span<const double>;

inline std::size_t count(const Mask& m) {
  std::size_t n = 0;
  for (auto v : m) n += v;
  return n;
}

inline Mask mask_and(const Mask& a, const Mask& b) {
  Mask out(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) out[i] = a[i] & b[i];
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
