#include "autogate/gmm.h"

#include <algorithm>
#include <cmath>
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

double Gaussian::mahalanobis2(const double* x) const {
  const std::size_t d = mean.size();
  double s = 0;
  for (std::size_t i = 0; i < d; ++i) {
    double z = 0;
    for (std::size_t k = 0; k <= i; ++k) z += chol_inv[i * d + k] * (x[k] - mean[k]);
    s += z * z;
  }
  return s;
}

namespace {

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

// Sum of a[i] * b[i] in 8 interleaved partial sums combined in a fixed order: vectorises
// (SSE2 or AVX2 alike) and gives the same bits on any instruction set and thread count.
[[gnu::target_clones("avx2", "default")]] double dot8(const double* a, const double* b, std::size_t n) {
  double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (std::size_t l = 0; l < 8; ++l) acc[l] += a[i + l] * b[i + l];
  double sum = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
  for (; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

// Weighted mean and covariance of the columns (sums by dot8), so the result does not depend
// on threads or the instruction set.
Gaussian weighted_gaussian_columns(const EventColumns& x, const std::vector<double>& w,
                                   double ridge, std::vector<double>& scratch) {
  const std::size_t n = x.n, d = x.d;
  Gaussian g;
  g.mean.assign(d, 0.0);
  g.cov.assign(d * d, 0.0);
  // Sums of the weights and weighted values: interleaved partial sums (dot8), not one serial
  // chain of additions whose latency would dominate the EM loop.
  scratch.assign(n, 1.0);
  double total = dot8(w.data(), scratch.data(), n);
  for (std::size_t a = 0; a < d; ++a) g.mean[a] = dot8(w.data(), x.col(a), n);
  if (total <= 0) total = 1e-300;
  for (auto& m : g.mean) m /= total;
  // scratch: d centred columns, then d weighted centred columns.
  scratch.resize(2 * d * n);
  for (std::size_t a = 0; a < d; ++a) {
    const double* xa = x.col(a);
    double* da = &scratch[a * n];
    double* wa = &scratch[(d + a) * n];
    const double m = g.mean[a];
#pragma omp simd
    for (std::size_t i = 0; i < n; ++i) {
      da[i] = xa[i] - m;
      wa[i] = w[i] * da[i];
    }
  }
  for (std::size_t a = 0; a < d; ++a) {
    const double* wa = &scratch[(d + a) * n];
    for (std::size_t b = 0; b <= a; ++b) {
      const double* db = &scratch[b * n];
      g.cov[a * d + b] = dot8(wa, db, n);
    }
  }
  finish_weighted_gaussian(g, d, total, ridge);
  return g;
}

// Log of weight x density of component g for events [begin, begin + len) into out; per event
// the same operations in the same order as Gaussian::mahalanobis2, across events.
[[gnu::target_clones("avx2", "default")]] void log_weighted_density(const Gaussian& g, double log_weight, const EventColumns& x,
                          std::size_t begin, std::size_t len, double* out, double* z) {
  const std::size_t d = x.d;
  for (std::size_t e = 0; e < len; ++e) out[e] = 0;
  for (std::size_t q = 0; q < d; ++q) {
    for (std::size_t e = 0; e < len; ++e) z[e] = 0;
    for (std::size_t k = 0; k <= q; ++k) {
      const double l = g.chol_inv[q * d + k], m = g.mean[k];
      const double* xk = x.col(k) + begin;
#pragma omp simd
      for (std::size_t e = 0; e < len; ++e) z[e] += l * (xk[e] - m);
    }
#pragma omp simd
    for (std::size_t e = 0; e < len; ++e) out[e] += z[e] * z[e];
  }
  for (std::size_t e = 0; e < len; ++e) out[e] = log_weight + (g.log_norm - 0.5 * out[e]);
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

double Mixture::log_density(const double* x) const {
  double top = -std::numeric_limits<double>::infinity();
  std::vector<double> l(components.size());
  for (std::size_t c = 0; c < components.size(); ++c) {
    l[c] = std::log(components[c].weight) + components[c].log_density(x);
    top = std::max(top, l[c]);
  }
  double s = 0;
  for (double v : l) s += std::exp(v - top);
  return top + std::log(s);
}

Mixture fit_mixture(const std::vector<double>& rows, std::size_t d, std::size_t k,
                    std::size_t iterations, double ridge) {
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
    std::vector<double> knn(m), drow(m);
    for (std::size_t j = 0; j < m; ++j) {
      for (std::size_t l = 0; l < m; ++l) drow[l] = dist2(sub[l], &rows[sub[j] * d]);
      const std::size_t kk = std::min<std::size_t>(10, m - 1);
      std::nth_element(drow.begin(), drow.begin() + kk, drow.end());
      knn[j] = drow[kk];
    }
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
  // Each EM iteration ends in a barrier; on a fit subsample (tens of thousands of events) the
  // work per iteration is a few milliseconds, less than a descheduled thread costs on a busy
  // machine, so only large fits use the thread budget.
  const int threads = n >= 100000 ? std::max(1, thread_budget()) : 1;
  for (std::size_t it = 0; it < iterations; ++it) {
    // M step: components are independent (one per thread at a time).
    mix.components.assign(k, Gaussian{});
#pragma omp parallel num_threads(threads)
    {
      std::vector<double> scratch;
#pragma omp for schedule(dynamic, 1)
      for (std::ptrdiff_t c = 0; c < static_cast<std::ptrdiff_t>(k); ++c) {
        Gaussian g = weighted_gaussian_columns(cols, resp[static_cast<std::size_t>(c)], ridge, scratch);
        g.weight = std::max(g.weight / static_cast<double>(n), 1e-12);
        mix.components[static_cast<std::size_t>(c)] = std::move(g);
      }
    }
    for (std::size_t c = 0; c < k; ++c) log_weight[c] = std::log(mix.components[c].weight);
    // E step: events are independent (blocks of kBlock); the log-likelihood is summed
    // afterwards in event order (the same sum whatever the thread count).
    constexpr std::size_t kBlock = 256;
    const auto blocks = static_cast<std::ptrdiff_t>((n + kBlock - 1) / kBlock);
#pragma omp parallel num_threads(threads)
    {
      std::vector<double> lp(k * kBlock), z(kBlock);
#pragma omp for schedule(static)
      for (std::ptrdiff_t bi = 0; bi < blocks; ++bi) {
        const std::size_t begin = static_cast<std::size_t>(bi) * kBlock;
        const std::size_t len = std::min(kBlock, n - begin);
        for (std::size_t c = 0; c < k; ++c)
          log_weighted_density(mix.components[c], log_weight[c], cols, begin, len, &lp[c * kBlock], z.data());
        for (std::size_t e = 0; e < len; ++e) {
          double top = -INFINITY;
          for (std::size_t c = 0; c < k; ++c) top = std::max(top, lp[c * kBlock + e]);
          double s = 0;
          for (std::size_t c = 0; c < k; ++c) {
            // exp() of anything below -746 is exactly 0: skip the call (same result).
            const double delta = lp[c * kBlock + e] - top;
            lp[c * kBlock + e] = delta < -746.0 ? 0.0 : std::exp(delta);
            s += lp[c * kBlock + e];
          }
          event_loglik[begin + e] = top + std::log(s);
          for (std::size_t c = 0; c < k; ++c) resp[c][begin + e] = lp[c * kBlock + e] / s;
        }
      }
    }
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
