// estimate_logicle in the manner of flowCore's estimateLogicle (.lgclTrans), without its
// failure mode: flowCore stops with "w is negative" when the negative tail is tiny relative to
// T (RGLab/flowCore#34); here W is clamped into its valid range instead.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <vector>

#include "transforms/transforms.h"

namespace mrdflow::transforms {

namespace {
// R's default quantile (type 7): linear interpolation between order statistics at h = (n-1) p.
double quantile_type7(std::vector<double>& values, double p) {
  const double h = (static_cast<double>(values.size()) - 1) * p;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(lo), values.end());
  const double x_lo = values[lo];
  if (lo + 1 >= values.size()) return x_lo;
  const double x_hi = *std::min_element(values.begin() + static_cast<std::ptrdiff_t>(lo) + 1, values.end());
  return x_lo + (h - static_cast<double>(lo)) * (x_hi - x_lo);
}
}  // namespace

Logicle estimate_logicle(std::span<const double> values, double T, double M, double A) {
  Logicle result{T, std::max(0.0, -A), M, A};
  validate(result);  // T, M, A must admit some W
  std::vector<double> negatives;
  for (double v : values)
    if (v < 0 && std::isfinite(v)) negatives.push_back(v);
  if (negatives.empty()) {  // nothing below zero: no linear region needed
    result.W = std::max(0.0, -A);
    return result;
  }

  const double r = DBL_EPSILON + quantile_type7(negatives, 0.05);
  double W = (M - std::log10(T / std::fabs(r))) / 2;
  // Clamp into the constraints 0 <= W <= M/2, -W <= A and A <= M - 2W.
  const double w_max = std::min(M / 2, (M - A) / 2);
  const double w_min = std::max(0.0, -A);
  if (!(W > w_min)) W = w_min;  // also catches NaN
  result.W = std::min(W, w_max);
  validate(result);
  return result;
}

}  // namespace mrdflow::transforms
