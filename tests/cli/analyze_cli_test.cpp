// `mrdflow analyze` end to end, through the built binary: exit codes 0/1/2, an error entry for
// a truncated file while the others are still reported, byte-identical JSON for --threads 1
// and 2 (apart from "run"), manifest values in the report, SQLite rows matching the JSON.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "fcs/fcs.h"
#include "cli_support.h"
#include "support/testdata.h"

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;
using mrdflow::cli_test::mrdflow_bin;
using mrdflow::cli_test::ProcessResult;
using mrdflow::cli_test::quote;
using mrdflow::cli_test::run_process;
using mrdflow::cli_test::slurp;
using mrdflow::cli_test::synth_bin;

// The JSON without its "run" block (the only part allowed to differ between runs).
std::string without_run(const fs::path& p) {
  Json j = Json::parse(slurp(p));
  j.erase("run");
  return j.dump(2);
}

// A few small generated tubes, made once for the whole suite.
class AnalyzeCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = fs::temp_directory_path() / ("mrdflow-cli-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "samples" / "sub");
    if (!fs::exists(mrdflow_bin()) || !fs::exists(synth_bin())) return;
    const std::vector<std::vector<std::string>> tubes = {
        {"mrd-5", "11", "bd", "samples/P1_d29.fcs"},
        {"cd22-partial", "12", "beckman", "samples/sub/P2_d0.fcs"},
        {"negative-regenerating", "13", "cytek", "samples/P3_d84.FCS"}};
    for (const auto& t : tubes) {
      const auto r = run_process({synth_bin().string(), "--scenario", t[0], "--seed", t[1], "--style", t[2], "--events",
                          "40000", "--anomaly", "no", "--out", (root_ / t[3]).string()},
                         root_ / "synth.log");
      if (r.exit_code != 0) return;
    }
    synth_ok_ = true;
  }
  static void TearDownTestSuite() { fs::remove_all(root_); }

  void SetUp() override {
    if (!fs::exists(mrdflow_bin())) GTEST_SKIP() << "mrdflow not built at " << mrdflow_bin();
  }
  void require_samples() {
    if (!synth_ok_) GTEST_SKIP() << "mrdflow-synth not available at " << synth_bin() << "; skipping";
  }
  fs::path fresh(const std::string& name) {
    const fs::path p = root_ / name;
    fs::remove_all(p);
    fs::create_directories(p);
    return p;
  }
  ProcessResult analyze(std::vector<std::string> args, const std::string& log = "analyze.log") {
    args.insert(args.begin(), {mrdflow_bin().string(), "analyze"});
    return run_process(args, root_ / log);
  }

  static inline fs::path root_;
  static inline bool synth_ok_ = false;
};

