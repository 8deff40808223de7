#pragma once
// Scale transforms with Gating-ML 2.0's exact parameterisation (all map the data onto a
// display scale where the top of scale T is ~1). Value types; `Transform` holds any of them.
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

// Data-driven logicle parameters in the manner of flowCore's estimateLogicle: T from the
// channel's range, M = 4.5, W from the 5th percentile of the negative values, A = 0.
Logicle estimate_logicle(std::span<const double> values, double T, double M = 4.5, double A = 0);

}  // namespace mrdflow::transforms
