// Files as written by the generator: readable by fcs::read_fcs, in the naming style asked for,
// with $SPILLOVER over the detector $PnN names, values exactly as generated, byte-identical
// for the same seed.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

#include "fcs/fcs.h"
#include "fcs_export.h"
#include "generator.h"
#include "truth.h"

namespace mrdflow::synth {
namespace {

Tube make(const std::string& scenario, std::uint64_t seed, std::size_t events, Style style) {
  GenerateRequest r;
  r.scenario = scenario;
  r.seed = seed;
  r.events = events;
  r.style = style;
  return generate(r);
}

std::string bytes_of(const Tube& t, const std::string& name) { return fcs::to_fcs_bytes(to_dataset(t, name)); }

fcs::DataSet read_back(const std::string& bytes, const std::string& name, bool raw = true) {
  fcs::ReadOptions options;
  options.raw = raw;
  return fcs::read_fcs_bytes(std::as_bytes(std::span(bytes.data(), bytes.size())), name, options);
}

class RoundTrip : public ::testing::TestWithParam<Style> {};

TEST_P(RoundTrip, ReadBackHasChannelsSpilloverAndValues) {
  const Tube t = make("cd22-partial", 81, 20000, GetParam());
  const std::string bytes = bytes_of(t, "rt.fcs");
  const fcs::DataSet ds = read_back(bytes, "rt.fcs");
  ASSERT_EQ(ds.channels.size(), t.channels.size());
  ASSERT_EQ(ds.event_count, t.events);
  for (std::size_t c = 0; c < t.channels.size(); ++c) {
    EXPECT_EQ(ds.channels[c].name, t.channels[c].name);
    EXPECT_EQ(ds.channels[c].marker, t.channels[c].marker);
    EXPECT_EQ(ds.channels[c].datatype, 'F');
    EXPECT_DOUBLE_EQ(ds.channels[c].range, t.channels[c].range);
    const auto col = ds.events.column(c);
    const auto src = t.column(c);
    for (std::size_t e = 0; e < t.events; e += 97) ASSERT_EQ(col[e], static_cast<double>(src[e])) << c << "," << e;
  }
  ASSERT_TRUE(ds.spillover.has_value());
  const auto& stains = t.model.panel.stains;
  ASSERT_EQ(ds.spillover->size(), stains.size());
  for (std::size_t i = 0; i < stains.size(); ++i) {
    EXPECT_EQ(ds.spillover->channels[i], stains[i].detector);
    EXPECT_TRUE(ds.channel_index(stains[i].detector).has_value());
    for (std::size_t j = 0; j < stains.size(); ++j)
      EXPECT_NEAR(ds.spillover->at(i, j), t.spillover[i * stains.size() + j], 1e-6);
  }
  EXPECT_TRUE(ds.keywords.contains("$TIMESTEP"));
  EXPECT_TRUE(ds.keywords.contains("$CYT"));
}

TEST_P(RoundTrip, SameSeedSameBytes) {
  const std::string a = bytes_of(make("mrd-0.1", 82, 30000, GetParam()), "same.fcs");
  const std::string b = bytes_of(make("mrd-0.1", 82, 30000, GetParam()), "same.fcs");
  EXPECT_EQ(a, b);
  EXPECT_NE(a, bytes_of(make("mrd-0.1", 83, 30000, GetParam()), "same.fcs"));
}

INSTANTIATE_TEST_SUITE_P(Styles, RoundTrip, ::testing::Values(Style::BD, Style::Beckman, Style::Cytek),
                         [](const auto& info) { return std::string(style_name(info.param)); });

// What each style's channels are called, and which fluorochrome carries CD19/CD22.
TEST(SynthStyles, NamingStylesAndFluorochromeAssignmentsDiffer) {
  std::map<Style, fcs::DataSet> files;
  for (Style s : {Style::BD, Style::Beckman, Style::Cytek})
    files.emplace(s, read_back(bytes_of(make("mrd-5", 84, 5000, s), "s.fcs"), "s.fcs"));
  auto has = [](const fcs::DataSet& ds, const char* name) { return ds.channel_index(name).has_value(); };
  EXPECT_TRUE(has(files[Style::BD], "FSC-A") && has(files[Style::BD], "FSC-H") && has(files[Style::BD], "Time"));
  EXPECT_TRUE(has(files[Style::BD], "PE-Cy7-A") && has(files[Style::BD], "APC-H7-A") && has(files[Style::BD], "V500-A"));
  EXPECT_TRUE(has(files[Style::Beckman], "FS INT") && has(files[Style::Beckman], "FS PEAK") &&
              has(files[Style::Beckman], "SS INT") && has(files[Style::Beckman], "TIME"));
  EXPECT_TRUE(has(files[Style::Beckman], "FL1 INT") && has(files[Style::Beckman], "FL10 INT"));
  EXPECT_TRUE(has(files[Style::Cytek], "B2-A") && has(files[Style::Cytek], "V1-A") && has(files[Style::Cytek], "R1-A"));

  auto channel_of = [](const fcs::DataSet& ds, const std::string& marker) {
    for (const auto& c : ds.channels)
      if (c.marker.rfind(marker + " ", 0) == 0 || c.marker.rfind(marker + "-", 0) == 0 || c.marker == marker) return c.name;
    return std::string();
  };
  for (const char* marker : {"CD19", "CD22", "CD10", "CD34", "CD20", "CD38", "CD45", "CD3", "CD58"}) {
    const std::string bd = channel_of(files[Style::BD], marker), bk = channel_of(files[Style::Beckman], marker),
                      cy = channel_of(files[Style::Cytek], marker);
    EXPECT_FALSE(bd.empty() || bk.empty() || cy.empty()) << marker;
  }
  EXPECT_EQ(channel_of(files[Style::BD], "CD19"), "PE-Cy7-A");
  EXPECT_EQ(channel_of(files[Style::Beckman], "CD19"), "FL2 INT");  // PE
  EXPECT_EQ(channel_of(files[Style::Cytek], "CD19"), "R1-A");       // APC
  EXPECT_EQ(channel_of(files[Style::BD], "CD22"), "PE-A");
  EXPECT_EQ(channel_of(files[Style::Beckman], "CD22"), "FL6 INT");  // APC
  EXPECT_EQ(channel_of(files[Style::Cytek], "CD22"), "V1-A");       // BV421
  EXPECT_EQ(files[Style::BD].channels[0].range, 262144.0);
  EXPECT_EQ(files[Style::Beckman].channels[0].range, 1048576.0);
  EXPECT_EQ(files[Style::Cytek].channels[0].range, 4194304.0);
}

TEST(SynthFiles, SidecarsOnDisk) {
  const auto dir = std::filesystem::temp_directory_path() / "mrdflow_synth_test";
  std::filesystem::create_directories(dir);
  const Tube t = make("mrd-5", 85, 12000, Style::Cytek);
  fcs::write_fcs(dir / "s85.fcs", to_dataset(t, "s85.fcs"));
  write_labels(dir / "s85.labels", t);
  write_truth(dir / "s85.truth.json", t, "s85.fcs");
  const fcs::DataSet ds = fcs::read_fcs(dir / "s85.fcs");
  EXPECT_EQ(ds.event_count, 12000u);
  std::ifstream labels(dir / "s85.labels", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(labels)), std::istreambuf_iterator<char>());
  ASSERT_EQ(bytes.size(), 12000u);
  EXPECT_EQ(0, std::memcmp(bytes.data(), t.labels.data(), bytes.size()));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace mrdflow::synth
