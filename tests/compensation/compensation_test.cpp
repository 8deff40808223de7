// Compensation: hand-computed small cases, error cases, matrix file formats, and a real file.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "common/error.h"
#include "compensation/compensation.h"
#include "support/testdata.h"

namespace mrdflow::compensation {
namespace {

std::vector<fcs::Channel> channels(std::initializer_list<const char*> names) {
  std::vector<fcs::Channel> out;
  for (const char* n : names) {
    fcs::Channel c;
    c.name = n;
    out.push_back(c);
  }
  return out;
}

fcs::EventMatrix events_from_rows(const std::vector<std::vector<double>>& rows) {
  fcs::EventMatrix m(rows.size(), rows.empty() ? 0 : rows[0].size());
  for (std::size_t e = 0; e < rows.size(); ++e)
    for (std::size_t c = 0; c < rows[e].size(); ++c) m(e, c) = rows[e][c];
  return m;
}

std::string error_of(auto&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), "compensation");
    return e.what();
  }
  return "no error";
}

TEST(Compensation, TwoColourByHand) {
  // S = [[1, 0.1], [0.2, 1]]; inv(S) = [[1, -0.1], [-0.2, 1]] / 0.98.
  // c1 = (o1 - 0.2 o2) / 0.98, c2 = (o2 - 0.1 o1) / 0.98.
  SpilloverMatrix s{"test", {"FL1", "FL2"}, {"FL1", "FL2"}, {1, 0.1, 0.2, 1}};
  // Data has the channels in another order plus an untouched channel.
  const auto chans = channels({"FSC", "FL2", "FL1"});
  fcs::EventMatrix ev = events_from_rows({{5, 200, 1000}, {6, -50, 10}, {7, 0, 0}});
  Compensator comp(s, chans);
  EXPECT_EQ(comp.columns(), (std::vector<std::size_t>{2, 1}));
  comp.apply(ev);
  const double o[3][2] = {{1000, 200}, {10, -50}, {0, 0}};
  for (int e = 0; e < 3; ++e) {
    EXPECT_NEAR(ev(e, 2), (o[e][0] - 0.2 * o[e][1]) / 0.98, 1e-12);
    EXPECT_NEAR(ev(e, 1), (o[e][1] - 0.1 * o[e][0]) / 0.98, 1e-12);
    EXPECT_EQ(ev(e, 0), 5 + e);  // FSC untouched
  }
  EXPECT_NEAR(ev(0, 2), 979.5918367346939, 1e-9);  // (1000 - 40) / 0.98
}

TEST(Compensation, ThreeColourRecoversTrueAbundancesOverManyBlocks) {
  // Observed = true * S; compensation must give back `true` for every event, over several
  // 512-event blocks and the OpenMP path (blocks > 4).
  SpilloverMatrix s{"MySpill", {"FITC", "PE", "PerCP"}, {"FL1-H", "FL2-H", "FL3-H"},
                    {1, 0.02, 0.06, 0.11, 1, 0.07, 0.09, 0.01, 1}};
  const auto chans = channels({"FL1-H", "FL2-H", "FL3-H", "Time"});
  const std::size_t n = 5000;
  fcs::EventMatrix ev(n, 4), truth(n, 3);
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(-200, 50000);
  for (std::size_t e = 0; e < n; ++e) {
    for (int k = 0; k < 3; ++k) truth(e, k) = u(rng);
    for (int j = 0; j < 3; ++j) {
      double o = 0;
      for (int k = 0; k < 3; ++k) o += truth(e, k) * s.at(k, j);
      ev(e, j) = o;
    }
    ev(e, 3) = double(e);
  }
  Compensator comp(s, chans);
  EXPECT_EQ(comp.fluorochrome_index("pe"), 1u);
  const fcs::EventMatrix unmixed = comp.unmix(ev);
  ASSERT_EQ(unmixed.channels(), 3u);
  comp.apply(ev);
  for (std::size_t e = 0; e < n; ++e) {
    for (int k = 0; k < 3; ++k) {
      ASSERT_NEAR(ev(e, k), truth(e, k), 1e-9 * (std::fabs(truth(e, k)) + 1)) << e;
      ASSERT_EQ(unmixed(e, k), ev(e, k));
    }
    ASSERT_EQ(ev(e, 3), double(e));
  }
}

