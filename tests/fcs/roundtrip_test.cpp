// write -> read gives back the same values (float32-exact ones exactly) and the same keywords,
// on every readable shared file and on synthetic data with awkward names and keywords.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "fcs_builder.h"
#include "support/testdata.h"
#include "truth_support.h"

namespace mrdflow::fcs_test {
namespace {

// Keywords the writer computes (offsets, layout); everything else must come back verbatim.
bool writer_owned(const std::string& name) {
  static const char* fixed[] = {"$BEGINANALYSIS", "$ENDANALYSIS", "$BEGINSTEXT", "$ENDSTEXT",
                                "$BEGINDATA",     "$ENDDATA",     "$BYTEORD",    "$DATATYPE",
                                "$MODE",          "$NEXTDATA",    "$PAR",        "$TOT"};
  for (const char* f : fixed)
    if (fcs::iequals(name, f)) return true;
  const auto l = fcs::to_lower(name);
  if (l.size() > 3 && l[0] == '$' && l[1] == 'p' && std::isdigit(static_cast<unsigned char>(l[2]))) {
    std::size_t i = 2;
    while (i < l.size() && std::isdigit(static_cast<unsigned char>(l[i]))) ++i;
    const auto s = l.substr(i);
    return s == "b" || s == "e" || s == "r" || s == "datatype";
  }
  return false;
}

void expect_same(const fcs::DataSet& a, const fcs::DataSet& b) {
  ASSERT_EQ(a.channels.size(), b.channels.size());
  ASSERT_EQ(a.event_count, b.event_count);
  for (std::size_t c = 0; c < a.channels.size(); ++c) {
    EXPECT_EQ(a.channels[c].name, b.channels[c].name);
    // FCS forbids empty values: an empty $PnS that was present is written as " ".
    if (a.channels[c].marker.empty()) EXPECT_TRUE(b.channels[c].marker == "" || b.channels[c].marker == " ");
    else EXPECT_EQ(a.channels[c].marker, b.channels[c].marker);
    EXPECT_EQ(a.channels[c].range, b.channels[c].range);
    EXPECT_EQ(a.channels[c].gain, b.channels[c].gain);
  }
  std::size_t exact = 0, inexact = 0;
  for (std::size_t c = 0; c < a.channels.size(); ++c)
    for (std::size_t e = 0; e < a.event_count; ++e) {
      const double v = a.events(e, c), w = b.events(e, c);
      const double as_float = static_cast<double>(static_cast<float>(v));
      if (std::isnan(v)) {
        EXPECT_TRUE(std::isnan(w));
        continue;
      }
      EXPECT_EQ(w, as_float);  // float32 storage: the nearest float
      if (as_float == v) {
        ++exact;
        EXPECT_EQ(w, v);
      } else {
        ++inexact;
      }
    }
  EXPECT_EQ(inexact, 0u) << "values that are not float32-representable (raw file data should be)";
  for (const auto& k : a.keywords.all()) {
    if (writer_owned(k.name)) continue;
    const auto* v = b.keywords.find(k.name);
    ASSERT_NE(v, nullptr) << "keyword " << k.name << " lost";
    EXPECT_EQ(*v, k.value.empty() ? " " : k.value) << "keyword " << k.name;
  }
  EXPECT_EQ(a.spillover.has_value(), b.spillover.has_value());
  if (a.spillover && b.spillover) {
    EXPECT_EQ(a.spillover->channels, b.spillover->channels);
    EXPECT_EQ(a.spillover->values, b.spillover->values);
  }
}

TEST(FcsRoundTrip, EveryReadableSharedFile) {
  MRDFLOW_REQUIRE_TESTDATA();
  std::size_t n = 0;
  for (const auto& file : files_with(testing::testdata_dir(), ".truth.json")) {
    SCOPED_TRACE(file.string());
    fcs::ReadOptions o;
    o.raw = true;  // as encoded: float32 or integers below 2^24, all float32-exact
    o.strict_spillover = false;
    fcs::DataSet original;
    try {
      original = fcs::read_fcs(file, o);
    } catch (const fcs::FcsError&) {
      continue;  // unreadable files are covered by the truth walk
    }
    const auto bytes = fcs::to_fcs_bytes(original);
    const auto back = read(bytes, o);
    EXPECT_EQ(back.version(), "FCS3.1");
    expect_same(original, back);
    ++n;
  }
  EXPECT_GT(n, 20u);
}

TEST(FcsRoundTrip, SyntheticAwkwardNamesKeywordsAndSpillover) {
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<float> value(-1e5f, 1e6f);
  fcs::DataSet ds;
  ds.file = "synthetic";
  const std::vector<std::string> names = {"FSC-A", "CD19 / PE", "a|b\\c", "µ-Time ™", "x,y", "SSC//W"};
  for (std::size_t i = 0; i < names.size(); ++i) {
    fcs::Channel ch;
    ch.name = names[i];
    ch.marker = i % 2 ? "Marker/" + std::to_string(i) + "/" : "";
    ch.range = 262144;
    ch.gain = i == 3 ? 0.5 : 1;
    ds.channels.push_back(ch);
  }
  ds.event_count = 5000;
  ds.events = fcs::EventMatrix(ds.event_count, names.size());
  for (double& v : ds.events.values()) v = value(rng);
  ds.events(0, 0) = std::numeric_limits<float>::denorm_min();
  ds.events(1, 0) = -0.0;
  for (int k = 0; k < 1000; ++k)
    ds.keywords.set("KEY" + std::to_string(k) + (k % 7 == 0 ? "/slash" : ""),
                    "value /" + std::to_string(k) + "// |\\ " + std::string(static_cast<std::size_t>(k % 5), '/'));
  ds.keywords.set("$CYT", "Cytometer/With/Slashes");
  ds.spillover = fcs::Spillover{"$SPILLOVER", {"CD19 / PE", "a|b\\c"}, {1, 0.0123456789012345, 0.1, 1}};
  ds.keywords.set("$SPILLOVER", "stale text that must be replaced");
  const auto bytes = fcs::to_fcs_bytes(ds);
  fcs::ReadOptions o;
  o.raw = true;
  const auto back = read(bytes, o);
  // The writer replaced the stale $SPILLOVER text with the matrix it holds.
  EXPECT_EQ(back.keywords.get("$SPILLOVER"), "2,CD19 / PE,a|b\\c,1,0.0123456789012345,0.1,1");
  ds.keywords.set("$SPILLOVER", *back.keywords.get("$SPILLOVER"));
  expect_same(ds, back);
  // and through the file system, atomically
  const auto path = std::filesystem::temp_directory_path() / "mrdflow_fcs_roundtrip_test.fcs";
  fcs::write_fcs(path, ds);
  const auto from_disk = fcs::read_fcs(path, o);
  expect_same(ds, from_disk);
  std::filesystem::remove(path);
}

TEST(FcsRoundTrip, HeaderOffsetsAndFixedWidthTextOffsets) {
  fcs::DataSet ds;
  fcs::Channel ch;
  ch.name = "A";
  ch.range = 1024;
  ds.channels = {ch};
  ds.event_count = 3;
  ds.events = fcs::EventMatrix(3, 1);
  ds.events(0, 0) = 1;
  ds.events(1, 0) = 2;
  ds.events(2, 0) = 3;
  const auto bytes = fcs::to_fcs_bytes(ds);
  EXPECT_EQ(bytes.substr(0, 10), "FCS3.1    ");
  const auto begin = std::stoll(bytes.substr(26, 8)), end = std::stoll(bytes.substr(34, 8));
  EXPECT_EQ(end - begin + 1, 12);
  EXPECT_EQ(static_cast<std::size_t>(end + 1), bytes.size());
  EXPECT_NE(bytes.find("$BEGINDATA/" + std::string(20 - std::to_string(begin).size(), '0') + std::to_string(begin)),
            std::string::npos);
  const auto back = read(bytes);
  EXPECT_TRUE(back.warnings.empty()) << back.warnings.front();
  EXPECT_EQ(back.events(2, 0), 3);
}

}  // namespace
}  // namespace mrdflow::fcs_test
