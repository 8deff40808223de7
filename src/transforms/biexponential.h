#pragma once
// The one function behind logicle, hyperlog and FlowJo's biex: a biexponential
//   B(y) = a e^{b y} - c e^{-d y} + g y + f      for y >= x1,   B(2 x1 - y) = -B(y),
// with B(x1) = 0 (data zero sits at scale x1). Logicle has g = 0 (Moore & Parks 2012),
// hyperlog has c = 0 (Bagwell 2005 as parameterised by Gating-ML 2.0), FlowJo's biex is a
// logicle-like member with its own constants (see flowjo_biex()). The inverse (scale -> data)
// is closed form; the forward (data -> scale) is a root and is solved here exactly (Halley
// with a bracket), which is the reference the fast table in forward_table.h is built from.
#include <array>

namespace mrdflow::transforms::detail {

struct Biexponential {
  double a = 0, b = 0, c = 0, d = 0, g = 0, f = 0;
  double x1 = 0;         // scale position of data zero (centre of reflection)
  double x_taylor = 0;   // below this scale value B is summed as a Taylor series around x1
  static constexpr int kTaylorTerms = 16;
  std::array<double, kTaylorTerms> taylor{};  // B(x1 + u) = sum_i taylor[i] u^(i+1)

  // Fills taylor[] and x_taylor from a..f and x1.
  void prepare_series();
  // Data value at scale y (closed form; series near x1 to avoid cancellation).
  double inverse(double y) const;
  // Scale value of data x: the root of B(y) - x to ~1 ulp. NaN in, NaN out; +-inf -> +-inf.
  double forward(double x) const;
  // B(y) for y >= x1 (no reflection).
  double positive_branch(double y) const;
};

// d such that 2 (ln d - ln b) + w (b + d) = 0, 0 < d <= b (d = b when w = 0). Safeguarded
// Newton in the manner of the reference implementation's RTSAFE.
double solve_d(double b, double w);

// Gating-ML logicle(T, W, M, A) and hyperlog(T, W, M, A); parameters already validated.
Biexponential logicle(double T, double W, double M, double A);
Biexponential hyperlog(double T, double W, double M, double A);
// FlowJo's biex (workspace attributes maxRange, width basis (negative), pos, neg), scaled so
// that y = FlowJo channel / 4096, i.e. the same function as FlowJo's 4096-entry lookup table.
Biexponential flowjo_biex(double max_value, double width_basis, double positive, double negative);

}  // namespace mrdflow::transforms::detail
