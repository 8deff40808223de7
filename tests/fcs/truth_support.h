#pragma once
// Helpers shared by the tests that compare against the shared truth files.
#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "fcs/fcs.h"

namespace mrdflow::fcs_test {

nlohmann::json load_json(const std::filesystem::path& path);
// Every file under dir that has a sibling "<file><suffix>" (sorted, recursive).
std::vector<std::filesystem::path> files_with(const std::filesystem::path& dir, const std::string& suffix);
// JSON number or "NaN"/"Infinity"/"-Infinity".
double json_number(const nlohmann::json& v);
// SHA-256 of all rows as little-endian float64, row-major (the truth's events.sha256_f64le).
std::string rows_sha256(const fcs::EventMatrix& m);
// Keys lower-cased, every '$' removed from keys and values (the truth's normalisation).
std::map<std::string, std::string> normalised_keywords(const fcs::Keywords& kw);
bool close_rel(double a, double b, double rel);

struct Stats {
  double min, max, mean;
  std::size_t nan_count;
};
Stats column_stats(std::span<const double> col);

// The truth's "preprocessed" values: $PnG division, $PnE expansion (f2=0 -> 1), time x $TIMESTEP.
fcs::EventMatrix preprocessed(const fcs::DataSet& raw);

}  // namespace mrdflow::fcs_test
