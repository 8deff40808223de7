// HEADER segment: "FCSx.y", four spaces, six right-justified 8-character ASCII offsets.
#include <charconv>

#include "fcs/detail.h"

namespace mrdflow::fcs::detail {

namespace {
constexpr std::int64_t kHeaderSize = 58;

// One 8-character offset field: blank -> -1 (allowed for ANALYSIS), otherwise digits.
std::int64_t offset_field(std::span<const std::byte> file, std::int64_t at, const char* what,
                          const Context& ctx) {
  std::string_view field(reinterpret_cast<const char*>(file.data() + at), 8);
  const auto t = trim(field);
  if (t.empty()) return -1;
  std::int64_t v = 0;
  const auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc{} || p != t.data() + t.size() || v < 0)
    ctx.fail(at, "", std::string("HEADER ") + what + " offset is not a number: '" +
                         std::string(field) + "'");
  return v;
}
}  // namespace

Header parse_header(std::span<const std::byte> file, std::int64_t base, const Context& ctx) {
  const auto size = static_cast<std::int64_t>(file.size());
  if (base < 0 || base > size || size - base < kHeaderSize)
    ctx.fail(base, "", "file too short for an FCS HEADER (" + std::to_string(size - base) +
                           " bytes, need 58)");
  std::string_view magic(reinterpret_cast<const char*>(file.data() + base), 6);
  if (magic != "FCS2.0" && magic != "FCS3.0" && magic != "FCS3.1" && magic != "FCS3.2")
    ctx.fail(base, "", "not an FCS file (HEADER starts with '" + std::string(magic) +
                           "', expected FCS2.0/3.0/3.1/3.2)");
  Header h;
  h.version = std::string(magic);
  h.text_begin = offset_field(file, base + 10, "TEXT begin", ctx);
  h.text_end = offset_field(file, base + 18, "TEXT end", ctx);
  h.data_begin = offset_field(file, base + 26, "DATA begin", ctx);
  h.data_end = offset_field(file, base + 34, "DATA end", ctx);
  h.analysis_begin = offset_field(file, base + 42, "ANALYSIS begin", ctx);
  h.analysis_end = offset_field(file, base + 50, "ANALYSIS end", ctx);
  if (h.text_begin < 0 || h.text_end < 0)
    ctx.fail(base + 10, "", "HEADER has no TEXT segment offsets");
  return h;
}

}  // namespace mrdflow::fcs::detail
