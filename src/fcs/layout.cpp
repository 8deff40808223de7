// DATA layout: where each column sits in a row, how wide it is, its byte order and mask.
#include <algorithm>

#include "fcs/detail.h"

namespace mrdflow::fcs::detail {

namespace {

// $BYTEORD "n1,n2,...": n_i = significance (1 = least) of the i-th stored byte.
std::vector<std::uint8_t> parse_byteord(std::string_view text, const Context& ctx) {
  std::vector<std::uint8_t> order;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    const auto part = text.substr(start, comma == std::string_view::npos ? text.npos : comma - start);
    const auto v = parse_integer(part, "$BYTEORD", ctx);
    if (v < 1 || v > 8) ctx.fail(std::nullopt, "$BYTEORD", "'" + std::string(text) + "' is not a byte order");
    order.push_back(static_cast<std::uint8_t>(v - 1));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  auto sorted = order;
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t i = 0; i < sorted.size(); ++i)
    if (sorted[i] != i || sorted.size() > 8)
      ctx.fail(std::nullopt, "$BYTEORD", "'" + std::string(text) + "' is not a permutation of 1..n");
  return order;
}

// Byte significance for a value of `width` bytes: the full permutation when the widths agree,
// otherwise the endianness the order implies (legacy files pair 16-bit data with 4,3,2,1).
std::vector<std::uint8_t> order_for(const std::vector<std::uint8_t>& byteord, std::uint32_t width) {
  std::vector<std::uint8_t> out(width);
  if (byteord.size() == width) return byteord;
  const bool little = byteord.size() < 2 || byteord[0] < byteord[1];
  for (std::uint32_t i = 0; i < width; ++i)
    out[i] = static_cast<std::uint8_t>(little ? i : width - 1 - i);
  return out;
}

// flowCore's mask: keep ceil(log2($PnR)) bits when that is fewer than $PnB.
std::uint64_t mask_for(double range, std::uint32_t bits) {
  if (!(range > 0)) return ~0ULL;
  std::uint32_t used = 0;
  while (used < 64 && static_cast<double>(1ULL << used) < range) ++used;
  if (used >= bits || used >= 64) return ~0ULL;
  return (1ULL << used) - 1;
}

}  // namespace

DataLayout plan_layout(const DataSet& ds, const Context& ctx, std::vector<std::string>& warnings) {
  DataLayout layout;
  const auto n = ds.channels.size();
  bool any_star = false, all_star = true;
  for (const auto& ch : ds.channels) {
    any_star = any_star || ch.bits == 0;
    all_star = all_star && ch.bits == 0;
  }
  const bool all_ascii = std::all_of(ds.channels.begin(), ds.channels.end(),
                                     [](const Channel& c) { return c.datatype == 'A'; });
  if (all_ascii && n > 0 && all_star) {
    layout.delimited_ascii = true;
    return layout;
  }
  if (any_star) ctx.fail(std::nullopt, "$PnB", "'*' (delimited ASCII) mixed with fixed widths");

  std::vector<std::uint8_t> byteord;
  const bool needs_order = std::any_of(ds.channels.begin(), ds.channels.end(), [](const Channel& c) {
    return c.datatype != 'A' && c.bits > 8;
  });
  if (const auto* bo = ds.keywords.find("$BYTEORD")) {
    byteord = parse_byteord(*bo, ctx);
  } else if (needs_order) {
    ctx.fail(std::nullopt, "$BYTEORD", "required keyword is missing");
  }
  const bool big = byteord.size() >= 2 && byteord[0] > byteord[1];

  // Legacy Beckman Coulter CXP files say $PnB 10 for 16-bit storage (flowCore: bitwidth 10 ->
  // 16); the reader decides from the DATA length, see reader.cpp.
  std::uint64_t bit = 0;
  layout.columns.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto& ch = ds.channels[i];
    const auto kw = "$P" + std::to_string(i + 1) + "B";
    ColumnLayout col;
    col.bits = static_cast<std::uint32_t>(ch.bits);
    col.bit_offset = bit;
    switch (ch.datatype) {
      case 'F':
        if (ch.bits != 32) ctx.fail(std::nullopt, kw, "float data needs 32 bits, not " + std::to_string(ch.bits));
        col.kind = ColumnKind::Float32;
        break;
      case 'D':
        if (ch.bits != 64) ctx.fail(std::nullopt, kw, "double data needs 64 bits, not " + std::to_string(ch.bits));
        col.kind = ColumnKind::Float64;
        break;
      case 'I':
        if (ch.bits < 1 || ch.bits > 64)
          ctx.fail(std::nullopt, kw, "integer width " + std::to_string(ch.bits) + " is not 1..64");
        col.kind = ColumnKind::UInt;
        col.mask = mask_for(ch.range, col.bits);
        break;
      case 'A':
        if (ch.bits < 1 || ch.bits > 64)
          ctx.fail(std::nullopt, kw, "ASCII width " + std::to_string(ch.bits) + " is not 1..64 characters");
        col.kind = ColumnKind::AsciiFixed;
        col.bits = static_cast<std::uint32_t>(ch.bits) * 8;  // $PnB counts characters
        break;
      default:
        ctx.fail(std::nullopt, "$DATATYPE", std::string("unknown data type '") + ch.datatype + "'");
    }
    if (col.bits % 8 != 0) layout.bit_packed = true;
    if (col.kind != ColumnKind::AsciiFixed && col.bits % 8 == 0)
      col.order = order_for(byteord.empty() ? std::vector<std::uint8_t>{0} : byteord, col.bits / 8);
    bit += col.bits;
    layout.columns.push_back(std::move(col));
  }
  layout.row_bits = bit;
  layout.msb_first_bits = big;
  if (layout.bit_packed) {
    warnings.push_back(std::string("integer widths that are not whole bytes: values are read as a ") +
                       (big ? "most" : "least") + "-significant-bit-first packed bit stream");
  }
  return layout;
}

}  // namespace mrdflow::fcs::detail