TEST_F(AnalyzeCli, AllSamplesAnalysedExitsZeroAndWritesEveryFile) {
  require_samples();
  const fs::path out = fresh("out-ok");
  const auto r = analyze({"--out", out.string(), "--threads", "2", (root_ / "samples").string()});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  for (const char* f : {"P1_d29.json", "P1_d29.html", "P2_d0.json", "P2_d0.html", "P3_d84.json", "P3_d84.html",
                        "index.html", "summary.csv", "results.sqlite"})
    EXPECT_TRUE(fs::exists(out / f)) << f;
  const Json j = Json::parse(slurp(out / "P1_d29.json"));
  EXPECT_EQ(j["schema"], "mrdflow/sample-report/1");
  EXPECT_TRUE(j["error"].is_null());
  EXPECT_EQ(j["template"]["name"], "bcp-all-mrd");  // chosen from the markers
  EXPECT_EQ(j["input"]["events_total"], 40000);
  EXPECT_EQ(j["input"]["sha256"].get<std::string>().size(), 64u);
  EXPECT_TRUE(j["car_t"].is_null());
  EXPECT_TRUE(j["b_cells"].is_null());  // no CAR channel: B-cell aplasia does not apply
  const std::string csv = slurp(out / "summary.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 4);
  // Sorted order of the generic paths: samples/P1_d29.fcs, samples/P3_d84.FCS, samples/sub/P2_d0.fcs
  EXPECT_LT(csv.find("P1_d29.fcs"), csv.find("P3_d84.FCS"));
  EXPECT_LT(csv.find("P3_d84.FCS"), csv.find("P2_d0.fcs"));
  for (const auto& e : fs::directory_iterator(out))
    EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << e.path();
}

TEST_F(AnalyzeCli, TruncatedFileGetsAnErrorEntryAndTheOthersAreStillReported) {
  require_samples();
  const fs::path in = fresh("in-bad");
  fs::copy_file(root_ / "samples" / "P1_d29.fcs", in / "good.fcs");
  const std::string bytes = slurp(root_ / "samples" / "P1_d29.fcs");
  std::ofstream(in / "truncated.fcs", std::ios::binary) << bytes.substr(0, bytes.size() / 3);
  std::ofstream(in / "empty.fcs", std::ios::binary) << "";
  const fs::path out = fresh("out-bad");
  const auto r = analyze({"--out", out.string(), "--threads", "2", in.string()});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  const Json bad = Json::parse(slurp(out / "truncated.json"));
  ASSERT_TRUE(bad["error"].is_object()) << bad.dump(2);
  EXPECT_FALSE(bad["error"]["kind"].get<std::string>().empty());
  EXPECT_NE(bad["error"]["message"].get<std::string>().find("truncated.fcs"), std::string::npos);
  EXPECT_TRUE(bad["mrd"].is_null());
  EXPECT_EQ(bad["input"]["sha256"].get<std::string>().size(), 64u);
  EXPECT_TRUE(Json::parse(slurp(out / "empty.json"))["error"].is_object());
  const Json good = Json::parse(slurp(out / "good.json"));
  EXPECT_TRUE(good["error"].is_null());
  EXPECT_TRUE(good["mrd"].is_object());
  const std::string csv = slurp(out / "summary.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 4);
  EXPECT_NE(csv.find("truncated.fcs,truncated,,,,,error,"), std::string::npos) << csv;
  EXPECT_NE(slurp(out / "index.html").find("href=\"truncated.html\""), std::string::npos);
}

TEST_F(AnalyzeCli, FileNoTemplateSuitsIsAMissingMarkersError) {
  require_samples();
  // Same events, but the CD10 and CD34 stains relabelled as a T-cell panel.
  auto data = mrdflow::fcs::read_fcs(root_ / "samples" / "P1_d29.fcs");
  int relabelled = 0;
  for (auto& ch : data.channels) {
    for (const std::string m : {"CD10", "CD34"}) {
      if (ch.marker.find(m) != std::string::npos && ch.marker.find(m + "0") == std::string::npos) {
        ch.marker = m == "CD10" ? "CD4" : "CD8";
        ++relabelled;
      }
    }
  }
  for (const auto& kw : std::vector<mrdflow::fcs::Keyword>(data.keywords.all().begin(), data.keywords.all().end()))
    if (kw.name.size() > 2 && (kw.name.back() == 'S' || kw.name.back() == 's') && kw.name[1] == 'P')
      data.keywords.erase(kw.name);  // $PnS come from the channels
  ASSERT_EQ(relabelled, 2);
  const fs::path in = fresh("in-tcell");
  mrdflow::fcs::write_fcs(in / "tcells.fcs", data);
  const fs::path out = fresh("out-tcell");
  const auto r = analyze({"--out", out.string(), in.string()});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  const Json j = Json::parse(slurp(out / "tcells.json"));
  ASSERT_TRUE(j["error"].is_object());
  EXPECT_EQ(j["error"]["kind"], "missing_markers");
  const std::string msg = j["error"]["message"];
  EXPECT_NE(msg.find("not an MRD tube: missing markers CD10, CD34"), std::string::npos) << msg;
  EXPECT_EQ(j["input"]["events_total"], 40000);  // header was read: input figures known
  EXPECT_TRUE(j["template"].is_null());
}

// Real files from the shared test data: a non-MRD tube (no CD45/CD19/CD10/CD34) and a real
// BD FACSDiva BCP-ALL MRD tube (CD20/CD10/CD45/CD34/SYTO 41/CD19/CD38), chosen by markers.
TEST_F(AnalyzeCli, RealFilesTemplateChosenByMarkers) {
  MRDFLOW_REQUIRE_TESTDATA();
  const fs::path td = mrdflow::testing::testdata_dir();
  const fs::path other = td / "flowcore" / "0877408774.B08";
  const fs::path diva = td / "fcsparser" / "FACS_Diva" / "facs_diva_test.fcs";
  if (!fs::exists(other) || !fs::exists(diva)) GTEST_SKIP() << "expected files not in " << td;
  const fs::path out = fresh("out-real");
  const auto r = analyze({"--out", out.string(), other.string(), diva.string()});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  const Json bad = Json::parse(slurp(out / "0877408774.B08.json"));  // no .fcs extension: whole name
  ASSERT_TRUE(bad["error"].is_object());
  EXPECT_EQ(bad["error"]["kind"], "missing_markers");
  EXPECT_NE(bad["error"]["message"].get<std::string>().find("not an MRD tube: missing markers CD45"), std::string::npos);
  EXPECT_TRUE(bad["input"]["events_total"].is_number());
  const Json good = Json::parse(slurp(out / "facs_diva_test.json"));
  EXPECT_TRUE(good["error"].is_null()) << good["error"].dump();
  EXPECT_EQ(good["template"]["name"], "bcp-all-mrd");
  EXPECT_EQ(good["input"]["fcs_version"], "3.0");
  EXPECT_EQ(good["input"]["events_total"], 83411);
  EXPECT_EQ(good["warnings"][0], "template 'bcp-all-mrd' chosen from the file's markers (bcp-all-mrd.yaml)");
}

TEST_F(AnalyzeCli, UsageErrorsExitTwo) {
  const fs::path out = fresh("out-usage");
  auto r = analyze({"--out", out.string()});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  r = analyze({"--bogus", "x"});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  r = analyze({"--out", out.string(), (root_ / "does-not-exist.fcs").string()});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("does-not-exist.fcs: no such file or directory"), std::string::npos) << r.out;
  r = analyze({"--threads", "0", (root_ / "samples").string()});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  const fs::path manifest = root_ / "bad-manifest.csv";
  std::ofstream(manifest) << "file,patient,day\nx.fcs,P1,3\n";
  r = analyze({"--out", out.string(), "--manifest", manifest.string(), (root_ / "samples").string()});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find(manifest.string() + ": line 1: unknown column \"patient\""), std::string::npos) << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << "one line: " << r.out;
  EXPECT_FALSE(fs::exists(out / "summary.csv"));  // nothing analysed on a setup error
}

