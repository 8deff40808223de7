#pragma once
// Membership kernels: tight loops over contiguous columns that write 64 events per word.
// Each fills words [first_word, last_word) of `out`; columns all hold the same event count.
// NaN values are never inside any shape.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "gates/gate_types.h"
#include "gates/membership.h"

namespace mrdflow::gates {

using Column = std::span<const double>;

struct WordRange {
  std::size_t first_word = 0, last_word = 0;
};

void rectangle_bits(std::span<const Interval> ranges, std::span<const Column> columns,
                    WordRange words, std::uint64_t* out);
void polygon_bits(std::span<const Vertex> vertices, Column x, Column y, WordRange words,
                  std::uint64_t* out);
// inverse_covariance: row-major n x n (see invert_covariance).
void ellipsoid_bits(std::span<const double> mean, std::span<const double> inverse_covariance,
                    double distance_square, std::span<const Column> columns, WordRange words,
                    std::uint64_t* out);

// Inverse of a symmetric positive-definite covariance; throws Error("gates", ...) otherwise.
std::vector<double> invert_covariance(std::span<const double> covariance, std::size_t n);

// Winding number of point (x, y) about the closed outline (exposed for edge-case tests).
int winding_number(std::span<const Vertex> vertices, double x, double y) noexcept;

// Runs `kernel` over all words of `out` in blocks, in parallel (OpenMP), then clears the
// bits past the last event.
void fill_parallel(Membership& out,
                   const std::function<void(WordRange, std::uint64_t*)>& kernel);

}  // namespace mrdflow::gates
