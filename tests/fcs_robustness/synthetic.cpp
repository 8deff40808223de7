// Small synthetic FCS files covering each DATA encoding, built by the harness itself (not by the
// writer under test), so the corpus exercises every decoder path even without the shared data.
#include <bit>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "corpus.h"
#include "fcs_surgery.h"

namespace mrdflow::fcs_robustness {
namespace {

struct ChannelSpec {
  std::string name, marker;
  int bits;            // 0 = '*' (delimited ASCII)
  std::uint64_t range;
  std::string datatype = "";  // $PnDATATYPE (FCS 3.2), "" = none
  std::string log = "0,0";
  std::string gain = "";
};

// Deterministic pseudo-random stream (no std::distribution: identical on every library).
struct Lcg {
  std::uint64_t state;
  std::uint32_t next() {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::uint32_t>(state >> 33);
  }
};

FcsParts skeleton(std::string version, std::string datatype, std::string byteord,
                  const std::vector<ChannelSpec>& channels, std::size_t events) {
  FcsParts p;
  p.version = std::move(version);
  auto& t = p.text;
  t.delimiter = '/';
  t.set("$BYTEORD", std::move(byteord));
  t.set("$DATATYPE", std::move(datatype));
  t.set("$MODE", "L");
  t.set("$PAR", std::to_string(channels.size()));
  t.set("$TOT", std::to_string(events));
  t.set("$CYT", "mrdflow robustness synth");
  for (std::size_t i = 0; i < channels.size(); ++i) {
    const auto& c = channels[i];
    const std::string n = "$P" + std::to_string(i + 1);
    t.set(n + "N", c.name);
    if (!c.marker.empty()) t.set(n + "S", c.marker);
    t.set(n + "B", c.bits == 0 ? "*" : std::to_string(c.bits));
    t.set(n + "R", std::to_string(c.range));
    t.set(n + "E", c.log);
    if (!c.gain.empty()) t.set(n + "G", c.gain);
    if (!c.datatype.empty()) t.set(n + "DATATYPE", c.datatype);
  }
  return p;
}

std::uint64_t int_value(Lcg& rng, const ChannelSpec& c) {
  return c.range == 0 ? 0 : rng.next() % c.range;
}

Base finish(std::string name, FcsParts parts, std::vector<double>& raw) {
  Base b;
  b.expected_raw = std::move(raw);
  raw.clear();
  b.name = "synthetic/" + std::move(name);
  b.bytes = assemble(parts);
  b.parts = std::move(parts);
  return b;
}

}  // namespace

std::vector<Base> synthetic_bases() {
  std::vector<Base> out;
  constexpr std::size_t kEvents = 240;
  std::vector<double> raw;

  {  // FCS 3.1 float32 little-endian with spillover, supplemental TEXT and ANALYSIS.
    const std::vector<ChannelSpec> ch = {{"FSC-A", "", 32, 262144}, {"SSC-A", "", 32, 262144},
                                         {"FL1-A", "CD19", 32, 262144}, {"Time", "", 32, 4096}};
    auto p = skeleton("FCS3.1", "F", "1,2,3,4", ch, kEvents);
    p.text.set("$SPILLOVER", "2,SSC-A,FL1-A,1,0.125,0.0625,1");
    p.text.set("$TIMESTEP", "0.01");
    Lcg rng{1};
    for (std::size_t e = 0; e < kEvents; ++e)
      for (std::size_t c = 0; c < ch.size(); ++c)
      {
        const float v = static_cast<float>(rng.next() % 2621440) / 10.0f;
        append_f32(p.data, v, false);
        raw.push_back(v);
      }
    TextSegment s;
    s.delimiter = '|';
    s.set("LAB_NOTE", "supplemental keyword");
    p.supplemental = s;
    p.analysis = "/GATE1/lymphocytes/";
    out.push_back(finish("f32_le_31", std::move(p), raw));
  }
  {  // FCS 3.0 16-bit integers big-endian, $PnR not a power of two (masking), log and gain.
    std::vector<ChannelSpec> ch = {{"FSC-H", "", 16, 1024}, {"SSC-H", "", 16, 1000},
                                   {"FL1-H", "CD10", 16, 1024, "", "4,1"},
                                   {"FL2-H", "CD34", 16, 65536, "", "0,0", "2"}};
    auto p = skeleton("FCS3.0", "I", "4,3,2,1", ch, kEvents);
    Lcg rng{2};
    for (std::size_t e = 0; e < kEvents; ++e)
      for (const auto& c : ch) {
        const std::uint32_t v = rng.next() & 0xFFFF;
        append_uint(p.data, v, 2, true);
        raw.push_back(static_cast<double>(v & (std::bit_ceil(c.range) - 1)));
      }
    out.push_back(finish("i16_be_30", std::move(p), raw));
  }
  {  // FCS 2.0 8-bit integers.
    std::vector<ChannelSpec> ch = {{"FS", "", 8, 256}, {"SS", "", 8, 256}, {"FL1", "", 8, 256}};
    auto p = skeleton("FCS2.0", "I", "1,2,3,4", ch, kEvents);
    Lcg rng{3};
    for (std::size_t e = 0; e < kEvents; ++e)
      for (const auto& c : ch) {
        const std::uint64_t v = int_value(rng, c);
        append_uint(p.data, v, 1, false);
        raw.push_back(static_cast<double>(v));
      }
    out.push_back(finish("i8_20", std::move(p), raw));
  }
  {  // Mixed integer widths 8/16/32 (legal in FCS 3.x), little-endian.
    std::vector<ChannelSpec> ch = {{"A", "", 8, 256}, {"B", "", 16, 65536},
                                   {"C", "", 32, 4294967296ULL}, {"D", "", 16, 4096}};
    auto p = skeleton("FCS3.1", "I", "1,2,3,4", ch, kEvents);
    Lcg rng{4};
    for (std::size_t e = 0; e < kEvents; ++e)
      for (const auto& c : ch) {
        const std::uint64_t v = int_value(rng, c);
        append_uint(p.data, v, c.bits / 8, false);
        raw.push_back(static_cast<double>(v));
      }
    out.push_back(finish("i_mixed_31", std::move(p), raw));
  }
  {  // float64 big-endian.
    std::vector<ChannelSpec> ch = {{"FSC-A", "", 64, 262144}, {"CD45", "", 64, 262144}};
    auto p = skeleton("FCS3.1", "D", "4,3,2,1", ch, kEvents);
    Lcg rng{5};
    for (std::size_t e = 0; e < kEvents; ++e)
      for (std::size_t c = 0; c < ch.size(); ++c)
      {
        const double v = std::ldexp(static_cast<double>(rng.next()), -14);
        append_f64(p.data, v, true);
        raw.push_back(v);
      }
    out.push_back(finish("f64_be_31", std::move(p), raw));
  }
  {  // ASCII fixed width (5 characters per value).
    std::vector<ChannelSpec> ch = {{"FS", "", 5, 100000}, {"SS", "", 5, 100000}};
    auto p = skeleton("FCS3.0", "A", "1,2,3,4", ch, kEvents);
    Lcg rng{6};
    for (std::size_t e = 0; e < kEvents * ch.size(); ++e) {
      const std::uint32_t n = rng.next() % 100000;
      const std::string v = std::to_string(n);
      p.data += std::string(5 - v.size(), '0') + v;
      raw.push_back(n);
    }
    out.push_back(finish("ascii_fixed_30", std::move(p), raw));
  }
  {  // ASCII delimited ($PnB '*').
    std::vector<ChannelSpec> ch = {{"FS", "", 0, 1024}, {"SS", "", 0, 1024}, {"FL1", "", 0, 1024}};
    auto p = skeleton("FCS3.0", "A", "1,2,3,4", ch, kEvents);
    Lcg rng{7};
    for (std::size_t e = 0; e < kEvents * ch.size(); ++e)
    {
      const std::uint32_t n = rng.next() % 1024;
      p.data += std::to_string(n) + (e % 3 == 2 ? "\r\n" : ",");
      raw.push_back(n);
    }
    out.push_back(finish("ascii_delimited_30", std::move(p), raw));
  }
  {  // FCS 3.2 with $PnDATATYPE: integer file with one float column.
    std::vector<ChannelSpec> ch = {{"FSC-A", "", 16, 65536}, {"CD19", "", 32, 262144, "F"},
                                   {"CD22", "", 32, 262144, "F"}};
    auto p = skeleton("FCS3.2", "I", "1,2,3,4", ch, kEvents);
    Lcg rng{8};
    for (std::size_t e = 0; e < kEvents; ++e) {
      const std::uint32_t i = rng.next() & 0xFFFF;
      const float a = static_cast<float>(rng.next() % 262144);
      const float b = static_cast<float>(rng.next() % 262144);
      append_uint(p.data, i, 2, false);
      append_f32(p.data, a, false);
      append_f32(p.data, b, false);
      raw.insert(raw.end(), {static_cast<double>(i), a, b});
    }
    out.push_back(finish("pndatatype_32", std::move(p), raw));
  }
  return out;
}

}  // namespace mrdflow::fcs_robustness
