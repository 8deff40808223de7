// Closed-form transforms, parameter validation, estimate_logicle, bulk-form contracts.
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "common/error.h"
#include "transforms/transforms.h"

namespace mrdflow::transforms {
namespace {

TEST(Transforms, LinearAndLogFollowGatingMl) {
  const Linear lin{10000, 500};  // Gating-ML compliance "Linear_10000_500"
  EXPECT_NEAR(apply(lin, -500), 0.0, 1e-15);
  EXPECT_NEAR(apply(lin, 10000), 1.0, 1e-15);
  EXPECT_NEAR(apply(lin, 4750), 0.5, 1e-15);
  EXPECT_NEAR(inverse(lin, 0.25), 2125, 1e-9);

  const Log lg{10000, 5};  // "Logarithmic_10000_5": (1/5) log10(x/1e4) + 1
  EXPECT_NEAR(apply(lg, 10000), 1.0, 1e-15);
  EXPECT_NEAR(apply(lg, 1), 1 - 4.0 / 5, 1e-15);
  EXPECT_NEAR(apply(lg, 0.1), 0.0, 1e-15);
  EXPECT_NEAR(inverse(lg, 0.6), 10000 * std::pow(10.0, -2.0), 1e-9);
  // Undefined below zero: IEEE results, never a made-up number.
  EXPECT_TRUE(std::isnan(apply(lg, -1)));
  EXPECT_EQ(apply(lg, 0), -std::numeric_limits<double>::infinity());
}

TEST(Transforms, RatioIsGatingMlFratio) {
  EXPECT_DOUBLE_EQ(ratio(10, 4, 2, 1, 1), 2 * 9 / 3.0);
  EXPECT_TRUE(std::isinf(ratio(1, 3, 1, 0, 3)));
}

TEST(Transforms, AsinhKnownValues) {
  // T = 1000, M = 4, A = 1: y = (asinh(x sinh(4 ln10)/1000) + ln10) / (5 ln10).
  const Asinh p{1000, 4, 1};
  EXPECT_NEAR(apply(p, 0), 0.2, 1e-15);
  EXPECT_NEAR(apply(p, 1000), 1.0, 1e-15);
  EXPECT_NEAR(apply(p, -1000), 0.4 - 1.0, 1e-12);
}

TEST(Transforms, ValidateRejectsEachConstraintWithAClearMessage) {
  auto message = [](const Transform& t) {
    try {
      validate(t);
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), "transform");
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message(Logicle{0, 0.5, 4.5, 0}).find("T (top of scale) must be > 0"), std::string::npos);
  EXPECT_NE(message(Logicle{262144, -0.1, 4.5, 0}).find("W must be >= 0"), std::string::npos);
  EXPECT_NE(message(Logicle{262144, 3, 4.5, 0}).find("W must be <= M/2"), std::string::npos);
  EXPECT_NE(message(Logicle{262144, 0.5, 4.5, -0.6}).find("A must be >= -W"), std::string::npos);
  EXPECT_NE(message(Logicle{262144, 0.5, 4.5, 3.6}).find("A must be <= M - 2W"), std::string::npos);
  EXPECT_NE(message(Logicle{262144, 0.5, 0, 0}).find("M (decades) must be > 0"), std::string::npos);
  EXPECT_NE(message(Hyperlog{262144, 0, 4.5, 0}).find("W must be > 0"), std::string::npos);
  EXPECT_NE(message(Logicle{NAN, 0.5, 4.5, 0}).find("finite"), std::string::npos);
  EXPECT_NE(message(Linear{100, 200}).find("A must be in [0, T]"), std::string::npos);
  EXPECT_NE(message(Log{100, -1}).find("M must be > 0"), std::string::npos);
  EXPECT_NE(message(Asinh{100, 4, 5}).find("A must be in [0, M]"), std::string::npos);
  EXPECT_NE(message(FlowJoBiex{262144, 10, 4.4, 0}).find("width basis"), std::string::npos);
  EXPECT_NE(message(Logicle{262144, 3, 4.5, 0}).find("logicle(T=262144, W=3, M=4.5, A=0)"), std::string::npos);
  EXPECT_EQ(message(Logicle{262144, 0.5, 4.5, 0}), "no error");
  EXPECT_EQ(message(Logicle{262144, 0, 4.5, 0}), "no error");
  EXPECT_EQ(message(FlowJoBiex{}), "no error");
  // Every entry point validates.
  EXPECT_THROW(apply(Logicle{262144, 3, 4.5, 0}, 1.0), Error);
  std::vector<double> v(4, 1.0);
  EXPECT_THROW(apply(Logicle{262144, 3, 4.5, 0}, v, v), Error);
  EXPECT_THROW(PreparedTransform(Hyperlog{1, 0, 1, 0}), Error);
}

TEST(Transforms, DescribeNamesKindAndParameters) {
  EXPECT_EQ(describe(Logicle{262144, 0.5, 4.5, 0}), "logicle(T=262144, W=0.5, M=4.5, A=0)");
  EXPECT_EQ(describe(Linear{10000, 500}), "flin(T=10000, A=500)");
}

TEST(Transforms, BulkHandlesNonFiniteAndAliasing) {
  const Transform t = Logicle{262144, 0.5, 4.5, 0};
  std::vector<double> v = {NAN, INFINITY, -INFINITY, 0.0, -0.0, 1e308, -1e308, 5e-324, 1000};
  std::vector<double> expected(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) expected[i] = apply(t, v[i]);
  apply(t, v, v);  // in place
  EXPECT_TRUE(std::isnan(v[0]));
  EXPECT_EQ(v[1], INFINITY);
  EXPECT_EQ(v[2], -INFINITY);
  for (std::size_t i = 3; i < v.size(); ++i) EXPECT_NEAR(v[i], expected[i], 1e-12 * std::fabs(expected[i])) << i;
  EXPECT_GT(v[5], 1.0);  // far above T: still ordered, not clamped
  EXPECT_LT(v[6], 0.0);
  std::vector<double> small(2);
  EXPECT_THROW(apply(t, std::vector<double>(3, 1.0), small), Error);
}

TEST(Transforms, BulkResultDoesNotDependOnSpanSplitting) {
  // Large spans run over OpenMP chunks; each element must come out exactly as alone.
  std::mt19937_64 rng(7);
  std::normal_distribution<double> noise(0, 3000);
  std::vector<double> x(300000);
  for (auto& v : x) v = noise(rng) * (rng() % 4 == 0 ? 30 : 1);
  for (const Transform t : {Transform(Logicle{262144, 0.5, 4.5, 0}), Transform(Hyperlog{262144, 1, 4.5, 0}),
                            Transform(Asinh{262144, 4.5, 0}), Transform(FlowJoBiex{})}) {
    std::vector<double> whole(x.size()), piece(1);
    apply(t, x, whole);
    for (std::size_t i = 0; i < x.size(); i += 997) {
      apply(t, std::span<const double>(&x[i], 1), piece);
      ASSERT_EQ(whole[i], piece[0]) << describe(t) << " i=" << i;
    }
    std::vector<double> back(x.size());
    inverse(t, whole, back);
    for (std::size_t i = 0; i < x.size(); i += 101)
      ASSERT_NEAR(back[i], x[i], 1e-9 * std::fabs(x[i]) + 1e-7) << describe(t);
  }
}

TEST(Transforms, ContinuousAndIncreasingAcrossTableCellEdges) {
  // The table switches polynomial every 1/8 octave: no step at an edge beyond the table's
  // error bound, and values increase across it. (Between adjacent doubles the true increase
  // can be below the ~1e-13 interpolation error, so ulp-level monotonicity is not claimed.)
  for (const Transform t : {Transform(Logicle{262144, 0.5, 4.5, 0}), Transform(Hyperlog{10000, 1, 4.5, 0})}) {
    for (double octave = 1.0 / 1024; octave < 1e7; octave *= 2)
      for (int j = 0; j < 8; ++j) {
        const double e = octave * (1 + j / 8.0);
        const std::vector<double> x = {e * (1 - 1e-3), std::nextafter(e, 0.0), e, e * (1 + 1e-3)};
        std::vector<double> y(x.size());
        apply(t, x, y);
        ASSERT_NEAR(y[1], y[2], 1e-12) << describe(t) << " edge " << e;
        ASSERT_LT(y[0], y[1]) << describe(t) << " edge " << e;
        ASSERT_LT(y[2], y[3]) << describe(t) << " edge " << e;
      }
  }
}

// flowCore: r = eps + quantile(negatives, 0.05) (type 7), W = (M - log10(T/|r|))/2.
TEST(EstimateLogicle, FollowsFlowCoreFormula) {
  std::vector<double> values;
  for (int i = 1; i <= 100; ++i) values.push_back(-i);
  for (int i = 0; i < 1000; ++i) values.push_back(i * 100.0);
  // Sorted negatives -100..-1: h = 99 * 0.05 = 4.95 -> -96 + 0.95 * 1 = -95.05.
  const double r = DBL_EPSILON - 95.05;
  const Logicle p = estimate_logicle(values, 262144);
  EXPECT_DOUBLE_EQ(p.T, 262144);
  EXPECT_DOUBLE_EQ(p.M, 4.5);
  EXPECT_DOUBLE_EQ(p.A, 0);
  EXPECT_NEAR(p.W, (4.5 - std::log10(262144 / std::fabs(r))) / 2, 1e-12);
}

TEST(EstimateLogicle, NeverFailsWhereFlowCoreStops) {
  // No negatives: W = 0 (flowCore's default too).
  EXPECT_EQ(estimate_logicle(std::vector<double>{1, 2, 3}, 262144).W, 0);
  // Tiny negatives: flowCore stops with "w is negative"; we clamp to 0.
  EXPECT_EQ(estimate_logicle(std::vector<double>{-1e-6, -2e-6, 50}, 262144).W, 0);
  // Enormous negatives: clamp to the largest valid W (M/2).
  EXPECT_DOUBLE_EQ(estimate_logicle(std::vector<double>{-1e9, -2e9, 5}, 262144).W, 2.25);
  // NaN / inf ignored; A < 0 forces W >= -A.
  EXPECT_EQ(estimate_logicle(std::vector<double>{NAN, -INFINITY, 5}, 262144).W, 0);
  EXPECT_DOUBLE_EQ(estimate_logicle(std::vector<double>{1}, 262144, 4.5, -0.3).W, 0.3);
  EXPECT_THROW(estimate_logicle(std::vector<double>{1}, -5), Error);
  // The result is always a valid transform.
  validate(estimate_logicle(std::vector<double>{-3000, -20, 10, 2e5}, 262144));
}

}  // namespace
}  // namespace mrdflow::transforms
