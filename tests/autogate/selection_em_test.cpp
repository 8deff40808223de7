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

TEST(Selection, LargeQuantilesEqualSortedReference) {
  // Above 65536 values the quantiles are selected through a histogram (its range found in four
  // min/max chains): the same numbers as a sort, with ties, skew and lengths not a multiple of 4;
  // and by selection when the range overflows a double (shape 3: finite values near +-1.7e308).
  std::mt19937_64 rng(23);
  for (std::size_t n : {65537u, 70001u, 200003u}) {
    for (int shape = 0; shape < 4; ++shape) {
      std::vector<double> v(n);
      std::lognormal_distribution<double> skew(0, 1);
      std::normal_distribution<double> g(-3, 2);
      for (auto& x : v) x = shape == 0 ? g(rng) : shape == 1 ? skew(rng) : std::round(g(rng) * 4) / 4;
      const double extreme = shape == 3 ? 1.7e308 : 1e6;
      v[rng() % n] = -extreme;  // a lone extreme at either end, anywhere in the array
      v[rng() % n] = extreme;
      std::vector<double> sorted = v;
      std::sort(sorted.begin(), sorted.end());
      const std::vector<double> qs{0.0, 0.001, 0.05, 0.5, 0.95, 0.999, 1.0};
      std::vector<double> work = v;
      const auto got = quantiles_inplace(work, qs);
      for (std::size_t j = 0; j < qs.size(); ++j) {
        const double pos = qs[j] * static_cast<double>(n - 1);
        const auto k = static_cast<std::size_t>(std::floor(pos));
        const double want = k + 1 < n ? sorted[k] + (pos - static_cast<double>(k)) * (sorted[k + 1] - sorted[k]) : sorted[k];
        ASSERT_TRUE(got[j]);
        EXPECT_TRUE(same_bits(*got[j], want)) << "n " << n << " shape " << shape << " q " << qs[j];
      }
    }
  }
}

TEST(Selection, MaskedQuantilesWithoutCopyEqualGatheredSelection) {
  // The time QC takes each channel's spread from the column and mask in place, given the count
  // and range of the finite member values (combined from parts, as the QC does bin by bin):
  // the same bits as gathering those values and selecting, with non-members, NaN and +-inf in
  // the column, below and above the histogram threshold, and with a range no double holds.
  std::mt19937_64 rng(31);
  std::normal_distribution<double> g(2, 3);
  for (std::size_t n : {1000u, 65536u, 90001u, 250007u}) {
    for (int shape = 0; shape < 3; ++shape) {
      std::vector<double> column(n);
      Mask mask(n);
      for (std::size_t i = 0; i < n; ++i) {
        column[i] = shape == 1 ? std::round(g(rng)) : g(rng);
        mask[i] = rng() % 5 != 0;
        if (rng() % 997 == 0) column[i] = NAN;
        if (rng() % 1999 == 0) column[i] = (rng() % 2 ? 1 : -1) * INFINITY;
      }
      if (shape == 2) { column[n / 3] = -1.7e308; column[n / 2] = 1.7e308; mask[n / 3] = mask[n / 2] = 1; }
      ValueRange finite;
      std::vector<double> part;
      for (std::size_t begin = 0; begin < n; begin += 777) {  // ranges of parts, combined
        part.clear();
        for (std::size_t i = begin; i < std::min(n, begin + 777); ++i)
          if (mask[i] && std::isfinite(column[i])) part.push_back(column[i]);
        finite += value_range(part);
      }
      const std::vector<double> qs{0.0, 0.05, 0.5, 0.95, 1.0};
      auto gathered = gather(column, mask);
      ASSERT_EQ(finite.n, gathered.size());
      const auto want = quantiles_inplace(gathered, qs);
      const auto got = quantiles_of(column, mask, qs, finite);
      ASSERT_EQ(got.size(), qs.size());
      for (std::size_t j = 0; j < qs.size(); ++j) {
        ASSERT_TRUE(got[j] && want[j]);
        EXPECT_TRUE(same_bits(*got[j], *want[j])) << "n " << n << " shape " << shape << " q " << qs[j];
      }
    }
  }
  EXPECT_EQ(value_range({}).n, 0u);
}

