#include "fcs_export.h"

#include <cmath>
#include <cstdio>

#include "rng.h"

namespace mrdflow::synth {
namespace {

std::string format_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

fcs::DataSet to_dataset(const Tube& tube, const std::string& file_name) {
  const SampleModel& m = tube.model;
  const Instrument& inst = m.panel.instrument;
  fcs::DataSet ds;
  ds.file = file_name;
  ds.header.version = "FCS3.1";
  ds.event_count = tube.events;

  for (const auto& c : tube.channels) {
    fcs::Channel ch;
    ch.name = c.name;
    ch.marker = c.marker;
    ch.bits = 32;
    ch.range = c.range;
    ch.max_value = c.range;
    ch.datatype = 'F';
    ds.channels.push_back(ch);
  }

  fcs::Spillover spill;
  spill.keyword = "$SPILLOVER";
  for (const auto& s : m.panel.stains) spill.channels.push_back(s.detector);
  spill.values = tube.spillover;
  ds.spillover = spill;

  ds.events = fcs::EventMatrix(tube.events, tube.channels.size());
  for (std::size_t c = 0; c < tube.channels.size(); ++c) {
    auto src = tube.column(c);
    auto dst = ds.events.column(c);
    for (std::size_t e = 0; e < tube.events; ++e) dst[e] = src[e];
  }

  // Deterministic acquisition date/time derived from the seed (never the clock: same seed, same bytes).
  Rng rng(stream_seed(m.seed, 3));
  static constexpr const char* kMonths[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                            "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
  const int day = 1 + static_cast<int>(rng.below(28)), month = static_cast<int>(rng.below(12)),
            year = 2021 + static_cast<int>(rng.below(4));
  const int start_s = 8 * 3600 + static_cast<int>(rng.below(9 * 3600));
  double last_time = 0;
  for (std::size_t c = 0; c < tube.channels.size(); ++c)
    if (tube.channels[c].name == inst.time) last_time = tube.column(c).back() * inst.timestep;
  const int end_s = start_s + static_cast<int>(last_time) + 1;
  auto clock = [](int s) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%02d:%02d:%02d", (s / 3600) % 24, (s / 60) % 60, s % 60);
    return std::string(buf);
  };
  char date[16];
  std::snprintf(date, sizeof date, "%02d-%s-%d", day, kMonths[month], year);
  char sample_id[32];
  std::snprintf(sample_id, sizeof sample_id, "BM-%06llu",
                static_cast<unsigned long long>(rng.below(1000000)));

  auto& kw = ds.keywords;
  kw.set("$CYT", inst.cytometer);
  kw.set("$DATE", date);
  kw.set("$BTIM", clock(start_s));
  kw.set("$ETIM", clock(end_s));
  kw.set("$TIMESTEP", format_number(inst.timestep));
  kw.set("$SRC", sample_id);
  kw.set("$FIL", file_name);
  kw.set("$SYS", "mrdflow-synth (synthetic data)");
  switch (inst.style) {
    case Style::BD:
      kw.set("CREATOR", "BD FACSDiva Software Version 9.0 (synthetic)");
      kw.set("TUBE NAME", "MRD tube");
      break;
    case Style::Beckman:
      kw.set("@SAMPLEID1", sample_id);
      kw.set("$INST", "Flow lab");
      break;
    case Style::Cytek:
      kw.set("CREATOR", "SpectroFlo (synthetic)");
      kw.set("GROUPNAME", "MRD");
      break;
  }
  // Detector voltages, the kind of per-file instrument setting real files carry.
  for (std::size_t c = 0; c < tube.channels.size(); ++c) {
    const int stain = tube.channels[c].stain;
    const double volts = stain >= 0 ? 450 + 200 * std::log10(m.detector_gain[static_cast<std::size_t>(stain)] * 10) : 400;
    kw.set("$P" + std::to_string(c + 1) + "V", std::to_string(static_cast<int>(volts)));
  }
  return ds;
}

}  // namespace mrdflow::synth
