#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "autogate/gmm.h"
#include "autogate/dfn.h"
#include "autogate/stats.h"

using namespace mrdflow::autogate;

TEST(Stats, QuantileInterpolatesOrderStatistics) {
  std::vector<double> v{5, 1, 4, 2, 3};
  EXPECT_DOUBLE_EQ(*quantile_inplace(v, 0.5), 3.0);
  EXPECT_DOUBLE_EQ(*quantile_inplace(v, 0.0), 1.0);
  EXPECT_DOUBLE_EQ(*quantile_inplace(v, 1.0), 5.0);
  EXPECT_DOUBLE_EQ(*quantile_inplace(v, 0.125), 1.5);
  std::vector<double> empty;
  EXPECT_FALSE(quantile_inplace(empty, 0.5));
}

TEST(Stats, QuantileRespectsMaskAndSkipsNaN) {
  std::vector<double> col{10, 20, NAN, 40, 1000};
  Mask m{1, 1, 1, 1, 0};
  EXPECT_DOUBLE_EQ(*median(col, m), 20.0);
}

TEST(Stats, GatherAtMembersEqualsGatherByMask) {
  // The member-index path reads only the members; it must give the same values in the same
  // order (non-finite values left out, members beyond the column ignored).
  std::mt19937 rng(5);
  std::vector<double> col(1003);
  for (auto& x : col) x = std::uniform_real_distribution<double>(-5, 5)(rng);
  col[7] = NAN, col[500] = INFINITY;
  Mask m(col.size() + 4);
  for (auto& b : m) b = rng() % 3 == 0;
  m[7] = m[500] = m[1004] = 1;
  const auto idx = members(m);
  EXPECT_EQ(gather_at(col, idx), gather(col, m));
  EXPECT_EQ(*quantile_at(col, idx, 0.9), *quantile(col, m, 0.9));
  EXPECT_EQ(*median_at(col, idx), *median(col, m));
  EXPECT_FALSE(median_at(col, std::vector<std::size_t>{7}));
}

TEST(Stats, MaskCountAndAndWordWise) {
  // Eight bytes per step plus a tail: any length, any byte values, same as byte by byte.
  std::mt19937 rng(9);
  for (std::size_t n : {0, 1, 7, 8, 9, 63, 64, 1001}) {
    Mask a(n), b(n);
    for (auto& x : a) x = static_cast<std::uint8_t>(rng() % 4 == 0 ? 255 : rng() % 2);
    for (auto& x : b) x = static_cast<std::uint8_t>(rng() % 2);
    std::size_t expect = 0;
    Mask both(n);
    for (std::size_t i = 0; i < n; ++i) expect += a[i], both[i] = a[i] & b[i];
    EXPECT_EQ(count(a), expect) << n;
    EXPECT_EQ(mask_and(a, b), both) << n;
  }
}

TEST(Stats, WilsonIntervalMatchesReference) {
  // Wilson 95% for 10/100: 5.52% - 17.44% (standard tables).
  auto [lo, hi] = wilson95_percent(10, 100);
  EXPECT_NEAR(lo, 5.52, 0.01);
  EXPECT_NEAR(hi, 17.44, 0.01);
  auto [lo0, hi0] = wilson95_percent(0, 1000);
  EXPECT_NEAR(lo0, 0.0, 1e-12);
  EXPECT_NEAR(hi0, 0.383, 0.001);
}

TEST(Stats, BimodalSplitFindsValley) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> a(0.2, 0.03), b(0.7, 0.05);
  std::vector<double> v;
  for (int i = 0; i < 20000; ++i) v.push_back(a(rng));
  for (int i = 0; i < 5000; ++i) v.push_back(b(rng));
  auto s = bimodal_split(v);
  ASSERT_TRUE(s);
  EXPECT_GT(*s, 0.32);
  EXPECT_LT(*s, 0.58);
  std::vector<double> one;
  for (int i = 0; i < 20000; ++i) one.push_back(a(rng));
  EXPECT_FALSE(bimodal_split(one));
}

TEST(Stats, Chi2UpperQuantile) {
  EXPECT_NEAR(chi2_upper(5, 1e-4), 25.74, 0.6);
  EXPECT_NEAR(chi2_upper(1, 0.05), 3.84, 0.1);
}

// Reference quantiles from an exact F implementation (R qf / scipy f.isf); Paulson's
// approximation is within about 3% from dof2 = 10 on.
TEST(Stats, FUpperQuantile) {
  EXPECT_NEAR(f_upper(8, 33, 1e-3), 4.441, 0.05);
  EXPECT_NEAR(f_upper(5, 10, 0.01), 5.636, 0.1);
  EXPECT_NEAR(f_upper(2, 20, 0.05), 3.493, 0.05);
  EXPECT_NEAR(f_upper(8, 1000, 1e-3), 3.299, 0.05);
  EXPECT_TRUE(std::isinf(f_upper(8, 1, 1e-3)));  // beyond the approximation: no finite limit
}

