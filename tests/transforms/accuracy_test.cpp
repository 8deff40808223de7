// Logicle, hyperlog and fasinh against values computed independently: the reference
// implementation's published test values (FlowUtils, Moore's C port) and a long double
// bisection root finder (reference_root.h) over a dense grid of data values.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "reference_root.h"
#include "transforms/transforms.h"

namespace mrdflow::transforms {
namespace {

using testing::ReferenceBiex;

// FlowUtils' logicle/hyperlog tests (flowutils/tests/transform_tests.py): T=1000, W=1, M=4,
// A=0, expected outputs given to 6 decimals by the reference C implementation.
const std::vector<double> kFlowUtilsInput = {-10, -5, -1, 0, 0.3, 1, 3, 10, 100, 1000};

TEST(TransformReferenceValues, LogicleMatchesFlowUtils) {
  const std::vector<double> expected = {0.067574, 0.147986, 0.228752, 0.25,     0.256384,
                                        0.271248, 0.312897, 0.432426, 0.739548, 1.0};
  const Transform t = Logicle{1000, 1, 4, 0};
  std::vector<double> bulk(kFlowUtilsInput.size());
  apply(t, kFlowUtilsInput, bulk);
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_NEAR(apply(t, kFlowUtilsInput[i]), expected[i], 5e-7) << "x=" << kFlowUtilsInput[i];
    EXPECT_NEAR(bulk[i], expected[i], 5e-7) << "x=" << kFlowUtilsInput[i];
  }
}

TEST(TransformReferenceValues, HyperlogMatchesFlowUtils) {
  const std::vector<double> expected = {0.08355406, 0.15586819, 0.2294768,  0.25,       0.25623887,
                                        0.2705232,  0.30909185, 0.41644594, 0.73187469, 1.0};
  const Transform t = Hyperlog{1000, 1, 4, 0};
  std::vector<double> bulk(kFlowUtilsInput.size());
  apply(t, kFlowUtilsInput, bulk);
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_NEAR(apply(t, kFlowUtilsInput[i]), expected[i], 5e-8) << "x=" << kFlowUtilsInput[i];
    EXPECT_NEAR(bulk[i], expected[i], 5e-8) << "x=" << kFlowUtilsInput[i];
  }
}

// Data values covering everything a cytometer produces and more: a scale-uniform grid (dense
// through the linear/transition region around zero, both signs), log-spaced magnitudes from
// 1e-9 T to 1e3 T of both signs, exact zero and denormal-small values.
std::vector<long double> dense_grid(const ReferenceBiex& ref, long double T) {
  std::vector<long double> xs;
  for (int k = 0; k <= 3000; ++k) {
    const long double y = -0.3L + 1.5L * k / 3000;  // scale -0.3 .. 1.2
    const long double x = ref.inverse(y);
    if (std::isfinite(x)) xs.push_back(x);
  }
  for (int k = 0; k <= 1200; ++k) {
    const long double m = T * std::pow(10.0L, -9.0L + 12.0L * k / 1200);
    xs.push_back(m);
    xs.push_back(-m);
  }
  for (long double tiny : {0.0L, 1e-300L, -1e-300L, 1e-30L, -1e-30L, 1e-12L, -1e-12L}) xs.push_back(tiny);
  return xs;
}

struct Case {
  const char* name;
  bool hyperlog;
  double T, W, M, A;
};

class BiexAccuracy : public ::testing::TestWithParam<Case> {};

// |y - y_ref| <= 1e-9 |y_ref| + 1e-13. The absolute term only matters within 1e-4 of y = 0
// (there a relative bound is meaningless: y crosses zero) and is 1e-13 of the display range.
TEST_P(BiexAccuracy, ExactAndTableWithin1e9OfLongDoubleRoot) {
  const Case& c = GetParam();
  const ReferenceBiex ref = c.hyperlog ? ReferenceBiex::hyperlog(c.T, c.W, c.M, c.A)
                                       : ReferenceBiex::logicle(c.T, c.W, c.M, c.A);
  const Transform t = c.hyperlog ? Transform(Hyperlog{c.T, c.W, c.M, c.A}) : Transform(Logicle{c.T, c.W, c.M, c.A});
  const std::vector<long double> grid = dense_grid(ref, c.T);
  std::vector<double> xs(grid.size()), bulk(grid.size());
  for (std::size_t i = 0; i < grid.size(); ++i) xs[i] = static_cast<double>(grid[i]);
  apply(t, xs, bulk);

  double worst_exact = 0, worst_table = 0;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const long double y_ref = ref.forward(xs[i]);  // root for the double actually passed in
    const long double tol = 1e-9L * std::fabs(y_ref) + 1e-13L;
    const long double err_exact = std::fabs(apply(t, xs[i]) - y_ref);
    const long double err_table = std::fabs(bulk[i] - y_ref);
    ASSERT_LE(err_exact, tol) << c.name << " exact x=" << xs[i] << " y_ref=" << static_cast<double>(y_ref);
    ASSERT_LE(err_table, tol) << c.name << " table x=" << xs[i] << " y_ref=" << static_cast<double>(y_ref);
    worst_exact = std::max(worst_exact, static_cast<double>(err_exact / (std::fabs(y_ref) + 1e-4L)));
    worst_table = std::max(worst_table, static_cast<double>(err_table / (std::fabs(y_ref) + 1e-4L)));
  }
  RecordProperty("worst_exact", std::to_string(worst_exact));
  RecordProperty("worst_table", std::to_string(worst_table));
  std::printf("%-28s %zu points, worst |err|/(|y|+1e-4): exact %.2e, table %.2e\n", c.name, xs.size(),
              worst_exact, worst_table);
}

