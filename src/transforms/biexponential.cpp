#include "transforms/biexponential.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>

namespace mrdflow::transforms::detail {

namespace {
constexpr double kLn10 = 2.302585092994045684017991454684364208;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

double solve_d(double b, double w) {
  if (w == 0) return b;  // W = 0 is the arcsinh member: d = b
  const double tolerance = 2 * b * DBL_EPSILON;
  double lo = 0, hi = b;
  double d = (lo + hi) / 2;
  double last_delta = hi - lo;
  const double f_b = -2 * std::log(b) + w * b;
  double f = 2 * std::log(d) + w * d + f_b;
  for (int i = 0; i < 200; ++i) {
    const double df = 2 / d + w;
    double delta;
    // Bisect when Newton would leave the bracket or is not halving the step.
    if (((d - hi) * df - f) * ((d - lo) * df - f) >= 0 || std::fabs(1.9 * f) > std::fabs(last_delta * df)) {
      delta = (hi - lo) / 2;
      d = lo + delta;
      if (d == lo) return d;
    } else {
      delta = f / df;
      const double previous = d;
      d -= delta;
      if (d == previous) return d;
    }
    if (std::fabs(delta) < tolerance) return d;
    last_delta = delta;
    f = 2 * std::log(d) + w * d + f_b;
    if (f == 0) return d;
    if (f < 0) lo = d; else hi = d;
  }
  return d;
}

void Biexponential::prepare_series() {
  double pos = a * std::exp(b * x1);
  double neg = -c * std::exp(-d * x1);
  for (int i = 0; i < kTaylorTerms; ++i) {
    pos *= b / (i + 1);
    neg *= -d / (i + 1);
    taylor[i] = pos + neg;
  }
  taylor[0] += g;
  // Sum the series while the largest rate times the distance stays <= 1: the 17th term is
  // then below 1/17! ~ 3e-15 of the leading one; beyond it the closed form has no cancellation.
  const double rate = std::max(b, d);
  x_taylor = x1 + (rate > 0 ? 1.0 / rate : 0.0);
}

double Biexponential::positive_branch(double y) const {
  if (y < x_taylor) {
    const double u = y - x1;
    double sum = taylor[kTaylorTerms - 1];
    for (int i = kTaylorTerms - 2; i >= 0; --i) sum = sum * u + taylor[i];
    return sum * u;
  }
  return (a * std::exp(b * y) + g * y + f) - c * std::exp(-d * y);
}

double Biexponential::inverse(double y) const {
  if (std::isnan(y)) return kNaN;
  if (y < x1) return -positive_branch(2 * x1 - y);
  return positive_branch(y);
}

double Biexponential::forward(double x) const {
  if (std::isnan(x)) return kNaN;
  if (x == 0) return x1;
  if (std::isinf(x)) return x;
  const bool negative = x < 0;
  const double value = std::fabs(x);

  // Bracket [lo, hi] on the positive branch, B(lo) <= value <= B(hi).
  double lo = x1, hi;
  double y = value < taylor[0] * (x_taylor - x1) ? x1 + value / taylor[0]  // quasi-linear start
                                                 : std::log(value / a) / b;  // logarithmic start
  if (!(y > x1) || !std::isfinite(y)) y = x1 + value / taylor[0];
  hi = std::max(y, x1 + 1e-300);
  for (int i = 0; i < 2100 && positive_branch(hi) < value; ++i) hi = x1 + 2 * (hi - x1) + 1e-300;
  y = std::clamp(y, lo, hi);

  for (int i = 0; i < 200; ++i) {
    const double ebx = a * std::exp(b * y);
    const double edx = c * std::exp(-d * y);
    const double r = positive_branch(y) - value;
    if (r == 0) break;
    if (r < 0) lo = y; else hi = y;
    const double d1 = b * ebx + d * edx + g;
    const double d2 = b * b * ebx - d * d * edx;
    // Halley's method (cubic convergence), falling back to bisection outside the bracket.
    double next = y - r / (d1 * (1 - r * d2 / (2 * d1 * d1)));
    if (!(next > lo && next < hi)) next = lo + (hi - lo) / 2;
    const double step = std::fabs(next - y);
    y = next;
    if (step <= 2 * DBL_EPSILON * std::max(1.0, std::fabs(y)) || lo == hi) break;
  }
  return negative ? 2 * x1 - y : y;
}

Biexponential logicle(double T, double W, double M, double A) {
  Biexponential p;
  const double w = W / (M + A);
  const double x2 = A / (M + A);
  p.x1 = x2 + w;
  const double x0 = x2 + 2 * w;
  p.b = (M + A) * kLn10;
  p.d = solve_d(p.b, w);
  const double c_a = std::exp(x0 * (p.b + p.d));
  const double mf_a = std::exp(p.b * p.x1) - c_a / std::exp(p.d * p.x1);
  p.a = T / ((std::exp(p.b) - mf_a) - c_a / std::exp(p.d));
  p.c = c_a * p.a;
  p.f = -mf_a * p.a;
  p.g = 0;
  p.prepare_series();
  p.taylor[1] = 0;  // exactly zero by the logicle condition (B''(x1) = 0)
  return p;
}

Biexponential hyperlog(double T, double W, double M, double A) {
  Biexponential p;
  const double w = W / (M + A);
  const double x2 = A / (M + A);
  p.x1 = x2 + w;
  const double x0 = x2 + 2 * w;
  p.b = (M + A) * kLn10;
  const double c_a = std::exp(p.b * x0) / w;
  const double f_a = std::exp(p.b * p.x1) + c_a * p.x1;
  p.a = T / (std::exp(p.b) + c_a - f_a);
  p.c = 0;
  p.d = 0;
  p.g = c_a * p.a;
  p.f = -f_a * p.a;
  p.prepare_series();
  return p;
}

Biexponential flowjo_biex(double max_value, double width_basis, double positive, double negative) {
  // FlowJo's table generator (TreeStar's Java, as ported by cytolib and FlowKit), written as a
  // continuous function of the channel. Channel i of R = 4096 has data value
  //   m (e^{P i/n} - s e^{-N i/n} - K),  n = R + 1,  reflected about the zero channel.
  constexpr double R = 4096;
  const double n = R + 1;
  double decades = positive;
  double width = std::log10(-width_basis);
  decades -= width / 2;
  const double extra = std::max(negative, 0.0) + width / 2;
  double zero_point = std::trunc(extra * R / (extra + decades));
  zero_point = std::trunc(std::min(zero_point, R / 2));
  if (zero_point > 0) decades = extra * R / zero_point;
  width /= 2 * decades;
  const double P = kLn10 * decades;
  const double minimum = max_value / std::exp(P);
  const double N = solve_d(P, width);
  const double s = std::exp((P + N) * (width + extra / decades));

  Biexponential p;
  p.b = P * R / n;  // y = i / R, so e^{P i/n} = e^{(P R/n) y}
  p.d = N * R / n;
  p.a = minimum;
  p.c = minimum * s;
  p.x1 = zero_point / R;
  p.g = 0;
  p.f = -(p.a * std::exp(p.b * p.x1) - p.c * std::exp(-p.d * p.x1));
  p.prepare_series();
  return p;
}

}  // namespace mrdflow::transforms::detail
