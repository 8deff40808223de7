#include "fcs_surgery.h"

#include <algorithm>
#include <bit>
#include <cctype>
#include <charconv>
#include <cstring>

namespace mrdflow::fcs_robustness {
namespace {

bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::toupper(static_cast<unsigned char>(x)) ==
                  std::toupper(static_cast<unsigned char>(y));
         });
}

std::optional<std::int64_t> to_int(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  std::int64_t v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// [begin, end] inclusive segment inside the file, or nullopt.
std::optional<std::string> segment(std::string_view file, std::int64_t begin, std::int64_t end) {
  if (begin <= 0 || end < begin || end >= static_cast<std::int64_t>(file.size())) return std::nullopt;
  return std::string(file.substr(static_cast<std::size_t>(begin),
                                 static_cast<std::size_t>(end - begin + 1)));
}

std::int64_t keyword_int(const TextSegment& t, std::string_view name) {
  if (const auto* v = t.find(name))
    if (auto n = to_int(*v)) return *n;
  return 0;
}

constexpr std::string_view kOffsetKeys[] = {"$BEGINANALYSIS", "$ENDANALYSIS", "$BEGINDATA",
                                            "$ENDDATA",       "$BEGINSTEXT",  "$ENDSTEXT",
                                            "$NEXTDATA"};

std::string zero_padded(std::int64_t v) {
  std::string s = std::to_string(v);
  return s.size() >= 12 ? s : std::string(12 - s.size(), '0') + s;
}

}  // namespace

std::optional<HeaderInfo> parse_header(std::string_view file) {
  if (file.size() < kHeaderSize) return std::nullopt;
  HeaderInfo h;
  h.version = std::string(file.substr(0, 6));
  for (std::size_t i = 0; i < 6; ++i)
    h.offsets[i] = to_int(file.substr(kHeaderFieldOffset[i], 8)).value_or(-1);
  return h;
}

const std::string* TextSegment::find(std::string_view name) const {
  for (const auto& [k, v] : keywords)
    if (same_name(k, name)) return &v;
  return nullptr;
}

void TextSegment::set(std::string_view name, std::string value) {
  for (auto& [k, v] : keywords)
    if (same_name(k, name)) {
      v = std::move(value);
      return;
    }
  keywords.emplace_back(std::string(name), std::move(value));
}

bool TextSegment::erase(std::string_view name) {
  const auto it = std::find_if(keywords.begin(), keywords.end(),
                               [&](const auto& kv) { return same_name(kv.first, name); });
  if (it == keywords.end()) return false;
  keywords.erase(it);
  return true;
}

std::optional<TextSegment> parse_text(std::string_view text) {
  if (text.size() < 2) return std::nullopt;
  TextSegment t;
  t.delimiter = text[0];
  std::vector<std::string> tokens;
  std::string token;
  for (std::size_t i = 1; i < text.size(); ++i) {
    if (text[i] != t.delimiter) {
      token += text[i];
    } else if (i + 1 < text.size() && text[i + 1] == t.delimiter) {
      token += t.delimiter;  // doubled delimiter = literal
      ++i;
    } else {
      tokens.push_back(std::move(token));
      token.clear();
    }
  }
  if (!token.empty()) tokens.push_back(std::move(token));  // TEXT not closed by a delimiter
  if (tokens.size() % 2 != 0) return std::nullopt;
  for (std::size_t i = 0; i < tokens.size(); i += 2) {
    if (tokens[i].empty()) return std::nullopt;
    t.keywords.emplace_back(std::move(tokens[i]), std::move(tokens[i + 1]));
  }
  return t;
}

std::string serialize_text(const TextSegment& text) {
  std::string out(1, text.delimiter);
  auto put = [&](std::string_view s) {
    for (char c : s) {
      out += c;
      if (c == text.delimiter) out += c;
    }
    out += text.delimiter;
  };
  for (const auto& [k, v] : text.keywords) {
    put(k);
    put(v);
  }
  return out;
}

std::optional<FcsParts> disassemble(std::string_view file) {
  const auto header = parse_header(file);
  if (!header) return std::nullopt;
  const auto text_bytes = segment(file, header->offsets[kTextBegin], header->offsets[kTextEnd]);
  if (!text_bytes) return std::nullopt;
  auto text = parse_text(*text_bytes);
  if (!text) return std::nullopt;

  FcsParts parts;
  parts.version = header->version;
  parts.text = std::move(*text);
  std::int64_t db = header->offsets[kDataBegin], de = header->offsets[kDataEnd];
  if (db <= 0 && de <= 0) {
    db = keyword_int(parts.text, "$BEGINDATA");
    de = keyword_int(parts.text, "$ENDDATA");
  }
  de = std::min<std::int64_t>(de, static_cast<std::int64_t>(file.size()) - 1);
  if (auto d = segment(file, db, de)) parts.data = std::move(*d);
  std::int64_t ab = header->offsets[kAnalysisBegin], ae = header->offsets[kAnalysisEnd];
  if (ab <= 0 && ae <= 0) {
    ab = keyword_int(parts.text, "$BEGINANALYSIS");
    ae = keyword_int(parts.text, "$ENDANALYSIS");
  }
  if (auto a = segment(file, ab, ae)) parts.analysis = std::move(*a);
  if (auto s = segment(file, keyword_int(parts.text, "$BEGINSTEXT"),
                       keyword_int(parts.text, "$ENDSTEXT")))
    parts.supplemental = parse_text(*s);
  for (auto key : kOffsetKeys) parts.text.erase(key);
  return parts;
}

