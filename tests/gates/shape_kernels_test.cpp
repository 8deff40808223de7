// Geometry semantics on hand-placed points, including values exactly on boundaries.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "common/error.h"
#include "gates/shape_kernels.h"

namespace g = mrdflow::gates;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

std::vector<bool> bits_of(const g::Membership& m) {
  std::vector<bool> out;
  for (std::size_t i = 0; i < m.size(); ++i) out.push_back(m.test(i));
  return out;
}

std::vector<bool> rectangle(const std::vector<g::Interval>& ranges,
                            const std::vector<std::vector<double>>& cols) {
  std::vector<g::Column> spans(cols.begin(), cols.end());
  g::Membership m(cols[0].size());
  g::fill_parallel(m, [&](g::WordRange w, std::uint64_t* out) { g::rectangle_bits(ranges, spans, w, out); });
  return bits_of(m);
}

}  // namespace

TEST(RectangleKernel, HalfOpenMinInclusiveMaxExclusive) {
  const auto in = rectangle({{1.0, 2.0}}, {{0.999, 1.0, 1.5, 2.0, 2.001, kNaN, -kInf, kInf}});
  EXPECT_EQ(in, (std::vector<bool>{false, true, true, false, false, false, false, false}));
}

TEST(RectangleKernel, OpenEndsAcceptInfinitiesButNeverNaN) {
  EXPECT_EQ(rectangle({{1.0, std::nullopt}}, {{0.0, 1.0, 1e300, kInf, kNaN}}),
            (std::vector<bool>{false, true, true, true, false}));
  EXPECT_EQ(rectangle({{std::nullopt, 1.0}}, {{-kInf, 0.0, 1.0, kNaN}}),
            (std::vector<bool>{true, true, false, false}));
}

TEST(RectangleKernel, AllDimensionsMustHold) {
  EXPECT_EQ(rectangle({{0.0, 1.0}, {10.0, 20.0}}, {{0.5, 0.5, 2.0}, {15.0, 25.0, 15.0}}),
            (std::vector<bool>{true, false, false}));
}

TEST(RectangleKernel, ManyEventsAcrossWordsAndBlocks) {
  // More than one parallel block and a partial last word.
  const std::size_t n = 512 * 64 * 3 + 17;
  std::vector<double> x(n);
  for (std::size_t i = 0; i < n; ++i) x[i] = static_cast<double>(i % 100);
  const auto in = rectangle({{10.0, 20.0}}, {x});
  std::size_t count = 0;
  for (std::size_t i = 0; i < n; ++i) {
    ASSERT_EQ(in[i], x[i] >= 10 && x[i] < 20) << i;
    count += in[i];
  }
  EXPECT_GT(count, 0u);
}

TEST(PolygonKernel, WindingNumberOnSquareAndItsEdges) {
  const std::vector<g::Vertex> square{{0, 0}, {10, 0}, {10, 10}, {0, 10}};
  EXPECT_NE(g::winding_number(square, 5, 5), 0);
  EXPECT_EQ(g::winding_number(square, 15, 5), 0);
  // Dan Sunday's rule (as FlowUtils): left and bottom edges inside, right and top outside.
  EXPECT_NE(g::winding_number(square, 0, 5), 0);
  EXPECT_NE(g::winding_number(square, 5, 0), 0);
  EXPECT_EQ(g::winding_number(square, 10, 5), 0);
  EXPECT_EQ(g::winding_number(square, 5, 10), 0);
}

TEST(PolygonKernel, ConcaveAndSelfIntersecting) {
  // An L shape: the notch is outside.
  const std::vector<g::Vertex> ell{{0, 0}, {10, 0}, {10, 4}, {4, 4}, {4, 10}, {0, 10}};
  EXPECT_NE(g::winding_number(ell, 2, 8), 0);
  EXPECT_EQ(g::winding_number(ell, 8, 8), 0);
  // A bow tie: both lobes inside (non-zero winding), the region off the lobes outside.
  const std::vector<g::Vertex> bowtie{{0, 0}, {10, 10}, {10, 0}, {0, 10}};
  EXPECT_NE(g::winding_number(bowtie, 1, 5), 0);
  EXPECT_NE(g::winding_number(bowtie, 9, 5), 0);
  EXPECT_EQ(g::winding_number(bowtie, 5, 1), 0);
}