TEST_F(AnalyzeCli, JsonIsByteIdenticalForOneAndTwoThreadsApartFromRun) {
  require_samples();
  const fs::path one = fresh("out-t1"), two = fresh("out-t2");
  ASSERT_EQ(analyze({"--out", one.string(), "--threads", "1", (root_ / "samples").string()}).exit_code, 0);
  ASSERT_EQ(analyze({"--out", two.string(), "--threads", "2", (root_ / "samples").string()}).exit_code, 0);
  // A single file with 2 threads exercises the threads inside one sample.
  const fs::path single = fresh("out-t2-single");
  ASSERT_EQ(analyze({"--out", single.string(), "--threads", "2", (root_ / "samples" / "P1_d29.fcs").string()}).exit_code, 0);
  // Raw bytes with the "run" block cut out (not re-serialised): byte-identical.
  auto strip_run = [](std::string text) {
    const auto b = text.find("  \"run\": {");
    const auto e = text.find("\n  },\n", b);
    if (b == std::string::npos || e == std::string::npos) return std::string("no run block");
    return text.erase(b, e + 5 - b);
  };
  for (const char* f : {"P1_d29.json", "P2_d0.json", "P3_d84.json"}) {
    EXPECT_EQ(without_run(one / f), without_run(two / f)) << f;
    const std::string a = strip_run(slurp(one / f));
    EXPECT_EQ(a, strip_run(slurp(two / f))) << f;
    EXPECT_EQ(a.find("\"run\""), std::string::npos);
    EXPECT_GT(a.size(), 1000u);
  }
  EXPECT_EQ(without_run(one / "P1_d29.json"), without_run(single / "P1_d29.json"));
  // summary.csv carries no timing: identical bytes.
  EXPECT_EQ(slurp(one / "summary.csv"), slurp(two / "summary.csv"));
}

