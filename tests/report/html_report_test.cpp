#include <gtest/gtest.h>

#include "report/html_report.h"
#include "report/sample_fixtures.h"

namespace {

using mrdflow::report::render_sample_html;

bool has(const std::string& html, const std::string& what) { return html.find(what) != std::string::npos; }

TEST(SampleHtml, ShowsVerdictMrdAntigensPopulationsQcAndHashes) {
  const auto r = mrdflow::testing::mrd_sample();
  const std::string h = render_sample_html(r, "P001_d29.json");
  EXPECT_TRUE(has(h, "<!DOCTYPE html>"));
  EXPECT_TRUE(has(h, "MRD detected: 0.0500 %")) << h;
  EXPECT_TRUE(has(h, "95 % CI 0.0453–0.0552 %"));
  EXPECT_TRUE(has(h, "not_eligible"));
  EXPECT_TRUE(has(h, "Antigen expression"));
  EXPECT_TRUE(has(h, "t_nk_cells p99.5"));
  EXPECT_TRUE(has(h, "<td>nucleated</td>"));
  EXPECT_TRUE(has(h, "time anomaly: 2 bins removed"));
  EXPECT_TRUE(has(h, std::string(64, 'a')));  // input SHA-256
  EXPECT_TRUE(has(h, std::string(64, 'b')));  // template SHA-256
  EXPECT_TRUE(has(h, "href=\"P001_d29.json\""));
  EXPECT_FALSE(has(h, "<script"));           // self-contained, no scripts
  EXPECT_FALSE(has(h, "src=\"http"));
}

TEST(SampleHtml, NegativeResultStatesTheSensitivity) {
  auto r = mrdflow::testing::mrd_sample();
  r.mrd->blast_events = 3;
  r.mrd->percent = 0.000375;
  r.mrd->status = "not_detected";
  const std::string h = render_sample_html(r, "x.json");
  EXPECT_TRUE(has(h, "MRD not detected at 0.00250 % sensitivity")) << h;
  EXPECT_TRUE(has(h, "LOD 20 events in 800000 nucleated cells"));
}

TEST(SampleHtml, EmptyDenominatorIsNotAssessableNotNegative) {
  auto r = mrdflow::testing::mrd_sample();
  r.mrd->blast_events = 0;
  r.mrd->denominator_events = 0;
  r.mrd->status = "not_detected";
  const std::string h = render_sample_html(r, "x.json");
  EXPECT_TRUE(has(h, "MRD not assessable: no nucleated cells were found")) << h;
  EXPECT_FALSE(has(h, "MRD not detected at"));
}

TEST(SampleHtml, EscapesTextFromTheFile) {
  auto r = mrdflow::testing::failed_sample();
  r.error_message = "<script>alert(1)</script> & more";
  const std::string h = render_sample_html(r, "broken.json");
  EXPECT_FALSE(has(h, "<script>"));
  EXPECT_TRUE(has(h, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more"));
  EXPECT_TRUE(has(h, "Analysis failed"));
}

TEST(IndexHtml, LinksEverySampleAndShowsErrors) {
  const auto a = mrdflow::testing::mrd_sample();
  const auto b = mrdflow::testing::failed_sample();
  const auto c = mrdflow::testing::car_t_sample();
  const std::vector<mrdflow::report::IndexEntry> entries = {
      {&a, "P001_d29.html", "P001_d29.json"}, {&b, "broken.html", "broken.json"}, {&c, "P002_d14.html", "P002_d14.json"}};
  const std::string h = mrdflow::report::render_index_html(entries);
  EXPECT_TRUE(has(h, "href=\"P001_d29.html\""));
  EXPECT_TRUE(has(h, "href=\"broken.html\""));
  EXPECT_TRUE(has(h, "href=\"P002_d14.json\""));
  EXPECT_TRUE(has(h, "3 samples, 1 failed"));
  EXPECT_TRUE(has(h, "error (fcs)"));
  EXPECT_TRUE(has(h, "3.00 %"));  // CAR-T % of T cells
}

}  // namespace
