// Counting beads: bright in (nearly) every detector at once; cells bright in a few only.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "autogate/beads.h"
#include "autogate/parallel.h"

using namespace mrdflow::autogate;

TEST(Beads, FindsEventsBrightInEveryDetectorOnly) {
  std::mt19937_64 rng(11);
  std::normal_distribution<double> e(0, 0.03);
  const std::size_t cells = 20000, beads = 400, ch = 8;
  std::vector<std::vector<double>> cols(ch);
  std::vector<int> truth;
  for (std::size_t i = 0; i < cells + beads; ++i) {
    const bool bead = i % 51 == 0 && truth.size() - std::count(truth.begin(), truth.end(), 0) < beads;
    for (std::size_t c = 0; c < ch; ++c) {
      // Cells: bright for two markers that depend on the cell's type; beads: bright everywhere.
      const bool bright = bead || (i % 4 == c % 4 && c < 4) || (i % 3 == 0 && c == 5);
      cols[c].push_back((bright ? (bead ? 0.9 : 0.7) : 0.2) + e(rng));
    }
    truth.push_back(bead ? 1 : 0);
  }
  std::vector<Column> fl(cols.begin(), cols.end());
  auto g = find_counting_beads(fl, Mask(truth.size(), 1));
  std::size_t found = 0, right = 0, total = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) {
    found += g.beads[i];
    right += g.beads[i] && truth[i];
    total += truth[i];
  }
  EXPECT_GT(total, 300u);
  EXPECT_EQ(found, right);             // no cell called a bead
  EXPECT_GE(right, total * 95 / 100);  // nearly every bead found
}

TEST(Beads, NoBeadsNoPopulation) {
  std::mt19937_64 rng(12);
  std::normal_distribution<double> e(0, 0.05);
  std::vector<std::vector<double>> cols(6);
  for (std::size_t i = 0; i < 10000; ++i)
    for (std::size_t c = 0; c < 6; ++c) cols[c].push_back(0.3 + (i % 6 == c ? 0.4 : 0) + e(rng));
  std::vector<Column> fl(cols.begin(), cols.end());
  auto g = find_counting_beads(fl, Mask(10000, 1));
  EXPECT_EQ(count(g.beads), 0u);
}

TEST(Beads, SameGateWithAnyThreadCount) {
  // More events than one block of the hit count (65,536), so the blocks are split between
  // threads; limits and the gate must be the same as with one thread.
  std::mt19937_64 rng(13);
  std::normal_distribution<double> e(0, 0.04);
  const std::size_t n = 150000, ch = 7;
  std::vector<std::vector<double>> cols(ch);
  Mask in(n, 1);
  for (std::size_t i = 0; i < n; ++i) {
    const bool bead = i % 97 == 0;
    in[i] = static_cast<std::uint8_t>(i % 13 != 0);
    for (std::size_t c = 0; c < ch; ++c) cols[c].push_back((bead ? 0.9 : (i % ch == c ? 0.6 : 0.2)) + e(rng));
  }
  std::vector<Column> fl(cols.begin(), cols.end());
  BeadGate one, two;
  {
    const ThreadBudget budget(1);
    one = find_counting_beads(fl, in);
  }
  {
    const ThreadBudget budget(2);
    two = find_counting_beads(fl, in);
  }
  EXPECT_GT(count(one.beads), 1000u);
  EXPECT_EQ(one.beads, two.beads);
  EXPECT_EQ(one.bright_limits, two.bright_limits);
}
