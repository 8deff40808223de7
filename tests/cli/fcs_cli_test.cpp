// `mrdflow info` and `mrdflow export` through the built binary: exact CSV values, JSON output,
// one-line errors naming the bad file while the other files are still shown, exit codes 0/1/2.
#include <gtest/gtest.h>

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>
#include <random>

#include "cli_support.h"
#include "fcs/fcs.h"

namespace {

namespace fs = std::filesystem;
using mrdflow::cli_test::mrdflow_bin;
using mrdflow::cli_test::run_process;
using mrdflow::cli_test::slurp;

class FcsCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("mrdflow_fcs_cli_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    mrdflow::fcs::DataSet ds;
    for (const char* name : {"FSC-A", "CD19 PE-Cy7-A", "Time"}) {
      mrdflow::fcs::Channel ch;
      ch.name = name;
      ch.bits = 32;
      ch.range = 262144;
      ch.max_value = 262144;
      ds.channels.push_back(ch);
    }
    ds.channels[1].marker = "CD19";
    ds.event_count = 1000;
    ds.events = mrdflow::fcs::EventMatrix(1000, 3);
    std::mt19937 rng(3);
    std::uniform_real_distribution<float> u(-500.0f, 250000.0f);
    for (double& v : ds.events.values()) v = u(rng);  // float32 values: exact in the file
    good_ = dir_ / "good.fcs";
    mrdflow::fcs::write_fcs(good_, ds);
    expected_ = mrdflow::fcs::read_fcs(good_);
    const std::string bytes = slurp(good_);
    bad_ = dir_ / "truncated.fcs";
    std::ofstream(bad_, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_, good_, bad_;
  mrdflow::fcs::DataSet expected_;
};

TEST_F(FcsCli, ExportPrintsEveryValueSoItReadsBackIdentically) {
  const auto r = run_process({mrdflow_bin().string(), "export", good_.string(), "--csv", "-"}, dir_ / "out.csv");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  std::istringstream in(r.out);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "FSC-A,CD19 PE-Cy7-A,Time");
  std::size_t row = 0;
  while (std::getline(in, line)) {
    std::size_t col = 0, pos = 0;
    while (pos <= line.size()) {
      const auto comma = std::min(line.find(',', pos), line.size());
      double v = 0;
      const auto [p, ec] = std::from_chars(line.data() + pos, line.data() + comma, v);
      ASSERT_EQ(ec, std::errc{}) << line;
      ASSERT_EQ(v, expected_.events(row, col)) << "row " << row << " col " << col;
      ++col;
      pos = comma + 1;
    }
    ASSERT_EQ(col, 3u);
    ++row;
  }
  EXPECT_EQ(row, 1000u);
}

TEST_F(FcsCli, InfoJsonDescribesTheFile) {
  const auto r = run_process({mrdflow_bin().string(), "info", "--json", "--stats", good_.string()}, dir_ / "info.json");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_TRUE(j.is_array());
  const auto& f = j.at(0);
  EXPECT_EQ(f.at("events"), 1000);
  EXPECT_EQ(f.at("version"), "FCS3.1");
  ASSERT_EQ(f.at("channels").size(), 3u);
  const auto& cd19 = f.at("channels").at(1);
  EXPECT_EQ(cd19.at("name"), "CD19 PE-Cy7-A");
  EXPECT_EQ(cd19.at("marker"), "CD19");
  // --stats: min/max/mean of the decoded values, exactly as the library computes them.
  const auto col = expected_.events.column(1);
  EXPECT_EQ(cd19.at("min").get<double>(), *std::min_element(col.begin(), col.end()));
  EXPECT_EQ(cd19.at("max").get<double>(), *std::max_element(col.begin(), col.end()));
}

TEST_F(FcsCli, BadFileIsOneLineNamingItAndTheOthersStillShow) {
  const auto r = run_process({mrdflow_bin().string(), "info", bad_.string(), good_.string()}, dir_ / "info.txt");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("good.fcs"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("events: 1000"), std::string::npos) << r.out;
  std::size_t error_lines = 0;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);)
    if (line.find("truncated.fcs") != std::string::npos && line.find("error") != std::string::npos) ++error_lines;
  EXPECT_EQ(error_lines, 1u) << r.out;

  const auto e = run_process({mrdflow_bin().string(), "export", bad_.string()}, dir_ / "export.txt");
  EXPECT_EQ(e.exit_code, 1) << e.out;
  EXPECT_NE(e.out.find("truncated.fcs"), std::string::npos) << e.out;
}

TEST_F(FcsCli, BadUsageExitsTwo) {
  EXPECT_EQ(run_process({mrdflow_bin().string(), "export"}, dir_ / "u1.txt").exit_code, 2);
  EXPECT_EQ(run_process({mrdflow_bin().string(), "info", "--no-such-option", good_.string()}, dir_ / "u2.txt").exit_code, 2);
  // Asking for a data set the file does not hold is a usage error, named in one line.
  const auto r = run_process({mrdflow_bin().string(), "export", good_.string(), "--dataset", "7"}, dir_ / "u3.txt");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("holds 1 data set"), std::string::npos) << r.out;
}

}  // namespace