TEST(Selection, WindowedQuantilesEqualSelectionOrDecline) {
  // The time QC collects the values near a channel's 95th and 5th percentiles bin by bin, in
  // windows set from a sample. Whenever every order statistic needed fell inside its window the
  // result has the bits of quantiles_inplace over all the values; otherwise (a window that
  // misses, one that overflows its limit) there is no result, never a wrong one.
  std::mt19937_64 rng(37);
  const std::vector<double> qs{0.95, 0.05};
  int exact = 0, declined = 0;
  for (int trial = 0; trial < 300; ++trial) {
    const std::size_t n = trial % 50 == 0 ? 0 : 1 + rng() % 30000;
    std::normal_distribution<double> g(static_cast<double>(rng() % 5), 1.0 + static_cast<double>(rng() % 3));
    std::vector<double> v(n);
    for (auto& x : v) {
      x = g(rng);
      if (trial % 4 == 1) x = std::round(x * 2) / 2;  // ties, possibly at a window's edge
      if (trial % 9 == 4) x = 1.5;                     // constant
    }
    // Windows: from the true quantiles, shifted and widened at random, so that some miss.
    std::vector<double> work = v;
    const auto truth = quantiles_inplace(work, {0.97, 0.93, 0.07, 0.03});
    std::vector<WindowedQuantiles::Window> windows;
    if (n > 0) {
      const double shift = (static_cast<double>(rng() % 5) - 2.0) * 0.5;
      windows = {{*truth[1] + shift, *truth[0] + shift}, {*truth[3] + shift, *truth[2] + shift}};
    } else {
      windows = {{0, 1}, {0, 1}};
    }
    const std::size_t limit = trial % 7 == 3 ? n / 100 : n;
    WindowedQuantiles central(qs, windows, limit);
    for (std::size_t begin = 0; begin < n;) {  // parts of uneven length, as bins are
      const std::size_t len = std::min(n - begin, std::size_t{1} + rng() % 3000);
      central.add(std::span<const double>(v).subspan(begin, len));
      begin += len;
    }
    work = v;
    const auto want = quantiles_inplace(work, qs);
    const auto got = central.quantiles();
    if (!got) {
      ++declined;
      continue;
    }
    ++exact;
    ASSERT_EQ(got->size(), qs.size());
    for (std::size_t j = 0; j < qs.size(); ++j) {
      ASSERT_EQ((*got)[j].has_value(), want[j].has_value());
      if (want[j]) {
        EXPECT_TRUE(same_bits(*(*got)[j], *want[j])) << "trial " << trial << " q " << qs[j];
      }
    }
  }
  EXPECT_GT(exact, 60) << exact << " exact, " << declined << " declined";
  EXPECT_GT(declined, 20) << exact << " exact, " << declined << " declined";
  // Edges: 0 .. 99, the 95th percentile interpolates order statistics 94 and 95. A window
  // ending at 94 or starting at 95 misses one of them; [90, 95] holds both.
  std::vector<double> ramp(100);
  for (std::size_t i = 0; i < ramp.size(); ++i) ramp[i] = static_cast<double>(i);
  const auto ramp_quantile = [&](double lo, double hi) {
    WindowedQuantiles w({0.95}, {{lo, hi}}, 100);
    w.add(ramp);
    return w.quantiles();
  };
  EXPECT_FALSE(ramp_quantile(90, 94));
  EXPECT_FALSE(ramp_quantile(95, 99));
  const auto held = ramp_quantile(90, 95);
  ASSERT_TRUE(held);
  EXPECT_TRUE(same_bits(*(*held)[0], 94.0 + (0.95 * 99 - 94.0) * 1.0));
  // A quantile without a window: no result.
  WindowedQuantiles none(qs, {}, 100);
  none.add(std::vector<double>{1, 2, 3});
  EXPECT_FALSE(none.quantiles());
}

TEST(Selection, RangeOfEqualsMinMax) {
  // The four min/max chains of the bin ranges against std::minmax_element, for every length
  // modulo 4, with ties.
  std::mt19937_64 rng(41);
  for (std::size_t n = 1; n < 300; ++n) {
    std::vector<double> v(n);
    for (auto& x : v) x = static_cast<double>(static_cast<int>(rng() % 21) - 10) * 0.25;
    const auto r = value_range(v);
    const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
    ASSERT_EQ(r.n, n);
    EXPECT_EQ(r.lo, *lo);
    EXPECT_EQ(r.hi, *hi);
  }
}

TEST(Gmm, ClassifyColumnsMatchesClassifyPerEvent) {
  // The blast step classifies events and takes their distances in blocks across events; it
  // must give each event the component classify() gives it, including events between
  // overlapping components, and the distance mahalanobis2() gives it.
  std::mt19937_64 rng(7);
  std::normal_distribution<double> g(0, 1);
  const std::size_t d = 8, n = 6000;
  std::vector<double> rows(n * d);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t a = 0; a < d; ++a) rows[i * d + a] = g(rng) + 1.5 * static_cast<double>((i % 5) * ((a + i) % 2));
  const Mixture mix = fit_mixture(rows, d, 6, 20, 1e-3);
  ASSERT_GE(mix.components.size(), 3u);
  const std::size_t len = 1003, stride = 1024;  // not a multiple of 8 or 16: every tail runs
  std::vector<double> columns(d * stride, 0.0);
  for (std::size_t e = 0; e < len; ++e)
    for (std::size_t a = 0; a < d; ++a) columns[a * stride + e] = rows[(e * 5 + 1) * d + a];
  std::vector<std::size_t> got(len, 99);
  mix.classify_columns(columns.data(), stride, len, got.data());
  std::size_t components_seen = 0;
  std::vector<bool> seen(mix.components.size(), false);
  for (std::size_t e = 0; e < len; ++e) {
    const std::size_t want = mix.classify(&rows[(e * 5 + 1) * d]);
    ASSERT_EQ(got[e], want) << "event " << e;
    if (!seen[want]) { seen[want] = true; ++components_seen; }
  }
  EXPECT_GE(components_seen, 3u);
  // The distances across events are the per-event distances, bit for bit.
  std::vector<double> d2(len), scratch;
  for (const auto& g : mix.components) {
    mahalanobis2_columns(g, columns.data(), stride, len, d2.data(), scratch);
    for (std::size_t e = 0; e < len; ++e)
      ASSERT_TRUE(same_bits(d2[e], g.mahalanobis2(&rows[(e * 5 + 1) * d]))) << "event " << e;
  }
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
