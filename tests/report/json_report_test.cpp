// The per-sample JSON against the contract in shared/spec/report.md: every key of the spec's
// JSON skeleton present with the right type (or null where it does not apply), spec order,
// deterministic numbers.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "report/json_report.h"
#include "report/sample_fixtures.h"
#include "support/testdata.h"

namespace {

using Json = nlohmann::ordered_json;
using mrdflow::report::render_sample_report;
using mrdflow::report::sample_report_json;

// Copy of the skeleton in shared/spec/report.md, used only when ../shared/spec is absent.
constexpr const char* kSkeletonFallback = R"({
  "schema": "mrdflow/sample-report/1",
  "software": {"name": "mrdflow", "version": "..."},
  "run": {"started": "ISO-8601", "seconds": 0.0},
  "error": null | {"kind": "...", "message": "..."},
  "input": {"file": "NAME.fcs", "sha256": "...", "fcs_version": "3.1",
            "events_total": N,
            "channels": [{"name": "$PnN", "marker": "$PnS or null"}]},
  "template": {"name": "...", "sha256": "..."},
  "sample": {"id": "...", "patient_id": null, "specimen": null, "timepoint_day": null},
  "events_total": N,
  "qc": {"status": "pass|warn|fail", "events_removed": N, "flags": ["..."]},
  "populations": [{"name": "...", "parent": "... or null", "count": N,
                   "percent_of_parent": 0.0}],
  "mrd": {"blast_events": N, "denominator": "nucleated", "denominator_events": N,
          "percent": 0.0, "ci95": [lo, hi], "lod_events": 20, "loq_events": 50,
          "lod_percent": 0.0, "loq_percent": 0.0,
          "status": "detected|below_loq|not_detected"},
  "antigens": {"CD19": {"population": "blasts", "events": N, "positive_events": N,
                        "percent_positive": 0.0, "ci95": [lo, hi],
                        "threshold": 0.0, "median_intensity": 0.0,
                        "mfi_ratio": 0.0, "dim": false},
               "CD22": {...}},
  "eligibility": {"rules": [{"marker": "CD19", "threshold_percent": 95.0,
                             "value": 0.0, "pass": true}],
                  "verdict": "eligible|not_eligible|indeterminate",
                  "reason": "one sentence a clinician can read"},
  "car_t": {"t_cell_events": N, "car_events": N, "percent_of_t_cells": 0.0,
            "ci95": [lo, hi], "cells_per_ul": 0.0},
  "b_cells": {"marker": "CD19", "events": N, "percent_of_lymphocytes": 0.0,
              "cells_per_ul": 0.0, "aplasia": true}
})";

// The skeleton text: the indented block after "## Per-sample JSON" in the spec.
std::string spec_skeleton() {
  const auto spec = mrdflow::testing::source_dir().parent_path() / "shared" / "spec" / "report.md";
  std::ifstream in(spec);
  if (!in) return kSkeletonFallback;
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  const auto start = text.find("## Per-sample JSON");
  const auto end = text.find("## Meanings");
  EXPECT_NE(start, std::string::npos);
  EXPECT_NE(end, std::string::npos);
  return text.substr(start, end - start);
}

// What the skeleton says a value is.
enum class Kind { String, Number, Boolean, Array, Object, ObjectOrNull, StringOrNull, NumberOrNull };

struct SpecKey {
  std::vector<std::string> path;  // "[]" steps into an array's first element
  Kind kind;
};

Kind kind_of_value(std::string_view rest) {
  const auto p = rest.find_first_not_of(" \n");
  const char c = rest[p];
  if (c == '"') {
    const auto close = rest.find('"', p + 1);
    return rest.substr(p, close - p).find("or null") != std::string_view::npos ? Kind::StringOrNull
                                                                               : Kind::String;
  }
  if (c == '{') return Kind::Object;
  if (c == '[') return Kind::Array;
  if (c == 't' || c == 'f') return Kind::Boolean;
  if (rest.substr(p, 4) == "null") {
    // "null | {...}" = object or null; bare null = optional sample fields (string or number).
    return rest.substr(p, 8).find('|') != std::string_view::npos ? Kind::ObjectOrNull
                                                                 : Kind::NumberOrNull;
  }
  return Kind::Number;  // N, 0.0, 20, lo/hi
}

