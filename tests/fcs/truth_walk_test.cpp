// Walks ../shared/testdata: every FCS file with a <file>.truth.json (FlowIO, raw values) and
// every one with a <file>.flowcore.json (flowCore read.FCS defaults) is read and compared.
// Files added to the folder later are covered automatically.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <set>

#include "support/testdata.h"
#include "fcs_builder.h"
#include "truth_support.h"

namespace mrdflow::fcs_test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// flowCore trims $PnS (and reports "" for absent or blank markers).
std::string trimmed(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

std::string rel(const fs::path& p) { return fs::relative(p, testing::testdata_dir()).string(); }

void expect_names_and_keywords(const fcs::DataSet& ds, const json& t);
void expect_events(const fcs::DataSet& ds, const json& t);

// Reads in raw mode. A spillover naming a channel that is not a $PnN is an FcsError by
// default; such a file is read again with strict_spillover=false (warning, no spillover).
fcs::DataSet read_raw(const fs::path& file, std::size_t dataset = 0) {
  fcs::ReadOptions raw;
  raw.raw = true;
  raw.dataset = dataset;
  try {
    return fcs::read_fcs(file, raw);
  } catch (const fcs::FcsError& e) {
    const auto k = fcs::to_lower(e.keyword());
    if (k.find("spill") == std::string::npos && k != "$comp") throw;
    raw.strict_spillover = false;
    auto ds = fcs::read_fcs(file, raw);
    EXPECT_FALSE(ds.spillover.has_value());
    EXPECT_TRUE(has_warning(ds, "spillover ignored"));
    return ds;
  }
}

// Compares one data set read in raw mode with one truth data set block.
void expect_matches_truth(const fcs::DataSet& ds, const json& t) {
  EXPECT_EQ(ds.version(), "FCS" + t.at("fcs_version").get<std::string>());
  EXPECT_EQ(ds.event_count, t.at("tot").get<std::size_t>());
  ASSERT_EQ(ds.channels.size(), t.at("pnn").size());
  if (has_warning(ds, "empty keyword values")) {
    // FCS 2.0 files from CellQuest write empty values as doubled delimiters
    // ("\$P3S\\$P4S\\$P6N\FL1-A\"). FlowIO applies the escape rule and loses $P6N
    // (its pnn[5] is ""); flowCore's naive split, and we, read $P6N = FL1-A. Names and
    // keywords are checked against flowcore.json (DefaultValuesMatchFlowCore) instead.
    EXPECT_NE(ds.channels.size(), 0u);
  } else {
    expect_names_and_keywords(ds, t);
  }
  expect_events(ds, t);
}

void expect_names_and_keywords(const fcs::DataSet& ds, const json& t) {
  for (std::size_t i = 0; i < ds.channels.size(); ++i) {
    EXPECT_EQ(ds.channels[i].name, t["pnn"][i].get<std::string>()) << "channel " << i + 1;
    EXPECT_EQ(ds.channels[i].marker, t["pns"][i].get<std::string>()) << "channel " << i + 1;
  }
  // Keywords, after the truth's normalisation.
  const auto ours = normalised_keywords(ds.keywords);
  std::map<std::string, std::string> theirs;
  for (const auto& [k, v] : t.at("text").items()) theirs[k] = v.get<std::string>();
  for (const auto& [k, v] : theirs) {
    const auto it = ours.find(k);
    if (it == ours.end()) {
      ADD_FAILURE() << "keyword " << k << " missing";
      continue;
    }
    EXPECT_EQ(it->second.substr(0, 200), v.substr(0, 200)) << "keyword " << k;
    EXPECT_EQ(it->second, v) << "keyword " << k << " (long value differs)";
  }
  // FlowIO ignores supplemental TEXT; our extra keywords must come from there.
  std::string stext;
  if (const auto b = ds.keywords.get("$BEGINSTEXT"), e = ds.keywords.get("$ENDSTEXT"); b && e && std::stoll(*b) > 0) {
    std::ifstream in(ds.file, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto sb = static_cast<std::size_t>(std::stoll(*b)), se = static_cast<std::size_t>(std::stoll(*e));
    if (se < bytes.size() && sb <= se) stext = fcs::to_lower(bytes.substr(sb, se - sb + 1));
  }
  for (const auto& [k, v] : ours) {
    if (theirs.contains(k)) continue;
    EXPECT_NE(stext.find(k), std::string::npos) << "extra keyword " << k << " not from supplemental TEXT";
  }
}

void expect_events(const fcs::DataSet& ds, const json& t) {
  const auto& ev = t.at("events");
  if (ev.is_null()) return;  // FlowIO could not decode; flowcore.json covers the values
  EXPECT_EQ(rows_sha256(ds.events), ev.at("sha256_f64le").get<std::string>()) << "raw event values";
  for (std::size_t r = 0; r < ev["first_events"].size() && r < ds.event_count; ++r)
    for (std::size_t c = 0; c < ds.channels.size(); ++c)
      EXPECT_EQ(ds.events(r, c), json_number(ev["first_events"][r][c])) << "event " << r << " channel " << c;
  if (t.contains("preprocessed") && t["preprocessed"].is_object() && t["preprocessed"].contains("per_channel")) {
    const auto pre = preprocessed(ds);
    const auto& pc = t["preprocessed"]["per_channel"];
    for (std::size_t c = 0; c < pc.size() && c < ds.channels.size(); ++c) {
      const auto s = column_stats(pre.column(c));
      EXPECT_TRUE(close_rel(s.min, json_number(pc[c]["min"]), 1e-12)) << "preprocessed min, channel " << c;
      EXPECT_TRUE(close_rel(s.max, json_number(pc[c]["max"]), 1e-12)) << "preprocessed max, channel " << c;
      EXPECT_TRUE(close_rel(s.mean, json_number(pc[c]["mean"]), 1e-12))
          << "preprocessed mean, channel " << c << ": " << s.mean << " vs " << pc[c]["mean"];
    }
  }
}

TEST(FcsTruthWalk, EveryFileMatchesItsIndependentTruth) {
  MRDFLOW_REQUIRE_TESTDATA();
  const auto files = files_with(testing::testdata_dir(), ".truth.json");
  ASSERT_FALSE(files.empty());
  std::size_t compared = 0, refused = 0;
  for (const auto& file : files) {
    SCOPED_TRACE(rel(file));
    auto truth_path = file;
    truth_path += ".truth.json";
    const auto truth = load_json(truth_path);
    const auto mode = truth.at("default_read").get<std::string>();
    fcs::ReadOptions raw;
    raw.raw = true;
    try {
    if (mode == "ok") {
      const auto ds = read_raw(file);
      expect_matches_truth(ds, truth);
      EXPECT_EQ(ds.dataset_count, truth.value("n_datasets", 1));
      ++compared;
    } else if (mode == "multiple_data_sets") {
      const auto& lenient = truth.at("lenient_read");
      const auto& sets = lenient.at("datasets");
      for (std::size_t k = 0; k < sets.size(); ++k) {
        SCOPED_TRACE("data set " + std::to_string(k));
        const auto ds = read_raw(file, k);
        EXPECT_EQ(ds.dataset_count, lenient.at("n_datasets").get<std::size_t>());
        EXPECT_EQ(ds.dataset_index, k);
        expect_matches_truth(ds, sets[k]);
        ++compared;
      }
    } else if (truth.contains("lenient_read") && !truth["lenient_read"].is_null()) {
      // FlowIO refused by default (off-by-one $ENDDATA, HEADER/TEXT offset discrepancy) and
      // read it with a tolerance option: we read it, say so in a warning, and match its values.
      const auto ds = read_raw(file);
      EXPECT_FALSE(ds.warnings.empty()) << "a tolerated deviation must be reported";
      expect_matches_truth(ds, truth["lenient_read"]);
      ++compared;
    } else {
      // No reader could decode it: a clear one-line FcsError naming the file.
      try {
        (void)fcs::read_fcs(file, raw);
        ADD_FAILURE() << "expected an FcsError";
      } catch (const fcs::FcsError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find(file.filename().string()), std::string::npos) << what;
        EXPECT_EQ(what.find('\n'), std::string::npos) << what;
        ++refused;
      }
    }
    } catch (const std::exception& e) {
      ADD_FAILURE() << rel(file) << ": unexpected exception: " << e.what();
    }
  }
  std::cout << "[truth] " << compared << " data sets matched, " << refused << " files refused\n";
  EXPECT_GT(compared, 20u);
}

// flowCore 2.10 reads 24-bit integers ($PnB 24, size 3 in readBin) bit by bit, least
// significant byte first, whatever $BYTEORD says. For big-endian 24-bit files (Cytek xP5,
// FlowCal Data003) its values are therefore byte-swapped garbage; we decode by $BYTEORD.
// The test shows our raw values, pushed through flowCore's misreading, give flowCore's numbers.
double flowcore_24bit_misread(double correct, const fcs::Channel& ch) {
  const auto v = static_cast<std::uint32_t>(correct);
  const std::uint32_t swapped = ((v & 0xFF) << 16) | (v & 0xFF00) | ((v >> 16) & 0xFF);
  std::uint32_t used = 0;
  while (used < 32 && static_cast<double>(1u << used) < ch.range) ++used;
  double x = used < 24 ? static_cast<double>(swapped % (1u << used)) : swapped;
  if (x > std::trunc(ch.range)) x = std::trunc(ch.range);
  if (ch.log_decades > 0) x = std::pow(10.0, x / std::trunc(ch.range) * ch.log_decades) * (ch.log_offset == 0 ? 1 : ch.log_offset);
  return x;
}

bool big_endian_24bit(const fcs::DataSet& ds) {
  const auto* bo = ds.keywords.find("$BYTEORD");
  if (bo == nullptr || *bo != "4,3,2,1") return false;
  for (const auto& ch : ds.channels)
    if (ch.bits == 24 && ch.datatype == 'I') return true;
  return false;
}

TEST(FcsTruthWalk, DefaultValuesMatchFlowCore) {
  MRDFLOW_REQUIRE_TESTDATA();
  const auto files = files_with(testing::testdata_dir(), ".flowcore.json");
  ASSERT_FALSE(files.empty());
  std::size_t compared = 0;
  for (const auto& file : files) {
    SCOPED_TRACE(rel(file));
    auto fc_path = file;
    fc_path += ".flowcore.json";
    const auto fc = load_json(fc_path);
    if (fc.at("read") != "ok") continue;  // see FlowCoreRefusals below
    const auto ds = fcs::read_fcs(file);
    ASSERT_EQ(ds.event_count, fc.at("n_events").get<std::size_t>());
    ASSERT_EQ(ds.channels.size(), fc.at("n_channels").get<std::size_t>());
    for (std::size_t c = 0; c < ds.channels.size(); ++c) {
      EXPECT_EQ(ds.channels[c].name, fc["pnn"][c].get<std::string>());
      EXPECT_EQ(trimmed(ds.channels[c].marker), fc["pns"][c].get<std::string>());
      EXPECT_EQ(ds.channels[c].max_value, json_number(fc["range"][c])) << "range of channel " << c;
    }
    const bool misread = big_endian_24bit(ds);
    fcs::DataSet shown = ds;
    if (misread) {
      auto raw_opts = fcs::ReadOptions{};
      raw_opts.raw = true;
      const auto raw = fcs::read_fcs(file, raw_opts);
      for (std::size_t c = 0; c < ds.channels.size(); ++c)
        for (std::size_t e = 0; e < ds.event_count; ++e)
          shown.events(e, c) = flowcore_24bit_misread(raw.events(e, c), ds.channels[c]);
      // And our own values are not flowCore's here: the first event's FSC differs.
      std::cout << "[flowcore] " << rel(file) << ": big-endian 24-bit, flowCore misreads; emulated\n";
    }
    for (std::size_t c = 0; c < ds.channels.size(); ++c) {
      const auto s = column_stats(shown.events.column(c));
      const auto& pc = fc["per_channel"][c];
      EXPECT_TRUE(close_rel(s.min, json_number(pc["min"]), 1e-9)) << "min of " << ds.channels[c].name << ": " << s.min << " vs " << pc["min"];
      EXPECT_TRUE(close_rel(s.max, json_number(pc["max"]), 1e-9)) << "max of " << ds.channels[c].name << ": " << s.max << " vs " << pc["max"];
      EXPECT_TRUE(close_rel(s.mean, json_number(pc["mean"]), 1e-9)) << "mean of " << ds.channels[c].name << ": " << s.mean << " vs " << pc["mean"];
    }
    const auto& first = fc["first_events"];
    for (std::size_t r = 0; r < first.size(); ++r)
      for (std::size_t c = 0; c < ds.channels.size(); ++c)
        EXPECT_TRUE(close_rel(shown.events(r, c), json_number(first[r][c]), 1e-9))
            << "event " << r << " channel " << c << ": " << shown.events(r, c) << " vs " << first[r][c];
    if (fc.contains("spillover") && !fc["spillover"].is_null()) {
      ASSERT_TRUE(ds.spillover.has_value());
      const auto& sp = fc["spillover"];
      EXPECT_EQ(ds.spillover->keyword, sp.at("keyword").get<std::string>());
      EXPECT_EQ(ds.spillover->channels, sp.at("channels").get<std::vector<std::string>>());
      const auto& m = sp.at("matrix");
      for (std::size_t r = 0; r < m.size(); ++r)
        for (std::size_t c = 0; c < m[r].size(); ++c)
          EXPECT_TRUE(close_rel(ds.spillover->at(r, c), json_number(m[r][c]), 1e-12));
    }
    ++compared;
  }
  std::cout << "[flowcore] " << compared << " files matched flowCore's defaults\n";
  EXPECT_GT(compared, 15u);
}

}  // namespace
}  // namespace mrdflow::fcs_test
