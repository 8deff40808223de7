#pragma once
// An independent, deliberately simple reference for the biexponential transforms: all
// constants in long double, the logicle d by plain bisection, and the forward transform by
// bisection on B(y) - x to full long double precision. Shares no code with src/transforms.
#include <cmath>

namespace mrdflow::testing {

struct ReferenceBiex {
  long double a = 0, b = 0, c = 0, d = 0, g = 0, f = 0, x1 = 0;

  static ReferenceBiex logicle(long double T, long double W, long double M, long double A) {
    ReferenceBiex r;
    const long double ln10 = std::log(10.0L);
    const long double w = W / (M + A), x2 = A / (M + A);
    r.x1 = x2 + w;
    const long double x0 = x2 + 2 * w;
    r.b = (M + A) * ln10;
    if (w == 0) {
      r.d = r.b;
    } else {  // 2 (ln d - ln b) + w (b + d) is increasing in d, < 0 near 0 and >= 0 at d = b
      long double lo = 0, hi = r.b;
      for (int i = 0; i < 200; ++i) {
        const long double mid = (lo + hi) / 2;
        if (2 * (std::log(mid) - std::log(r.b)) + w * (r.b + mid) < 0) lo = mid; else hi = mid;
      }
      r.d = (lo + hi) / 2;
    }
    // a e^{b y} - c e^{-d y} + f with c/a = e^{x0 (b + d)}, B(x1) = 0, B(1) = T.
    const long double ca = std::exp(x0 * (r.b + r.d));
    const long double fa = -(std::exp(r.b * r.x1) - ca * std::exp(-r.d * r.x1));
    r.a = T / (std::exp(r.b) - ca * std::exp(-r.d) + fa);
    r.c = ca * r.a;
    r.f = fa * r.a;
    return r;
  }

  static ReferenceBiex hyperlog(long double T, long double W, long double M, long double A) {
    ReferenceBiex r;
    const long double ln10 = std::log(10.0L);
    const long double w = W / (M + A), x2 = A / (M + A);
    r.x1 = x2 + w;
    const long double x0 = x2 + 2 * w;
    r.b = (M + A) * ln10;
    // a e^{b y} + g y + f with g/a = e^{b x0} / w, B(x1) = 0, B(1) = T.
    const long double ga = std::exp(r.b * x0) / w;
    const long double fa = -(std::exp(r.b * r.x1) + ga * r.x1);
    r.a = T / (std::exp(r.b) + ga + fa);
    r.g = ga * r.a;
    r.f = fa * r.a;
    return r;
  }

  long double positive(long double y) const {
    return a * std::exp(b * y) - c * std::exp(-d * y) + g * y + f;
  }
  long double inverse(long double y) const {  // data value at scale y (reflected about x1)
    return y >= x1 ? positive(y) : -positive(2 * x1 - y);
  }
  long double forward(long double x) const {
    if (x == 0) return x1;
    const long double v = std::fabs(x);
    long double lo = x1, hi = x1 + 1;
    while (positive(hi) < v) hi = x1 + 2 * (hi - x1);
    for (int i = 0; i < 200 && hi - lo > 0; ++i) {
      const long double mid = (lo + hi) / 2;
      if (mid == lo || mid == hi) break;
      if (positive(mid) < v) lo = mid; else hi = mid;
    }
    const long double y = (lo + hi) / 2;
    return x < 0 ? 2 * x1 - y : y;
  }
};

}  // namespace mrdflow::testing
