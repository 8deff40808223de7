#include "autogate/gmm.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "autogate/parallel.h"

namespace mrdflow::autogate {

void Gaussian::factor(double ridge) {
  const std::size_t d = mean.size();
  for (int attempt = 0; attempt < 8; ++attempt) {
    std::vector<double> L(d * d, 0.0);
    bool ok = true;
    for (std::size_t i = 0; i < d && ok; ++i) {
      for (std::size_t j = 0; j <= i; ++j) {
        double s = cov[i * d + j];
        for (std::size_t k = 0; k < j; ++k) s -= L[i * d + k] * L[j * d + k];
        if (i == j) {
          if (!(s > 0)) { ok = false; break; }
          L[i * d + i] = std::sqrt(s);
        } else {
          L[i * d + j] = s / L[j * d + j];
        }
      }
    }
    if (ok) {
      // Invert the lower-triangular L by forward substitution.
      chol_inv.assign(d * d, 0.0);
      double logdet = 0;
      for (std::size_t i = 0; i < d; ++i) {
        logdet += 2 * std::log(L[i * d + i]);
        chol_inv[i * d + i] = 1 / L[i * d + i];
        for (std::size_t j = 0; j < i; ++j) {
          double s = 0;
          for (std::size_t k = j; k < i; ++k) s -= L[i * d + k] * chol_inv[k * d + j];
          chol_inv[i * d + j] = s / L[i * d + i];
        }
      }
      log_norm = -0.5 * (static_cast<double>(d) * std::log(2 * M_PI) + logdet);
      return;
    }
    for (std::size_t i = 0; i < d; ++i) cov[i * d + i] += ridge;
    ridge *= 10;
  }
  // Degenerate beyond repair: fall back to an isotropic unit-ridge covariance.
  std::fill(cov.begin(), cov.end(), 0.0);
  for (std::size_t i = 0; i < d; ++i) cov[i * d + i] = std::max(ridge, 1e-6);
  factor(ridge);
}

namespace {

// Per-event working values: on the stack for the usual few dozen, on the heap beyond.
class SmallScratch {
 public:
  explicit SmallScratch(std::size_t n) {
    if (n > kStack) heap_.resize(n);
  }
  double* data() { return heap_.empty() ? stack_ : heap_.data(); }

