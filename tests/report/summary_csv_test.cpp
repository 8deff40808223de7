#include <gtest/gtest.h>

#include "report/sample_fixtures.h"
#include "report/summary_csv.h"

namespace {

using mrdflow::report::summary_columns;

// Minimal RFC 4180 splitter for one line (the writer never emits embedded newlines in tests).
std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') { out.back() += '"'; ++i; }
      else if (c == '"') quoted = false;
      else out.back() += c;
    } else if (c == '"') quoted = true;
    else if (c == ',') out.emplace_back();
    else out.back() += c;
  }
  return out;
}

std::map<std::string, std::string> row_as_map(const mrdflow::analysis::SampleResult& r) {
  std::string line = mrdflow::report::summary_row(r);
  EXPECT_EQ(line.back(), '\n');
  line.pop_back();
  const auto fields = split_csv(line);
  EXPECT_EQ(fields.size(), summary_columns().size()) << line;
  std::map<std::string, std::string> m;
  for (std::size_t i = 0; i < fields.size() && i < summary_columns().size(); ++i) m[summary_columns()[i]] = fields[i];
  return m;
}

TEST(SummaryCsv, HeaderHasTheHeadlineColumns) {
  std::string header = mrdflow::report::summary_header_line();
  ASSERT_EQ(header.back(), '\n');
  header.pop_back();
  const auto cols = split_csv(header);
  EXPECT_EQ(cols, summary_columns());
  for (const char* needed : {"file", "patient_id", "timepoint_day", "result", "error_message", "events_total",
                             "nucleated_events", "blast_events", "mrd_percent", "mrd_ci95_lo", "mrd_ci95_hi",
                             "mrd_status", "cd19_percent_positive", "cd22_percent_positive", "verdict", "reason",
                             "car_t_percent_of_t_cells", "b_cell_aplasia"})
    EXPECT_NE(std::find(cols.begin(), cols.end(), needed), cols.end()) << needed;
}

TEST(SummaryCsv, MrdRowCarriesTheFigures) {
  auto m = row_as_map(mrdflow::testing::mrd_sample());
  EXPECT_EQ(m["file"], "P001_d29.fcs");
  EXPECT_EQ(m["patient_id"], "P001");
  EXPECT_EQ(m["timepoint_day"], "29");
  EXPECT_EQ(m["result"], "ok");
  EXPECT_EQ(m["error_kind"], "");
  EXPECT_EQ(m["events_total"], "1000000");
  EXPECT_EQ(m["nucleated_events"], "800000");
  EXPECT_EQ(m["blast_events"], "400");
  EXPECT_EQ(m["mrd_percent"], "0.05");
  EXPECT_EQ(m["mrd_ci95_lo"], "0.04531");
  EXPECT_EQ(m["mrd_status"], "detected");
  EXPECT_EQ(m["cd19_percent_positive"], "99");
  EXPECT_EQ(m["cd22_percent_positive"], "90");
  EXPECT_EQ(m["cd22_mfi_ratio"], "");  // null in the JSON: empty, not 0
  EXPECT_EQ(m["cd22_dim"], "true");
  EXPECT_EQ(m["verdict"], "not_eligible");
  EXPECT_EQ(m["reason"], "CD22 is positive on 90 % of blasts, below the required 95 %.");
  EXPECT_EQ(m["qc_flags"], "time anomaly: 2 bins removed; flow rate, unstable");  // quoted comma
  EXPECT_EQ(m["car_t_percent_of_t_cells"], "");
}

TEST(SummaryCsv, CarTRowAndErrorRow) {
  auto c = row_as_map(mrdflow::testing::car_t_sample());
  EXPECT_EQ(c["car_t_percent_of_t_cells"], "3");
  EXPECT_EQ(c["car_t_cells_per_ul"], "12.5");
  EXPECT_EQ(c["b_cell_marker"], "CD19");
  EXPECT_EQ(c["b_cell_aplasia"], "true");
  EXPECT_EQ(c["mrd_percent"], "");
  auto e = row_as_map(mrdflow::testing::failed_sample());
  EXPECT_EQ(e["result"], "error");
  EXPECT_EQ(e["error_kind"], "fcs");
  EXPECT_NE(e["error_message"].find("at byte 58"), std::string::npos);
  EXPECT_EQ(e["events_total"], "");
  EXPECT_EQ(e["qc_status"], "");
}

TEST(SummaryCsv, QuotesFieldsWithQuotesAndNewlines) {
  auto r = mrdflow::testing::failed_sample();
  r.error_message = "bad \"$TOT\" value";
  const std::string line = mrdflow::report::summary_row(r);
  EXPECT_NE(line.find("\"bad \"\"$TOT\"\" value\""), std::string::npos) << line;
}

TEST(SummaryCsv, WholeFileHasOneRowPerSample) {
  const std::vector<mrdflow::analysis::SampleResult> rs = {mrdflow::testing::mrd_sample(),
                                                          mrdflow::testing::failed_sample()};
  const std::string csv = mrdflow::report::render_summary_csv(rs);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 3);
}

}  // namespace