TEST_P(BiexAccuracy, InverseMatchesLongDoubleAndRoundTrips) {
  const Case& c = GetParam();
  const ReferenceBiex ref = c.hyperlog ? ReferenceBiex::hyperlog(c.T, c.W, c.M, c.A)
                                       : ReferenceBiex::logicle(c.T, c.W, c.M, c.A);
  const Transform t = c.hyperlog ? Transform(Hyperlog{c.T, c.W, c.M, c.A}) : Transform(Logicle{c.T, c.W, c.M, c.A});
  for (int k = 0; k <= 2000; ++k) {
    const double y = -0.3 + 1.5 * k / 2000;
    const long double x_ref = ref.inverse(y);
    const double x = inverse(t, y);
    // Relative to the data value, with an absolute floor of 1e-12 T near data zero.
    ASSERT_LE(std::fabs(x - x_ref), 1e-12L * std::fabs(x_ref) + 1e-12L * c.T) << c.name << " y=" << y;
    ASSERT_NEAR(apply(t, x), y, 1e-12) << c.name << " round trip y=" << y;
  }
}

INSTANTIATE_TEST_SUITE_P(
    ParameterSets, BiexAccuracy,
    ::testing::Values(Case{"logicle_typical", false, 262144, 0.5, 4.5, 0},
                      Case{"logicle_gml_10000", false, 10000, 0.5, 4.5, 0},
                      Case{"logicle_gml_A_half", false, 10000, 1, 4, 0.5},
                      Case{"logicle_flowutils", false, 1000, 1, 4, 0},
                      Case{"logicle_W0_asinh", false, 262144, 0, 4.5, 0},
                      Case{"logicle_W_max", false, 1000, 2, 4, 0},
                      Case{"logicle_A_max", false, 262144, 0.5, 4.5, 3.5},
                      Case{"logicle_A_min", false, 262144, 0.5, 4.5, -0.5},
                      Case{"logicle_wide", false, 262144, 1.5, 5.5, 1},
                      Case{"hyperlog_gml", true, 10000, 1, 4.5, 0},
                      Case{"hyperlog_flowutils", true, 1000, 1, 4, 0},
                      Case{"hyperlog_typical", true, 262144, 0.5, 4.5, 0},
                      Case{"hyperlog_A_max", true, 262144, 0.5, 4.5, 3.5},
                      Case{"hyperlog_A_min", true, 262144, 0.5, 4.5, -0.5},
                      Case{"hyperlog_W_max", true, 1000, 2, 4, 0}),
    [](const ::testing::TestParamInfo<Case>& info) { return std::string(info.param.name); });

// fasinh(x) = (asinh(x sinh(M ln10)/T) + A ln10) / ((M + A) ln10), evaluated in long double.
TEST(AsinhAccuracy, MatchesLongDoubleClosedForm) {
  for (const Asinh p : {Asinh{10000, 4, 1}, Asinh{262144, 4.5, 0}, Asinh{1000, 2, 2}}) {
    const long double ln10 = std::log(10.0L);
    std::vector<double> xs;
    for (int k = 0; k <= 2000; ++k) {
      const double m = p.T * std::pow(10.0, -9.0 + 12.0 * k / 2000);
      xs.push_back(m);
      xs.push_back(-m);
    }
    xs.push_back(0);
    std::vector<double> bulk(xs.size());
    apply(p, xs, bulk);
    for (std::size_t i = 0; i < xs.size(); ++i) {
      const long double ref = (std::asinh(xs[i] * std::sinh(p.M * ln10) / p.T) + p.A * ln10) / ((p.M + p.A) * ln10);
      const long double tol = 1e-13L * std::fabs(ref) + 1e-15L;
      ASSERT_LE(std::fabs(apply(p, xs[i]) - ref), tol) << describe(p) << " x=" << xs[i];
      ASSERT_LE(std::fabs(bulk[i] - ref), tol) << describe(p) << " x=" << xs[i];
      ASSERT_LE(std::fabs(inverse(p, static_cast<double>(ref)) - xs[i]), 1e-12 * std::fabs(xs[i]) + 1e-12 * p.T);
    }
  }
}

// fasinh is the W = 0 member of the logicle family (Gating-ML 2.0; Moore's Arcsinh.java).
TEST(AsinhAccuracy, EqualsLogicleWithZeroWidth) {
  const Asinh as{262144, 4.5, 0};
  const Logicle lg{262144, 0, 4.5, 0};
  for (double x : {-5000.0, -10.0, -0.1, 0.0, 0.1, 1.0, 100.0, 1e4, 262144.0})
    EXPECT_NEAR(apply(as, x), apply(lg, x), 1e-12) << x;
}

}  // namespace
}  // namespace mrdflow::transforms
