#include "gates/scaling.h"

#include <charconv>
#include <cmath>
#include <string>

#include "common/error.h"

namespace mrdflow::gates {

namespace {

bool is_time_channel(const std::string& name) { return fcs::to_lower(name) == "time"; }

std::optional<double> timestep(const fcs::DataSet& data) {
  const std::string* v = data.keywords.find("$TIMESTEP");
  if (v == nullptr) return std::nullopt;
  std::string s = *v;
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  std::size_t start = 0;
  while (start < s.size() && std::isspace(static_cast<unsigned char>(s[start]))) ++start;
  double out = 0;
  const auto r = std::from_chars(s.data() + start, s.data() + s.size(), out);
  if (r.ec != std::errc{} || r.ptr != s.data() + s.size() || !std::isfinite(out) || out <= 0) {
    throw Error("gates", data.file + ": keyword $TIMESTEP: not a positive number: '" + *v + "'");
  }
  return out;
}

}  // namespace

void apply_gatingml_scaling(fcs::DataSet& data) {
  if (!data.raw) {
    throw Error("gates", data.file + ": Gating-ML scaling needs the values as encoded (read with raw=true)");
  }
  const std::optional<double> step = timestep(data);
  for (std::size_t c = 0; c < data.channels.size() && c < data.events.channels(); ++c) {
    const fcs::Channel& ch = data.channels[c];
    auto col = data.events.column(c);
    if (ch.log_decades > 0) {
      if (!(ch.range > 0)) {
        throw Error("gates", data.file + ": channel " + ch.name + ": $PnE is logarithmic but $PnR is not positive");
      }
      const double offset = ch.log_offset == 0 ? 1.0 : ch.log_offset;
      const double per_unit = ch.log_decades / ch.range;
      for (double& x : col) x = offset * std::pow(10.0, per_unit * x);
    } else if (ch.gain != 1) {
      if (!(ch.gain > 0) || !std::isfinite(ch.gain)) {
        throw Error("gates", data.file + ": channel " + ch.name + ": $PnG is not a positive number");
      }
      for (double& x : col) x /= ch.gain;
    }
    if (step && is_time_channel(ch.name)) {
      for (double& x : col) x *= *step;
    }
  }
  data.raw = false;
}

fcs::DataSet read_gatingml_scaled(const std::filesystem::path& path) {
  fcs::ReadOptions options;
  options.raw = true;
  fcs::DataSet data = fcs::read_fcs(path, options);
  apply_gatingml_scaling(data);
  return data;
}

}  // namespace mrdflow::gates
