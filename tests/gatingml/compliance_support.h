#pragma once
// Shared by the compliance and round-trip tests: data1.fcs scaled once, truth files, names.
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "fcs/fcs.h"
#include "gates/scaling.h"
#include "support/testdata.h"

namespace mrdflow::testing {

inline std::filesystem::path gatingml_dir() { return testdata_dir() / "gatingml"; }

inline const fcs::DataSet& data1_scaled() {
  static const fcs::DataSet data = gates::read_gatingml_scaled(gatingml_dir() / "data1.fcs");
  return data;
}

// truth/Results_<id>.txt; gate ParRectangle1's file is named ParQuadRect (INDEX.md).
inline std::filesystem::path truth_file(const std::string& gate_id) {
  const std::string name = gate_id == "ParRectangle1" ? "ParQuadRect" : gate_id;
  return gatingml_dir() / "truth" / ("Results_" + name + ".txt");
}

// One 0/1 per line; anything else is a broken truth file (returned empty).
inline std::vector<char> read_truth(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<char> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line != "0" && line != "1") return {};
    out.push_back(line == "1");
  }
  return out;
}

inline std::vector<std::filesystem::path> compliance_cases() {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(gatingml_dir() / "gml")) {
    if (e.path().extension() == ".xml") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace mrdflow::testing
