// Gating-ML scaling of the raw read equals FlowIO's preprocessed values for data1.fcs.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include "gates/scaling.h"
#include "support/testdata.h"

namespace {

struct Npy {
  std::size_t rows = 0, cols = 0;
  std::vector<double> values;  // row-major
};

// Minimal NumPy .npy v1 reader for '<f8' C-order 2-D arrays (the truth files' format).
Npy read_npy(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0) throw std::runtime_error("not npy");
  const std::size_t header_len = static_cast<unsigned char>(bytes[8]) |
                                 (static_cast<unsigned char>(bytes[9]) << 8);
  const std::string header = bytes.substr(10, header_len);
  if (header.find("'<f8'") == std::string::npos || header.find("'fortran_order': False") == std::string::npos) {
    throw std::runtime_error("unexpected npy layout: " + header);
  }
  Npy out;
  const auto shape = header.find("'shape': (");
  std::istringstream dims(header.substr(shape + 10));
  char comma = 0;
  dims >> out.rows >> comma >> out.cols;
  out.values.resize(out.rows * out.cols);
  const std::size_t start = 10 + header_len;
  if (bytes.size() - start != out.values.size() * 8) throw std::runtime_error("npy size mismatch");
  std::memcpy(out.values.data(), bytes.data() + start, bytes.size() - start);
  return out;
}

}  // namespace

TEST(GatingMlScaling, Data1MatchesFlowIoPreprocessed) {
  MRDFLOW_REQUIRE_TESTDATA();
  const auto dir = mrdflow::testing::testdata_dir();
  const auto data = mrdflow::gates::read_gatingml_scaled(dir / "gatingml" / "data1.fcs");
  const Npy truth = read_npy(dir / "flowio" / "truth" / "data1_preprocessed.npy");
  ASSERT_EQ(data.events.events(), truth.rows);
  ASSERT_EQ(data.events.channels(), truth.cols);
  ASSERT_EQ(truth.rows, 13367u);
  for (std::size_t e = 0; e < truth.rows; ++e) {
    for (std::size_t c = 0; c < truth.cols; ++c) {
      const double want = truth.values[e * truth.cols + c];
      ASSERT_NEAR(data.events(e, c), want, 1e-12 * std::max(1.0, std::abs(want)))
          << "event " << e << " channel " << data.channels[c].name;
    }
  }
}

TEST(GatingMlScaling, RefusesAlreadyScaledData) {
  mrdflow::fcs::DataSet data;
  data.file = "x.fcs";
  data.raw = false;
  EXPECT_THROW(mrdflow::gates::apply_gatingml_scaling(data), mrdflow::Error);
}
