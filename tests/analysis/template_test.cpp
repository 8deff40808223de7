#include <gtest/gtest.h>

#include <fstream>

#include "analysis/analysis.h"
#include "common/error.h"
#include "support/testdata.h"

using namespace mrdflow;

namespace {

std::filesystem::path write_yaml(const std::string& name, const std::string& text) {
  auto p = std::filesystem::temp_directory_path() / ("mrdflow_h6_" + name + ".yaml");
  std::ofstream(p) << text;
  return p;
}

const char* kBase = R"(name: t
markers:
  CD45: [CD45, HLE]
  CD19: [CD19]
  CD3: [CD3]
populations:
  - {name: qc_pass, parent: all, method: time_qc}
  - {name: cells, parent: qc_pass, method: debris_valley}
)";

std::string error_of(const std::string& name, const std::string& text) {
  try {
    analysis::load_template(write_yaml(name, text));
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), "template");
    return e.what();
  }
  return "";
}

}  // namespace

TEST(Template, ShippedTemplateLoads) {
  auto t = analysis::load_template(mrdflow::testing::source_dir() / "gating" / "bcp-all-mrd.yaml");
  EXPECT_EQ(t.name(), "bcp-all-mrd");
  EXPECT_EQ(t.sha256().size(), 64u);
  EXPECT_TRUE(t.suits_markers({"CD45 V500", "CD19 PE-Cy7", "CD10 APC", "CD34 PerCP", "CD20 FITC", "CD38 APC-H7"}));
  EXPECT_TRUE(t.suits_markers({"HLE", "CD22", "CD10", "CD34", "CD20", "CD38"}));  // CD19-free tube
  EXPECT_FALSE(t.suits_markers({"CD45", "CD19", "CD10", "CD34", "CD38"}));        // no CD20: no pathway anchor
  EXPECT_FALSE(t.suits_markers({"CD45", "CD19", "CD10", "CD34", "CD20"}));        // no CD38
  EXPECT_FALSE(t.suits_markers({"CD45", "CD3", "CD4", "CD8"}));         // a T-cell tube
  EXPECT_FALSE(t.suits_markers({"CD45", "CD19", "CD10"}));               // no CD34
}