TEST(PolygonKernel, BitsMatchWindingNumberAndRejectNaN) {
  const std::vector<g::Vertex> tri{{0, 0}, {10, 0}, {0, 10}};
  std::vector<double> x, y;
  for (int i = -2; i <= 12; ++i) {
    for (int j = -2; j <= 12; ++j) {
      x.push_back(i);
      y.push_back(j);
    }
  }
  x.push_back(kNaN);
  y.push_back(1);
  g::Membership m(x.size());
  g::fill_parallel(m, [&](g::WordRange w, std::uint64_t* out) { g::polygon_bits(tri, x, y, w, out); });
  for (std::size_t i = 0; i + 1 < x.size(); ++i) {
    EXPECT_EQ(m.test(i), g::winding_number(tri, x[i], y[i]) != 0) << x[i] << "," << y[i];
  }
  EXPECT_FALSE(m.test(x.size() - 1));
  EXPECT_GT(m.count(), 40u);
}

TEST(EllipsoidKernel, BoundaryIsInside) {
  // Axis-aligned: covariance diag(4, 1), distance^2 = 1 -> semi-axes 2 and 1 around (0, 0).
  const std::vector<double> cov{4, 0, 0, 1};
  const auto inv = g::invert_covariance(cov, 2);
  const std::vector<double> x{2.0, 0.0, 2.0001, 0.0, 1.0, kNaN};
  const std::vector<double> y{0.0, 1.0, 0.0, 1.0001, 0.8, 0.0};
  const std::vector<g::Column> cols{x, y};
  const std::vector<double> mean{0, 0};
  g::Membership m(x.size());
  g::fill_parallel(m, [&](g::WordRange w, std::uint64_t* out) { g::ellipsoid_bits(mean, inv, 1.0, cols, w, out); });
  EXPECT_EQ(bits_of(m), (std::vector<bool>{true, true, false, false, true, false}));
}

TEST(EllipsoidKernel, ThreeDimensionsUseGeneralPath) {
  const std::vector<double> cov{1, 0, 0, 0, 4, 0, 0, 0, 9};
  const auto inv = g::invert_covariance(cov, 3);
  const std::vector<double> a{0.9, 0, 0, 0.6}, b{0, 1.9, 0, 1.2}, c{0, 0, 3.1, 1.8};
  const std::vector<g::Column> cols{a, b, c};
  const std::vector<double> mean{0, 0, 0};
  g::Membership m(a.size());
  g::fill_parallel(m, [&](g::WordRange w, std::uint64_t* out) { g::ellipsoid_bits(mean, inv, 1.0, cols, w, out); });
  // Last point: 0.36 + 0.36 + 0.36 = 1.08 > 1.
  EXPECT_EQ(bits_of(m), (std::vector<bool>{true, true, false, false}));
}

TEST(EllipsoidKernel, SingularOrAsymmetricCovarianceRejected) {
  EXPECT_THROW(g::invert_covariance(std::vector<double>{1, 1, 1, 1}, 2), mrdflow::Error);
  EXPECT_THROW(g::invert_covariance(std::vector<double>{1, 0.5, 0.2, 1}, 2), mrdflow::Error);
  EXPECT_THROW(g::invert_covariance(std::vector<double>{1, 0, 0}, 2), mrdflow::Error);
}

TEST(QuadrantInterval, ValueOnDividerBelongsToUpperInterval) {
  const g::Divider d{"D", {}, {10.0, 20.0}};
  EXPECT_EQ(g::quadrant_interval(d, 5), (g::Interval{std::nullopt, 10.0}));
  EXPECT_EQ(g::quadrant_interval(d, 10), (g::Interval{10.0, 20.0}));
  EXPECT_EQ(g::quadrant_interval(d, 15), (g::Interval{10.0, 20.0}));
  EXPECT_EQ(g::quadrant_interval(d, 25), (g::Interval{20.0, std::nullopt}));
}
