// Exactness of the fast paths added for speed: quantile_of (bucket selection without
// reordering) against quantile_inplace, and the EM fit's independence of the thread budget.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "autogate/gmm.h"
#include "autogate/parallel.h"
#include "autogate/stats.h"

using namespace mrdflow::autogate;

namespace {
bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }
}  // namespace

TEST(Selection, QuantileOfEqualsQuantileInplaceBitForBit) {
  std::mt19937_64 rng(11);
  SelectionScratch scratch;
  int compared = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    const std::size_t n = 1 + rng() % (trial % 10 == 0 ? 6000 : 400);
    std::normal_distribution<double> g(static_cast<double>(rng() % 7), 1.0 + static_cast<double>(rng() % 3));
    std::vector<double> v(n);
    for (auto& x : v) {
      x = g(rng);
      switch (trial % 5) {
        case 1: x = std::round(x * 2) / 2; break;        // quantised (many ties)
        case 2: if (rng() % 3 == 0) x = 5.0; break;      // one heavy tie
        case 3: if (rng() % 100 == 0) x = 1e6; break;    // remote outliers: skewed buckets
        case 4: x = 3.0; break;                          // constant
        default: break;
      }
    }
    for (double q : {0.5, 0.05, 0.95, 0.0, 1.0, 0.37}) {
      auto copy = v;
      const auto expected = quantile_inplace(copy, q);
      const auto got = quantile_of(v, q, scratch);
      ASSERT_TRUE(expected && got);
      ASSERT_TRUE(same_bits(*expected, *got)) << "n=" << n << " trial=" << trial << " q=" << q << ": "
                                              << *expected << " vs " << *got;
      ++compared;
    }
  }
  EXPECT_EQ(compared, 18000);
  EXPECT_FALSE(quantile_of({}, 0.5, scratch));
}

TEST(Gmm, FitIsBitIdenticalForAnyThreadBudget) {
  // The EM loop uses threads from 10k events (the blast step fits 20k): 20k x 3 dimensions x
  // 4 components, more components than threads and more blocks than components.
  std::mt19937_64 rng(5);
  std::normal_distribution<double> g(0, 1);
  const std::size_t n = 20003, d = 3;  // n not a multiple of 8: the serial tail is exercised
  std::vector<double> rows(n * d);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t a = 0; a < d; ++a)
      rows[i * d + a] = 0.3 * g(rng) + static_cast<double>((i % 6) * ((a + i) % 3));
  Mixture one, two;
  {
    ThreadBudget budget(1);
    one = fit_mixture(rows, d, 4, 10, 1e-3);
  }
  {
    ThreadBudget budget(2);
    two = fit_mixture(rows, d, 4, 10, 1e-3);
  }
  ASSERT_EQ(one.components.size(), two.components.size());
  ASSERT_EQ(one.components.size(), 4u);
  for (std::size_t c = 0; c < one.components.size(); ++c) {
    EXPECT_EQ(one.components[c].mean, two.components[c].mean);
    EXPECT_EQ(one.components[c].cov, two.components[c].cov);
    EXPECT_TRUE(same_bits(one.components[c].weight, two.components[c].weight));
    EXPECT_TRUE(same_bits(one.components[c].log_norm, two.components[c].log_norm));
  }
}
