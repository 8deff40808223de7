// Gating tree on synthetic events: each population equals a per-event brute-force check;
// malformed strategies fail with a message naming the gate.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "gates/shape_kernels.h"
#include "gates/strategy.h"

namespace g = mrdflow::gates;
namespace fcs = mrdflow::fcs;

namespace {

g::Dimension dim(const std::string& name, const std::string& comp = g::kUncompensated,
                 const std::string& xform = "") {
  return {g::Dimension::Kind::kChannel, name, comp, xform};
}

fcs::DataSet synthetic(std::size_t n) {
  fcs::DataSet data;
  data.file = "synthetic";
  for (const char* name : {"FSC-A", "SSC-A", "CD19", "CD10"}) {
    fcs::Channel c;
    c.name = name;
    data.channels.push_back(c);
  }
  data.event_count = n;
  data.events = fcs::EventMatrix(n, data.channels.size());
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal(50, 25);
  for (std::size_t c = 0; c < data.channels.size(); ++c) {
    for (auto& v : data.events.column(c)) v = normal(rng);
  }
  data.events(3, 2) = std::nan("");  // a NaN must never be inside
  return data;
}

g::GatingStrategy tree() {
  g::GatingStrategy s;
  s.add_transform("lin", mrdflow::transforms::Linear{100, 10});
  s.add_gate({"cells", "", g::PolygonGate{{dim("FSC-A"), dim("SSC-A")},
                                          {{10, 10}, {90, 10}, {90, 90}, {40, 70}, {10, 90}}}});
  s.add_gate({"blasts", "cells", g::RectangleGate{{dim("CD19", g::kUncompensated, "lin"), dim("CD10")},
                                                  {{0.4, std::nullopt}, {30.0, 80.0}}}});
  s.add_gate({"core", "", g::EllipsoidGate{{dim("CD19"), dim("CD10")}, {50, 50}, {400, 100, 100, 300}, 1.5}});
  s.add_gate({"quads", "cells",
              g::QuadrantGate{{{"x", dim("CD19"), {40, 60}}, {"y", dim("CD10"), {50}}},
                              {{"lowlow", {{"x", 0}, {"y", 0}}}, {"midhigh", {{"x", 50}, {"y", 50}}},
                               {"high", {{"x", 60}}}}}});
  s.add_gate({"notcore", "", g::BooleanGate{g::BooleanGate::Op::kNot, {{"core", false}}}});
  s.add_gate({"blast_or_q", "", g::BooleanGate{g::BooleanGate::Op::kOr, {{"blasts", false}, {"lowlow", false}}}});
  s.add_gate({"and_c", "cells", g::BooleanGate{g::BooleanGate::Op::kAnd, {{"high", false}, {"core", true}}}});
  return s;
}

}  // namespace

