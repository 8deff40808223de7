// Output files: written atomically (no temp files left, old contents replaced whole), and a
// write failure is reported as an error rather than leaving a half-written report.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "common/error.h"
#include "report/report_files.h"
#include "support/testdata.h"
#include "report/sample_fixtures.h"

namespace {

namespace fs = std::filesystem;
using mrdflow::testing::slurp;

class ReportFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("mrdflow-report-files-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
  }
  void TearDown() override {
    fs::remove_all(dir_);
  }
  fs::path dir_;
};

TEST_F(ReportFiles, WritesEveryFileAndNoTemporaries) {
  const mrdflow::report::ReportDirectory out(dir_ / "nested" / "report");
  const std::vector<mrdflow::report::SampleFiles> samples = {{"P001_d29", mrdflow::testing::mrd_sample()},
                                                             {"broken", mrdflow::testing::failed_sample()}};
  // Pre-existing, longer content must be replaced whole, not overwritten in place.
  fs::create_directories(out.dir());
  std::ofstream(out.dir() / "P001_d29.json") << std::string(200000, 'x');
  for (const auto& s : samples) {
    const std::string json = out.write_sample(s.stem, s.result);
    EXPECT_EQ(slurp(out.dir() / (s.stem + ".json")), json);
  }
  out.write_batch_files(samples);
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(out.dir())) names.insert(e.path().filename().string());
  EXPECT_EQ(names, (std::set<std::string>{"P001_d29.json", "P001_d29.html", "broken.json", "broken.html",
                                          "summary.csv", "index.html"}));
  EXPECT_EQ(slurp(out.dir() / "P001_d29.json").find('x'), std::string::npos);
  EXPECT_EQ(slurp(out.dir() / "P001_d29.json").front(), '{');
}

TEST_F(ReportFiles, FailedWriteIsAnErrorAndLeavesNoPartialFile) {
  const mrdflow::report::ReportDirectory out(dir_);
  const std::string first = out.write_sample("s", mrdflow::testing::mrd_sample());
  // A directory where s.json should go: the rename fails (also as root); the old HTML stays whole.
  const std::string html_before = slurp(dir_ / "s.html");
  fs::remove(dir_ / "s.json");
  fs::create_directories(dir_ / "s.json" / "blocker");
  try {
    out.write_sample("s", mrdflow::testing::car_t_sample());
    FAIL() << "expected an error";
  } catch (const mrdflow::Error& e) {
    EXPECT_EQ(e.kind(), "io");
    EXPECT_NE(std::string(e.what()).find("s.json"), std::string::npos) << e.what();
  }
  EXPECT_EQ(slurp(dir_ / "s.html"), html_before);
  for (const auto& e : fs::directory_iterator(dir_))
    EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << e.path();
}

TEST_F(ReportFiles, OutputPathThatIsAFileIsAnError) {
  fs::create_directories(dir_);
  std::ofstream(dir_ / "file") << "x";
  EXPECT_THROW(mrdflow::report::ReportDirectory(dir_ / "file"), mrdflow::Error);
}

}  // namespace
