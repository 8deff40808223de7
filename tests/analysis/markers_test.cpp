#include <gtest/gtest.h>

#include "analysis/markers.h"

using namespace mrdflow;
using namespace mrdflow::analysis;

namespace {
fcs::Channel ch(std::string name, std::string marker = "") {
  fcs::Channel c;
  c.name = std::move(name);
  c.marker = std::move(marker);
  return c;
}
const std::map<std::string, std::vector<std::string>> kAliases{
    {"CD3", {"CD3", "CD3e"}}, {"CD34", {}}, {"CD7", {}}, {"CD19", {}}, {"CD45", {"HLE"}}, {"HLA-DR", {}}};
}  // namespace

TEST(Markers, TokenMatchingAvoidsFluorochromesAndPrefixes) {
  EXPECT_TRUE(label_names_marker("CD19 PE-Cy7", "CD19"));
  EXPECT_TRUE(label_names_marker("CD19-PECy7", "CD19"));
  EXPECT_TRUE(label_names_marker("cd19", "CD19"));
  EXPECT_FALSE(label_names_marker("PE-Cy7-A", "CD7"));
  EXPECT_FALSE(label_names_marker("CD34 APC", "CD3"));
  EXPECT_TRUE(label_names_marker("HLA-DR BV421", "HLA-DR"));
  EXPECT_FALSE(label_names_marker("PerCP-Cy5-5-A", "CD5"));
}

TEST(Markers, ResolvesPanelRegardlessOfOrderAndStyle) {
  // Style 1: BD-like $PnN detectors with $PnS markers.
  std::vector<fcs::Channel> bd{ch("Time"), ch("FSC-A"), ch("FSC-H"), ch("SSC-A"), ch("SSC-H"),
                               ch("PE-Cy7-A", "CD19 PE-Cy7"), ch("APC-A", "CD34"), ch("FITC-A", "CD3"),
                               ch("V500-A", "HLE"), ch("BV421-A", "HLA-DR")};
  auto p = resolve_panel(bd, kAliases);
  EXPECT_EQ(p.markers.at("CD19"), 5u);
  EXPECT_EQ(p.markers.at("CD34"), 6u);
  EXPECT_EQ(p.markers.at("CD3"), 7u);
  EXPECT_EQ(p.markers.at("CD45"), 8u);
  EXPECT_EQ(p.markers.at("HLA-DR"), 9u);
  EXPECT_FALSE(p.markers.count("CD7"));
  EXPECT_EQ(*p.fsc_a, 1u);
  EXPECT_EQ(*p.fsc_h, 2u);
  EXPECT_EQ(*p.ssc_a, 3u);
  EXPECT_EQ(*p.time, 0u);
  EXPECT_EQ(p.fluorescence.size(), 5u);

  // Style 2: Beckman-like, markers only in $PnN, different order, no $PnS.
  std::vector<fcs::Channel> bc{ch("CD45-KrO"), ch("FL1 INT"), ch("SS INT"), ch("FS INT"), ch("FS PEAK"),
                               ch("CD3e FITC"), ch("CD19-PECy7"), ch("TIME")};
  auto q = resolve_panel(bc, kAliases);
  EXPECT_EQ(q.markers.at("CD45"), 0u);
  EXPECT_EQ(q.markers.at("CD3"), 5u);
  EXPECT_EQ(q.markers.at("CD19"), 6u);
  EXPECT_FALSE(q.markers.count("CD34"));
  EXPECT_EQ(*q.fsc_a, 3u);
  EXPECT_EQ(*q.fsc_h, 4u);
  EXPECT_EQ(*q.ssc_a, 2u);
  EXPECT_EQ(*q.time, 7u);
}

TEST(Markers, PrefersStainOverDetectorNameAndAreaOverHeight) {
  std::vector<fcs::Channel> c{ch("CD19-H", ""), ch("B2-A", "CD19")};
  auto p = resolve_panel(c, {{"CD19", {}}});
  EXPECT_EQ(p.markers.at("CD19"), 1u);
}
