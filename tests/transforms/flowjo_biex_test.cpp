// FlowJo's biex against a lookup table exported by FlowJo itself (FlowKit's test data):
// channel i (0..4095) -> data value, for width -7.943282, neg 1, pos 4.418540, max 262144.000029.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include "support/testdata.h"
#include "transforms/transforms.h"

namespace mrdflow::transforms {
namespace {

TEST(FlowJoBiex, MatchesFlowJoExportedLookupTable) {
  MRDFLOW_REQUIRE_TESTDATA();
  const auto path = mrdflow::testing::testdata_dir() / "flowkit" / "flowjo_xforms" /
                    "tr_biex_l256_w-7.943282_n1.000000_m4.418540_r262144.000029.csv";
  std::ifstream in(path);
  ASSERT_TRUE(in) << path;
  std::string line;
  std::getline(in, line);
  ASSERT_EQ(line, "i,lookup[i]");
  const FlowJoBiex biex{262144.000029, -7.943282, 4.418540, 1.0};
  int rows = 0;
  double worst = 0;
  while (std::getline(in, line)) {
    const auto comma = line.find(',');
    ASSERT_NE(comma, std::string::npos);
    const int i = std::stoi(line.substr(0, comma));
    const double expected = std::stod(line.substr(comma + 1));
    const double y = i / 4096.0;
    const double x = inverse(biex, y);
    // FlowJo prints 6 significant digits: allow half a unit in the 6th digit, and 5e-4 absolute
    // for values printed with 3 decimals near zero.
    const double tol = 5e-6 * std::fabs(expected) + 6e-4;
    ASSERT_NEAR(x, expected, tol) << "channel " << i;
    worst = std::max(worst, std::fabs(x - expected) / (std::fabs(expected) + 1e-3));
    // Forward: the data value maps back onto the channel.
    ASSERT_NEAR(apply(biex, x), y, 1e-12) << "channel " << i;
    ++rows;
  }
  EXPECT_EQ(rows, 4096);
  std::printf("FlowJo biex LUT: 4096 channels, worst relative deviation %.2e\n", worst);
}

TEST(FlowJoBiex, ZeroSitsAtFlowJosZeroChannel) {
  // neg = 1, width -7.943282 -> zero channel 1094 of 4096 (where the LUT crosses zero).
  const FlowJoBiex biex{262144.000029, -7.943282, 4.418540, 1.0};
  const double zero_channel = apply(biex, 0.0) * 4096;
  EXPECT_NEAR(zero_channel, std::round(zero_channel), 1e-9);
  EXPECT_LT(inverse(biex, (zero_channel - 1) / 4096), 0);
  EXPECT_GT(inverse(biex, (zero_channel + 1) / 4096), 0);
  // Default FlowJo biex (neg 0, width -10): zero at channel 0... of a symmetric scale.
  const FlowJoBiex defaults{};
  EXPECT_GE(apply(defaults, 0.0), 0.0);
  EXPECT_NEAR(inverse(defaults, apply(defaults, 12345.0)), 12345.0, 1e-7);
}

}  // namespace
}  // namespace mrdflow::transforms
