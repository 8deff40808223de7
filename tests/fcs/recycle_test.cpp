// Batch reading into a previous file's arrays (EventMatrix::recycle / read_fcs with storage)
// gives exactly the values of a fresh read, whether the storage is larger or too small.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "fcs/fcs.h"

namespace mrdflow::fcs_test {
namespace {

fcs::DataSet synthetic(std::size_t events, std::size_t channels, unsigned seed) {
  fcs::DataSet ds;
  for (std::size_t c = 0; c < channels; ++c) {
    fcs::Channel ch;
    ch.name = "CH" + std::to_string(c + 1);
    ch.bits = 32;
    ch.range = 262144;
    ch.max_value = 262144;
    ds.channels.push_back(ch);
  }
  ds.event_count = events;
  ds.events = fcs::EventMatrix(events, channels);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1000.0f, 300000.0f);  // some above $PnR: truncated
  for (double& v : ds.events.values()) v = u(rng);
  return ds;
}

void expect_identical(const fcs::EventMatrix& a, const fcs::EventMatrix& b) {
  ASSERT_EQ(a.events(), b.events());
  ASSERT_EQ(a.channels(), b.channels());
  for (std::size_t i = 0; i < a.values().size(); ++i) ASSERT_EQ(a.values()[i], b.values()[i]) << i;
}

TEST(FcsRecycle, RecycledReadsEqualFreshReads) {
  const auto dir = std::filesystem::temp_directory_path() / "mrdflow_recycle_test";
  std::filesystem::create_directories(dir);
  const auto big = dir / "big.fcs", small = dir / "small.fcs";
  fcs::write_fcs(big, synthetic(300000, 9, 1));   // large enough for the mapped storage path
  fcs::write_fcs(small, synthetic(70001, 5, 2));

  const auto fresh_big = fcs::read_fcs(big);
  const auto fresh_small = fcs::read_fcs(small);
  // Larger storage reused for a smaller file, then too-small storage for a larger file.
  auto storage = fcs::read_fcs(big).events;
  const double* memory = storage.values().data();
  auto s1 = fcs::read_fcs(small, {}, std::move(storage));
  EXPECT_EQ(s1.events.values().data(), memory) << "storage was not reused";
  EXPECT_GE(s1.events.capacity(), 300000u * 9u);
  expect_identical(s1.events, fresh_small.events);
  auto s2 = fcs::read_fcs(big, {}, std::move(s1.events));
  expect_identical(s2.events, fresh_big.events);
  auto s3 = fcs::read_fcs(big, {.threads = 1}, std::move(s2.events));
  expect_identical(s3.events, fresh_big.events);
  // Too small: a fresh matrix is allocated.
  auto s4 = fcs::read_fcs(big, {}, fcs::EventMatrix(10, 2));
  expect_identical(s4.events, fresh_big.events);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace mrdflow::fcs_test