TEST(GatingStrategy, PopulationsMatchBruteForce) {
  const auto data = synthetic(100'003);
  const auto s = tree();
  const auto r = s.evaluate(data);
  EXPECT_EQ(s.population_ids(),
            (std::vector<std::string>{"cells", "blasts", "core", "lowlow", "midhigh", "high",
                                      "notcore", "blast_or_q", "and_c"}));
  const std::vector<g::Vertex> poly{{10, 10}, {90, 10}, {90, 90}, {40, 70}, {10, 90}};
  std::size_t n_cells = 0, n_blasts = 0, n_core = 0, n_high = 0, n_and = 0;
  for (std::size_t e = 0; e < data.event_count; ++e) {
    const double fsc = data.events(e, 0), ssc = data.events(e, 1), cd19 = data.events(e, 2),
                 cd10 = data.events(e, 3);
    const bool cells = mrdflow::gates::winding_number(poly, fsc, ssc) != 0 &&
                       !std::isnan(fsc) && !std::isnan(ssc);
    const bool blasts = cells && (cd19 + 10) / 110 >= 0.4 && cd10 >= 30 && cd10 < 80;
    const double dx = cd19 - 50, dy = cd10 - 50;
    // inverse of [[400,100],[100,300]] = [[300,-100],[-100,400]] / 110000
    const bool core = (300 * dx * dx - 200 * dx * dy + 400 * dy * dy) / 110000 <= 1.5;
    const bool lowlow = cells && cd19 < 40 && cd10 < 50;
    const bool midhigh = cells && cd19 >= 40 && cd19 < 60 && cd10 >= 50;
    const bool high = cells && cd19 >= 60;
    const bool and_c = cells && high && !core;
    ASSERT_EQ(r.at("cells").events.test(e), cells) << e;
    ASSERT_EQ(r.at("blasts").events.test(e), blasts) << e;
    ASSERT_EQ(r.at("core").events.test(e), core) << e;
    ASSERT_EQ(r.at("lowlow").events.test(e), lowlow) << e;
    ASSERT_EQ(r.at("midhigh").events.test(e), midhigh) << e;
    ASSERT_EQ(r.at("high").events.test(e), high) << e;
    ASSERT_EQ(r.at("notcore").events.test(e), !core) << e;
    ASSERT_EQ(r.at("blast_or_q").events.test(e), blasts || lowlow) << e;
    ASSERT_EQ(r.at("and_c").events.test(e), and_c) << e;
    n_cells += cells;
    n_blasts += blasts;
    n_core += core;
    n_high += high;
    n_and += and_c;
  }
  // Every population is non-trivial, so the comparison above means something.
  for (std::size_t n : {n_cells, n_blasts, n_core, n_high, n_and}) {
    EXPECT_GT(n, 100u);
    EXPECT_LT(n, data.event_count);
  }
  EXPECT_FALSE(r.at("core").events.test(3));  // the NaN event
  EXPECT_EQ(r.at("blasts").count, n_blasts);
  EXPECT_EQ(r.at("blasts").parent_count, n_cells);
  EXPECT_EQ(r.at("cells").parent_count, data.event_count);
  EXPECT_DOUBLE_EQ(r.at("blasts").percent_of_parent(), 100.0 * n_blasts / n_cells);
}

TEST(GatingStrategy, FileCompensationWithoutSpilloverWarns) {
  const auto data = synthetic(1000);
  g::GatingStrategy s;
  s.add_gate({"r", "", g::RectangleGate{{dim("CD19", g::kFileCompensation)}, {{40.0, 60.0}}}});
  const auto r = s.evaluate(data);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("no spillover"), std::string::npos);
  EXPECT_GT(r.at("r").count, 0u);
}

TEST(GatingStrategy, SpectrumMatrixCompensatesByFluorochromeName) {
  auto data = synthetic(5000);
  g::GatingStrategy s;
  // CD19 detector sees 20 % of CD10's fluorochrome: observed CD19 = true19 + 0.2 true10.
  s.add_matrix("spill", {"spill", {"PE", "APC"}, {"CD19", "CD10"}, {1, 0, 0.2, 1}});
  s.add_gate({"pe", "", g::RectangleGate{{dim("PE", "spill")}, {{40.0, 60.0}}}});
  const auto r = s.evaluate(data);
  std::size_t n = 0;
  for (std::size_t e = 0; e < data.event_count; ++e) {
    const double pe = data.events(e, 2) - 0.2 * data.events(e, 3);
    const bool expected = pe >= 40 && pe < 60;
    // skip events within rounding distance of a bound
    if (std::abs(pe - 40) < 1e-9 || std::abs(pe - 60) < 1e-9) continue;
    ASSERT_EQ(r.at("pe").events.test(e), expected) << e;
    n += expected;
  }
  EXPECT_GT(n, 100u);
}

