// The generator's model: exact composition per scenario, determinism, truth consistency.
// Seeds used here differ from those of samples/ (101-105).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <numeric>
#include <set>

#include "common/error.h"
#include "generator.h"
#include "truth.h"

namespace mrdflow::synth {
namespace {

Tube make(const std::string& scenario, std::uint64_t seed, std::size_t events, Style style = Style::BD,
          int anomaly = -1) {
  GenerateRequest r;
  r.scenario = scenario;
  r.seed = seed;
  r.events = events;
  r.style = style;
  r.flow_anomaly = anomaly;
  return generate(r);
}

std::array<std::size_t, kPopulationCount> count_labels(const Tube& t) {
  std::array<std::size_t, kPopulationCount> c{};
  for (auto l : t.labels) {
    EXPECT_LT(l, kPopulationCount);
    if (l < kPopulationCount) ++c[l];
  }
  return c;
}

TEST(SynthModel, EveryScenarioIsListedAndCountsAddUp) {
  ASSERT_GE(scenarios().size(), 10u);
  for (const auto& s : scenarios()) {
    const Tube t = make(s.name, 7, 20000);
    EXPECT_EQ(t.labels.size(), 20000u) << s.name;
    EXPECT_EQ(t.values.size(), 20000u * t.channels.size()) << s.name;
    const auto c = count_labels(t);
    EXPECT_EQ(c, t.truth.counts) << s.name;
    EXPECT_EQ(std::accumulate(c.begin(), c.end(), std::size_t{0}), 20000u);
    std::size_t nucleated = 0, blasts = 0;
    for (std::size_t p = 0; p < kPopulationCount; ++p) {
      if (is_nucleated(Population(p))) nucleated += c[p];
      if (is_blast(Population(p))) blasts += c[p];
    }
    EXPECT_EQ(nucleated, t.truth.nucleated) << s.name;
    EXPECT_EQ(blasts, t.truth.blasts) << s.name;
    // Nuisance is always there: debris, doublets, dead cells, aggregates.
    for (auto p : {Population::Debris, Population::Doublet, Population::DeadCell, Population::Granulocyte,
                   Population::TCell, Population::ErythroidPrecursor})
      EXPECT_GT(c[static_cast<std::size_t>(p)], 0u) << s.name << " " << population_name(p);
  }
}

TEST(SynthModel, MrdLevelsMatchTheScenario) {
  EXPECT_NEAR(mrd_percent(make("mrd-5", 11, 100000).truth), 5.0, 0.002);
  EXPECT_NEAR(mrd_percent(make("mrd-0.1", 12, 200000).truth), 0.1, 0.0006);
  const Tube low = make("mrd-0.01", 13, 300000);
  EXPECT_NEAR(mrd_percent(low.truth), 0.01, 0.0004);
  const Tube loq = make("mrd-loq", 14, 200000);
  EXPECT_EQ(loq.truth.blasts, 50u);
  EXPECT_EQ(expected_mrd_status(loq.truth), "detected");
}

TEST(SynthModel, NegativeRegeneratingMarrowHasManyHematogonesAndNoBlasts) {
  for (std::uint64_t seed : {21u, 22u, 23u}) {
    const Tube t = make("negative-regenerating", seed, 50000);
    EXPECT_EQ(t.truth.blasts, 0u);
    const double hg = static_cast<double>(t.truth.hematogones) / static_cast<double>(t.truth.nucleated);
    EXPECT_GE(hg, 0.05);
    EXPECT_LE(hg, 0.15);
    // All three stages of the continuum are present.
    for (auto p : {Population::HematogoneI, Population::HematogoneII, Population::ImmatureB})
      EXPECT_GT(t.truth.counts[static_cast<std::size_t>(p)], 100u);
    EXPECT_EQ(expected_mrd_status(t.truth), "not_detected");
    EXPECT_EQ(expected_verdict(t.truth), "indeterminate");
    EXPECT_FALSE(cd19_percent_positive(t.truth).has_value());
  }
}

TEST(SynthModel, AntigenScenariosHaveTheirPositiveFractions) {
  const Tube neg = make("cd19neg-relapse", 31, 100000, Style::Beckman);
  EXPECT_EQ(*cd19_percent_positive(neg.truth), 0.0);
  EXPECT_EQ(*cd22_percent_positive(neg.truth), 100.0);
  EXPECT_NEAR(mrd_percent(neg.truth), 2.0, 0.01);
  EXPECT_EQ(expected_verdict(neg.truth), "not_eligible");
  // B-cell aplasia after CD19-directed therapy.
  EXPECT_LT(neg.truth.counts[static_cast<std::size_t>(Population::MatureB)] + neg.truth.hematogones,
            neg.truth.nucleated / 500);

  const Tube partial = make("cd22-partial", 32, 100000, Style::Cytek);
  EXPECT_NEAR(*cd22_percent_positive(partial.truth), 80.0, 0.1);
  EXPECT_EQ(*cd19_percent_positive(partial.truth), 100.0);
  EXPECT_EQ(expected_verdict(partial.truth), "not_eligible");

  for (std::uint64_t seed : {33u, 34u, 35u}) {
    const Tube under = make("cd19-under", seed, 100000);
    EXPECT_GE(*cd19_percent_positive(under.truth), 93.0);
    EXPECT_LE(*cd19_percent_positive(under.truth), 94.0);
    EXPECT_EQ(expected_verdict(under.truth), "not_eligible");
    const Tube over = make("cd19-over", seed, 100000);
    EXPECT_GE(*cd19_percent_positive(over.truth), 97.0);
    EXPECT_LE(*cd19_percent_positive(over.truth), 98.0);
    EXPECT_EQ(expected_verdict(over.truth), "eligible");
  }
  EXPECT_EQ(expected_verdict(make("cd22-dim", 36, 50000).truth), "eligible");
}

TEST(SynthModel, SameSeedSameEventsDifferentSeedDifferentEvents) {
  const Tube a = make("mrd-0.1", 41, 40000, Style::Cytek);
  const Tube b = make("mrd-0.1", 41, 40000, Style::Cytek);
  EXPECT_EQ(a.values, b.values);
  EXPECT_EQ(a.labels, b.labels);
  EXPECT_EQ(a.spillover, b.spillover);
  const Tube c = make("mrd-0.1", 42, 40000, Style::Cytek);
  EXPECT_NE(a.values, c.values);
  EXPECT_NE(a.labels, c.labels);
  EXPECT_NE(a.spillover, c.spillover);
}

TEST(SynthModel, SeedsVaryTheSample) {
  // Channel order, fractions and blast phenotype change with the seed.
  std::set<std::vector<std::string>> orders;
  std::set<std::size_t> granulocytes;
  std::set<std::vector<std::string>> aberrancies;
  for (std::uint64_t seed = 50; seed < 58; ++seed) {
    const Tube t = make("mrd-5", seed, 5000);
    std::vector<std::string> names;
    for (const auto& c : t.channels) names.push_back(c.name);
    orders.insert(names);
    granulocytes.insert(t.truth.counts[static_cast<std::size_t>(Population::Granulocyte)]);
    aberrancies.insert(t.model.blast.aberrancies);
    EXPECT_GE(t.model.blast.aberrancies.size(), 2u);
  }
  EXPECT_GE(orders.size(), 6u);
  EXPECT_GE(granulocytes.size(), 7u);
  EXPECT_GE(aberrancies.size(), 4u);
}

TEST(SynthModel, TruthJsonAgreesWithLabels) {
  const Tube t = make("cd22-partial", 61, 30000, Style::BD, 1);
  const auto j = nlohmann::json::parse(truth_json(t, "x.fcs"));
  EXPECT_EQ(j["schema"], "mrdflow-synth/truth/1");
  EXPECT_EQ(j["events_total"], 30000);
  const auto c = count_labels(t);
  std::size_t blasts = 0, nucleated = 0;
  for (const auto& p : j["populations"]) {
    const std::size_t code = p["code"];
    EXPECT_EQ(p["count"].get<std::size_t>(), c[code]);
    if (p["blast"].get<bool>()) blasts += c[code];
    if (p["nucleated"].get<bool>()) nucleated += c[code];
  }
  EXPECT_EQ(j["blast_events"].get<std::size_t>(), blasts);
  EXPECT_EQ(j["nucleated_events"].get<std::size_t>(), nucleated);
  EXPECT_DOUBLE_EQ(j["mrd_percent"].get<double>(), 100.0 * static_cast<double>(blasts) / static_cast<double>(nucleated));
  EXPECT_NEAR(j["blasts"]["cd22_percent_positive"].get<double>(), 80.0, 0.5);
  EXPECT_EQ(j["eligibility"]["verdict"], "not_eligible");
  EXPECT_EQ(j["labels"]["file"], "x.labels");
  ASSERT_TRUE(j["qc"]["flow_anomaly"].is_object());
  EXPECT_GT(j["qc"]["flow_anomaly"]["events"].get<std::size_t>(), 0u);
  EXPECT_EQ(j["panel"].size(), t.model.panel.stains.size());
}

TEST(SynthModel, RejectsBadRequests) {
  EXPECT_THROW(make("no-such-scenario", 1, 10000), Error);
  EXPECT_THROW(make("mrd-5", 1, 10), Error);
}

}  // namespace
}  // namespace mrdflow::synth
