#pragma once
// Test-only FCS "surgery": take a file apart (HEADER, primary TEXT, DATA, ANALYSIS, supplemental
// TEXT) and put it back together with chosen keywords, offsets or bytes damaged. Deliberately
// independent of src/fcs (its own lenient parser), so a reader bug cannot hide in the harness.
#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mrdflow::fcs_robustness {

// The six HEADER offset fields, in file order.
enum HeaderField { kTextBegin, kTextEnd, kDataBegin, kDataEnd, kAnalysisBegin, kAnalysisEnd };
inline constexpr std::size_t kHeaderFieldOffset[6] = {10, 18, 26, 34, 42, 50};
inline constexpr std::size_t kHeaderSize = 58;

struct HeaderInfo {
  std::string version;                 // first 6 bytes, e.g. "FCS3.1"
  std::array<std::int64_t, 6> offsets;  // -1 where blank or not a number
};
std::optional<HeaderInfo> parse_header(std::string_view file);

// A TEXT segment as an ordered keyword list; names keep their spelling.
struct TextSegment {
  char delimiter = '/';
  std::vector<std::pair<std::string, std::string>> keywords;

  const std::string* find(std::string_view name) const;
  void set(std::string_view name, std::string value);  // replace in place or append
  bool erase(std::string_view name);
};
// Parses "<d>key<d>value<d>..." (doubled delimiters = literal). nullopt when unparsable.
std::optional<TextSegment> parse_text(std::string_view text);
std::string serialize_text(const TextSegment& text);

// A file taken apart: only the first data set is kept.
struct FcsParts {
  std::string version = "FCS3.1";
  TextSegment text;
  std::string data;
  std::string analysis;
  std::optional<TextSegment> supplemental;
};
std::optional<FcsParts> disassemble(std::string_view file);

struct AssembleOptions {
  bool data_offsets_in_header = true;  // false: HEADER data fields "0", reader must use TEXT
  // Offset keywords ($BEGINDATA, $NEXTDATA, ...) forced to these literal values (nullopt: drop).
  std::vector<std::pair<std::string, std::optional<std::string>>> offset_overrides;
  // Applied to the serialized TEXT (delimiter damage). Must not make the length depend on the
  // offset values it is given, so the layout stays consistent.
  std::function<std::string(std::string)> text_filter;
};
// Lays out HEADER(58) TEXT DATA [STEXT] [ANALYSIS] with consistent offsets (fixed-width numbers,
// so the TEXT length does not depend on them).
std::string assemble(const FcsParts& parts, const AssembleOptions& options = {});

// Overwrites one 8-character HEADER field (right-justified, space padded, cut to 8).
void set_header_field(std::string& file, HeaderField field, std::string_view value);

// Little helpers for building synthetic DATA segments.
void append_uint(std::string& out, std::uint64_t value, int bytes, bool big_endian);
void append_f32(std::string& out, float value, bool big_endian);
void append_f64(std::string& out, double value, bool big_endian);

}  // namespace mrdflow::fcs_robustness