std::string assemble(const FcsParts& parts, const AssembleOptions& options) {
  TextSegment text = parts.text;
  for (auto key : kOffsetKeys) text.erase(key);
  const std::string supplemental = parts.supplemental ? serialize_text(*parts.supplemental) : "";

  // Offset keywords: computed (fixed width) unless overridden.
  std::vector<std::pair<std::string, std::optional<std::string>>> offsets;
  for (auto key : kOffsetKeys) offsets.emplace_back(std::string(key), zero_padded(0));
  for (const auto& [key, value] : options.offset_overrides) {
    auto it = std::find_if(offsets.begin(), offsets.end(),
                           [&](const auto& o) { return same_name(o.first, key); });
    if (it == offsets.end()) offsets.emplace_back(key, value);
    else it->second = value;
  }
  auto overridden = [&](std::string_view key) {
    return std::any_of(options.offset_overrides.begin(), options.offset_overrides.end(),
                       [&](const auto& o) { return same_name(o.first, key); });
  };
  auto with_offsets = [&] {
    TextSegment t = text;
    for (const auto& [k, v] : offsets)
      if (v) t.keywords.emplace_back(k, *v);
    std::string s = serialize_text(t);
    return options.text_filter ? options.text_filter(std::move(s)) : s;
  };

  const std::int64_t text_begin = static_cast<std::int64_t>(kHeaderSize);
  const std::int64_t text_end = text_begin + static_cast<std::int64_t>(with_offsets().size()) - 1;
  std::int64_t cursor = text_end + 1;
  auto place = [&](std::size_t size) -> std::pair<std::int64_t, std::int64_t> {
    if (size == 0) return {0, 0};
    const std::int64_t b = cursor;
    cursor += static_cast<std::int64_t>(size);
    return {b, cursor - 1};
  };
  const auto [db, de] = place(parts.data.size());
  const auto [sb, se] = place(supplemental.size());
  const auto [ab, ae] = place(parts.analysis.size());
  const std::pair<std::string_view, std::int64_t> computed[] = {
      {"$BEGINANALYSIS", ab}, {"$ENDANALYSIS", ae}, {"$BEGINDATA", db}, {"$ENDDATA", de},
      {"$BEGINSTEXT", sb},    {"$ENDSTEXT", se},    {"$NEXTDATA", 0}};
  for (const auto& [key, value] : computed)
    if (!overridden(key))
      for (auto& o : offsets)
        if (same_name(o.first, key)) o.second = zero_padded(value);

  std::string out(kHeaderSize, ' ');
  out.replace(0, std::min<std::size_t>(parts.version.size(), 10), parts.version, 0, 10);
  auto header_value = [](std::int64_t v) { return v > 99'999'999 ? std::int64_t{0} : v; };
  set_header_field(out, kTextBegin, std::to_string(text_begin));
  set_header_field(out, kTextEnd, std::to_string(header_value(text_end)));
  set_header_field(out, kDataBegin,
                   std::to_string(options.data_offsets_in_header ? header_value(db) : 0));
  set_header_field(out, kDataEnd,
                   std::to_string(options.data_offsets_in_header ? header_value(de) : 0));
  set_header_field(out, kAnalysisBegin, std::to_string(header_value(ab)));
  set_header_field(out, kAnalysisEnd, std::to_string(header_value(ae)));
  out += with_offsets();
  out += parts.data;
  out += supplemental;
  out += parts.analysis;
  return out;
}

void set_header_field(std::string& file, HeaderField field, std::string_view value) {
  if (file.size() < kHeaderSize) return;
  std::string v(value.substr(0, 8));
  v = std::string(8 - v.size(), ' ') + v;
  file.replace(kHeaderFieldOffset[field], 8, v);
}

void append_uint(std::string& out, std::uint64_t value, int bytes, bool big_endian) {
  for (int i = 0; i < bytes; ++i) {
    const int shift = 8 * (big_endian ? bytes - 1 - i : i);
    out += static_cast<char>((value >> shift) & 0xFF);
  }
}

void append_f32(std::string& out, float value, bool big_endian) {
  append_uint(out, std::bit_cast<std::uint32_t>(value), 4, big_endian);
}

void append_f64(std::string& out, double value, bool big_endian) {
  append_uint(out, std::bit_cast<std::uint64_t>(value), 8, big_endian);
}

}  // namespace mrdflow::fcs_robustness
