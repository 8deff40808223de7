#include "transforms/engine.h"

#include <cmath>

namespace mrdflow::transforms::detail {

namespace {
constexpr double kLn10 = 2.302585092994045684017991454684364208;
}

Engine::Engine(const Transform& t) : transform_(t) {
  validate(t);
  if (const auto* p = std::get_if<Linear>(&t)) {
    kind_ = Kind::kLinear;
    k0_ = 1.0 / (p->T + p->A);
    k1_ = p->A / (p->T + p->A);
  } else if (const auto* p = std::get_if<Log>(&t)) {
    kind_ = Kind::kLog;  // (1/M) log10(x/T) + 1 = log10(x)/M + (1 - log10(T)/M)
    k0_ = 1.0 / p->M;
    k1_ = 1.0 - std::log10(p->T) / p->M;
  } else if (const auto* p = std::get_if<Asinh>(&t)) {
    kind_ = Kind::kAsinh;
    k0_ = std::sinh(p->M * kLn10) / p->T;
    k1_ = p->A * kLn10;
    k2_ = 1.0 / ((p->M + p->A) * kLn10);
  } else {
    kind_ = Kind::kBiex;
    if (const auto* p = std::get_if<Logicle>(&t)) biex_ = logicle(p->T, p->W, p->M, p->A);
    else if (const auto* p = std::get_if<Hyperlog>(&t)) biex_ = hyperlog(p->T, p->W, p->M, p->A);
    else {
      const auto& q = std::get<FlowJoBiex>(t);
      biex_ = flowjo_biex(q.max_value, q.width, q.positive, q.negative);
    }
    table_.emplace(*biex_);
  }
}

double Engine::apply(double x) const {
  switch (kind_) {
    case Kind::kLinear: return x * k0_ + k1_;
    case Kind::kLog: return std::log10(x) * k0_ + k1_;
    case Kind::kAsinh: return (std::asinh(x * k0_) + k1_) * k2_;
    case Kind::kBiex: break;
  }
  return biex_->forward(x);
}

double Engine::inverse(double y) const {
  switch (kind_) {
    case Kind::kLinear: return (y - k1_) / k0_;
    case Kind::kLog: return std::pow(10.0, (y - k1_) / k0_);
    case Kind::kAsinh: return std::sinh(y / k2_ - k1_) / k0_;
    case Kind::kBiex: break;
  }
  return biex_->inverse(y);
}

// One switch per span; the loops below are branch-free per element (except the table's
// out-of-range fallback) so the compiler keeps them tight.
void Engine::apply(std::span<const double> in, std::span<double> out) const {
  const std::size_t n = in.size();
  const double* src = in.data();
  double* dst = out.data();
  const double k0 = k0_, k1 = k1_, k2 = k2_;
  switch (kind_) {
    case Kind::kLinear:
      for (std::size_t i = 0; i < n; ++i) dst[i] = src[i] * k0 + k1;
      return;
    case Kind::kLog:
      for (std::size_t i = 0; i < n; ++i) dst[i] = std::log10(src[i]) * k0 + k1;
      return;
    case Kind::kAsinh:
      for (std::size_t i = 0; i < n; ++i) dst[i] = (std::asinh(src[i] * k0) + k1) * k2;
      return;
    case Kind::kBiex:
      table_->apply(in, out);
      return;
  }
}

void Engine::inverse(std::span<const double> in, std::span<double> out) const {
  const std::size_t n = in.size();
  const double* src = in.data();
  double* dst = out.data();
  switch (kind_) {
    case Kind::kLinear:
    case Kind::kLog:
    case Kind::kAsinh:
      for (std::size_t i = 0; i < n; ++i) dst[i] = inverse(src[i]);
      return;
    case Kind::kBiex:
      for (std::size_t i = 0; i < n; ++i) dst[i] = biex_->inverse(src[i]);
      return;
  }
}

}  // namespace mrdflow::transforms::detail
