#pragma once
// A validated transform with its constants solved once: the closed-form members keep their
// few coefficients, the biexponential members keep the function and its forward table.
#include <optional>
#include <span>

#include "transforms/biexponential.h"
#include "transforms/forward_table.h"
#include "transforms/transforms.h"

namespace mrdflow::transforms::detail {

class Engine {
 public:
  explicit Engine(const Transform& t);  // validates

  const Transform& transform() const noexcept { return transform_; }
  double apply(double x) const;
  double inverse(double y) const;
  void apply(std::span<const double> in, std::span<double> out) const;
  void inverse(std::span<const double> in, std::span<double> out) const;
  const Biexponential* biexponential() const noexcept { return biex_ ? &*biex_ : nullptr; }
  const ForwardTable* table() const noexcept { return table_ ? &*table_ : nullptr; }

 private:
  enum class Kind { kLinear, kLog, kAsinh, kBiex };
  Transform transform_;
  Kind kind_;
  // Closed forms: linear y = x * k0 + k1; log y = log10(x) * k0 + k1;
  // asinh y = (asinh(x * k0) + k1) * k2.
  double k0_ = 0, k1_ = 0, k2_ = 0;
  std::optional<Biexponential> biex_;
  std::optional<ForwardTable> table_;
};

}  // namespace mrdflow::transforms::detail
