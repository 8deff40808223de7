#include <gtest/gtest.h>

#include <fstream>

#include "common/error.h"
#include "report/inputs.h"

namespace {

namespace fs = std::filesystem;

class Inputs : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("mrdflow-inputs-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_ / "b" / "deep");
    fs::create_directories(root_ / "a");
    for (const char* f : {"b/deep/s1.FCS", "a/s2.fcs", "a/notes.txt", "b/s1.fcs", "a/index.fcs"})
      std::ofstream(root_ / f) << "x";
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path root_;
};

TEST_F(Inputs, RecursiveCaseInsensitiveSortedWithUniqueStems) {
  const auto in = mrdflow::report::collect_inputs({root_.string()});
  ASSERT_EQ(in.size(), 4u);
  EXPECT_EQ(in[0].path.filename(), "index.fcs");
  EXPECT_EQ(in[0].stem, "index-2");  // would overwrite index.html
  EXPECT_EQ(in[1].path.filename(), "s2.fcs");
  EXPECT_EQ(in[1].stem, "s2");
  EXPECT_EQ(in[2].path, root_ / "b" / "deep" / "s1.FCS");
  EXPECT_EQ(in[2].stem, "s1");
  EXPECT_EQ(in[3].path, root_ / "b" / "s1.fcs");
  EXPECT_EQ(in[3].stem, "s1-2");
}

TEST_F(Inputs, SameFileTwiceIsAnalysedOnce) {
  const auto in = mrdflow::report::collect_inputs({(root_ / "a" / "s2.fcs").string(), (root_ / "a").string()});
  EXPECT_EQ(in.size(), 2u);
}

TEST_F(Inputs, MissingPathOrEmptyDirectoryIsAUsageError) {
  try {
    mrdflow::report::collect_inputs({(root_ / "nope.fcs").string()});
    FAIL();
  } catch (const mrdflow::Error& e) {
    EXPECT_EQ(e.kind(), "usage");
    EXPECT_NE(std::string(e.what()).find("no such file or directory"), std::string::npos);
  }
  fs::create_directories(root_ / "empty");
  EXPECT_THROW(mrdflow::report::collect_inputs({(root_ / "empty").string()}), mrdflow::Error);
  EXPECT_THROW(mrdflow::report::collect_inputs({}), mrdflow::Error);
}

}  // namespace
