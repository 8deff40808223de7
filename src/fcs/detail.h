#pragma once
// Internal pieces of the FCS engine (not part of the public API): HEADER and TEXT parsing,
// DATA layout planning and decoding, flowCore default scaling. Each lives in its own .cpp.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "fcs/fcs.h"

namespace mrdflow::fcs::detail {

// Byte range [begin, end] (inclusive, absolute in the file) of one segment.
struct Segment {
  std::int64_t begin = 0;
  std::int64_t end = -1;
  std::int64_t size() const noexcept { return end - begin + 1; }
};

// File content quoted in a message: control characters as \xNN so errors stay one line.
inline std::string printable(std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7F) {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += ch;
    }
  }
  return out;
}

// Context for error messages while parsing one file.
struct Context {
  std::string file;
  [[noreturn]] void fail(std::optional<std::int64_t> at, const std::string& keyword,
                         const std::string& problem) const {
    throw FcsError(printable(file), at, printable(keyword), printable(problem));
  }
};

// HEADER at absolute offset `base` (offsets in the returned Header stay relative to base,
// as written).
Header parse_header(std::span<const std::byte> file, std::int64_t base, const Context& ctx);

// Parses one TEXT segment (first byte = delimiter) into `out`. Duplicate keywords: the
// first one wins unless `overwrite`; tolerated oddities go to `warnings`.
void parse_text(std::string_view text, std::int64_t text_offset, const Context& ctx,
                Keywords& out, std::vector<std::string>& warnings, bool overwrite);

// Trimmed numeric keyword parsing; throws FcsError naming the keyword when not a number.
double parse_number(std::string_view value, const std::string& keyword, const Context& ctx);
std::int64_t parse_integer(std::string_view value, const std::string& keyword,
                           const Context& ctx);
std::string_view trim(std::string_view s) noexcept;

// How one column is stored in a fixed-width row.
enum class ColumnKind : std::uint8_t { UInt, Float32, Float64, AsciiFixed };
struct ColumnLayout {
  ColumnKind kind = ColumnKind::Float32;
  std::uint32_t bits = 32;          // width in bits
  std::uint64_t bit_offset = 0;     // from the start of the row
  std::uint64_t mask = ~0ULL;       // integer mask ($PnR power of two), ~0 = none
  std::vector<std::uint8_t> order;  // byte significance per stored byte (0 = least), width bytes
};
struct DataLayout {
  bool delimited_ascii = false;     // $DATATYPE A with $PnB '*'
  bool bit_packed = false;          // some width is not a multiple of 8
  bool msb_first_bits = false;      // bit-packed stream order (big-endian BYTEORD)
  std::uint64_t row_bits = 0;
  std::vector<ColumnLayout> columns;
  std::uint64_t row_bytes() const noexcept { return row_bits / 8; }
  // Bytes needed for n events (packed rows may share a byte).
  std::uint64_t bytes_for(std::uint64_t events) const noexcept {
    return (events * row_bits + 7) / 8;
  }
};

// Builds the layout from parsed channels and $BYTEORD (throws on unsupported combinations).
DataLayout plan_layout(const DataSet& ds, const Context& ctx, std::vector<std::string>& warnings);

// Called after each chunk of the DATA segment has been consumed: [offset, offset+len)
// relative to the DATA start. The memory-mapped reader releases those pages.
using ReleaseFn = std::function<void(std::uint64_t offset, std::uint64_t length)>;

// Copies DATA bytes [offset, offset+length) (relative to the DATA start) into `into`; false on
// a short read. The file reader uses pread(): on virtual machines, touching page-cache pages
// through a mapping costs far more than having the kernel copy them into a small hot buffer.
using FetchFn = std::function<bool(std::uint64_t offset, std::uint64_t length, std::byte* into)>;

// Decodes `events` fixed-width rows from `data` into `out` (events x columns, column-major).
// With `fetch`, whole-byte rows are copied block by block into per-thread buffers and decoded
// from there (`data` is then only read for ASCII and bit-packed layouts).
void decode_fixed(std::span<const std::byte> data, const DataLayout& layout, std::size_t events,
                  EventMatrix& out, int threads, const ReleaseFn& release, const FetchFn& fetch,
                  const Context& ctx, std::int64_t data_offset);
// Decodes delimited ASCII values; returns the values found (row-major) count check inside.
void decode_delimited_ascii(std::span<const std::byte> data, std::size_t events,
                            std::size_t channels, EventMatrix& out, std::int64_t data_offset,
                            const Context& ctx);

// flowCore read.FCS defaults (truncate at $PnR, linearize $PnE for integer data); see
// docs/fcs-semantics.md. Channels for which keep_above_range is true are not truncated.
void apply_flowcore_defaults(DataSet& ds, const std::function<bool(const Channel&)>& keep_above_range = {});

// Spillover from the keywords ($SPILLOVER, SPILL, $SPILL, SPILLOVER, $COMP) or nullopt.
// strict: a matrix naming unknown channels is an FcsError; otherwise a warning and nullopt.
std::optional<Spillover> find_spillover(const DataSet& ds, const Context& ctx,
                                        std::vector<std::string>& warnings, bool strict = true);

}  // namespace mrdflow::fcs::detail
