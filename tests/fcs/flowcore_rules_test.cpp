// One test per flowCore read.FCS default rule (docs/fcs-semantics.md lists the evidence), and
// the files flowCore refuses that we read.
#include <gtest/gtest.h>

#include <cmath>

#include "fcs_builder.h"
#include "support/testdata.h"

namespace mrdflow::fcs_test {
namespace {

// 16-bit integers, $PnR 1024, channel 2 log-amplified with $PnE f1,f2.
RawFcs log_ints(const std::string& pne, const std::vector<std::uint64_t>& values) {
  auto f = simple(2, values.size() / 2, "I", 16, "1,2", 1024);
  set_kw(f, {"$P2E", pne});
  for (auto v : values) put_uint(f.data, v, {1, 2});
  return f;
}

TEST(FlowCoreRules, LinearizeLogIntegerChannels) {
  // x = f2 * 10^(f1 * raw / $PnR), flowCore IO.R readFCSdata (R = $PnR, not $PnR-1).
  const auto ds = read(build(log_ints("4,1", {0, 0, 0, 512, 0, 1023})));
  EXPECT_DOUBLE_EQ(ds.events(0, 1), 1.0);
  EXPECT_DOUBLE_EQ(ds.events(1, 1), 100.0);
  EXPECT_NEAR(ds.events(2, 1), 9910.458562488609, 1e-9);
  EXPECT_EQ(ds.events(2, 0), 0);  // linear channel untouched
}

TEST(FlowCoreRules, LegacyF2ZeroMeansOne) {
  const auto a = read(build(log_ints("4,0", {0, 256})));
  EXPECT_DOUBLE_EQ(a.events(0, 1), 10.0);
  const auto b = read(build(log_ints("4.0,0.1024", {0, 528})));  // BCI CXP: f2 multiplies
  EXPECT_NEAR(b.events(0, 1), 0.1024 * std::pow(10.0, 4.0 * 528 / 1024), 1e-12);
}

TEST(FlowCoreRules, FloatDataIsNeverLinearized) {
  auto f = simple(1, 1, "F", 32, "1,2,3,4", 1024);
  set_kw(f, {"$P1E", "4,1"});
  put_f32(f.data, 512.0f, false);
  EXPECT_EQ(read(build(f)).events(0, 0), 512.0);
}

TEST(FlowCoreRules, GainIsNotApplied) {
  // transformation="linearize" ignores $PnG ("linearize-with-PnG-scaling" would divide).
  auto f = log_ints("0,0", {100, 200});
  set_kw(f, {"$P1G", "2.5"});
  const auto ds = read(build(f));
  EXPECT_EQ(ds.events(0, 0), 100);
  EXPECT_EQ(ds.channels[0].gain, 2.5);
}

TEST(FlowCoreRules, TruncateAboveRangeOnly) {
  auto f = simple(1, 4, "F", 32, "1,2,3,4", 1000);
  for (float v : {1500.0f, 1000.0f, -5000.0f, 999.5f}) put_f32(f.data, v, false);
  const auto ds = read(build(f));
  EXPECT_EQ(ds.events(0, 0), 1000);   // > $PnR: set to $PnR
  EXPECT_EQ(ds.events(2, 0), -5000);  // no lower limit (min.limit = NULL)
  EXPECT_EQ(ds.events(3, 0), 999.5);
  EXPECT_TRUE(has_warning(ds, "truncated"));
  const auto raw = read_raw(build(f));
  EXPECT_EQ(raw.events(0, 0), 1500);  // raw mode: as encoded
}

TEST(FlowCoreRules, ChannelsKeptAboveRangeOnRequest) {
  // The analysis exempts the time channel (ReadOptions::keep_above_range); other channels and
  // the default stay as flowCore reads them.
  auto f = simple(2, 2, "F", 32, "1,2,3,4", 1000);
  set_kw(f, {"$P2N", "Time"});
  for (float v : {1500.0f, 1200.0f, 10.0f, 2500.0f}) put_f32(f.data, v, false);
  fcs::ReadOptions o;
  o.keep_above_range = [](const fcs::Channel& c) { return c.name == "Time"; };
  const auto ds = read(build(f), o);
  EXPECT_EQ(ds.events(0, 0), 1000);  // truncated as before
  EXPECT_EQ(ds.events(0, 1), 1200);  // kept
  EXPECT_EQ(ds.events(1, 1), 2500);
  EXPECT_EQ(read(build(f)).events(1, 1), 1000);  // default: truncated
}

TEST(FlowCoreRules, IntegerRangeIsTruncatedToInteger) {
  // as.integer($PnR) for integer data: "1000.7" -> 1000.
  auto f = simple(1, 1, "I", 16, "1,2", 1000.7);
  put_uint(f.data, 1000, {1, 2});  // masked to 10 bits (1024) first: 1000 stays
  auto g = f;
  g.data.clear();
  put_uint(g.data, 1023, {1, 2});
  EXPECT_EQ(read(build(g)).events(0, 0), 1000);
}

TEST(FlowCoreRules, RangeIsPnRInBothModes) {
  const auto bytes = build(log_ints("4,0", {0, 1023}));
  for (bool raw : {false, true}) {
    fcs::ReadOptions o;
    o.raw = raw;
    const auto ds = read(bytes, o);
    EXPECT_EQ(ds.channels[1].max_value, 1024);
    EXPECT_EQ(ds.channels[0].max_value, 1024);
  }
}

TEST(FlowCoreRules, MissingPnEWarnsAndMeansLinear) {
  auto f = log_ints("0,0", {5, 6});
  std::erase_if(f.keywords, [](const auto& kv) { return kv.first == "$P2E"; });
  const auto ds = read(build(f));
  EXPECT_EQ(ds.events(0, 1), 6);
  EXPECT_TRUE(has_warning(ds, "no $PnE keyword for channels 2"));
}

TEST(FlowCoreRules, AlreadyTransformedFilesAreLeftAlone) {
  // Files flowCore wrote after transforming carry transformation=applied.
  auto f = log_ints("4,1", {2000, 512});
  f.keywords.push_back({"transformation", "applied"});
  const auto ds = read(build(f));
  EXPECT_EQ(ds.events(0, 1), 512);
}

// Files flowCore 2.10 refuses (see each <file>.flowcore.json) that we read, with the reason.
TEST(FlowCoreRefusals, ReadWithWarningOrClearError) {
  MRDFLOW_REQUIRE_TESTDATA();
  const auto dir = testing::testdata_dir();
  struct Case {
    const char* file;
    const char* our_warning;  // nullptr: no deviation from the standard (we read it cleanly)
  };
  const Case cases[] = {
      // "$SPILLOVER size discrepancy": MACSQuant writes names but no coefficients.
      {"fcsparser/MiltenyiBiotec/FCS3.1/EY_2013-07-19_PBS_FCS_3.1_Well_A1.001.fcs", "spillover ignored"},
      {"fcsparser/MiltenyiBiotec/FCS3.1/EY_2013-07-19_PBS_FCS_3.1_Custom_Without_Add_Well_A1.001.fcs",
       "spillover ignored"},
      // "Empty keyword name detected": escaped delimiters ("488//10"), legal FCS.
      {"flowio/G11.fcs", "doubled (escaped) delimiter"},
      {"fcsparser/MiltenyiBiotec/FCS3.1/SG_2014-09-26_Duplicate_Names.fcs", "doubled (escaped) delimiter"},
      // "HEADER and TEXT define different starting point": TEXT matches $TOT.
      {"flowio/data_start_offset_discrepancy_example.fcs", "TEXT offsets match $TOT"},
      // "object 'dat' not found": mixed 16/32-bit integer columns, legal FCS 3.0.
      {"flowio/variable_int_example.fcs", nullptr},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.file);
    const auto path = dir / c.file;
    if (!std::filesystem::exists(path)) continue;
    fcs::ReadOptions o;
    o.strict_spillover = false;  // the discrepancy files name an anonymised channel in SPILL
    const auto ds = fcs::read_fcs(path, o);
    EXPECT_GT(ds.event_count, 0u);
    if (c.our_warning) {
      EXPECT_TRUE(has_warning(ds, c.our_warning));
    }
  }
  // A header-only fragment: nobody can read it.
  const auto fragment = dir / "fcsparser/cytek-nl-2000/sample_header.fcs";
  if (std::filesystem::exists(fragment)) {
    try {
      (void)fcs::read_fcs(fragment);
      ADD_FAILURE() << "expected FcsError";
    } catch (const fcs::FcsError& e) {
      EXPECT_NE(std::string(e.what()).find("sample_header.fcs"), std::string::npos);
      EXPECT_NE(std::string(e.what()).find("outside the file"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace mrdflow::fcs_test
