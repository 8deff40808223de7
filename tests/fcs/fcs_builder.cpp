#include "fcs_builder.h"

#include <cstring>

namespace mrdflow::fcs_test {

namespace {
std::string escaped(const std::string& s, char d) {
  std::string out;
  for (char c : s) {
    out.push_back(c);
    if (c == d) out.push_back(d);
  }
  return out;
}
std::string field8(std::int64_t v) {
  auto s = std::to_string(v);
  return std::string(8 - s.size(), ' ') + s;
}
std::string pad20(std::int64_t v) {
  auto s = std::to_string(v);
  return std::string(20 - s.size(), '0') + s;
}
}  // namespace

std::string build(const RawFcs& f) {
  const char d = f.delimiter;
  // TEXT with fixed-width placeholders for the offsets.
  std::vector<std::pair<std::string, std::string>> kws = f.keywords;
  if (f.text_offsets) {
    kws.insert(kws.begin(), {{"$BEGINDATA", pad20(0)}, {"$ENDDATA", pad20(0)},
                             {"$BEGINSTEXT", pad20(0)}, {"$ENDSTEXT", pad20(0)}});
  }
  const auto render = [&]() {
    std::string t(1, d);
    for (const auto& [k, v] : kws) t += escaped(k, d) + d + escaped(v, d) + d;
    return t;
  };
  std::string text = render();
  const std::int64_t text_begin = 58, text_end = text_begin + static_cast<std::int64_t>(text.size()) - 1;
  const std::int64_t data_begin = text_end + 1 + static_cast<std::int64_t>(f.padding_before_data);
  const std::int64_t data_end = data_begin + static_cast<std::int64_t>(f.data.size()) - 1 + f.enddata_adjust;
  const std::int64_t stext_begin = data_begin + static_cast<std::int64_t>(f.data.size());
  const std::int64_t stext_end = stext_begin + static_cast<std::int64_t>(f.supplemental.size()) - 1;
  if (f.text_offsets) {
    kws[0].second = pad20(data_begin);
    kws[1].second = pad20(data_end);
    kws[2].second = pad20(f.supplemental.empty() ? 0 : stext_begin);
    kws[3].second = pad20(f.supplemental.empty() ? 0 : stext_end);
    text = render();
  }
  std::string out = f.version + "    " + field8(text_begin) + field8(text_end);
  if (f.header_data_zero) out += field8(0) + field8(0);
  else out += field8(data_begin + f.header_data_shift) + field8(data_end);
  out += field8(0) + field8(0);
  out += text;
  out += std::string(f.padding_before_data, '\0');
  out += f.data;
  out += f.supplemental;
  return out;
}

fcs::DataSet read(const std::string& bytes, const fcs::ReadOptions& options) {
  return fcs::read_fcs_bytes(std::as_bytes(std::span(bytes.data(), bytes.size())), "test.fcs", options);
}

fcs::DataSet read_raw(const std::string& bytes) {
  fcs::ReadOptions o;
  o.raw = true;
  return read(bytes, o);
}

RawFcs simple(std::size_t channels, std::size_t events, const std::string& datatype, int bits,
              const std::string& byteord, double range) {
  RawFcs f;
  f.keywords = {{"$BYTEORD", byteord}, {"$DATATYPE", datatype}, {"$MODE", "L"},
                {"$NEXTDATA", "0"},    {"$PAR", std::to_string(channels)},
                {"$TOT", std::to_string(events)}};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", range);
  for (std::size_t i = 1; i <= channels; ++i) {
    const auto p = "$P" + std::to_string(i);
    f.keywords.push_back({p + "N", "Ch" + std::to_string(i)});
    f.keywords.push_back({p + "B", bits == 0 ? "*" : std::to_string(bits)});
    f.keywords.push_back({p + "E", "0,0"});
    f.keywords.push_back({p + "R", buf});
  }
  return f;
}

void put_uint(std::string& out, std::uint64_t value, const std::vector<int>& byteord) {
  for (int sig : byteord) out.push_back(static_cast<char>((value >> (8 * (sig - 1))) & 0xFF));
}

void put_f32(std::string& out, float v, bool big) {
  std::uint32_t u;
  std::memcpy(&u, &v, 4);
  put_uint(out, u, big ? std::vector<int>{4, 3, 2, 1} : std::vector<int>{1, 2, 3, 4});
}

void put_f64(std::string& out, double v, bool big) {
  std::uint64_t u;
  std::memcpy(&u, &v, 8);
  put_uint(out, u, big ? std::vector<int>{8, 7, 6, 5, 4, 3, 2, 1} : std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8});
}

std::string pack_bits(const std::vector<std::uint64_t>& values, const std::vector<int>& widths,
                      bool msb_first) {
  std::vector<bool> bits;
  for (std::size_t i = 0; i < values.size(); ++i) {
    const int w = widths[i % widths.size()];
    for (int k = 0; k < w; ++k) {
      const int b = msb_first ? w - 1 - k : k;
      bits.push_back((values[i] >> b) & 1);
    }
  }
  std::string out((bits.size() + 7) / 8, '\0');
  for (std::size_t i = 0; i < bits.size(); ++i)
    if (bits[i]) out[i / 8] = static_cast<char>(out[i / 8] | (msb_first ? 0x80 >> (i % 8) : 1 << (i % 8)));
  return out;
}

void set_kw(RawFcs& f, std::pair<std::string, std::string> kv) {
  for (auto& [k, v] : f.keywords)
    if (k == kv.first) {
      v = kv.second;
      return;
    }
  f.keywords.push_back(std::move(kv));
}

bool has_warning(const fcs::DataSet& ds, std::string_view text) {
  for (const auto& w : ds.warnings)
    if (w.find(text) != std::string::npos) return true;
  return false;
}

}  // namespace mrdflow::fcs_test