TEST(Compensation, NonSquareSpectrumMatrixUsesLeastSquares) {
  // 2 fluorochromes on 3 detectors; observed built exactly from known abundances.
  SpilloverMatrix s{"spectrum", {"A", "B"}, {"D1", "D2", "D3"}, {1, 0.5, 0.1, 0.2, 1, 0.7}};
  const auto chans = channels({"D1", "D2", "D3"});
  const double a = 300, b = -40;
  fcs::EventMatrix ev = events_from_rows({{a * 1 + b * 0.2, a * 0.5 + b * 1, a * 0.1 + b * 0.7}});
  Compensator comp(s, chans);
  const fcs::EventMatrix out = comp.unmix(ev);
  ASSERT_EQ(out.channels(), 2u);
  EXPECT_NEAR(out(0, 0), a, 1e-9);
  EXPECT_NEAR(out(0, 1), b, 1e-9);
  EXPECT_NE(error_of([&] { comp.apply(ev); }).find("needs a square matrix"), std::string::npos);
}

TEST(Compensation, SingularMatrixIsRejected) {
  SpilloverMatrix s{"bad.csv", {"FL1", "FL2"}, {"FL1", "FL2"}, {1, 2, 0.5, 1}};  // rows dependent
  const std::string msg = error_of([&] { Compensator(s, channels({"FL1", "FL2"})); });
  EXPECT_NE(msg.find("bad.csv"), std::string::npos) << msg;
  EXPECT_NE(msg.find("singular"), std::string::npos) << msg;
  SpilloverMatrix rank_deficient{"spec", {"A", "B"}, {"D1", "D2", "D3"}, {1, 2, 3, 2, 4, 6}};
  EXPECT_NE(error_of([&] { Compensator(rank_deficient, channels({"D1", "D2", "D3"})); }).find("rank 1"),
            std::string::npos);
}