// Hotelling's prediction limit widens chi-square's for a model fitted on few events and
// approaches it with many.
TEST(Stats, PredictionLimit) {
  EXPECT_NEAR(prediction_limit(8, 41, 1e-3), 44.12, 0.8);
  EXPECT_NEAR(prediction_limit(8, 400, 1e-3), 27.35, 0.5);
  EXPECT_GT(prediction_limit(8, 41, 1e-3), chi2_upper(8, 1e-3) + 10);
  EXPECT_NEAR(prediction_limit(8, 1e7, 1e-3), chi2_upper(8, 1e-3), 0.3);
  EXPECT_TRUE(std::isinf(prediction_limit(8, 10, 1e-3)));  // n <= d + 2: no estimate
}

TEST(Gmm, SeparatesTwoClustersDeterministically) {
  std::mt19937_64 rng(3);
  std::normal_distribution<double> g(0, 1);
  std::vector<double> rows;
  for (int i = 0; i < 3000; ++i) { rows.push_back(g(rng)); rows.push_back(g(rng)); }
  for (int i = 0; i < 1000; ++i) { rows.push_back(8 + g(rng)); rows.push_back(5 + 0.5 * g(rng)); }
  auto m1 = fit_mixture(rows, 2, 2);
  auto m2 = fit_mixture(rows, 2, 2);
  ASSERT_EQ(m1.components.size(), 2u);
  const auto& small = m1.components[0].weight < m1.components[1].weight ? m1.components[0] : m1.components[1];
  EXPECT_NEAR(small.weight, 0.25, 0.02);
  EXPECT_NEAR(small.mean[0], 8, 0.2);
  for (std::size_t c = 0; c < 2; ++c)
    EXPECT_EQ(m1.components[c].mean, m2.components[c].mean);  // bit-identical refits
}

// Tied covariance: both components carry the pooled within-component covariance, so a small
// cluster's spread is mostly the big one's (here 1 and 0.25 on x pool to 0.875).
TEST(Gmm, TiedFitSharesThePooledCovariance) {
  std::mt19937_64 rng(5);
  std::normal_distribution<double> g(0, 1);
  std::vector<double> rows;
  for (int i = 0; i < 3000; ++i) { rows.push_back(g(rng)); rows.push_back(g(rng)); }
  for (int i = 0; i < 600; ++i) { rows.push_back(6 + 0.5 * g(rng)); rows.push_back(0.5 * g(rng)); }
  const auto free = fit_mixture(rows, 2, 2, 60, 1e-4, false);
  const auto tied = fit_mixture(rows, 2, 2, 60, 1e-4, true);
  ASSERT_EQ(tied.components.size(), 2u);
  EXPECT_EQ(tied.components[0].cov, tied.components[1].cov);
  const auto& small = tied.components[0].weight < tied.components[1].weight ? tied.components[0] : tied.components[1];
  EXPECT_NEAR(small.weight, 600.0 / 3600.0, 0.02);
  EXPECT_NEAR(small.mean[0], 6, 0.15);
  // Pooled variance on x: (3000 * 1 + 600 * 0.25) / 3600 = 0.875.
  EXPECT_NEAR(small.cov[0], 0.875, 0.08);
  // The free fit keeps each cluster's own spread.
  const auto& small_free = free.components[0].weight < free.components[1].weight ? free.components[0] : free.components[1];
  EXPECT_NEAR(small_free.cov[0], 0.25, 0.05);
}

TEST(Stats, MirroredUpperLimitIsTheNegativePopulationsOwnSpread) {
  std::mt19937_64 rng(17);
  std::normal_distribution<double> wide(0.2, 0.5), pos(4.0, 0.3);
  std::vector<double> negative, partly_positive;
  for (int i = 0; i < 20000; ++i) negative.push_back(wide(rng));
  partly_positive = negative;
  for (int i = 0; i < 6000; ++i) partly_positive.push_back(pos(rng));  // 23% positive
  // Normal p99.5 = mean + 2.576 SD = 1.488.
  auto a = mirrored_upper_limit(negative, 0.995);
  ASSERT_TRUE(a);
  EXPECT_NEAR(a->mode, 0.2, 0.05);
  EXPECT_NEAR(a->limit, 1.488, 0.08);
  // Positives above the negatives' mode do not move the limit: only the lower half is used.
  auto b = mirrored_upper_limit(partly_positive, 0.995);
  ASSERT_TRUE(b);
  EXPECT_NEAR(b->limit, 1.488, 0.08);
  std::size_t above = 0;
  for (double v : partly_positive) above += v > b->limit;
  EXPECT_NEAR(static_cast<double>(above), 6000.0 + 100.0, 60.0);
  EXPECT_FALSE(mirrored_upper_limit(std::vector<double>(30, 1.0), 0.995));
}
