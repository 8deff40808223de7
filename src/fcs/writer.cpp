// FCS 3.1 writer: float32 little-endian list mode. TEXT carries the DATA offsets as fixed
// 20-digit zero-padded numbers, so the TEXT length is known before the offsets are: no
// circular length problem. The HEADER holds 0 for offsets above 99,999,999 (FCS 3.1 3.2.4).
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <bit>

#include "common/atomic_file.h"
#include "fcs/detail.h"

namespace mrdflow::fcs {

namespace {

std::string number(double v) {
  char buf[64];
  const auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc{} ? std::string(buf, p) : std::string("0");
}

std::string padded(std::uint64_t v, int width) {
  std::string s = std::to_string(v);
  return std::string(static_cast<std::size_t>(std::max<int>(0, width - static_cast<int>(s.size()))), '0') + s;
}

// Keywords the writer computes itself; copies from the input are dropped.
bool computed_keyword(std::string_view name) {
  static const char* fixed[] = {"$BEGINANALYSIS", "$ENDANALYSIS", "$BEGINSTEXT", "$ENDSTEXT",
                                "$BEGINDATA",     "$ENDDATA",     "$BYTEORD",    "$DATATYPE",
                                "$MODE",          "$NEXTDATA",    "$PAR",        "$TOT"};
  for (const char* f : fixed)
    if (iequals(name, f)) return true;
  // $PnN, $PnS, $PnB, $PnE, $PnR, $PnG, $PnD, $PnTYPE, $PnDATATYPE
  if (name.size() < 4 || name[0] != '$' || (name[1] != 'P' && name[1] != 'p')) return false;
  std::size_t i = 2;
  while (i < name.size() && name[i] >= '0' && name[i] <= '9') ++i;
  if (i == 2 || i == name.size()) return false;
  const auto suffix = name.substr(i);
  for (const char* s : {"N", "S", "B", "E", "R", "G", "D", "TYPE", "DATATYPE"})
    if (iequals(suffix, s)) return true;
  return false;
}

bool spillover_keyword(std::string_view name) {
  for (const char* s : {"$SPILLOVER", "SPILL", "$SPILL", "SPILLOVER", "$COMP"})
    if (iequals(name, s)) return true;
  return false;
}

std::string format_spillover(const Spillover& sp) {
  std::string s = std::to_string(sp.size());
  for (const auto& c : sp.channels) s += "," + c;
  for (double v : sp.values) s += "," + number(v);
  return s;
}

// A delimiter that occurs in no keyword or value, so nothing needs escaping; '/' (with
// doubling) when every candidate occurs.
char choose_delimiter(const std::vector<Keyword>& kws) {
  for (char d : {'/', '|', '\\', '!', '~', '^', '\x1e', '\x1f'}) {
    bool used = false;
    for (const auto& k : kws)
      if (k.name.find(d) != std::string::npos || k.value.find(d) != std::string::npos) {
        used = true;
        break;
      }
    if (!used) return d;
  }
  return '/';
}

void append_escaped(std::string& out, std::string_view s, char d) {
  for (char c : s) {
    out.push_back(c);
    if (c == d) out.push_back(d);
  }
}

}  // namespace

std::string to_fcs_bytes(const DataSet& data) {
  const auto nch = data.channels.size();
  const auto nev = data.events.channels() == nch ? data.events.events() : 0;
  if (data.events.channels() != 0 && data.events.channels() != nch)
    throw FcsError(data.file, std::nullopt, "$PAR", "cannot write: event matrix has " +
                                                        std::to_string(data.events.channels()) +
                                                        " columns but there are " + std::to_string(nch) + " channels");
  std::vector<Keyword> kws;
  const auto add = [&](std::string k, std::string v) {
    if (v.empty()) v = " ";  // FCS forbids empty values
    kws.push_back({std::move(k), std::move(v)});
  };
  add("$BEGINANALYSIS", "0");
  add("$ENDANALYSIS", "0");
  add("$BEGINSTEXT", "0");
  add("$ENDSTEXT", "0");
  add("$BEGINDATA", std::string(20, '0'));  // filled in below, fixed width
  add("$ENDDATA", std::string(20, '0'));
  add("$BYTEORD", "1,2,3,4");
  add("$DATATYPE", "F");
  add("$MODE", "L");
  add("$NEXTDATA", "0");
  add("$PAR", std::to_string(nch));
  add("$TOT", std::to_string(nev));
  // The file's own text for a channel keyword when it still says the same thing ("1.0" for
  // a gain of 1, "262144" vs "2.62144e5"), so keywords round-trip verbatim.
  const auto same_number = [&](const std::string& key, double v) -> const std::string* {
    const auto* orig = data.keywords.find(key);
    if (orig == nullptr) return nullptr;
    try {
      if (detail::parse_number(*orig, key, detail::Context{data.file}) == v) return orig;
    } catch (const FcsError&) {
    }
    return nullptr;
  };
  for (std::size_t i = 0; i < nch; ++i) {
    const auto& ch = data.channels[i];
    const auto p = "$P" + std::to_string(i + 1);
    add(p + "N", ch.name.empty() ? "P" + std::to_string(i + 1) : ch.name);
    if (!ch.marker.empty()) add(p + "S", ch.marker);
    else if (const auto* s = data.keywords.find(p + "S"); s != nullptr && detail::trim(*s).empty())
      add(p + "S", *s);
    add(p + "B", "32");
    // Linearized values are linear: $PnE 0,0. Raw values keep their $PnE (float data is not
    // linearized by flowCore, so the read-back values are unchanged either way).
    if (data.raw) {
      const auto* e = data.keywords.find(p + "E");
      std::string fresh = number(ch.log_decades) + "," + number(ch.log_offset);
      add(p + "E", e != nullptr && ch.log_decades == 0 && ch.log_offset == 0 ? fresh : (e ? *e : fresh));
    } else {
      add(p + "E", "0,0");
    }
    double range = ch.range;
    if (!(range > 0)) {
      range = 1;
      if (nev > 0)
        for (double v : data.events.column(i))
          if (std::isfinite(v)) range = std::max(range, std::ceil(v));
    }
    const auto* r = same_number(p + "R", range);
    add(p + "R", r ? *r : number(range));
    if (const auto* g = same_number(p + "G", ch.gain)) add(p + "G", *g);
    else if (ch.gain != 1) add(p + "G", number(ch.gain));
    if (!ch.display.empty()) add(p + "D", ch.display);
    if (!ch.type.empty()) add(p + "TYPE", ch.type);
  }
  if (data.spillover) {
    // Keep the file's own spelling and text when it still describes the same matrix.
    std::string name = "$SPILLOVER", value = format_spillover(*data.spillover);
    if (const auto* orig = data.keywords.find(data.spillover->keyword)) {
      DataSet probe;
      probe.channels = data.channels;
      probe.keywords.set(data.spillover->keyword, *orig);
      std::vector<std::string> w;
      try {
        const auto sp = detail::find_spillover(probe, detail::Context{data.file}, w);
        if (sp && sp->channels == data.spillover->channels && sp->values == data.spillover->values) {
          name = data.spillover->keyword;
          value = *orig;
        }
      } catch (const FcsError&) {
      }
    }
    add(name, value);
  }
  for (const auto& k : data.keywords.all()) {
    if (computed_keyword(k.name)) continue;
    if (spillover_keyword(k.name) && data.spillover) continue;
    add(k.name, k.value);
  }

  const char d = choose_delimiter(kws);
  std::string text(1, d);
  std::size_t begin_pos = 0, end_pos = 0;
  for (const auto& k : kws) {
    append_escaped(text, k.name, d);
    text.push_back(d);
    if (k.name == "$BEGINDATA") begin_pos = text.size();
    if (k.name == "$ENDDATA") end_pos = text.size();
    append_escaped(text, k.value, d);
    text.push_back(d);
  }
  constexpr std::uint64_t kTextBegin = 58;
  const std::uint64_t text_end = kTextBegin + text.size() - 1;
  const std::uint64_t data_begin = text_end + 1;
  const std::uint64_t data_bytes = static_cast<std::uint64_t>(nev) * nch * 4;
  const std::uint64_t data_end = data_bytes == 0 ? data_begin : data_begin + data_bytes - 1;
  std::memcpy(text.data() + begin_pos, padded(data_begin, 20).data(), 20);
  std::memcpy(text.data() + end_pos, padded(data_end, 20).data(), 20);

  const auto field = [](std::uint64_t v) {
    std::string s = std::to_string(v);
    return std::string(8 - s.size(), ' ') + s;
  };
  const bool big = data_end > 99999999;
  std::string out;
  out.reserve(static_cast<std::size_t>(data_begin + data_bytes));
  out += "FCS3.1    ";
  out += field(kTextBegin) + field(text_end);
  out += big ? field(0) + field(0) : field(data_begin) + field(data_end);
  out += field(0) + field(0);
  out += text;
  const auto start = out.size();
  out.resize(start + data_bytes);
  char* dst = out.data() + start;
  const auto n = static_cast<std::int64_t>(nev);
#pragma omp parallel for schedule(static) if (n > 65536)
  for (std::int64_t e = 0; e < n; ++e) {
    for (std::size_t c = 0; c < nch; ++c) {
      const float f = static_cast<float>(data.events(static_cast<std::size_t>(e), c));
      std::uint32_t u;
      std::memcpy(&u, &f, 4);
      if constexpr (std::endian::native == std::endian::big) u = __builtin_bswap32(u);
      std::memcpy(dst + (static_cast<std::size_t>(e) * nch + c) * 4, &u, 4);
    }
  }
  return out;
}

void write_fcs(const std::filesystem::path& path, const DataSet& data) {
  write_file_atomic(path, to_fcs_bytes(data));
}

}  // namespace mrdflow::fcs
