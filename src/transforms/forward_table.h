#pragma once
// Fast forward (data -> scale) for a Biexponential: a piecewise polynomial in |x| whose cells
// are found from the bits of the double (8 cells per binary octave), so the cell index costs a
// shift and a subtract, and the scale value is one degree-7 Horner evaluation. Each cell's
// polynomial interpolates the exact root at 8 Chebyshev nodes; the interpolation error of
// smooth y(|x|) over a cell 1/8 of an octave wide is ~1e-14 (tested against a long double
// root finder: <= 1e-9 relative everywhere). Values outside the tabulated octaves (|x| beyond
// 2^20 x top of scale, NaN, inf) go to the exact solver; tiny |x| use the slope at zero.
#include <cstdint>
#include <span>
#include <vector>

#include "transforms/biexponential.h"

namespace mrdflow::transforms::detail {

class ForwardTable {
 public:
  explicit ForwardTable(const Biexponential& fn);
  void apply(std::span<const double> in, std::span<double> out) const;
  // One value through the table (used by tests to measure the table on its own).
  double apply_one(double x) const;

  static constexpr int kCellsPerOctaveLog2 = 3;
  static constexpr int kDegree = 7;

 private:
  struct alignas(64) Cell {
    double centre, inv_half_width;
    double coef[kDegree + 1];  // polynomial in t = (|x| - centre) * inv_half_width, t in [-1, 1]
  };
  Biexponential fn_;
  std::uint64_t first_bits_ = 0;  // bit pattern of the lowest tabulated |x| (a power of two)
  double low_limit_ = 0, high_limit_ = 0;  // tabulated |x| range [low, high)
  double zero_slope_ = 0;                  // dy/dx at x = 0 (1 / B'(x1))
  std::vector<Cell> cells_;

  double slow(double x) const { return fn_.forward(x); }
};

}  // namespace mrdflow::transforms::detail
