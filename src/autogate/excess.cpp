#include "autogate/excess.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <nanoflann.hpp>

#include "autogate/parallel.h"
#include "autogate/parallel_for.h"
#include "autogate/union_find.h"

namespace mrdflow::autogate {
namespace {

// The rows (n x d) as nanoflann's dataset.
struct Rows {
  std::span<const double> values;
  std::size_t d;
  std::size_t kdtree_get_point_count() const { return values.size() / d; }
  double kdtree_get_pt(std::size_t i, std::size_t a) const { return values[i * d + a]; }
  template <class Box>
  bool kdtree_get_bbox(Box&) const { return false; }
};
using KdTree = nanoflann::KDTreeSingleIndexAdaptor<nanoflann::L2_Simple_Adaptor<double, Rows>, Rows, -1, std::size_t>;

// Squared distances to, and indices of, the k nearest rows of `data` for each row of `query`
// (n_query x k each, nearest first). An exact kd-tree search (nanoflann: deterministic build,
// no randomisation; OpenCV's FLANN kd-tree "unlimited checks" search is not exact: 8% of the
// 10-NN distances of a test set differed from brute force).
struct Neighbours {
  std::vector<std::size_t> indices;
  std::vector<double> sq_dists;
};
Neighbours nearest(std::span<const double> data, std::span<const double> query, std::size_t d, std::size_t k) {
  const Rows rows{data, d};
  const KdTree tree(static_cast<int>(d), rows, nanoflann::KDTreeSingleIndexAdaptorParams(16));
  const std::size_t n = query.size() / d;
  Neighbours out;
  out.indices.assign(n * k, 0);
  out.sq_dists.assign(n * k, 0.0);
  // Each query on its own, in blocks of 64 (on the thread budget for large searches): the same
  // answer with any thread count.
  parallel_for((n + 63) / 64, n >= 512, [&](std::size_t block) {
    for (std::size_t q = block * 64; q < std::min(n, block * 64 + 64); ++q)
      tree.knnSearch(&query[q * d], k, &out.indices[q * k], &out.sq_dists[q * k]);
  });
  return out;
}

}  // namespace

std::vector<std::vector<std::size_t>> excess_seed_groups(std::span<const double> reference,
                                                         std::span<const double> pool,
                                                         std::span<const double> pool_log_model,
                                                         std::size_t d, double total, const ExcessOptions& options) {
  const std::size_t k = options.neighbours, n_ref = reference.size() / d, n_pool = pool.size() / d;
  std::vector<std::vector<std::size_t>> groups;
  if (d == 0 || k == 0 || n_ref < k || n_pool < k || !(total > 0)) return groups;
  // Log volume of the unit d-ball.
  const double dd = static_cast<double>(d);
  const double log_unit_ball = 0.5 * dd * std::log(M_PI) - std::lgamma(0.5 * dd + 1);
  const Neighbours ref = nearest(reference, pool, d, k);
  std::vector<double> excess(n_pool);
  for (std::size_t j = 0; j < n_pool; ++j) {
    // (A distance of 0, duplicate events, is floored so the log stays finite.)
    const double r2 = std::max(ref.sq_dists[j * k + k - 1], 1e-12);
    const double log_observed = std::log(static_cast<double>(k)) - std::log(total) - log_unit_ball - 0.5 * dd * std::log(r2);
    excess[j] = log_observed - pool_log_model[j];
  }
  const Neighbours own = nearest(pool, pool, d, k);
  std::vector<char> seed(n_pool, 0);
  for (std::size_t j = 0; j < n_pool; ++j) {
    double s = 0;
    for (std::size_t q = 0; q < k; ++q) s += excess[own.indices[j * k + q]];
    seed[j] = s / static_cast<double>(k) > options.log_excess;
  }
  UnionFind links(n_pool);
  for (std::size_t j = 0; j < n_pool; ++j) {
    if (!seed[j]) continue;
    for (std::size_t q = 0; q < k; ++q) {
      const std::size_t other = own.indices[j * k + q];
      if (seed[other]) links.join(j, other);
    }
  }
  std::vector<std::size_t> group_of(n_pool, static_cast<std::size_t>(-1));
  for (std::size_t j = 0; j < n_pool; ++j) {
    if (!seed[j]) continue;
    const std::size_t root = links.find(j);
    if (group_of[root] == static_cast<std::size_t>(-1)) {
      group_of[root] = groups.size();
      groups.emplace_back();
    }
    groups[group_of[root]].push_back(j);
  }
  std::erase_if(groups, [&](const auto& g) { return g.size() < options.min_seeds; });
  return groups;
}

Gaussian fit_excess_component(std::span<const double> seeds, std::span<const double> candidates,
                              std::span<const double> log_model, std::size_t d, double total, double core_d2) {
  const std::size_t n_seeds = seeds.size() / d, n = candidates.size() / d;
  Gaussian g;
  g.mean.assign(d, 0.0);
  for (std::size_t j = 0; j < n_seeds; ++j)
    for (std::size_t a = 0; a < d; ++a) g.mean[a] += seeds[j * d + a] / static_cast<double>(n_seeds);
  g.cov.assign(d * d, 0.0);
  for (std::size_t j = 0; j < n_seeds; ++j)
    for (std::size_t a = 0; a < d; ++a)
      for (std::size_t b = 0; b < d; ++b)
        g.cov[a * d + b] += (seeds[j * d + a] - g.mean[a]) * (seeds[j * d + b] - g.mean[b]);
  const double denom = static_cast<double>(std::max<std::size_t>(n_seeds, 2) - 1);
  for (std::size_t a = 0; a < d; ++a)
    for (std::size_t b = 0; b < d; ++b) g.cov[a * d + b] *= (a == b ? 1.0 : 0.5) / denom;
  for (std::size_t a = 0; a < d; ++a) g.cov[a * d + a] += 1e-4;
  g.factor(1e-4);
  // The candidates within the seeds' core take part; the rest cannot belong to the group.
  std::vector<std::size_t> inside;
  for (std::size_t j = 0; j < n; ++j)
    if (g.mahalanobis2(&candidates[j * d]) <= core_d2) inside.push_back(j);
  g.weight = static_cast<double>(n_seeds) / total;
  std::vector<double> mean(d);
  for (int iteration = 0; iteration < 30; ++iteration) {
    double held = 0;
    std::fill(mean.begin(), mean.end(), 0.0);
    for (auto j : inside) {
      const double own = std::log(g.weight) + g.log_density(&candidates[j * d]);
      const double share = 1 / (1 + std::exp(log_model[j] - own));  // posterior of the group
      held += share;
      for (std::size_t a = 0; a < d; ++a) mean[a] += share * candidates[j * d + a];
    }
    if (held < 3) break;
    for (std::size_t a = 0; a < d; ++a) g.mean[a] = mean[a] / held;
    g.weight = held / total;
  }
  return g;
}

}  // namespace mrdflow::autogate