TEST(Compensation, UnknownChannelIsNamed) {
  SpilloverMatrix s{"$SPILLOVER", {"FL1", "PE-Cy7-A"}, {"FL1", "PE-Cy7-A"}, {1, 0, 0, 1}};
  const std::string msg = error_of([&] { Compensator(s, channels({"FL1", "FL2"})); });
  EXPECT_NE(msg.find("'PE-Cy7-A'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("channels: FL1, FL2"), std::string::npos) << msg;
  // Case-insensitive fallback still binds.
  EXPECT_NO_THROW(Compensator(s, channels({"fl1", "pe-cy7-a"})));
}

TEST(Compensation, MalformedMatricesAreRejected) {
  EXPECT_NE(error_of([] { validate(SpilloverMatrix{"m", {"A"}, {"A"}, {NAN}}); }).find("not a finite number"),
            std::string::npos);
  EXPECT_NE(error_of([] { validate(SpilloverMatrix{"m", {"A", "A"}, {"A", "A"}, {1, 0, 0, 1}}); }).find("twice"),
            std::string::npos);
  EXPECT_NE(error_of([] { validate(SpilloverMatrix{"m", {"A"}, {"A", "B"}, {1}}); }).find("holds 1 values"),
            std::string::npos);
  EXPECT_NE(error_of([] { validate(SpilloverMatrix{}); }).find("empty"), std::string::npos);
}

TEST(Compensation, IdentityLeavesDataUnchanged) {
  const SpilloverMatrix id = identity({"FL1", "FL2", "FL3"});
  EXPECT_EQ(id.source, "identity");
  fcs::EventMatrix ev = events_from_rows({{1.5, -2.25, 1e6}, {0, 3, -7}});
  const fcs::EventMatrix before = ev;
  Compensator(id, channels({"FL1", "FL2", "FL3"})).apply(ev);
  for (std::size_t i = 0; i < ev.values().size(); ++i) EXPECT_EQ(ev.values()[i], before.values()[i]);
}

TEST(MatrixText, CsvWithHeaderAndOptionalRowNames) {
  const SpilloverMatrix a = parse_matrix_text("A,B\n1,0.1\n0.2,1\n", "a.csv");
  EXPECT_EQ(a.detectors, (std::vector<std::string>{"A", "B"}));
  EXPECT_EQ(a.fluorochromes, a.detectors);
  EXPECT_EQ(a.values, (std::vector<double>{1, 0.1, 0.2, 1}));
  const SpilloverMatrix b = parse_matrix_text(",D1,D2,D3\r\nX,1,0.5,0.1\r\nY,0.2,1,0.7\r\n", "b.csv");
  EXPECT_EQ(b.fluorochromes, (std::vector<std::string>{"X", "Y"}));
  EXPECT_EQ(b.detectors.size(), 3u);
  const SpilloverMatrix c = parse_matrix_text("\"A\" \"B\"\n\"A\" 1 0.5\n\"B\" 0.25 1\n", "r-table");
  EXPECT_EQ(c.values, (std::vector<double>{1, 0.5, 0.25, 1}));
}

TEST(MatrixText, ErrorsNameLineAndField) {
  std::string msg = error_of([] { parse_matrix_text("A,B\n1,0.1\n0.2,x1\n", "m.csv"); });
  EXPECT_NE(msg.find("m.csv: line 3: field 2 'x1' is not a number"), std::string::npos) << msg;
  msg = error_of([] { parse_matrix_text("A,B\n1,0.1,5,6\n", "m.csv"); });
  EXPECT_NE(msg.find("line 2: row has 4 fields, header names 2 detectors"), std::string::npos) << msg;
  msg = error_of([] { parse_matrix_text("A,B,C\n1,0.1,0\n", "m.csv"); });
  EXPECT_NE(msg.find("non-square matrix needs row names"), std::string::npos) << msg;
  EXPECT_NE(error_of([] { parse_matrix_text("\n\n", "e.csv"); }).find("empty"), std::string::npos);
  EXPECT_NE(error_of([] { parse_matrix_text("A,B\n", "h.csv"); }).find("no rows"), std::string::npos);
  EXPECT_NE(error_of([] { read_matrix_file("/nonexistent/matrix.csv"); }).find("cannot open"), std::string::npos);
}

// --- Files from ../shared/testdata -------------------------------------------------------

std::filesystem::path data(const std::string& rel) { return mrdflow::testing::testdata_dir() / rel; }

TEST(MatrixFiles, FlowKitCompleteExample) {
  MRDFLOW_REQUIRE_TESTDATA();
  const SpilloverMatrix m = read_matrix_file(data("flowkit/comp_complete_example.csv"));
  ASSERT_EQ(m.detectors.size(), 14u);
  EXPECT_TRUE(m.square());
  EXPECT_EQ(m.detectors.front(), "Ax488-A");
  EXPECT_EQ(m.detectors.back(), "Qdot705-A");
  EXPECT_DOUBLE_EQ(m.at(0, 1), 0.2986);
  EXPECT_DOUBLE_EQ(m.at(1, 0), 0.007);
  for (std::size_t i = 0; i < 14; ++i) EXPECT_DOUBLE_EQ(m.at(i, i), 1.0);
}

TEST(MatrixFiles, FlowJoCsvWithHashHeader) {
  MRDFLOW_REQUIRE_TESTDATA();
  const SpilloverMatrix m = read_matrix_file(data("flowjo/8_color_data_set/den_comp.csv"));
  ASSERT_EQ(m.detectors.size(), 8u);
  EXPECT_EQ(m.detectors[0], "TNFa FITC FLR-A");
  EXPECT_EQ(m.detectors[7], "CD4 PE-Cy7 FLR-A");
  EXPECT_DOUBLE_EQ(m.at(0, 1), 0.014139);
  EXPECT_DOUBLE_EQ(m.at(1, 7), 0.127012);
  const SpilloverMatrix n = read_matrix_file(data("flowjo/8_color_data_set/den_comp_null_channel.csv"));
  EXPECT_EQ(n.detectors.size(), 7u);
  EXPECT_TRUE(n.square());
}

TEST(MatrixFiles, OldFlowJoExportWithCarriageReturns) {
  MRDFLOW_REQUIRE_TESTDATA();
  const SpilloverMatrix m = read_matrix_file(data("flowcore/compdata/compmatrix"));
  EXPECT_EQ(m.detectors, (std::vector<std::string>{"FL1-H", "FL2-H", "FL3-H", "FL4-H"}));
  EXPECT_DOUBLE_EQ(m.at(0, 1), 0.24);
  EXPECT_DOUBLE_EQ(m.at(0, 3), 1.13e-3);
  EXPECT_DOUBLE_EQ(m.at(3, 2), 3.23e-3);
  EXPECT_DOUBLE_EQ(m.at(3, 3), 1);
}

TEST(MatrixFiles, FlowCoreReferenceSpilloverTables) {
  MRDFLOW_REQUIRE_TESTDATA();
  const auto cytometer = channels({"FSC-H", "SSC-H", "FL1-H", "FL2-H", "FL3-H", "FL4-H"});
  for (const char* name : {"compref1", "compref2", "compref3", "compref4"}) {
    const SpilloverMatrix m = read_matrix_file(data(std::string("flowcore/compdata/") + name));
    EXPECT_EQ(m.detectors, (std::vector<std::string>{"FL1-H", "FL2-H", "FL3-H", "FL4-H"})) << name;
    EXPECT_EQ(m.fluorochromes, m.detectors) << name;  // R write.table row names
    EXPECT_NO_THROW(Compensator(m, cytometer)) << name;
  }
  const SpilloverMatrix m1 = read_matrix_file(data("flowcore/compdata/compref1"));
  for (std::size_t i = 0; i < 4; ++i) EXPECT_DOUBLE_EQ(m1.at(i, i), 1.0);
  EXPECT_DOUBLE_EQ(m1.at(0, 1), 0.242022277630705);
  EXPECT_DOUBLE_EQ(m1.at(3, 0), 0.000759031864601862);
  // compref2 holds compref1's last two rows in swapped order (values are kept as written).
  const SpilloverMatrix m2 = read_matrix_file(data("flowcore/compdata/compref2"));
  for (std::size_t c = 0; c < 4; ++c) {
    EXPECT_DOUBLE_EQ(m2.at(2, c), m1.at(3, c));
    EXPECT_DOUBLE_EQ(m2.at(3, c), m1.at(2, c));
  }
}

TEST(CompensationOnFile, FlowKitExampleWithCsvVersusOwnSpillover) {
  MRDFLOW_REQUIRE_TESTDATA();
  const fcs::DataSet ds = fcs::read_fcs(data("flowkit/test_comp_example.fcs"));
  // The file's own matrix (keyword SPILL) is the 14-colour identity.
  const auto own = from_fcs(ds);
  ASSERT_TRUE(own.has_value());
  EXPECT_EQ(own->detectors.size(), 14u);
  const SpilloverMatrix csv = read_matrix_file(data("flowkit/comp_complete_example.csv"));
  EXPECT_EQ(own->detectors, csv.detectors);  // same detectors, in the same order

  fcs::EventMatrix with_own = ds.events;
  Compensator(*own, ds.channels).apply(with_own);
  for (std::size_t i = 0; i < with_own.values().size(); ++i)
    ASSERT_EQ(with_own.values()[i], ds.events.values()[i]) << "identity changed value " << i;

  fcs::EventMatrix with_csv = ds.events;
  const Compensator comp(csv, ds.channels);
  comp.apply(with_csv);
  // Independent check: compensated x S reproduces the observed values for every event.
  const std::size_t n = ds.events.events(), d = csv.detectors.size();
  std::size_t changed = 0;
  for (std::size_t e = 0; e < n; ++e) {
    for (std::size_t j = 0; j < d; ++j) {
      long double back = 0;
      for (std::size_t k = 0; k < d; ++k) back += (long double)with_csv(e, comp.columns()[k]) * csv.at(k, j);
      const double observed = ds.events(e, comp.columns()[j]);
      ASSERT_NEAR((double)back, observed, 1e-9 * (std::fabs(observed) + 1)) << "event " << e << " detector " << j;
      changed += with_csv(e, comp.columns()[j]) != observed;
    }
    for (std::size_t c = 0; c < ds.channels.size(); ++c) {  // scatter/time channels untouched
      if (std::find(comp.columns().begin(), comp.columns().end(), c) == comp.columns().end()) {
        ASSERT_EQ(with_csv(e, c), ds.events(e, c));
      }
    }
  }
  EXPECT_GT(changed, n);  // the CSV matrix really compensates
}

}  // namespace
}  // namespace mrdflow::compensation