// Walks the skeleton's braces and quotes, collecting every "key": with its path and kind.
std::vector<SpecKey> spec_keys(const std::string& skeleton) {
  std::vector<SpecKey> keys;
  std::vector<std::string> path;       // enclosing keys
  std::vector<char> containers;        // '{' or '['
  std::vector<std::size_t> depth_at;   // path length when the container opened
  std::string pending_key;
  const auto open = skeleton.find('{');
  for (std::size_t i = open; i < skeleton.size(); ++i) {
    const char c = skeleton[i];
    if (c == '"') {
      const auto close = skeleton.find('"', i + 1);
      const std::string token = skeleton.substr(i + 1, close - i - 1);
      auto after = skeleton.find_first_not_of(' ', close + 1);
      if (skeleton[after] == ':') {
        std::vector<std::string> full = path;
        full.push_back(token);
        keys.push_back({full, kind_of_value(std::string_view(skeleton).substr(after + 1))});
        pending_key = token;
      }
      i = close;
    } else if (c == '{' || c == '[') {
      depth_at.push_back(path.size());
      if (!pending_key.empty()) path.push_back(pending_key);
      // An object inside a list: its keys are checked on the list's first element.
      if (c == '{' && !containers.empty() && containers.back() == '[' && pending_key.empty())
        path.push_back("[]");
      containers.push_back(c);
      pending_key.clear();
    } else if (c == '}' || c == ']') {
      containers.pop_back();
      path.resize(depth_at.back());
      depth_at.pop_back();
      pending_key.clear();
      if (containers.empty()) break;
    } else if (c == ',') {
      pending_key.clear();
    }
  }
  return keys;
}

std::string join(const std::vector<std::string>& path) {
  std::string s;
  for (const auto& p : path) s += (s.empty() ? "" : ".") + p;
  return s;
}

// Follows a path into the report; nullptr when a step is missing. A null on the way stops
// the walk (reported through `stopped_at_null`).
const Json* follow(const Json& j, const std::vector<std::string>& path, bool& stopped_at_null) {
  const Json* cur = &j;
  stopped_at_null = false;
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (cur->is_null()) {
      stopped_at_null = true;
      return cur;
    }
    if (path[i] == "[]") {
      if (!cur->is_array()) return nullptr;
      if (cur->empty()) {
        stopped_at_null = true;  // nothing to check inside an empty list
        return cur;
      }
      cur = &cur->front();
    } else {
      if (!cur->is_object() || !cur->contains(path[i])) return nullptr;
      cur = &(*cur)[path[i]];
    }
  }
  return cur;
}

bool matches(const Json& v, Kind k) {
  switch (k) {
    case Kind::String: return v.is_string();
    case Kind::Number: return v.is_number();
    case Kind::Boolean: return v.is_boolean();
    case Kind::Array: return v.is_array();
    case Kind::Object: return v.is_object();
    case Kind::ObjectOrNull: return v.is_object() || v.is_null();
    case Kind::StringOrNull: return v.is_string() || v.is_null();
    case Kind::NumberOrNull: return v.is_number() || v.is_string() || v.is_null();
  }
  return false;
}

// Every spec key present with its type. `nullable` lists blocks allowed to be null here.
void expect_spec_shape(const Json& report, const std::set<std::string>& nullable) {
  const auto keys = spec_keys(spec_skeleton());
  ASSERT_GT(keys.size(), 60u) << "skeleton parse found too few keys";
  for (const auto& key : keys) {
    // "CD22": {...} in the skeleton has the same fields as CD19.
    bool stopped = false;
    const Json* v = follow(report, key.path, stopped);
    ASSERT_NE(v, nullptr) << "missing key " << join(key.path);
    if (stopped) {
      const std::string block = key.path.front();
      EXPECT_TRUE(nullable.count(block) || v->is_array()) << join(key.path) << ": null block " << block;
      continue;
    }
    if (v->is_null() && nullable.count(join(key.path))) continue;
    EXPECT_TRUE(matches(*v, key.kind)) << join(key.path) << " has wrong type: " << v->dump();
  }
}

std::vector<std::string> top_level_spec_order() {
  std::vector<std::string> order;
  for (const auto& k : spec_keys(spec_skeleton()))
    if (k.path.size() == 1) order.push_back(k.path[0]);
  return order;
}

