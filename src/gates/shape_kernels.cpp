#include "gates/shape_kernels.h"

#include <armadillo>
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "common/error.h"

namespace mrdflow::gates {

namespace {

constexpr std::size_t kBits = Membership::kBitsPerWord;

// Events covered by word w of a column of `events` values.
inline std::size_t events_in_word(std::size_t w, std::size_t events) {
  const std::size_t base = w * kBits;
  return std::min(kBits, events - base);
}

}  // namespace

void rectangle_bits(std::span<const Interval> ranges, std::span<const Column> columns,
                    WordRange words, std::uint64_t* out) {
  const std::size_t events = columns.empty() ? 0 : columns[0].size();
  for (std::size_t w = words.first_word; w < words.last_word; ++w) out[w] = ~std::uint64_t{0};
  for (std::size_t d = 0; d < ranges.size(); ++d) {
    // Open ends become infinities; `open_max` keeps +inf inside when there is no max.
    const double lo = ranges[d].min.value_or(-std::numeric_limits<double>::infinity());
    const double hi = ranges[d].max.value_or(std::numeric_limits<double>::infinity());
    const bool open_max = !ranges[d].max.has_value();
    const double* col = columns[d].data();
    for (std::size_t w = words.first_word; w < words.last_word; ++w) {
      const std::size_t base = w * kBits;
      const std::size_t n = events_in_word(w, events);
      std::uint64_t bits = 0;
      for (std::size_t k = 0; k < n; ++k) {
        const double x = col[base + k];
        bits |= static_cast<std::uint64_t>((x >= lo) & ((x < hi) | open_max)) << k;
      }
      out[w] &= bits;
    }
  }
}

int winding_number(std::span<const Vertex> v, double x, double y) noexcept {
  // Dan Sunday's winding-number test, as FlowUtils implements it: upward edges count when
  // the point is strictly left of them, downward edges when strictly right.
  int wind = 0;
  const std::size_t n = v.size();
  for (std::size_t i = 0; i < n; ++i) {
    const Vertex& a = v[i];
    const Vertex& b = v[i + 1 == n ? 0 : i + 1];
    const double is_left = (b.x - a.x) * (y - a.y) - (x - a.x) * (b.y - a.y);
    if (a.y <= y) {
      if (y < b.y && is_left > 0) ++wind;
    } else {
      if (b.y <= y && is_left < 0) --wind;
    }
  }
  return wind;
}

void polygon_bits(std::span<const Vertex> vertices, Column x, Column y, WordRange words,
                  std::uint64_t* out) {
  // The same winding-number rule as winding_number(), reorganised for speed: edges outer,
  // the 64 events of a word inner and branch-free, so the compiler vectorises across events.
  struct Edge {
    double ax, ay, by, dx, dy;
  };
  std::vector<Edge> edges;  // once per call (per block of words), not per event
  edges.reserve(vertices.size());
  double min_x = std::numeric_limits<double>::infinity(), max_x = -min_x;
  double min_y = min_x, max_y = -min_x;
  for (std::size_t i = 0; i < vertices.size(); ++i) {
    const Vertex& a = vertices[i];
    const Vertex& b = vertices[i + 1 == vertices.size() ? 0 : i + 1];
    if (a.y != b.y) edges.push_back({a.x, a.y, b.y, b.x - a.x, b.y - a.y});  // flat edges never count
    min_x = std::min(min_x, a.x);
    max_x = std::max(max_x, a.x);
    min_y = std::min(min_y, a.y);
    max_y = std::max(max_y, a.y);
  }
  const std::size_t events = x.size();
  for (std::size_t w = words.first_word; w < words.last_word; ++w) {
    const std::size_t base = w * kBits;
    const std::size_t n = events_in_word(w, events);
    const double* px = x.data() + base;
    const double* py = y.data() + base;
    // Skip words whose events all lie outside the bounding box (common for small gates).
    bool any = false;
    for (std::size_t k = 0; k < n; ++k) {
      any |= (px[k] >= min_x) & (px[k] <= max_x) & (py[k] >= min_y) & (py[k] <= max_y);
    }
    if (!any) {
      out[w] = 0;
      continue;
    }
    std::int32_t wind[kBits] = {};
    for (const Edge& e : edges) {
      for (std::size_t k = 0; k < n; ++k) {
        const double ex = px[k], ey = py[k];
        const double is_left = e.dx * (ey - e.ay) - (ex - e.ax) * e.dy;
        const bool up = (e.ay <= ey) & (ey < e.by) & (is_left > 0);
        const bool down = (e.by <= ey) & (ey < e.ay) & (is_left < 0);
        wind[k] += static_cast<std::int32_t>(up) - static_cast<std::int32_t>(down);
      }
    }
    std::uint64_t bits = 0;
    for (std::size_t k = 0; k < n; ++k) bits |= static_cast<std::uint64_t>(wind[k] != 0) << k;
    out[w] = bits;
  }
}

void ellipsoid_bits(std::span<const double> mean, std::span<const double> inv,
                    double distance_square, std::span<const Column> columns, WordRange words,
                    std::uint64_t* out) {
  const std::size_t dims = mean.size();
  const std::size_t events = columns.empty() ? 0 : columns[0].size();
  if (dims == 2) {  // the common case, unrolled
    const double m0 = mean[0], m1 = mean[1];
    const double a = inv[0], b = inv[1] + inv[2], c = inv[3];
    const double* c0 = columns[0].data();
    const double* c1 = columns[1].data();
    for (std::size_t w = words.first_word; w < words.last_word; ++w) {
      const std::size_t base = w * kBits;
      const std::size_t n = events_in_word(w, events);
      std::uint64_t bits = 0;
      for (std::size_t k = 0; k < n; ++k) {
        const double dx = c0[base + k] - m0, dy = c1[base + k] - m1;
        const double d2 = a * dx * dx + b * dx * dy + c * dy * dy;
        bits |= static_cast<std::uint64_t>(d2 <= distance_square) << k;
      }
      out[w] = bits;
    }
    return;
  }
  std::vector<double> diff(dims);  // one scratch per call (per block), not per event
  for (std::size_t w = words.first_word; w < words.last_word; ++w) {
    const std::size_t base = w * kBits;
    const std::size_t n = events_in_word(w, events);
    std::uint64_t bits = 0;
    for (std::size_t k = 0; k < n; ++k) {
      for (std::size_t i = 0; i < dims; ++i) diff[i] = columns[i][base + k] - mean[i];
      double d2 = 0;
      for (std::size_t i = 0; i < dims; ++i) {
        double row = 0;
        for (std::size_t j = 0; j < dims; ++j) row += inv[i * dims + j] * diff[j];
        d2 += diff[i] * row;
      }
      bits |= static_cast<std::uint64_t>(d2 <= distance_square) << k;
    }
    out[w] = bits;
  }
}

std::vector<double> invert_covariance(std::span<const double> covariance, std::size_t n) {
  if (n == 0 || covariance.size() != n * n) {
    throw Error("gates", "covariance matrix must be " + std::to_string(n) + "x" +
                             std::to_string(n) + ", got " + std::to_string(covariance.size()) +
                             " entries");
  }
  arma::mat c(n, n);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      const double v = covariance[i * n + j];
      if (!std::isfinite(v)) throw Error("gates", "covariance matrix has a non-finite entry");
      c(i, j) = v;
    }
  }
  if (!c.is_symmetric(1e-12 * std::max(1.0, arma::abs(c).max()))) {
    throw Error("gates", "covariance matrix is not symmetric");
  }
  arma::mat inv;
  if (!arma::inv_sympd(inv, c)) {
    throw Error("gates", "covariance matrix is not positive definite");
  }
  std::vector<double> out(n * n);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) out[i * n + j] = inv(i, j);
  }
  return out;
}

void fill_parallel(Membership& out,
                   const std::function<void(WordRange, std::uint64_t*)>& kernel) {
  constexpr std::size_t kBlockWords = 512;  // 32768 events: fits L2 for a few columns
  const std::size_t words = out.word_count();
  const std::size_t blocks = (words + kBlockWords - 1) / kBlockWords;
  std::uint64_t* data = out.words().data();
#pragma omp parallel for schedule(static) if (blocks > 1)
  for (std::size_t b = 0; b < blocks; ++b) {
    kernel({b * kBlockWords, std::min(words, (b + 1) * kBlockWords)}, data);
  }
  out.clear_tail();
}

}  // namespace mrdflow::gates
