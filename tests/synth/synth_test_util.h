#pragma once
// Helpers for the generator tests: compensation by the file's own spillover, per-population
// statistics of a channel.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "generator.h"

namespace mrdflow::synth::testing {

// Inverse of an n x n row-major matrix (Gauss-Jordan with partial pivoting).
inline std::vector<double> invert(std::vector<double> a, std::size_t n) {
  std::vector<double> inv(n * n, 0.0);
  for (std::size_t i = 0; i < n; ++i) inv[i * n + i] = 1;
  for (std::size_t col = 0; col < n; ++col) {
    std::size_t pivot = col;
    for (std::size_t r = col + 1; r < n; ++r)
      if (std::abs(a[r * n + col]) > std::abs(a[pivot * n + col])) pivot = r;
    if (std::abs(a[pivot * n + col]) < 1e-12) throw std::runtime_error("singular spillover");
    for (std::size_t k = 0; k < n; ++k) std::swap(a[col * n + k], a[pivot * n + k]), std::swap(inv[col * n + k], inv[pivot * n + k]);
    const double d = a[col * n + col];
    for (std::size_t k = 0; k < n; ++k) a[col * n + k] /= d, inv[col * n + k] /= d;
    for (std::size_t r = 0; r < n; ++r) {
      if (r == col) continue;
      const double f = a[r * n + col];
      for (std::size_t k = 0; k < n; ++k) a[r * n + k] -= f * a[col * n + k], inv[r * n + k] -= f * inv[col * n + k];
    }
  }
  return inv;
}

// Compensated values of every stain: result[stain][event] = sum_j observed_j * inv(S)[j][stain].
inline std::vector<std::vector<double>> compensate(const Tube& tube) {
  const std::size_t n = tube.model.panel.stains.size();
  const auto inv = invert(tube.spillover, n);
  std::vector<std::size_t> column(n);
  for (std::size_t c = 0; c < tube.channels.size(); ++c)
    if (tube.channels[c].stain >= 0) column[static_cast<std::size_t>(tube.channels[c].stain)] = c;
  std::vector<std::vector<double>> out(n, std::vector<double>(tube.events, 0.0));
  for (std::size_t j = 0; j < n; ++j) {
    const auto observed = tube.column(column[j]);
    for (std::size_t k = 0; k < n; ++k) {
      const double w = inv[j * n + k];
      for (std::size_t e = 0; e < tube.events; ++e) out[k][e] += observed[e] * w;
    }
  }
  return out;
}

inline std::size_t stain_of(const Tube& tube, Marker m) {
  for (std::size_t i = 0; i < tube.model.panel.stains.size(); ++i)
    if (tube.model.panel.stains[i].marker == m) return i;
  throw std::runtime_error("marker not in panel");
}

inline std::size_t column_named(const Tube& tube, const std::string& name) {
  for (std::size_t c = 0; c < tube.channels.size(); ++c)
    if (tube.channels[c].name == name) return c;
  throw std::runtime_error("no channel " + name);
}

template <typename Pred>
std::vector<double> select(const std::vector<double>& values, const Tube& tube, Pred pred) {
  std::vector<double> out;
  for (std::size_t e = 0; e < tube.events; ++e)
    if (pred(Population(tube.labels[e]))) out.push_back(values[e]);
  return out;
}

inline double quantile(std::vector<double> v, double q) {
  if (v.empty()) throw std::runtime_error("quantile of nothing");
  const auto k = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

inline bool is(Population p, Population q) { return p == q; }

}  // namespace mrdflow::synth::testing