TEST_F(AnalyzeCli, ManifestValuesReachJsonCsvAndDatabaseRowsMatchJson) {
  require_samples();
  const fs::path manifest = root_ / "manifest.csv";
  std::ofstream(manifest) << "file,patient_id,specimen,timepoint_day,beads_per_test,volume_ul,wbc_per_ul\n"
                             "P1_d29.fcs,PAT-001,BM,29,,,\n"
                             "P2_d0.fcs,PAT-002,PB,0,50000,50,4100\n";
  const fs::path out = fresh("out-manifest");
  const fs::path db = root_ / "custom.sqlite";
  fs::remove(db);
  const auto r = analyze({"--out", out.string(), "--db", db.string(), "--manifest", manifest.string(),
                          (root_ / "samples").string()});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_FALSE(fs::exists(out / "results.sqlite"));
  const Json p1 = Json::parse(slurp(out / "P1_d29.json"));
  EXPECT_EQ(p1["sample"]["patient_id"], "PAT-001");
  EXPECT_EQ(p1["sample"]["specimen"], "BM");
  EXPECT_EQ(p1["sample"]["timepoint_day"], 29.0);
  const Json p3 = Json::parse(slurp(out / "P3_d84.json"));
  EXPECT_TRUE(p3["sample"]["patient_id"].is_null());  // not in the manifest: unknown, not invented

  sqlite3* h = nullptr;
  ASSERT_EQ(sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(h, "SELECT file, patient_id, mrd_blast_events, mrd_denominator_events, mrd_percent, "
                                  "mrd_status, report_json, (SELECT count(*) FROM populations WHERE sample = samples.id) "
                                  "FROM samples ORDER BY file", -1, &s, nullptr), SQLITE_OK);
  int rows = 0;
  while (sqlite3_step(s) == SQLITE_ROW) {
    ++rows;
    const std::string file = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    const std::string stem = fs::path(file).stem().string();
    const std::string text = slurp(out / (stem + ".json"));
    EXPECT_EQ(reinterpret_cast<const char*>(sqlite3_column_text(s, 6)), text) << file;
    const Json j = Json::parse(text);
    if (j["sample"]["patient_id"].is_null()) EXPECT_EQ(sqlite3_column_type(s, 1), SQLITE_NULL);
    else EXPECT_EQ(reinterpret_cast<const char*>(sqlite3_column_text(s, 1)), j["sample"]["patient_id"].get<std::string>());
    ASSERT_TRUE(j["mrd"].is_object()) << file;
    EXPECT_EQ(sqlite3_column_int64(s, 2), j["mrd"]["blast_events"].get<std::int64_t>());
    EXPECT_EQ(sqlite3_column_int64(s, 3), j["mrd"]["denominator_events"].get<std::int64_t>());
    if (j["mrd"]["percent"].is_number()) {
      EXPECT_EQ(sqlite3_column_double(s, 4), j["mrd"]["percent"].get<double>());
    }
    EXPECT_EQ(reinterpret_cast<const char*>(sqlite3_column_text(s, 5)), j["mrd"]["status"].get<std::string>());
    EXPECT_EQ(sqlite3_column_int64(s, 7), static_cast<std::int64_t>(j["populations"].size()));
  }
  sqlite3_finalize(s);
  sqlite3_close(h);
  EXPECT_EQ(rows, 3);
}

}  // namespace
