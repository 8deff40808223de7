#include <gtest/gtest.h>

#include "common/error.h"
#include "report/manifest.h"

namespace {

using mrdflow::report::parse_manifest;

std::string error_of(const std::string& text) {
  try {
    parse_manifest(text, "m.csv");
  } catch (const mrdflow::Error& e) {
    EXPECT_EQ(e.kind(), "manifest");
    const std::string what = e.what();
    EXPECT_EQ(what.find('\n'), std::string::npos) << "one line: " << what;
    return what;
  }
  return "no error";
}

constexpr const char* kHeader = "file,patient_id,specimen,timepoint_day,beads_per_test,volume_ul,wbc_per_ul\n";

TEST(Manifest, ParsesValuesAndLeavesEmptyCellsUnknown) {
  const auto m = parse_manifest(std::string(kHeader) +
                                    "P1_d0.fcs,P1,PB,0,50000,50,4200\r\n"
                                    "\"P2, left.fcs\",P2,,28.5,,,\n",
                                "m.csv");
  ASSERT_EQ(m.size(), 2u);
  const auto* a = m.find("P1_d0.fcs");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->context.patient_id, "P1");
  EXPECT_EQ(a->context.specimen, "PB");
  EXPECT_EQ(a->context.timepoint_day, 0.0);
  EXPECT_EQ(a->context.beads_per_test, 50000.0);
  EXPECT_EQ(a->context.volume_ul, 50.0);
  EXPECT_EQ(a->context.wbc_per_ul, 4200.0);
  const auto* b = m.find("P2, left.fcs");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->line, 3);
  EXPECT_FALSE(b->context.specimen.has_value());
  EXPECT_EQ(b->context.timepoint_day, 28.5);
  EXPECT_FALSE(b->context.beads_per_test.has_value());
  EXPECT_EQ(m.find("other.fcs"), nullptr);
}

TEST(Manifest, ColumnsInAnyOrderAndSubsetWithFile) {
  const auto m = parse_manifest("patient_id,file\nP9,x.fcs\n", "m.csv");
  ASSERT_NE(m.find("x.fcs"), nullptr);
  EXPECT_EQ(m.find("x.fcs")->context.patient_id, "P9");
}

TEST(Manifest, ErrorsNameFileLineAndProblem) {
  EXPECT_EQ(error_of("file,patient,specimen\n"),
            "m.csv: line 1: unknown column \"patient\" (expected header "
            "file,patient_id,specimen,timepoint_day,beads_per_test,volume_ul,wbc_per_ul)");
  EXPECT_EQ(error_of(std::string(kHeader) + "a.fcs,P1,PB,day 3,,,\n"),
            "m.csv: line 2: timepoint_day: not a number: \"day 3\"");
  EXPECT_EQ(error_of(std::string(kHeader) + "a.fcs,P1,PB,3,,0,\n"),
            "m.csv: line 2: volume_ul: must be greater than 0, got 0");
  EXPECT_EQ(error_of(std::string(kHeader) + "a.fcs,P1\n"), "m.csv: line 2: expected 7 fields, found 2");
  EXPECT_EQ(error_of(std::string(kHeader) + "a.fcs,P1,,,,,\n\na.fcs,P2,,,,,\n"),
            "m.csv: line 4: file \"a.fcs\" already listed on line 2");
  EXPECT_EQ(error_of("patient_id,specimen\n"), "m.csv: line 1: header has no \"file\" column");
  EXPECT_EQ(error_of("file,file\n"), "m.csv: line 1: column \"file\" repeated");
  EXPECT_EQ(error_of(""), "m.csv: line 1: empty manifest: no header line");
  EXPECT_EQ(error_of(std::string(kHeader) + "a.fcs,P1,,1e400,,,\n"),
            "m.csv: line 2: timepoint_day: not a number: \"1e400\"");
  EXPECT_EQ(error_of(std::string(kHeader) + "\"a.fcs,P1,,,,,\n"), "m.csv: line 2: unterminated quoted field");
  EXPECT_EQ(error_of(std::string(kHeader) + "dir/a.fcs,P1,,,,,\n"),
            "m.csv: line 2: \"file\" must be a file name without directories: \"dir/a.fcs\"");
}

TEST(Manifest, MissingFileIsAnError) {
  try {
    mrdflow::report::read_manifest("/nonexistent/manifest.csv");
    FAIL();
  } catch (const mrdflow::Error& e) {
    EXPECT_EQ(std::string(e.what()), "/nonexistent/manifest.csv: cannot open manifest");
  }
}

}  // namespace