TEST(Template, ErrorsNameFileLineAndCulprit) {
  auto e = error_of("method", std::string(kBase) + "  - {name: x, parent: cells, method: magic}\n");
  EXPECT_NE(e.find("line 9"), std::string::npos) << e;
  EXPECT_NE(e.find("unknown method 'magic'"), std::string::npos) << e;
  EXPECT_NE(e.find("mrdflow_h6_method.yaml"), std::string::npos) << e;

  e = error_of("parent", std::string(kBase) + "  - {name: x, parent: nowhere, method: debris_valley}\n");
  EXPECT_NE(e.find("unknown parent 'nowhere'"), std::string::npos) << e;
  EXPECT_NE(e.find("line 9"), std::string::npos) << e;

  e = error_of("marker", std::string(kBase) +
                             "  - {name: t_cells, parent: cells, method: bright_mode, params: {marker: CD7}}\n");
  EXPECT_NE(e.find("unknown marker 'CD7'"), std::string::npos) << e;

  e = error_of("split", std::string(kBase) +
                            "  - {name: nb, parent: cells, method: below_split, params: {markers: [CD19, CD7]}}\n");
  EXPECT_NE(e.find("unknown marker 'CD7'"), std::string::npos) << e;

  e = error_of("param", std::string(kBase) +
                            "  - {name: s, parent: cells, method: singlet_ratio, params: {sigma: 3}}\n");
  EXPECT_NE(e.find("unknown parameter 'sigma'"), std::string::npos) << e;

  e = error_of("number", std::string(kBase) +
                             "  - {name: s, parent: cells, method: singlet_ratio, params: {mad_low: lots}}\n");
  EXPECT_NE(e.find("must be a number"), std::string::npos) << e;

  e = error_of("share", std::string(kBase) +
                            "  - {name: b, parent: cells, method: dfn_blasts, params: {rare_core: 1.5}}\n");
  EXPECT_NE(e.find("rare_core must be in (0, 1], got 1.5"), std::string::npos) << e;
  EXPECT_NE(e.find("line 9"), std::string::npos) << e;

  e = error_of("earliest", std::string(kBase) +
                               "  - {name: b, parent: cells, method: dfn_blasts, params: {earliest_core: 0}}\n");
  EXPECT_NE(e.find("earliest_core must be in (0, 1], got 0"), std::string::npos) << e;

  e = error_of("member", std::string(kBase) +
                             "  - {name: b, parent: cells, method: dfn_blasts, params: {member_p: 2}}\n");
  EXPECT_NE(e.find("member_p must be in (0, 1], got 2"), std::string::npos) << e;

  e = error_of("cd45 margin", std::string(kBase) +
                                  "  - {name: b, parent: cells, method: dfn_blasts, params: {stage_one_cd45_margin: 0}}\n");
  EXPECT_NE(e.find("stage_one_cd45_margin must be > 0 (SDs of stage I), got 0"), std::string::npos) << e;

  e = error_of("probability", std::string(kBase) +
                                  "  - {name: b, parent: cells, method: dfn_blasts, params: {cluster_p: 0}}\n");
  EXPECT_NE(e.find("cluster_p must be in (0, 1), got 0"), std::string::npos) << e;

  e = error_of("aberrant", std::string(kBase) +
                               "  - {name: b, parent: cells, method: dfn_blasts, params: {core_aberrant_p: 1}}\n");
  EXPECT_NE(e.find("core_aberrant_p must be in (0, 1), got 1"), std::string::npos) << e;

  e = error_of("spread", std::string(kBase) +
                             "  - {name: b, parent: cells, method: dfn_blasts, params: {rare_spread_ratio: 0.8}}\n");
  EXPECT_NE(e.find("rare_spread_ratio must be >= 1, got 0.8"), std::string::npos) << e;

  e = error_of("single", std::string(kBase) +
                             "  - {name: b, parent: cells, method: dfn_blasts, params: {single_marker_margin: 0.5}}\n");
  EXPECT_NE(e.find("single_marker_margin must be >= 1, got 0.5"), std::string::npos) << e;

  e = error_of("arrest", std::string(kBase) +
                             "  - {name: b, parent: cells, method: dfn_blasts, params: {arrest_ratio: 0.5}}\n");
  EXPECT_NE(e.find("arrest_ratio must be >= 1, got 0.5"), std::string::npos) << e;

  e = error_of("excess", std::string(kBase) +
                             "  - {name: b, parent: cells, method: dfn_blasts, params: {density_excess: 0}}\n");
  EXPECT_NE(e.find("density_excess must be > 0 (a log density ratio), got 0"), std::string::npos) << e;

  e = error_of("direction", std::string(kBase) +
                                "  - {name: b, parent: cells, method: dfn_blasts, params: {markers: [CD45], over_expressed: [CD19]}}\n");
  EXPECT_NE(e.find("'CD19' in 'over_expressed' is not among the step's 'markers'"), std::string::npos) << e;
  EXPECT_NE(e.find("line 9"), std::string::npos) << e;

  e = error_of("syntax", "name: [unclosed\n");
  EXPECT_NE(e.find("YAML syntax error"), std::string::npos) << e;

  e = error_of("rule", std::string(kBase) + "analysis:\n  eligibility:\n    - {marker: CD99}\n");
  EXPECT_NE(e.find("unknown marker 'CD99'"), std::string::npos) << e;
  EXPECT_NE(e.find("line 11"), std::string::npos) << e;
}

TEST(Template, MissingFileIsAnError) {
  EXPECT_THROW(analysis::load_template("/nonexistent/x.yaml"), Error);
}
