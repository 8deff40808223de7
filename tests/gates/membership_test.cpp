#include <gtest/gtest.h>

#include "common/error.h"
#include "gates/membership.h"

using mrdflow::gates::Membership;

TEST(Membership, SizesAndTailStayClear) {
  for (std::size_t n : {0u, 1u, 63u, 64u, 65u, 130u}) {
    Membership all(n, true);
    EXPECT_EQ(all.size(), n);
    EXPECT_EQ(all.word_count(), (n + 63) / 64);
    EXPECT_EQ(all.count(), n) << n;
    all.flip();
    EXPECT_EQ(all.count(), 0u) << n;
    all.flip();
    EXPECT_EQ(all.count(), n) << n;
  }
}

TEST(Membership, SetTestAndCombine) {
  Membership a(100), b(100);
  for (std::size_t i = 0; i < 100; i += 3) a.set(i);
  for (std::size_t i = 0; i < 100; i += 5) b.set(i);
  EXPECT_EQ(a.count(), 34u);
  EXPECT_EQ(b.count(), 20u);
  Membership both = a;
  both &= b;
  Membership either = a;
  either |= b;
  for (std::size_t i = 0; i < 100; ++i) {
    EXPECT_EQ(both.test(i), i % 15 == 0) << i;
    EXPECT_EQ(either.test(i), i % 3 == 0 || i % 5 == 0) << i;
  }
  a.set(3, false);
  EXPECT_FALSE(a.test(3));
  EXPECT_EQ(a.count(), 33u);
}

TEST(Membership, SizeMismatchThrows) {
  Membership a(10), b(11);
  EXPECT_THROW(a &= b, mrdflow::Error);
  EXPECT_THROW(a |= b, mrdflow::Error);
}
