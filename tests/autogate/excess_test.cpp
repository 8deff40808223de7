// Density-excess search on data whose model density is known exactly: a broad Gaussian
// population (the "model") with and without a compact group of 50 events in its tail.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "autogate/excess.h"
#include "autogate/parallel.h"

using namespace mrdflow::autogate;

namespace {

constexpr std::size_t kDim = 4;

struct Tube {
  std::vector<double> rows;  // n x kDim
  std::vector<int> in_group;
};

// 20,000 events N(0, I), plus `group` events N(c, 0.15^2 I) at c = (2.2, 2.2, 0, 0), where the
// background is 0.8% of its peak density.
Tube make_tube(std::size_t group, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> z(0, 1);
  Tube t;
  for (std::size_t i = 0; i < 20000; ++i) {
    for (std::size_t a = 0; a < kDim; ++a) t.rows.push_back(z(rng));
    t.in_group.push_back(0);
  }
  for (std::size_t i = 0; i < group; ++i) {
    for (std::size_t a = 0; a < kDim; ++a) t.rows.push_back((a < 2 ? 2.2 : 0.0) + 0.15 * z(rng));
    t.in_group.push_back(1);
  }
  return t;
}

// log density of the background model at row (20,000 events' share of the total).
double log_model(const double* row, double share) {
  double s = 0;
  for (std::size_t a = 0; a < kDim; ++a) s += row[a] * row[a];
  return std::log(share) - 0.5 * s - 0.5 * static_cast<double>(kDim) * std::log(2 * M_PI);
}

struct Search {
  std::vector<std::vector<std::size_t>> groups;
  std::vector<std::size_t> pool_events;  // event index of each pool row
  std::vector<double> pool, reference, candidates, candidate_log;
};

// Pool: events beyond the model's 90% region; reference: beyond its 50% region (as in DfN).
Search search(const Tube& t) {
  const std::size_t n = t.in_group.size();
  const double total = static_cast<double>(n), share = 20000.0 / total;
  Search s;
  std::vector<double> pool_log;
  for (std::size_t i = 0; i < n; ++i) {
    const double* row = &t.rows[i * kDim];
    double d2 = 0;
    for (std::size_t a = 0; a < kDim; ++a) d2 += row[a] * row[a];
    s.candidates.insert(s.candidates.end(), row, row + kDim);
    s.candidate_log.push_back(log_model(row, share));
    if (d2 > 3.36) s.reference.insert(s.reference.end(), row, row + kDim);  // chi2(4) median
    if (d2 > 7.78) {                                                         // chi2(4) 0.10
      s.pool.insert(s.pool.end(), row, row + kDim);
      pool_log.push_back(log_model(row, share));
      s.pool_events.push_back(i);
    }
  }
  s.groups = excess_seed_groups(s.reference, s.pool, pool_log, kDim, total, ExcessOptions{});
  return s;
}

}  // namespace

TEST(DensityExcess, FindsACompactGroupInTheTailAndTakesItsExtent) {
  for (std::uint64_t seed : {11u, 12u, 13u}) {
    const Tube t = make_tube(50, seed);
    const Search s = search(t);
    ASSERT_EQ(s.groups.size(), 1u) << "seed " << seed;
    std::size_t true_seeds = 0;
    for (auto j : s.groups[0]) true_seeds += t.in_group[s.pool_events[j]];
    EXPECT_GE(true_seeds, 20u) << "seed " << seed;
    EXPECT_GE(10 * true_seeds, 9 * s.groups[0].size()) << "seeds are the group's events";
    std::vector<double> seeds;
    for (auto j : s.groups[0]) seeds.insert(seeds.end(), &s.pool[j * kDim], &s.pool[(j + 1) * kDim]);
    const double total = static_cast<double>(t.in_group.size());
    const Gaussian g = fit_excess_component(seeds, s.candidates, s.candidate_log, kDim, total, 18.47);  // chi2(4) 1e-3
    // Its weight is the group's 50 events (within 20%), its mean the group's centre.
    EXPECT_NEAR(g.weight * total, 50.0, 10.0) << "seed " << seed;
    EXPECT_NEAR(g.mean[0], 2.2, 0.1);
    EXPECT_NEAR(g.mean[1], 2.2, 0.1);
  }
}

TEST(DensityExcess, NoGroupWhereTheModelHoldsEverywhere) {
  for (std::uint64_t seed : {21u, 22u, 23u, 24u}) {
    const Search s = search(make_tube(0, seed));
    EXPECT_TRUE(s.groups.empty()) << "seed " << seed << ": " << s.groups.size() << " groups";
  }
}

TEST(DensityExcess, SameGroupsOnEveryRunAndWithAnyThreadCount) {
  const Tube t = make_tube(50, 31);
  std::vector<std::vector<std::size_t>> one, again, two;
  {
    ThreadBudget budget(1);
    one = search(t).groups;
    again = search(t).groups;
  }
  {
    ThreadBudget budget(2);
    two = search(t).groups;
  }
  ASSERT_FALSE(one.empty());
  EXPECT_EQ(one, again);
  EXPECT_EQ(one, two);
}

TEST(DensityExcess, TooFewEventsGiveNoGroups) {
  std::vector<double> reference(5 * kDim, 0.0), pool(5 * kDim, 0.0), log(5, 0.0);
  EXPECT_TRUE(excess_seed_groups(reference, pool, log, kDim, 5, ExcessOptions{}).empty());
}
