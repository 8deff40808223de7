// The Gating-ML 2.0 compliance suite (FlowKit data/gate_ref): walk every gml/*.xml, import,
// gate data1.fcs (FCS-scaled values) and compare every gate with a truth file event by event;
// then export -> import must reproduce every membership exactly.
#include <gtest/gtest.h>

#include <set>

#include "compliance_support.h"
#include "gatingml/gatingml.h"

using mrdflow::testing::compliance_cases;
using mrdflow::testing::data1_scaled;
using mrdflow::testing::gatingml_dir;
using mrdflow::testing::read_truth;
using mrdflow::testing::truth_file;

TEST(GatingMlCompliance, EveryCaseMatchesTruthEventByEvent) {
  MRDFLOW_REQUIRE_TESTDATA();
  const auto& data = data1_scaled();
  ASSERT_EQ(data.events.events(), 13367u);
  const auto cases = compliance_cases();
  ASSERT_EQ(cases.size(), 32u) << "INDEX.md lists 32 gate XML files";

  std::set<std::string> truth_used;
  std::vector<std::string> parse_only;
  std::size_t compared = 0;
  for (const auto& xml : cases) {
    SCOPED_TRACE(xml.filename().string());
    const auto strategy = mrdflow::gatingml::read_gatingml(xml);
    const auto results = strategy.evaluate(data);
    std::size_t with_truth = 0;
    for (const auto& p : results.populations) {
      const auto path = truth_file(p.id);
      if (!std::filesystem::exists(path)) continue;
      const auto truth = read_truth(path);
      ASSERT_EQ(truth.size(), data.events.events()) << path;
      std::size_t mismatches = 0, first = 0, expected_in = 0;
      for (std::size_t e = 0; e < truth.size(); ++e) {
        expected_in += truth[e];
        if (p.events.test(e) != static_cast<bool>(truth[e])) {
          if (mismatches++ == 0) first = e;
        }
      }
      EXPECT_EQ(mismatches, 0u) << "gate " << p.id << ": " << mismatches
                                << " events differ from " << path.filename()
                                << ", first at event " << first + 1 << " (1-based)";
      EXPECT_EQ(p.count, expected_in) << "gate " << p.id;
      truth_used.insert(path.filename().string());
      ++with_truth;
      ++compared;
    }
    if (with_truth == 0) parse_only.push_back(xml.filename().string());
  }
  // INDEX.md: only gml_ellipse2_gate.xml has no expected results (parse-only).
  EXPECT_EQ(parse_only, std::vector<std::string>{"gml_ellipse2_gate.xml"});
  // Every truth file of the suite was used by at least one case.
  std::set<std::string> all_truth;
  for (const auto& e : std::filesystem::directory_iterator(gatingml_dir() / "truth")) {
    all_truth.insert(e.path().filename().string());
  }
  EXPECT_EQ(truth_used, all_truth);
  // INDEX.md's table lists 78 (case, gate) pairs with a truth file.
  EXPECT_EQ(compared, 78u);
}

TEST(GatingMlCompliance, ExportImportRoundTripReproducesMembership) {
  MRDFLOW_REQUIRE_TESTDATA();
  const auto& data = data1_scaled();
  for (const auto& xml : compliance_cases()) {
    SCOPED_TRACE(xml.filename().string());
    const auto original = mrdflow::gatingml::read_gatingml(xml);
    const std::string exported = mrdflow::gatingml::to_gatingml(original);
    const auto reimported = mrdflow::gatingml::parse_gatingml(exported, "exported:" + xml.filename().string());
    ASSERT_EQ(reimported.gates(), original.gates());
    ASSERT_EQ(reimported.transforms().size(), original.transforms().size());
    ASSERT_EQ(reimported.ratios().size(), original.ratios().size());
    ASSERT_EQ(reimported.matrices().size(), original.matrices().size());
    for (std::size_t i = 0; i < original.matrices().size(); ++i) {
      EXPECT_EQ(reimported.matrices()[i].matrix.values, original.matrices()[i].matrix.values);
    }
    const auto a = original.evaluate(data);
    const auto b = reimported.evaluate(data);
    ASSERT_EQ(a.populations.size(), b.populations.size());
    for (std::size_t i = 0; i < a.populations.size(); ++i) {
      EXPECT_EQ(a.populations[i].id, b.populations[i].id);
      EXPECT_TRUE(a.populations[i].events == b.populations[i].events) << a.populations[i].id;
    }
  }
}
