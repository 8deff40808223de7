// Parameter constraints of Gating-ML 2.0 (section 6) and of FlowJo's biex, and describe().
#include <cmath>
#include <sstream>

#include "common/error.h"
#include "transforms/transforms.h"

namespace mrdflow::transforms {

namespace {

[[noreturn]] void invalid(const Transform& t, const std::string& problem) {
  throw Error("transform", describe(t) + ": " + problem);
}

void require_finite(const Transform& t, std::initializer_list<double> values) {
  for (double v : values)
    if (!std::isfinite(v)) invalid(t, "parameters must be finite numbers");
}

// Shared by logicle and hyperlog: T>0, M>0, 0<=W<=M/2, -W<=A<=M-2W.
void check_biexponential(const Transform& t, double T, double W, double M, double A, bool w_positive) {
  require_finite(t, {T, W, M, A});
  if (T <= 0) invalid(t, "T (top of scale) must be > 0");
  if (M <= 0) invalid(t, "M (decades) must be > 0");
  if (w_positive ? W <= 0 : W < 0) invalid(t, w_positive ? "W must be > 0" : "W must be >= 0");
  if (2 * W > M) invalid(t, "W must be <= M/2");
  if (A < -W) invalid(t, "A must be >= -W");
  if (A > M - 2 * W) invalid(t, "A must be <= M - 2W");
}

struct Validator {
  const Transform& t;
  void operator()(const Linear& p) const {
    require_finite(t, {p.T, p.A});
    if (p.T <= 0) invalid(t, "T must be > 0");
    if (p.A < 0 || p.A > p.T) invalid(t, "A must be in [0, T]");
  }
  void operator()(const Log& p) const {
    require_finite(t, {p.T, p.M});
    if (p.T <= 0) invalid(t, "T must be > 0");
    if (p.M <= 0) invalid(t, "M must be > 0");
  }
  void operator()(const Asinh& p) const {
    require_finite(t, {p.T, p.M, p.A});
    if (p.T <= 0) invalid(t, "T must be > 0");
    if (p.M <= 0) invalid(t, "M must be > 0");
    if (p.A < 0 || p.A > p.M) invalid(t, "A must be in [0, M]");
  }
  void operator()(const Logicle& p) const { check_biexponential(t, p.T, p.W, p.M, p.A, false); }
  void operator()(const Hyperlog& p) const { check_biexponential(t, p.T, p.W, p.M, p.A, true); }
  void operator()(const FlowJoBiex& p) const {
    require_finite(t, {p.max_value, p.width, p.positive, p.negative});
    if (p.max_value <= 0) invalid(t, "max must be > 0");
    if (p.width > -1) invalid(t, "width basis must be <= -1 (FlowJo uses -1 .. -1000)");
    if (p.positive <= 0) invalid(t, "positive decades must be > 0");
    if (p.negative < 0) invalid(t, "negative decades must be >= 0");
    if (std::log10(-p.width) / 2 >= p.positive) invalid(t, "width basis too wide for the positive decades");
  }
};

struct Describer {
  std::ostringstream& os;
  void operator()(const Linear& p) const { os << "flin(T=" << p.T << ", A=" << p.A << ")"; }
  void operator()(const Log& p) const { os << "flog(T=" << p.T << ", M=" << p.M << ")"; }
  void operator()(const Asinh& p) const { os << "fasinh(T=" << p.T << ", M=" << p.M << ", A=" << p.A << ")"; }
  void operator()(const Logicle& p) const {
    os << "logicle(T=" << p.T << ", W=" << p.W << ", M=" << p.M << ", A=" << p.A << ")";
  }
  void operator()(const Hyperlog& p) const {
    os << "hyperlog(T=" << p.T << ", W=" << p.W << ", M=" << p.M << ", A=" << p.A << ")";
  }
  void operator()(const FlowJoBiex& p) const {
    os << "flowjo_biex(max=" << p.max_value << ", width=" << p.width << ", pos=" << p.positive
       << ", neg=" << p.negative << ")";
  }
};

}  // namespace

void validate(const Transform& t) { std::visit(Validator{t}, t); }

std::string describe(const Transform& t) {
  std::ostringstream os;
  os.precision(10);
  std::visit(Describer{os}, t);
  return os.str();
}

}  // namespace mrdflow::transforms