namespace {
std::string validation_error(const g::GatingStrategy& s) {
  try {
    s.validate();
  } catch (const g::StrategyError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(GatingStrategy, ValidationNamesTheProblem) {
  {
    g::GatingStrategy s;
    s.add_gate({"a", "b", g::RectangleGate{{dim("X")}, {{0.0, 1.0}}}});
    s.add_gate({"b", "a", g::RectangleGate{{dim("X")}, {{0.0, 1.0}}}});
    const auto msg = validation_error(s);
    EXPECT_NE(msg.find("cyclic"), std::string::npos) << msg;
  }
  {
    g::GatingStrategy s;
    s.add_gate({"a", "nope", g::RectangleGate{{dim("X")}, {{0.0, 1.0}}}});
    EXPECT_NE(validation_error(s).find("undefined parent gate 'nope'"), std::string::npos);
  }
  {
    g::GatingStrategy s;
    s.add_gate({"a", "", g::RectangleGate{{dim("X")}, {{0.0, 1.0}}}});
    s.add_gate({"n", "", g::BooleanGate{g::BooleanGate::Op::kNot, {{"a", false}, {"a", false}}}});
    EXPECT_NE(validation_error(s).find("exactly 1 operand"), std::string::npos);
  }
  {
    g::GatingStrategy s;
    s.add_gate({"a", "", g::RectangleGate{{dim("X")}, {{0.0, 1.0}}}});
    s.add_gate({"o", "", g::BooleanGate{g::BooleanGate::Op::kOr, {{"a", false}}}});
    EXPECT_NE(validation_error(s).find("at least 2 operands"), std::string::npos);
  }
  {
    g::GatingStrategy s;  // boolean operand cycle
    s.add_gate({"a", "", g::RectangleGate{{dim("X")}, {{0.0, 1.0}}}});
    s.add_gate({"x", "", g::BooleanGate{g::BooleanGate::Op::kAnd, {{"a", false}, {"y", false}}}});
    s.add_gate({"y", "", g::BooleanGate{g::BooleanGate::Op::kAnd, {{"a", false}, {"x", false}}}});
    EXPECT_NE(validation_error(s).find("cyclic"), std::string::npos);
  }
  {
    g::GatingStrategy s;
    s.add_gate({"a", "", g::RectangleGate{{dim("X", "missing")}, {{0.0, 1.0}}}});
    EXPECT_NE(validation_error(s).find("undefined spectrum matrix 'missing'"), std::string::npos);
  }
  {
    g::GatingStrategy s;
    s.add_gate({"a", "", g::RectangleGate{{dim("X", g::kUncompensated, "nolog")}, {{0.0, 1.0}}}});
    EXPECT_NE(validation_error(s).find("undefined transformation 'nolog'"), std::string::npos);
  }
  {
    g::GatingStrategy s;
    s.add_gate({"p", "", g::PolygonGate{{dim("X"), dim("Y")}, {{0, 0}, {1, 1}}}});
    EXPECT_NE(validation_error(s).find("at least 3 vertices"), std::string::npos);
  }
  {
    g::GatingStrategy s;
    s.add_gate({"q", "", g::QuadrantGate{{{"d", dim("X"), {1}}}, {{"q1", {{"d", 0}}}}}});
    s.add_gate({"c", "q", g::RectangleGate{{dim("X")}, {{0.0, 1.0}}}});
    EXPECT_NE(validation_error(s).find("is a QuadrantGate"), std::string::npos);
  }
  {
    g::GatingStrategy s;
    s.add_gate({"a", "", g::RectangleGate{{dim("X")}, {{0.0, 1.0}}}});
    s.add_gate({"a", "", g::RectangleGate{{dim("X")}, {{0.0, 1.0}}}});
    EXPECT_NE(validation_error(s).find("duplicate gate id"), std::string::npos);
  }
}

TEST(GatingStrategy, UnknownChannelNamesGateAndChannel) {
  const auto data = synthetic(10);
  g::GatingStrategy s;
  s.add_gate({"r", "", g::RectangleGate{{dim("CD34")}, {{0.0, 1.0}}}});
  try {
    s.evaluate(data);
    FAIL() << "expected an error";
  } catch (const mrdflow::Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("'r'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("CD34"), std::string::npos) << msg;
  }
}
