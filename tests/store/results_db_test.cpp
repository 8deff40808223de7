// The results database: rows and populations match the JSON report they were stored with;
// re-analysis replaces rather than duplicates; errors are stored with their message.
#include <gtest/gtest.h>

#include <sqlite3.h>

#include "common/error.h"
#include "report/json_report.h"
#include "report/sample_fixtures.h"
#include "store/results_db.h"

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

class ResultsDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = fs::temp_directory_path() /
            ("mrdflow-store-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + ".sqlite");
    fs::remove(path_);
  }
  void TearDown() override { fs::remove(path_); }
  fs::path path_;
};

// Runs a query returning one row of text columns (NULL -> "<null>").
std::vector<std::string> row(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* s = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  std::vector<std::string> out;
  if (sqlite3_step(s) == SQLITE_ROW)
    for (int i = 0; i < sqlite3_column_count(s); ++i)
      out.push_back(sqlite3_column_type(s, i) == SQLITE_NULL
                        ? "<null>"
                        : reinterpret_cast<const char*>(sqlite3_column_text(s, i)));
  sqlite3_finalize(s);
  return out;
}

double real(sqlite3* db, const std::string& sql) { return std::stod(row(db, sql).at(0)); }

TEST_F(ResultsDbTest, MrdRowMatchesTheJsonReport) {
  mrdflow::store::ResultsDb db(path_);
  const auto r = mrdflow::testing::mrd_sample();
  const std::string json_text = mrdflow::report::render_sample_report(r);
  const auto id = db.put(r, json_text);
  const Json j = Json::parse(json_text);
  sqlite3* h = db.handle();
  const std::string where = " FROM samples WHERE id = " + std::to_string(id);
  EXPECT_EQ(row(h, "SELECT file, patient_id, specimen, template_name, mrd_status, mrd_denominator, "
                   "eligibility_verdict, error_kind, car_percent_of_t_cells" + where),
            (std::vector<std::string>{j["input"]["file"], j["sample"]["patient_id"], j["sample"]["specimen"],
                                      j["template"]["name"], j["mrd"]["status"], j["mrd"]["denominator"],
                                      j["eligibility"]["verdict"], "<null>", "<null>"}));
  EXPECT_EQ(real(h, "SELECT mrd_percent" + where), j["mrd"]["percent"].get<double>());
  EXPECT_EQ(real(h, "SELECT mrd_ci95_lo" + where), j["mrd"]["ci95"][0].get<double>());
  EXPECT_EQ(real(h, "SELECT mrd_ci95_hi" + where), j["mrd"]["ci95"][1].get<double>());
  EXPECT_EQ(real(h, "SELECT mrd_lod_percent" + where), j["mrd"]["lod_percent"].get<double>());
  EXPECT_EQ(real(h, "SELECT timepoint_day" + where), j["sample"]["timepoint_day"].get<double>());
  EXPECT_EQ(row(h, "SELECT mrd_blast_events, mrd_denominator_events, events_total, nucleated_events" + where),
            (std::vector<std::string>{"400", "800000", "1000000", "800000"}));
  EXPECT_EQ(row(h, "SELECT report_json" + where).at(0), json_text);
  // populations table: same names, order, counts, parents as the JSON
  for (std::size_t i = 0; i < j["populations"].size(); ++i) {
    const auto& p = j["populations"][i];
    const auto got = row(h, "SELECT name, parent, count FROM populations WHERE sample = " + std::to_string(id) +
                                " AND position = " + std::to_string(i));
    EXPECT_EQ(got, (std::vector<std::string>{p["name"], p["parent"].is_null() ? "<null>" : p["parent"].get<std::string>(),
                                             std::to_string(p["count"].get<std::uint64_t>())}));
  }
  EXPECT_EQ(row(h, "SELECT count(*) FROM populations").at(0), std::to_string(j["populations"].size()));
  EXPECT_EQ(real(h, "SELECT percent_positive FROM antigens WHERE marker = 'CD22'"),
            j["antigens"]["CD22"]["percent_positive"].get<double>());
  EXPECT_EQ(row(h, "SELECT mfi_ratio, dim FROM antigens WHERE marker = 'CD22'"),
            (std::vector<std::string>{"<null>", "1"}));
}

TEST_F(ResultsDbTest, CarTAndFailedSamplesAndReadBack) {
  {
    mrdflow::store::ResultsDb db(path_);
    const auto c = mrdflow::testing::car_t_sample();
    db.put(c, mrdflow::report::render_sample_report(c));
    const auto f = mrdflow::testing::failed_sample();
    db.put(f, mrdflow::report::render_sample_report(f));
  }
  mrdflow::store::ResultsDb db(path_);  // reopen: schema present, version checked
  const auto all = db.samples();
  ASSERT_EQ(all.size(), 2u);
  const auto p2 = db.samples("P002");
  ASSERT_EQ(p2.size(), 1u);
  EXPECT_EQ(p2[0].car_percent_of_t_cells, 3.0);
  EXPECT_EQ(p2[0].car_cells_per_ul, 12.5);
  EXPECT_EQ(p2[0].car_events, 1500);
  EXPECT_EQ(p2[0].aplasia, true);
  EXPECT_EQ(p2[0].timepoint_day, 14.0);
  EXPECT_FALSE(p2[0].mrd_percent.has_value());
  EXPECT_EQ(row(db.handle(), "SELECT error_kind, error_message, qc_status, events_total FROM samples WHERE file = 'broken.fcs'"),
            (std::vector<std::string>{"fcs", *mrdflow::testing::failed_sample().error_message, "<null>", "<null>"}));
}

TEST_F(ResultsDbTest, ReanalysisReplacesTheRow) {
  mrdflow::store::ResultsDb db(path_);
  auto r = mrdflow::testing::mrd_sample();
  db.put(r, "{}");
  r.mrd->percent = 0.07;
  db.put(r, "{\"again\":1}");
  EXPECT_EQ(row(db.handle(), "SELECT count(*), max(mrd_percent), max(report_json) FROM samples"),
            (std::vector<std::string>{"1", "0.07", "{\"again\":1}"}));
  EXPECT_EQ(row(db.handle(), "SELECT count(*) FROM populations").at(0), "4");  // old ones cascaded away
  r.sha256 = std::string(64, 'd');  // different input bytes: a new sample
  db.put(r, "{}");
  EXPECT_EQ(row(db.handle(), "SELECT count(*) FROM samples").at(0), "2");
}

TEST_F(ResultsDbTest, NotADatabaseIsAClearError) {
  { std::FILE* f = std::fopen(path_.c_str(), "wb"); std::fputs("this is not sqlite, just text padding......", f); std::fclose(f); }
  try {
    mrdflow::store::ResultsDb db(path_);
    FAIL();
  } catch (const mrdflow::Error& e) {
    EXPECT_EQ(e.kind(), "store");
    EXPECT_NE(std::string(e.what()).find(path_.string()), std::string::npos) << e.what();
  }
}

TEST_F(ResultsDbTest, NewerSchemaVersionIsRefused) {
  { mrdflow::store::ResultsDb db(path_);
    sqlite3_exec(db.handle(), "UPDATE meta SET value = '99' WHERE key = 'schema_version'", nullptr, nullptr, nullptr); }
  EXPECT_THROW(mrdflow::store::ResultsDb db(path_), mrdflow::Error);
}

}  // namespace
