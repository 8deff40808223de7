#pragma once
// Scale transforms with Gating-ML 2.0's exact parameterisation (all map the data onto a
// display scale where the top of scale T is ~1). Value types; `Transform` holds any of them.
#include <memory>
#include <span>
#include <string>
#include <variant>

namespace mrdflow::transforms {

struct Linear {   // Gating-ML flin: (x + A) / (T + A)
  double T = 262144, A = 0;
};
struct Log {      // Gating-ML flog: (1/M) log10(x / T) + 1
  double T = 262144, M = 4.5;
};
struct Asinh {    // Gating-ML fasinh: (asinh(x sinh(M ln10) / T) + A ln10) / ((M + A) ln10)
  double T = 262144, M = 4.5, A = 0;
};
struct Logicle {  // Gating-ML logicle (Parks, Roederer & Moore 2006; Moore & Parks 2012)
  double T = 262144, W = 0.5, M = 4.5, A = 0;
};
struct Hyperlog { // Gating-ML hyperlog (Bagwell 2005, Gating-ML 2.0 parameterisation)
  double T = 262144, W = 0.5, M = 4.5, A = 0;
};
// FlowJo's "biex" (as FlowJo writes it in workspaces: width, positive decades, negative
// decades, max range); mapped onto an equivalent logicle. See docs/transforms.md.
struct FlowJoBiex {
  double max_value = 262144, width = -10, positive = 4.418539922, negative = 0;
};

using Transform = std::variant<Linear, Log, Asinh, Logicle, Hyperlog, FlowJoBiex>;

// Throws mrdflow::Error("transform", ...) when the parameters violate the standard's
// constraints (e.g. logicle needs T>0, M>0, 0<=W<=M/2, -W<=A<=M-2W).
void validate(const Transform& t);

double apply(const Transform& t, double x);
double inverse(const Transform& t, double y);
// Bulk forms; `out` may alias `in`. Element i of out = apply(t, in[i]).
void apply(const Transform& t, std::span<const double> in, std::span<double> out);
void inverse(const Transform& t, std::span<const double> in, std::span<double> out);

std::string describe(const Transform& t);  // e.g. "logicle(T=262144, W=0.5, M=4.5, A=0)"

// Gating-ML fratio: A * (x - B) / (y - C). IEEE semantics: y == C gives +-inf or NaN.
inline double ratio(double x, double y, double A, double B, double C) { return A * (x - B) / (y - C); }

namespace detail {
class Engine;  // precomputed constants and, for logicle/hyperlog/biex, the forward table
}

// A transform prepared once for bulk use: constants solved and interpolation tables built.
// Immutable and cheap to copy (shared state); safe to use from many threads. The span forms
// of apply()/inverse() above use an internal cache of these, keyed by the parameters.
class PreparedTransform {
 public:
  explicit PreparedTransform(const Transform& t);  // validates; throws mrdflow::Error("transform")
  const Transform& transform() const noexcept;
  double apply(double x) const;    // exact root (same as apply(t, x))
  double inverse(double y) const;  // closed form
  // Bulk forward: logicle/hyperlog/biex use the piecewise-polynomial table (|error| <= 1e-9
  // relative to the exact root, see docs/transforms.md); `out` may alias `in`.
  void apply(std::span<const double> in, std::span<double> out) const;
  void inverse(std::span<const double> in, std::span<double> out) const;

 private:
  std::shared_ptr<const detail::Engine> engine_;
};

// Data-driven logicle parameters in the manner of flowCore's estimateLogicle: T from the
// channel's range, M = 4.5, W from the 5th percentile of the negative values, A = 0.
// r = 5th percentile (R quantile type 7) of the finite negative values; W = (M - log10(T/|r|))/2
// clamped to [0, (M - A)/2] (flowCore stops with "w is negative"; we never fail). No negative
// values: W = 0. Throws mrdflow::Error("transform") only when T, M or A are themselves invalid.
Logicle estimate_logicle(std::span<const double> values, double T, double M = 4.5, double A = 0);

}  // namespace mrdflow::transforms