TEST(SampleReportJson, SkeletonParserSeesTheWholeContract) {
  const auto keys = spec_keys(spec_skeleton());
  std::set<std::string> names;
  for (const auto& k : keys) names.insert(join(k.path));
  for (const char* expected : {"schema", "input.channels.[].marker", "mrd.ci95", "antigens.CD19.dim",
                               "antigens.CD22", "eligibility.rules.[].pass", "b_cells.aplasia",
                               "car_t.cells_per_ul", "populations.[].percent_of_parent"})
    EXPECT_TRUE(names.count(expected)) << expected;
}

TEST(SampleReportJson, MrdTubeHasEverySpecFieldAndNullCarT) {
  const Json j = sample_report_json(mrdflow::testing::mrd_sample());
  expect_spec_shape(j, {"error", "car_t", "b_cells"});
  EXPECT_EQ(j["schema"], "mrdflow/sample-report/1");
  EXPECT_TRUE(j["error"].is_null());
  EXPECT_TRUE(j["car_t"].is_null());
  EXPECT_TRUE(j["b_cells"].is_null());
  EXPECT_EQ(j["mrd"]["status"], "detected");
  EXPECT_EQ(j["mrd"]["blast_events"], 400);
  EXPECT_EQ(j["events_total"], 1000000);
  EXPECT_TRUE(j["antigens"]["CD22"]["mfi_ratio"].is_null());
  EXPECT_EQ(j["antigens"]["CD22"]["dim"], true);
  EXPECT_EQ(j["input"]["channels"][0]["marker"], nullptr);
  EXPECT_EQ(j["input"]["channels"][2]["marker"], "CD45");
  EXPECT_EQ(j["eligibility"]["rules"][1]["pass"], false);
  EXPECT_EQ(j["populations"][0]["parent"], nullptr);
  EXPECT_EQ(j["sample"]["timepoint_day"], 29.0);
}

TEST(SampleReportJson, CarTTubeHasEverySpecFieldAndNullMrd) {
  const Json j = sample_report_json(mrdflow::testing::car_t_sample());
  expect_spec_shape(j, {"error", "mrd", "eligibility", "antigens"});
  EXPECT_TRUE(j["mrd"].is_null());
  EXPECT_TRUE(j["eligibility"].is_null());
  EXPECT_TRUE(j["antigens"].is_null());  // no antigen step in a persistence tube
  EXPECT_EQ(j["car_t"]["car_events"], 1500);
  EXPECT_EQ(j["car_t"]["cells_per_ul"], 12.5);
  EXPECT_EQ(j["b_cells"]["aplasia"], true);
  EXPECT_EQ(j["b_cells"]["marker"], "CD19");
}

TEST(SampleReportJson, FailedSampleKeepsEveryKeyWithNullResults) {
  const Json j = sample_report_json(mrdflow::testing::failed_sample());
  expect_spec_shape(j, {"template", "qc", "populations", "mrd", "antigens", "eligibility", "car_t",
                        "b_cells", "input", "input.fcs_version", "input.events_total", "input.channels",
                        "events_total"});
  ASSERT_TRUE(j["error"].is_object());
  EXPECT_EQ(j["error"]["kind"], "fcs");
  EXPECT_NE(j["error"]["message"].get<std::string>().find("at byte 58"), std::string::npos);
  // Nothing was decoded: no invented zero counts.
  EXPECT_TRUE(j["events_total"].is_null());
  EXPECT_TRUE(j["input"]["events_total"].is_null());
  EXPECT_TRUE(j["input"]["fcs_version"].is_null());
  EXPECT_EQ(j["input"]["sha256"], std::string(64, 'c'));
  for (const char* block : {"template", "qc", "populations", "mrd", "antigens", "eligibility", "car_t", "b_cells"})
    EXPECT_TRUE(j[block].is_null()) << block;
}

