#pragma once
// Local density excess over a fitted model: groups of events that are far denser than the model
// predicts where they lie. A clone near the LOQ (50 events among tens of thousands of
// hematogones) often sits inside the tails of a normal stage, so it is not off the pathway by
// distance, but it is a compact population of its own: a local excess over the stage's density.
#include <cstddef>
#include <span>
#include <vector>

#include "autogate/gmm.h"

namespace mrdflow::autogate {

struct ExcessOptions {
  std::size_t neighbours = 10;   // k of the k-nearest-neighbour density
  double log_excess = 4.0;       // smoothed log(observed / model density) of a seed
  std::size_t min_seeds = 10;    // seeds a group needs
};

// Groups of seeds. Rows are standardised, d per row:
// - reference: the events whose observed density is measured (n_ref x d);
// - pool: the events that may seed a group (n_pool x d), with their model log density;
// - total: the number of events the model's density is normalised to.
// A pool event's excess is log(k / (total V_d r_k^d)) minus its model log density, r_k its
// distance to the k-th nearest reference event, averaged over its k nearest pool events (so a
// single event in a sparse spot does not count). Seeds are pool events above
// options.log_excess; two seeds are linked when either is among the other's k nearest pool
// events. Returns each group of >= min_seeds linked seeds as pool indices, in order of their
// first seed (deterministic: exact neighbour search).
std::vector<std::vector<std::size_t>> excess_seed_groups(std::span<const double> reference,
                                                         std::span<const double> pool,
                                                         std::span<const double> pool_log_model,
                                                         std::size_t d, double total, const ExcessOptions& options);

// A component for a group of seed rows (n x d) added to the model: its covariance is the seeds'
// (half shrunk to its diagonal, so a few dozen events give a usable one) and stays fixed; its
// mean and weight are refitted by EM against the model (log densities `log_model`, normalised to
// `total` events) on the candidate rows within the seeds' core (squared Mahalanobis distance
// <= core_d2), so it takes the events it explains better than the model, and no more.
// weight: its share of `total`.
Gaussian fit_excess_component(std::span<const double> seeds, std::span<const double> candidates,
                              std::span<const double> log_model, std::size_t d, double total, double core_d2);

}  // namespace mrdflow::autogate
