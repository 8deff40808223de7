#include "transforms/forward_table.h"

#include <bit>
#include <cmath>
#include <numbers>

namespace mrdflow::transforms::detail {

namespace {
constexpr int kShift = 52 - ForwardTable::kCellsPerOctaveLog2;  // drop all but the top mantissa bits
constexpr int kNodes = ForwardTable::kDegree + 1;
constexpr int kOctavesAbove = 20;  // tabulate up to 2^20 x the top of scale
constexpr int kOctavesBelow = 52;  // and down to 2^-52 x the top of scale
}  // namespace

ForwardTable::ForwardTable(const Biexponential& fn) : fn_(fn) {
  zero_slope_ = 1.0 / fn_.taylor[0];
  const double top = std::fabs(fn_.inverse(1.0));
  int top_exp = 0;
  std::frexp(std::isfinite(top) && top > 0 ? top : 1.0, &top_exp);  // top in [2^(e-1), 2^e)
  const int hi_exp = top_exp + kOctavesAbove;
  const int lo_exp = top_exp - kOctavesBelow;
  low_limit_ = std::ldexp(1.0, lo_exp);
  high_limit_ = std::ldexp(1.0, hi_exp);
  first_bits_ = std::bit_cast<std::uint64_t>(low_limit_);

  const int octaves = hi_exp - lo_exp;
  const int per_octave = 1 << kCellsPerOctaveLog2;
  cells_.resize(static_cast<std::size_t>(octaves) * per_octave);

  // Chebyshev nodes on [-1, 1] and the matrix turning node values into monomial coefficients
  // (via Chebyshev coefficients; degree 7 on [-1, 1] keeps the conversion well conditioned).
  double node[kNodes];
  for (int k = 0; k < kNodes; ++k) node[k] = std::cos(std::numbers::pi * (k + 0.5) / kNodes);
  // Monomial coefficients of Chebyshev polynomials T_0..T_7.
  double cheb[kNodes][kNodes] = {};
  cheb[0][0] = 1;
  cheb[1][1] = 1;
  for (int m = 2; m < kNodes; ++m)
    for (int j = 0; j < kNodes; ++j)
      cheb[m][j] = (j > 0 ? 2 * cheb[m - 1][j - 1] : 0) - cheb[m - 2][j];

  for (int o = 0; o < octaves; ++o) {
    for (int j = 0; j < per_octave; ++j) {
      const double base = std::ldexp(1.0, lo_exp + o);
      const double lo = base * (1.0 + double(j) / per_octave);
      const double hi = base * (1.0 + double(j + 1) / per_octave);
      Cell& cell = cells_[static_cast<std::size_t>(o) * per_octave + j];
      cell.centre = (lo + hi) / 2;
      const double half = (hi - lo) / 2;
      cell.inv_half_width = 1.0 / half;  // a power of two: exact
      double value[kNodes];
      for (int k = 0; k < kNodes; ++k) value[k] = fn_.forward(cell.centre + half * node[k]) - fn_.x1;
      double chebyshev[kNodes];
      for (int m = 0; m < kNodes; ++m) {
        double sum = 0;
        for (int k = 0; k < kNodes; ++k) sum += value[k] * std::cos(std::numbers::pi * m * (k + 0.5) / kNodes);
        chebyshev[m] = sum * 2 / kNodes;
      }
      chebyshev[0] /= 2;
      for (int p = 0; p < kNodes; ++p) {
        double sum = 0;
        for (int m = 0; m < kNodes; ++m) sum += chebyshev[m] * cheb[m][p];
        cell.coef[p] = sum;
      }
    }
  }
}

double ForwardTable::apply_one(double x) const {
  double y;
  apply(std::span<const double>(&x, 1), std::span<double>(&y, 1));
  return y;
}

void ForwardTable::apply(std::span<const double> in, std::span<double> out) const {
  const std::size_t n = in.size();
  const double* src = in.data();
  double* dst = out.data();
  const Cell* cells = cells_.data();
  const double x1 = fn_.x1;
  const double low = low_limit_, high = high_limit_, slope = zero_slope_;
  const std::uint64_t first = first_bits_;
  for (std::size_t i = 0; i < n; ++i) {
    const double x = src[i];
    const double ax = std::fabs(x);
    double v;
    if (ax >= low && ax < high) [[likely]] {
      const std::uint64_t index = (std::bit_cast<std::uint64_t>(ax) - first) >> kShift;
      const Cell& c = cells[index];
      const double t = (ax - c.centre) * c.inv_half_width;
      double p = c.coef[7];
      p = p * t + c.coef[6];
      p = p * t + c.coef[5];
      p = p * t + c.coef[4];
      p = p * t + c.coef[3];
      p = p * t + c.coef[2];
      p = p * t + c.coef[1];
      p = p * t + c.coef[0];
      v = std::copysign(p, x);
    } else if (ax < low) {
      v = x * slope;  // |x| < 2^-52 top: second-order terms are below 1e-25 of the scale
    } else {
      dst[i] = slow(x);  // huge, inf or NaN
      continue;
    }
    dst[i] = x1 + v;
  }
}

}  // namespace mrdflow::transforms::detail