TEST(SampleReportJson, MarkerARuleNeedsButTheTubeLacksIsNull) {
  auto r = mrdflow::testing::mrd_sample();
  r.antigens.erase("CD22");
  r.eligibility->rules[1].value.reset();
  r.eligibility->rules[1].pass.reset();
  r.eligibility->verdict = "indeterminate";
  const Json j = sample_report_json(r);
  ASSERT_TRUE(j["antigens"].contains("CD22"));
  EXPECT_TRUE(j["antigens"]["CD22"].is_null());
  EXPECT_TRUE(j["antigens"]["CD19"].is_object());
  EXPECT_TRUE(j["eligibility"]["rules"][1]["value"].is_null());
  EXPECT_TRUE(j["eligibility"]["rules"][1]["pass"].is_null());
}

TEST(SampleReportJson, FieldOrderFollowsTheSpec) {
  const Json j = sample_report_json(mrdflow::testing::mrd_sample());
  std::vector<std::string> actual;
  for (const auto& item : j.items()) actual.push_back(item.key());
  const auto expected = top_level_spec_order();
  ASSERT_GE(actual.size(), expected.size());
  // Spec fields first, in spec order; additions (e.g. "warnings") after them.
  EXPECT_EQ(std::vector<std::string>(actual.begin(), actual.begin() + static_cast<long>(expected.size())), expected);
  std::vector<std::string> mrd_keys;
  for (const auto& item : j["mrd"].items()) mrd_keys.push_back(item.key());
  EXPECT_EQ(mrd_keys.front(), "blast_events");
  EXPECT_EQ(mrd_keys.back(), "status");
}

TEST(SampleReportJson, NumbersAreShortestRoundTripAndDeterministic) {
  auto r = mrdflow::testing::mrd_sample();
  r.mrd->percent = 0.1;
  r.mrd->ci95 = {1.0 / 3.0, 2e-7};
  const std::string a = render_sample_report(r);
  EXPECT_EQ(a, render_sample_report(r));
  const Json j = Json::parse(a);
  EXPECT_NE(a.find("\"percent\": 0.1,"), std::string::npos);
  EXPECT_EQ(j["mrd"]["ci95"][0].get<double>(), 1.0 / 3.0);  // round-trips exactly
  EXPECT_EQ(j["mrd"]["ci95"][1].get<double>(), 2e-7);
  EXPECT_EQ(a.back(), '\n');
}

TEST(SampleReportJson, EmptyDenominatorGivesNullPercentagesNotZero) {
  auto r = mrdflow::testing::mrd_sample();
  r.mrd->blast_events = 0;
  r.mrd->denominator_events = 0;
  r.mrd->percent = r.mrd->lod_percent = r.mrd->loq_percent = 0;
  r.mrd->status = "not_detected";
  const Json j = sample_report_json(r);
  for (const char* k : {"percent", "ci95", "lod_percent", "loq_percent"}) EXPECT_TRUE(j["mrd"][k].is_null()) << k;
  EXPECT_EQ(j["mrd"]["denominator_events"], 0);
  EXPECT_EQ(j["mrd"]["status"], "not_detected");
}

TEST(SampleReportJson, NonFiniteNumbersBecomeNullNotNumbers) {
  auto r = mrdflow::testing::mrd_sample();
  r.mrd->percent = std::numeric_limits<double>::quiet_NaN();
  r.antigens["CD19"].mfi_ratio = std::numeric_limits<double>::infinity();
  const Json j = Json::parse(render_sample_report(r));
  EXPECT_TRUE(j["mrd"]["percent"].is_null());
  EXPECT_TRUE(j["antigens"]["CD19"]["mfi_ratio"].is_null());
}

TEST(SampleReportJson, InvalidUtf8FromFcsTextDoesNotThrow) {
  auto r = mrdflow::testing::mrd_sample();
  r.channels[2].marker = std::string("CD45 \xE9\xFF", 7);  // Latin-1 bytes in $PnS
  std::string out;
  ASSERT_NO_THROW(out = render_sample_report(r));
  const Json j = Json::parse(out);
  EXPECT_EQ(j["input"]["channels"][2]["marker"].get<std::string>().substr(0, 5), "CD45 ");
}

TEST(SampleReportJson, SoftwareVersionFallsBackToBuildVersion) {
  auto r = mrdflow::testing::mrd_sample();
  r.software_version.clear();
  const Json j = sample_report_json(r);
  EXPECT_FALSE(j["software"]["version"].get<std::string>().empty());
  EXPECT_EQ(j["software"]["name"], "mrdflow");
}

}  // namespace
