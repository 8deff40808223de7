// Exactness of the selection helpers (the trimmed mean of the time QC against a sorted
// reference) and the EM fit's independence of the thread budget.
#include <gtest/gtest.h>

#include <algorithm>
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

TEST(Selection, TrimmedMeanEqualsSortedReference) {
  std::mt19937_64 rng(11);
  SelectionScratch scratch;
  int compared = 0;
  for (int trial = 0; trial < 2000; ++trial) {
    const std::size_t n = 1 + rng() % (trial % 10 == 0 ? 6000 : 500);
    std::normal_distribution<double> g(static_cast<double>(rng() % 7), 1.0);
    std::vector<double> v(n);
    for (auto& x : v) {
      x = g(rng);
      if (trial % 3 == 1) x = std::round(x * 2) / 2;  // ties
      if (trial % 3 == 2 && rng() % 50 == 0) x = 1e6;  // remote outliers: skewed buckets
      if (trial % 7 == 3) x = 3.0;                      // constant
    }
    for (double trim : {0.0, 0.1, 0.25, 0.5}) {
      auto sorted = v;
      std::sort(sorted.begin(), sorted.end());
      const std::size_t cut = std::min(static_cast<std::size_t>(trim * static_cast<double>(n)), (n - 1) / 2);
      double sum = 0;
      for (std::size_t i = cut; i < n - cut; ++i) sum += sorted[i];
      const double expected = sum / static_cast<double>(n - 2 * cut);
      const auto got = trimmed_mean_of(v, trim, scratch);
      ASSERT_TRUE(got);
      ASSERT_NEAR(*got, expected, 1e-9 * std::max(1.0, std::abs(expected))) << "n=" << n << " trim=" << trim;
      ++compared;
    }
  }
  EXPECT_EQ(compared, 8000);
  EXPECT_FALSE(trimmed_mean_of({}, 0.1, scratch));
  // A finite range wider than a double (hostile float64 data): the kept middle is still exact.
  std::vector<double> wide(200, 1.0);
  wide[0] = -1.5e308;
  wide[1] = 1.5e308;
  const auto got = trimmed_mean_of(wide, 0.1, scratch);
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, 1.0);
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
