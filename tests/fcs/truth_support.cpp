#include "truth_support.h"

#include "fcs/channel_summary.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>

#include "common/sha256.h"

namespace mrdflow::fcs_test {

nlohmann::json load_json(const std::filesystem::path& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

std::vector<std::filesystem::path> files_with(const std::filesystem::path& dir, const std::string& suffix) {
  std::vector<std::filesystem::path> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    const auto name = e.path().filename().string();
    if (name.size() > 5 && name.ends_with(".json")) continue;
    auto sib = e.path();
    sib += suffix;
    if (std::filesystem::exists(sib)) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

double json_number(const nlohmann::json& v) {
  if (v.is_number()) return v.get<double>();
  const auto s = v.get<std::string>();
  if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (s == "Infinity") return std::numeric_limits<double>::infinity();
  if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
  throw std::runtime_error("not a number: " + s);
}

std::string rows_sha256(const fcs::EventMatrix& m) {
  std::vector<std::byte> buf(m.events() * m.channels() * 8);
  std::size_t k = 0;
  for (std::size_t e = 0; e < m.events(); ++e)
    for (std::size_t c = 0; c < m.channels(); ++c, ++k) {
      auto u = std::bit_cast<std::uint64_t>(m(e, c));
      if constexpr (std::endian::native == std::endian::big) u = __builtin_bswap64(u);
      std::memcpy(buf.data() + k * 8, &u, 8);
    }
  return sha256_hex(std::span<const std::byte>(buf));
}

std::map<std::string, std::string> normalised_keywords(const fcs::Keywords& kw) {
  std::map<std::string, std::string> out;
  for (const auto& k : kw.all()) {
    std::string key = fcs::to_lower(k.name), value = k.value;
    std::erase(key, '$');
    std::erase(value, '$');
    out[key] = value;
  }
  return out;
}

bool close_rel(double a, double b, double rel) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (a == b) return true;
  return std::abs(a - b) <= rel * std::max(std::abs(a), std::abs(b));
}

Stats column_stats(std::span<const double> col) {
  const auto s = fcs::summarize_channel(col);
  return {s.min, s.max, s.mean, s.nan_count};
}

fcs::EventMatrix preprocessed(const fcs::DataSet& raw) {
  fcs::EventMatrix out = raw.events;
  double timestep = 1;
  bool has_timestep = false;
  if (const auto* ts = raw.keywords.find("$TIMESTEP")) {
    try {
      timestep = std::stod(*ts);
      has_timestep = true;
    } catch (const std::exception&) {
    }
  }
  for (std::size_t c = 0; c < raw.channels.size(); ++c) {
    const auto& ch = raw.channels[c];
    auto col = out.column(c);
    const bool is_time = fcs::to_lower(ch.name) == "time";
    if (is_time) {
      // FlowIO scales time by $TIMESTEP only (no $PnG division).
      if (has_timestep)
        for (double& v : col) v *= timestep;
      continue;
    }
    if (ch.log_decades > 0) {
      const double f2 = ch.log_offset == 0 ? 1 : ch.log_offset;
      for (double& v : col) v = f2 * std::pow(10.0, ch.log_decades * v / ch.range);
    } else if (ch.gain != 1 && ch.gain != 0) {
      for (double& v : col) v /= ch.gain;
    }
  }
  return out;
}

}  // namespace mrdflow::fcs_test
