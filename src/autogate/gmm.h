#pragma once
// Deterministic Gaussian mixture (full covariance) fitted by EM. Our own implementation rather
// than Armadillo's gmm_full: its OpenMP reductions split work by thread count, and results
// must not depend on threads. Initialisation: farthest-point (maximin) seeding from a fixed
// start, so the same data always give the same model.
#include <cstddef>
#include <vector>

namespace mrdflow::autogate {

struct Gaussian {
  std::vector<double> mean;         // d
  std::vector<double> cov;          // d x d row-major
  std::vector<double> chol_inv;     // inverse of the lower Cholesky factor (d x d)
  double log_norm = 0;              // -0.5 (d log 2pi + log det cov)
  double weight = 1;
  // Squared Mahalanobis distance of x (d values).
  double mahalanobis2(const double* x) const;
  double log_density(const double* x) const { return log_norm - 0.5 * mahalanobis2(x); }
  // Recomputes chol_inv/log_norm from cov (adds `ridge` to the diagonal when not positive).
  void factor(double ridge);
};

// g.mahalanobis2 of `len` events given as columns (column a at columns + a * stride), into
// out[0, len): the same values, computed across events (scratch: reused working memory).
void mahalanobis2_columns(const Gaussian& g, const double* columns, std::size_t stride, std::size_t len,
                          double* out, std::vector<double>& scratch);

// Gaussian of the given rows (n x d row-major).
Gaussian fit_gaussian(const std::vector<double>& rows, std::size_t d, double ridge = 1e-6);

struct Mixture {
  std::size_t d = 0;
  std::vector<Gaussian> components;
  // Index of the component with the highest weighted density at x.
  std::size_t classify(const double* x) const;
  // classify() for `len` events given as d columns (column a at columns + a * stride), into
  // out[0, len): the same results, computed across events.
  void classify_columns(const double* columns, std::size_t stride, std::size_t len, std::size_t* out) const;
  double log_density(const double* x) const;
};

// rows: n x d row-major. k components (fewer when there are too few points). ridge: variance
// floor added to the covariance diagonals (in data units squared).
// tied: one covariance shared by all components (the pooled within-component covariance),
// for testing whether a population holds mean-shifted subgroups with few parameters.
Mixture fit_mixture(const std::vector<double>& rows, std::size_t d, std::size_t k,
                    std::size_t iterations = 60, double ridge = 1e-4, bool tied = false);

}  // namespace mrdflow::autogate