 private:
  static constexpr std::size_t kStack = 64;
  double stack_[kStack];
  std::vector<double> heap_;
};

}  // namespace

double Gaussian::mahalanobis2(const double* x) const {
  const std::size_t d = mean.size();
  // x - mean once per dimension (not once per Cholesky term): the same values, half the work.
  SmallScratch scratch(d);
  double* diff = scratch.data();
  for (std::size_t k = 0; k < d; ++k) diff[k] = x[k] - mean[k];
  const double* L = chol_inv.data();
  double s = 0;
  for (std::size_t i = 0; i < d; ++i) {
    double z = 0;
    for (std::size_t k = 0; k <= i; ++k) z += L[i * d + k] * diff[k];
    s += z * z;
  }
  return s;
}

namespace {

// Events of a fit from which the EM loop uses the thread budget (see fit_mixture): below it
// the work per iteration is too small for a thread start and join to pay.
constexpr std::size_t kParallelEmEvents = 10000;

// Lower-triangle sums of weighted outer products -> symmetric covariance with a ridge, weight
// and factorisation; shared by the row- and column-layout estimators.
void finish_weighted_gaussian(Gaussian& g, std::size_t d, double total, double ridge) {
  for (std::size_t a = 0; a < d; ++a)
    for (std::size_t b = 0; b <= a; ++b) {
      g.cov[a * d + b] /= total;
      g.cov[b * d + a] = g.cov[a * d + b];
    }
  for (std::size_t a = 0; a < d; ++a) g.cov[a * d + a] += ridge;
  g.weight = total;
  g.factor(ridge);
}

Gaussian weighted_gaussian(const std::vector<double>& rows, std::size_t d,
                           const std::vector<double>& w, double ridge) {
  const std::size_t n = rows.size() / d;
  Gaussian g;
  g.mean.assign(d, 0.0);
  g.cov.assign(d * d, 0.0);
  double total = 0;
  for (std::size_t i = 0; i < n; ++i) {
    total += w[i];
    for (std::size_t a = 0; a < d; ++a) g.mean[a] += w[i] * rows[i * d + a];
  }
  if (total <= 0) total = 1e-300;
  for (auto& m : g.mean) m /= total;
  std::vector<double> diff(d);
  for (std::size_t i = 0; i < n; ++i) {
    if (w[i] == 0) continue;
    for (std::size_t a = 0; a < d; ++a) diff[a] = rows[i * d + a] - g.mean[a];
    for (std::size_t a = 0; a < d; ++a) {
      const double wa = w[i] * diff[a];
      double* cov_row = &g.cov[a * d];
      for (std::size_t b = 0; b <= a; ++b) cov_row[b] += wa * diff[b];
    }
  }
  finish_weighted_gaussian(g, d, total, ridge);
  return g;
}

// Column layout (d columns of n events) for the EM loop: the per-event arithmetic below runs
// across events in the inner loops, so it vectorises.
struct EventColumns {
  std::size_t n = 0, d = 0;
  std::vector<double> values;  // column a at [a * n, (a + 1) * n)
  const double* col(std::size_t a) const { return &values[a * n]; }
};

// d columns of events stored elsewhere: column a at base + a * stride.
struct ColumnView {
  const double* base = nullptr;
  std::size_t stride = 0, d = 0;
  ColumnView(const double* b, std::size_t s, std::size_t dims) : base(b), stride(s), d(dims) {}
  ColumnView(const EventColumns& x) : base(x.values.data()), stride(x.n), d(x.d) {}  // NOLINT: a view of it
  const double* col(std::size_t a) const { return base + a * stride; }
};

// Eight doubles handled as one value (two 4-double vectors: one AVX2 register each, two SSE2
// registers each otherwise). As a running sum, lane l accumulates the events i = l (mod 8) in
// event order: 8 interleaved partial sums (independent add chains) whose bits do not depend on
// the instruction set. No FMA target is enabled anywhere, so a * b + c is always a rounded
// product, then a rounded sum.
typedef double Lanes4 __attribute__((vector_size(32)));
// Lanes4 values live only inside the always-inlined helpers and loops of this file; GCC's note
// that passing them would change the ABI without AVX does not apply.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"
struct Lanes8 {
  Lanes4 lo = {}, hi = {};
  [[gnu::always_inline]] Lanes8& operator+=(const Lanes8& o) {
    lo += o.lo;
    hi += o.hi;
    return *this;
  }
};
[[gnu::always_inline]] inline Lanes8 load8(const double* p) {
  Lanes8 v;
  std::memcpy(&v.lo, p, sizeof v.lo);
  std::memcpy(&v.hi, p + 4, sizeof v.hi);
  return v;
}
[[gnu::always_inline]] inline void store8(double* p, const Lanes8& v) {
  std::memcpy(p, &v.lo, sizeof v.lo);
  std::memcpy(p + 4, &v.hi, sizeof v.hi);
}
[[gnu::always_inline]] inline Lanes8 operator*(const Lanes8& a, const Lanes8& b) { return {a.lo * b.lo, a.hi * b.hi}; }
[[gnu::always_inline]] inline Lanes8 operator*(double a, const Lanes8& b) { return {a * b.lo, a * b.hi}; }
[[gnu::always_inline]] inline Lanes8 operator+(double a, const Lanes8& b) { return {a + b.lo, a + b.hi}; }
[[gnu::always_inline]] inline Lanes8 operator-(double a, const Lanes8& b) { return {a - b.lo, a - b.hi}; }
[[gnu::always_inline]] inline Lanes8 operator-(const Lanes8& a, double b) { return {a.lo - b, a.hi - b}; }
// The lanes combined in one fixed tree.
[[gnu::always_inline]] inline double combine8(const Lanes8& a) {
  return ((a.lo[0] + a.lo[1]) + (a.lo[2] + a.lo[3])) + ((a.hi[0] + a.hi[1]) + (a.hi[2] + a.hi[3]));
}
#pragma GCC diagnostic pop

// Events per block of the M-step's covariance pass: the block's centred and weighted columns
// (2 x d x 256 doubles) stay in L1 while every pair of dimensions is accumulated over them.
constexpr std::size_t kMomentBlock = 256;

// Weighted mean and covariance of the columns (w: one weight per event). Every sum is the
// 8-lane partial sum above over events 0 .. n8 - 1 (n8 = n rounded down to a multiple of 8),
// lanes combined in the fixed tree, then the last n - n8 events added one by one: the same
// numbers whatever the thread count, and the same as the former per-pair dot products over
// whole columns, only computed block by block so the data stay in cache.
[[gnu::target_clones("avx2", "default")]] void weighted_moments(const EventColumns& x, const double* w,
                                                                double& total, double* mean, double* cov,
                                                                std::vector<double>& scratch) {
  const std::size_t n = x.n, d = x.d, n8 = n / 8 * 8;
  // Pass 1: sum of weights and weighted sums (d + 1 independent chains).
  {
    Lanes8 tw;
    std::vector<double> mw(8 * d, 0.0);  // the lanes of each weighted sum
    for (std::size_t i = 0; i < n8; i += 8) {
      const Lanes8 wi = load8(w + i);
      tw += wi;  // w * 1.0 == w exactly
      for (std::size_t a = 0; a < d; ++a) {
        Lanes8 m = load8(&mw[8 * a]);
        m += wi * load8(x.col(a) + i);
        store8(&mw[8 * a], m);
      }
    }
    total = combine8(tw);
    for (std::size_t i = n8; i < n; ++i) total += w[i];
    for (std::size_t a = 0; a < d; ++a) {
      double s = combine8(load8(&mw[8 * a]));
      for (std::size_t i = n8; i < n; ++i) s += w[i] * x.col(a)[i];
      mean[a] = s;
    }
  }
  if (total <= 0) total = 1e-300;
  for (std::size_t a = 0; a < d; ++a) mean[a] /= total;
  // Pass 2: lower-triangle sums of w (x_a - m_a)(x_b - m_b), pair p = a (a + 1) / 2 + b.
  const std::size_t pairs = d * (d + 1) / 2;
  std::vector<double> acc(8 * pairs, 0.0);  // the lanes of each pair's sum
  scratch.resize(2 * d * kMomentBlock);
  double* centred = scratch.data();                 // column a at [a * kMomentBlock, ...)
  double* weighted = scratch.data() + d * kMomentBlock;
  for (std::size_t begin = 0; begin < n8; begin += kMomentBlock) {
    const std::size_t len = std::min(kMomentBlock, n8 - begin);  // a multiple of 8
    for (std::size_t a = 0; a < d; ++a) {
      const double* xa = x.col(a) + begin;
      double* ca = centred + a * kMomentBlock;
      double* wa = weighted + a * kMomentBlock;
      const double m = mean[a];
      for (std::size_t e = 0; e < len; e += 8) {  // explicit lanes: -O2 would not vectorise this
        const Lanes8 c = load8(xa + e) - m;
        store8(ca + e, c);
        store8(wa + e, load8(w + begin + e) * c);
      }
    }
    for (std::size_t a = 0; a < d; ++a) {
      const double* wa = weighted + a * kMomentBlock;
      double* row = &acc[8 * (a * (a + 1) / 2)];
      std::size_t b = 0;
      // Four pairs at a time: four independent add chains, wa loaded once for all four.
      for (; b + 4 <= a + 1; b += 4) {
        Lanes8 s0 = load8(row + 8 * b), s1 = load8(row + 8 * b + 8), s2 = load8(row + 8 * b + 16),
               s3 = load8(row + 8 * b + 24);
        const double* c0 = centred + b * kMomentBlock;
        for (std::size_t e = 0; e < len; e += 8) {
          const Lanes8 v = load8(wa + e);
          s0 += v * load8(c0 + e);
          s1 += v * load8(c0 + kMomentBlock + e);
          s2 += v * load8(c0 + 2 * kMomentBlock + e);
          s3 += v * load8(c0 + 3 * kMomentBlock + e);
        }
        store8(row + 8 * b, s0), store8(row + 8 * b + 8, s1), store8(row + 8 * b + 16, s2),
            store8(row + 8 * b + 24, s3);
      }
      for (; b <= a; ++b) {
        Lanes8 s = load8(row + 8 * b);
        const double* cb = centred + b * kMomentBlock;
        for (std::size_t e = 0; e < len; e += 8) s += load8(wa + e) * load8(cb + e);
        store8(row + 8 * b, s);
      }
    }
  }
  for (std::size_t a = 0; a < d; ++a)
    for (std::size_t b = 0; b <= a; ++b) {
      double s = combine8(load8(&acc[8 * (a * (a + 1) / 2 + b)]));
      for (std::size_t i = n8; i < n; ++i)
        s += (w[i] * (x.col(a)[i] - mean[a])) * (x.col(b)[i] - mean[b]);
      cov[a * d + b] = s;
    }
}

// Weighted mean and covariance of the columns, so the result does not depend on threads or
// the instruction set.
Gaussian weighted_gaussian_columns(const EventColumns& x, const std::vector<double>& w,
                                   double ridge, std::vector<double>& scratch) {
  const std::size_t d = x.d;
  Gaussian g;
  g.mean.assign(d, 0.0);
  g.cov.assign(d * d, 0.0);
  double total = 0;
  weighted_moments(x, w.data(), total, g.mean.data(), g.cov.data(), scratch);
  finish_weighted_gaussian(g, d, total, ridge);
  return g;
}

// Log of weight x density of component g for events [begin, begin + len) into out (with
// `distances`: the squared Mahalanobis distances instead); per event the same operations in the
// same order as Gaussian::mahalanobis2 and log_density, across events. `centred` (d x stride)
// receives x - mean once per block instead of once per Cholesky term.
[[gnu::target_clones("avx2", "default")]] void log_weighted_density(const Gaussian& g, double log_weight,
                                                                    const ColumnView x, std::size_t begin,
                                                                    std::size_t len, std::size_t stride,
                                                                    double* out, double* centred,
                                                                    bool distances = false) {
  const std::size_t d = x.d;
  for (std::size_t k = 0; k < d; ++k) {
    const double* xk = x.col(k) + begin;
    double* ck = centred + k * stride;
    const double m = g.mean[k];
    std::size_t e = 0;
    for (; e + 8 <= len; e += 8) store8(ck + e, load8(xk + e) - m);
    for (; e < len; ++e) ck[e] = xk[e] - m;
  }
  const double* L = g.chol_inv.data();
  const std::size_t len8 = len / 8 * 8;
  // Events in registers: z_q = sum_k L_qk (x_k - m_k), out = sum_q z_q^2. Each z is one chain
  // of dependent additions; sixteen events at a time keep four chains in flight.
  std::size_t e = 0;
  for (; e + 16 <= len8; e += 16) {
    Lanes8 s, t;
    for (std::size_t q = 0; q < d; ++q) {
      Lanes8 z, y;
      for (std::size_t k = 0; k <= q; ++k) {
        const double l = L[q * d + k];
        z += l * load8(centred + k * stride + e);
        y += l * load8(centred + k * stride + e + 8);
      }
      s += z * z;
      t += y * y;
    }
    store8(out + e, distances ? s : log_weight + (g.log_norm - 0.5 * s));
    store8(out + e + 8, distances ? t : log_weight + (g.log_norm - 0.5 * t));
  }
  for (; e < len8; e += 8) {
    Lanes8 s;
    for (std::size_t q = 0; q < d; ++q) {
      Lanes8 z;
      for (std::size_t k = 0; k <= q; ++k) z += L[q * d + k] * load8(centred + k * stride + e);
      s += z * z;
    }
    store8(out + e, distances ? s : log_weight + (g.log_norm - 0.5 * s));
  }
  for (std::size_t e = len8; e < len; ++e) {
    double s = 0;
    for (std::size_t q = 0; q < d; ++q) {
      double z = 0;
      for (std::size_t k = 0; k <= q; ++k) z += L[q * d + k] * centred[k * stride + e];
      s += z * z;
    }
    out[e] = distances ? s : log_weight + (g.log_norm - 0.5 * s);
  }
}

// For each of the rows `sub` (of n x d `rows`), the (kk+1)-th smallest squared distance to
// the rows of `sub` (itself included, at 0): each pair computed once for both rows, and the kk+1
// smallest kept in a small sorted buffer per row (the same values as a full selection per row,
// far cheaper). Distances run eight pairs at a time across a column copy; per pair the same sum
// in the same order as the plain per-row loop, so the same bits.
[[gnu::target_clones("avx2", "default")]] std::vector<double> kth_smallest_distance2(
    const std::vector<double>& rows, std::size_t d, const std::vector<std::size_t>& sub, std::size_t kk) {
  const std::size_t m = sub.size();
  const std::size_t stride = (m + 7) / 8 * 8;
  std::vector<double> cols(d * stride, 0.0);  // column a of the subset at [a * stride, ...)
  for (std::size_t j = 0; j < m; ++j)
    for (std::size_t a = 0; a < d; ++a) cols[a * stride + j] = rows[sub[j] * d + a];
  std::vector<double> smallest(m * (kk + 1), INFINITY);
  auto offer = [&](std::size_t j, double v) {
    double* buf = &smallest[j * (kk + 1)];
    if (!(v < buf[kk])) return;
    std::size_t p = kk;
    while (p > 0 && buf[p - 1] > v) { buf[p] = buf[p - 1]; --p; }
    buf[p] = v;
  };
  std::vector<double> x(d);
  alignas(64) double v8[8];
  for (std::size_t j = 0; j < m; ++j) {
    offer(j, 0.0);
    for (std::size_t a = 0; a < d; ++a) x[a] = cols[a * stride + j];
    std::size_t l = j + 1;
    for (; l + 8 <= m; l += 8) {
      Lanes8 v;
      for (std::size_t a = 0; a < d; ++a) {
        const Lanes8 diff = load8(&cols[a * stride + l]) - x[a];
        v += diff * diff;
      }
      store8(v8, v);
      for (std::size_t e = 0; e < 8; ++e) {
        offer(j, v8[e]);
        offer(l + e, v8[e]);
      }
    }
    for (; l < m; ++l) {
      double v = 0;
      for (std::size_t a = 0; a < d; ++a) v += (cols[a * stride + l] - x[a]) * (cols[a * stride + l] - x[a]);
      offer(j, v);
      offer(l, v);
    }
  }
  std::vector<double> kth(m);
  for (std::size_t j = 0; j < m; ++j) kth[j] = smallest[j * (kk + 1) + kk];
  return kth;
}

}  // namespace

Gaussian fit_gaussian(const std::vector<double>& rows, std::size_t d, double ridge) {
  std::vector<double> w(rows.size() / d, 1.0);
  Gaussian g = weighted_gaussian(rows, d, w, ridge);
  g.weight = 1;
  return g;
}

std::size_t Mixture::classify(const double* x) const {
  std::size_t best = 0;
  double top = -std::numeric_limits<double>::infinity();
  for (std::size_t c = 0; c < components.size(); ++c) {
    const double l = std::log(components[c].weight) + components[c].log_density(x);
    if (l > top) { top = l; best = c; }
  }
  return best;
}

void mahalanobis2_columns(const Gaussian& g, const double* columns, std::size_t stride, std::size_t len,
                          double* out, std::vector<double>& scratch) {
  if (len == 0) return;
  const std::size_t dims = g.mean.size();
  scratch.resize(dims * len);
  log_weighted_density(g, 0.0, ColumnView(columns, stride, dims), 0, len, len, out, scratch.data(), true);
}

void Mixture::classify_columns(const double* columns, std::size_t stride, std::size_t len,
                               std::size_t* out) const {
  if (len == 0) return;
  const std::size_t k = components.size();
  if (k == 0) {
    std::fill(out, out + len, std::size_t{0});
    return;
  }
  // Log of weight x density per component, across the events; then, per event, the first
  // highest (as classify). (Dimensions from the components, as classify reads them.)
  const std::size_t dims = components[0].mean.size();
  std::vector<double> l(k * len), centred(dims * len);
  for (std::size_t c = 0; c < k; ++c)
    log_weighted_density(components[c], std::log(components[c].weight), ColumnView(columns, stride, dims), 0, len,
                         len, &l[c * len], centred.data());
  for (std::size_t e = 0; e < len; ++e) {
    std::size_t best = 0;
    double top = -std::numeric_limits<double>::infinity();
    for (std::size_t c = 0; c < k; ++c)
      if (l[c * len + e] > top) { top = l[c * len + e]; best = c; }
    out[e] = best;
  }
}

double Mixture::log_density(const double* x) const {
  double top = -std::numeric_limits<double>::infinity();
  SmallScratch scratch(components.size());  // per event: no allocation
  double* l = scratch.data();
  for (std::size_t c = 0; c < components.size(); ++c) {
    l[c] = std::log(components[c].weight) + components[c].log_density(x);
    top = std::max(top, l[c]);
  }
  double s = 0;
  for (std::size_t c = 0; c < components.size(); ++c) s += std::exp(l[c] - top);
  return top + std::log(s);
}

Mixture fit_mixture(const std::vector<double>& rows, std::size_t d, std::size_t k,
                    std::size_t iterations, double ridge, bool tied) {
  Mixture mix;
  mix.d = d;
  const std::size_t n = d ? rows.size() / d : 0;
  if (n == 0) return mix;
  k = std::max<std::size_t>(1, std::min(k, n / std::max<std::size_t>(20, 2 * d)));
  if (k == 0) k = 1;
  // Maximin seeding: start at the point nearest the data mean, then repeatedly the point
  // farthest from all seeds chosen so far (deterministic; finds small remote clusters).
  std::vector<double> centre(d, 0.0);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t a = 0; a < d; ++a) centre[a] += rows[i * d + a] / static_cast<double>(n);
  auto dist2 = [&](std::size_t i, const double* c) {
    double s = 0;
    for (std::size_t a = 0; a < d; ++a) s += (rows[i * d + a] - c[a]) * (rows[i * d + a] - c[a]);
    return s;
  };
  // Seeds only from dense points (10th-neighbour distance at most the median, on a strided
  // subset), so single outliers never become components.
  std::vector<std::size_t> cand;
  {
    const std::size_t m = std::min<std::size_t>(n, 1500);
    std::vector<std::size_t> sub(m);
    for (std::size_t j = 0; j < m; ++j) sub[j] = j * n / m;
    std::vector<double> knn(m);
    // The (kk+1)-th smallest distance of each row to the others (itself included, at 0), kept
    // in a small sorted buffer per row; each pair is computed once for both rows. Same values
    // as a full selection per row, far cheaper.
    const std::size_t kk = std::min<std::size_t>(10, m - 1);
    const std::vector<double> kth = kth_smallest_distance2(rows, d, sub, kk);
    for (std::size_t j = 0; j < m; ++j) knn[j] = kth[j];
    std::vector<double> sorted = knn;
    std::nth_element(sorted.begin(), sorted.begin() + m / 2, sorted.end());
    for (std::size_t j = 0; j < m; ++j)
      if (knn[j] <= sorted[m / 2]) cand.push_back(sub[j]);
  }
  std::vector<std::size_t> seeds;
  {
    std::size_t best = cand[0];
    double bd = INFINITY;
    for (auto i : cand)
      if (double v = dist2(i, centre.data()); v < bd) { bd = v; best = i; }
    seeds.push_back(best);
  }
  std::vector<double> nearest(cand.size(), INFINITY);
  while (seeds.size() < k) {
    const double* c = &rows[seeds.back() * d];
    std::size_t far = 0;
    double fd = -1;
    for (std::size_t j = 0; j < cand.size(); ++j) {
      nearest[j] = std::min(nearest[j], dist2(cand[j], c));
      if (nearest[j] > fd) { fd = nearest[j]; far = cand[j]; }
    }
    if (fd <= 0) break;
    seeds.push_back(far);
  }
  k = seeds.size();
  // Hard assignment to the nearest seed gives the starting responsibilities.
  std::vector<std::vector<double>> resp(k, std::vector<double>(n, 0.0));
  for (std::size_t i = 0; i < n; ++i) {
    std::size_t best = 0;
    double bd = INFINITY;
    for (std::size_t c = 0; c < k; ++c)
      if (double v = dist2(i, &rows[seeds[c] * d]); v < bd) { bd = v; best = c; }
    resp[best][i] = 1;
  }
  double previous = -INFINITY;
  std::vector<double> log_weight(k), event_loglik(n);
  EventColumns cols{n, d, std::vector<double>(n * d)};
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t a = 0; a < d; ++a) cols.values[a * n + i] = rows[i * d + a];
  // Each EM iteration has two synchronisation points (after the M and the E step), so its
  // threads are joined rather than held at OpenMP barriers: when another process holds a core,
  // OpenMP's spinning at those points burnt 1.4 s of CPU in the blast-step fit (measured
  // 2026-11-22 under load 3.9, against 0.4 s serial). Components (M step) and blocks of events
  // (E step) are handed out one at a time; every result is per component or per event, so
  // nothing depends on the thread count or on which thread computed what.
  const int threads = n >= kParallelEmEvents ? std::max(1, thread_budget()) : 1;
  const auto workers = static_cast<std::size_t>(threads);
  constexpr std::size_t kBlock = 256;
  std::vector<std::vector<double>> scratch(workers), lp(workers, std::vector<double>(k * kBlock)),
      centred(workers, std::vector<double>(d * kBlock));
  for (std::size_t it = 0; it < iterations; ++it) {
    // M step: components are independent.
    mix.components.assign(k, Gaussian{});
    for_each_index(k, threads, [&](std::size_t c, std::size_t w) {
      Gaussian g = weighted_gaussian_columns(cols, resp[c], ridge, scratch[w]);
      g.weight = std::max(g.weight / static_cast<double>(n), 1e-12);
      mix.components[c] = std::move(g);
    });
    if (tied) {
      // Pooled within-component covariance (the ridge, the same in each, carries over).
      std::vector<double> pooled(d * d, 0.0);
      for (const auto& g : mix.components)
        for (std::size_t q = 0; q < d * d; ++q) pooled[q] += g.weight * g.cov[q];
      for (auto& g : mix.components) {
        g.cov = pooled;
        g.factor(ridge);
      }
    }
    for (std::size_t c = 0; c < k; ++c) log_weight[c] = std::log(mix.components[c].weight);
    // E step: events are independent (blocks of kBlock); the log-likelihood is summed
    // afterwards in event order (the same sum whatever the thread count).
    for_each_index((n + kBlock - 1) / kBlock, threads, [&](std::size_t bi, std::size_t w) {
      double* l = lp[w].data();
      const std::size_t begin = bi * kBlock;
      const std::size_t len = std::min(kBlock, n - begin);
      for (std::size_t c = 0; c < k; ++c)
        log_weighted_density(mix.components[c], log_weight[c], cols, begin, len, kBlock, &l[c * kBlock],
                             centred[w].data());
      for (std::size_t e = 0; e < len; ++e) {
        double top = -INFINITY;
        for (std::size_t c = 0; c < k; ++c) top = std::max(top, l[c * kBlock + e]);
        double s = 0;
        for (std::size_t c = 0; c < k; ++c) {
          // exp() of anything below -746 is exactly 0: skip the call (same result).
          const double delta = l[c * kBlock + e] - top;
          l[c * kBlock + e] = delta < -746.0 ? 0.0 : std::exp(delta);
          s += l[c * kBlock + e];
        }
        event_loglik[begin + e] = top + std::log(s);
        for (std::size_t c = 0; c < k; ++c) resp[c][begin + e] = l[c * kBlock + e] / s;
      }
    });
    double loglik = 0;
    for (std::size_t i = 0; i < n; ++i) loglik += event_loglik[i];
    if (std::abs(loglik - previous) < 1e-6 * std::abs(loglik)) break;
    previous = loglik;
  }
  // Drop empty components.
  std::erase_if(mix.components, [](const Gaussian& g) { return g.weight < 1e-9; });
  return mix;
}

}  // namespace mrdflow::autogate
