// DATA decoding: fixed-width rows (event-major in the file) into contiguous per-channel
// columns. The hot loops are specialised per column type and byte order and run over blocks
// of events in parallel; no allocation and no indirect call per value.
#include <omp.h>

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <vector>

#include "fcs/detail.h"

namespace mrdflow::fcs::detail {

namespace {

enum class Order : std::uint8_t { Little, Big, Other };

Order classify(const std::vector<std::uint8_t>& order) {
  const auto w = order.size();
  bool little = true, big = true;
  for (std::size_t i = 0; i < w; ++i) {
    little = little && order[i] == i;
    big = big && order[i] == w - 1 - i;
  }
  if (little) return Order::Little;
  if (big) return Order::Big;
  return Order::Other;
}

template <class U>
inline U load(const std::byte* p) noexcept {
  U v;
  std::memcpy(&v, p, sizeof(U));
  return v;
}

template <class U>
inline U swap_if(U v, bool swap) noexcept {
  if (!swap) return v;
  if constexpr (sizeof(U) == 1) return v;
  else if constexpr (sizeof(U) == 2) return __builtin_bswap16(v);
  else if constexpr (sizeof(U) == 4) return __builtin_bswap32(v);
  else return __builtin_bswap64(v);
}

constexpr bool kHostLittle = std::endian::native == std::endian::little;

// One column over a block of events: src points at this column's first byte in the first row.
template <class U, bool Swap>
void column_uint(const std::byte* src, std::size_t stride, std::size_t n, std::uint64_t mask,
                 double* dst) noexcept {
  for (std::size_t e = 0; e < n; ++e)
    dst[e] = static_cast<double>(swap_if(load<U>(src + e * stride), Swap) & mask);
}

template <bool Swap>
void column_f32(const std::byte* src, std::size_t stride, std::size_t n, double* dst) noexcept {
  for (std::size_t e = 0; e < n; ++e)
    dst[e] = static_cast<double>(std::bit_cast<float>(swap_if(load<std::uint32_t>(src + e * stride), Swap)));
}

template <bool Swap>
void column_f64(const std::byte* src, std::size_t stride, std::size_t n, double* dst) noexcept {
  for (std::size_t e = 0; e < n; ++e)
    dst[e] = std::bit_cast<double>(swap_if(load<std::uint64_t>(src + e * stride), Swap));
}

// Any byte-multiple width and byte permutation (24-bit, 3,4,1,2 ...): slow but exact.
std::uint64_t assemble(const std::byte* p, const std::vector<std::uint8_t>& order) noexcept {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < order.size(); ++i)
    v |= static_cast<std::uint64_t>(std::to_integer<std::uint8_t>(p[i])) << (8 * order[i]);
  return v;
}

void column_generic(const std::byte* src, std::size_t stride, std::size_t n,
                    const ColumnLayout& col, double* dst) noexcept {
  if (col.kind == ColumnKind::UInt) {
    for (std::size_t e = 0; e < n; ++e)
      dst[e] = static_cast<double>(assemble(src + e * stride, col.order) & col.mask);
  } else if (col.kind == ColumnKind::Float32) {
    for (std::size_t e = 0; e < n; ++e)
      dst[e] = std::bit_cast<float>(static_cast<std::uint32_t>(assemble(src + e * stride, col.order)));
  } else {
    for (std::size_t e = 0; e < n; ++e)
      dst[e] = std::bit_cast<double>(assemble(src + e * stride, col.order));
  }
}

void decode_column_block(const std::byte* rows, std::size_t stride, std::size_t n,
                         const ColumnLayout& col, double* dst) noexcept {
  const std::byte* src = rows + col.bit_offset / 8;
  const auto ord = classify(col.order);
  if (ord == Order::Other) return column_generic(src, stride, n, col, dst);
  const bool swap = (ord == Order::Big) == kHostLittle;
  switch (col.kind) {
    case ColumnKind::Float32:
      return swap ? column_f32<true>(src, stride, n, dst) : column_f32<false>(src, stride, n, dst);
    case ColumnKind::Float64:
      return swap ? column_f64<true>(src, stride, n, dst) : column_f64<false>(src, stride, n, dst);
    case ColumnKind::UInt:
      switch (col.bits) {
        case 8: return column_uint<std::uint8_t, false>(src, stride, n, col.mask, dst);
        case 16:
          return swap ? column_uint<std::uint16_t, true>(src, stride, n, col.mask, dst)
                      : column_uint<std::uint16_t, false>(src, stride, n, col.mask, dst);
        case 32:
          return swap ? column_uint<std::uint32_t, true>(src, stride, n, col.mask, dst)
                      : column_uint<std::uint32_t, false>(src, stride, n, col.mask, dst);
        case 64:
          return swap ? column_uint<std::uint64_t, true>(src, stride, n, col.mask, dst)
                      : column_uint<std::uint64_t, false>(src, stride, n, col.mask, dst);
        default: return column_generic(src, stride, n, col, dst);
      }
    case ColumnKind::AsciiFixed: return;  // decoded serially (can fail)
  }
}

// Bit-packed rows: value bits taken from a continuous bit stream.
std::uint64_t read_bits(std::span<const std::byte> data, std::uint64_t bit, std::uint32_t width,
                        bool msb_first) noexcept {
  std::uint64_t v = 0;
  for (std::uint32_t k = 0; k < width; ++k) {
    const auto pos = bit + k;
    const auto byte = std::to_integer<std::uint8_t>(data[pos / 8]);
    const unsigned b = msb_first ? (byte >> (7 - pos % 8)) & 1u : (byte >> (pos % 8)) & 1u;
    if (msb_first) v = (v << 1) | b;
    else v |= static_cast<std::uint64_t>(b) << k;
  }
  return v;
}

double parse_ascii_field(std::string_view field, std::int64_t at, const Context& ctx) {
  const auto t = trim(field);
  double v = 0;
  const char* b = t.data();
  if (!t.empty() && *b == '+') ++b;
  const auto [p, ec] = std::from_chars(b, t.data() + t.size(), v);
  if (t.empty() || ec != std::errc{} || p != t.data() + t.size())
    ctx.fail(at, "", "ASCII DATA value '" + std::string(field.substr(0, 32)) + "' is not a number");
  return v;
}

// The common case of modern instruments: every column float32 in host byte order. Row by row,
// so the source is read once, sequentially (the prefetcher streams it), and each column is an
// independent sequential write stream. Returns false when the layout is not that case.
bool decode_block_all_f32_host(const std::byte* rows, std::size_t stride, std::size_t n,
                               const DataLayout& layout, EventMatrix& out, std::size_t e0) noexcept {
  constexpr std::size_t kMaxColumns = 64;
  const auto ncol = layout.columns.size();
  if (ncol > kMaxColumns || stride != ncol * 4) return false;
  double* dst[kMaxColumns];
  for (std::size_t c = 0; c < ncol; ++c) {
    const auto& col = layout.columns[c];
    if (col.kind != ColumnKind::Float32 || col.bit_offset != c * 32 || classify(col.order) == Order::Other ||
        (classify(col.order) == Order::Big) == kHostLittle)
      return false;
    dst[c] = out.column(c).data() + e0;
  }
  for (std::size_t e = 0; e < n; ++e) {
    const std::byte* row = rows + e * stride;
    for (std::size_t c = 0; c < ncol; ++c) dst[c][e] = static_cast<double>(load<float>(row + 4 * c));
  }
  return true;
}

}  // namespace

void decode_fixed(std::span<const std::byte> data, const DataLayout& layout, std::size_t events,
                  EventMatrix& out, int threads, const ReleaseFn& release, const FetchFn& fetch,
                  const Context& ctx,
                  std::int64_t data_offset) {
  const auto ncol = layout.columns.size();
  if (events == 0 || ncol == 0) return;
  if (layout.bit_packed) {
    for (std::size_t c = 0; c < ncol; ++c) {
      const auto& col = layout.columns[c];
      auto dst = out.column(c);
      for (std::size_t e = 0; e < events; ++e) {
        const auto v = read_bits(data, e * layout.row_bits + col.bit_offset, col.bits,
                                 layout.msb_first_bits);
        dst[e] = static_cast<double>(v & col.mask);
      }
    }
    if (release) release(0, data.size());
    return;
  }
  const std::size_t stride = layout.row_bytes();
  bool has_ascii = false;
  for (const auto& col : layout.columns) has_ascii = has_ascii || col.kind == ColumnKind::AsciiFixed;
  const std::size_t block = std::max<std::size_t>(1, 65536 / std::max<std::size_t>(stride, 1));
  const int nthreads = threads > 0 ? threads : omp_get_max_threads();
  if (fetch && !has_ascii) {
    // Each thread copies ~1 MB of rows at a time into its own buffer (kept across reads) and
    // decodes from there; contiguous ranges per thread keep the copies sequential.
    const std::size_t rows_per_fetch = std::max<std::size_t>(block, (std::size_t{1} << 20) / stride);
    const auto nfetch = static_cast<std::int64_t>((events + rows_per_fetch - 1) / rows_per_fetch);
    bool short_read = false;
#pragma omp parallel for num_threads(nthreads) schedule(static) if (nfetch > 1) reduction(|| : short_read)
    for (std::int64_t f = 0; f < nfetch; ++f) {
      thread_local std::vector<std::byte> buffer;
      const std::size_t e0 = static_cast<std::size_t>(f) * rows_per_fetch;
      const std::size_t n = std::min(rows_per_fetch, events - e0);
      if (buffer.size() < n * stride) buffer.resize(rows_per_fetch * stride);
      if (!fetch(e0 * stride, n * stride, buffer.data())) {
        short_read = true;
        continue;
      }
      for (std::size_t b0 = 0; b0 < n; b0 += block) {
        const std::size_t nb = std::min(block, n - b0);
        const std::byte* rows = buffer.data() + b0 * stride;
        if (decode_block_all_f32_host(rows, stride, nb, layout, out, e0 + b0)) continue;
        for (std::size_t c = 0; c < ncol; ++c)
          decode_column_block(rows, stride, nb, layout.columns[c], out.column(c).data() + e0 + b0);
      }
    }
    if (short_read) ctx.fail(data_offset, "", "DATA segment could not be read in full (file changed or I/O error)");
    return;
  }
  // Chunks of ~16 MB: decoded in parallel (blocks of events per thread), then released.
  const std::size_t chunk_events = std::max<std::size_t>(block, (std::size_t{16} << 20) / stride);
  for (std::size_t first = 0; first < events; first += chunk_events) {
    const std::size_t last = std::min(events, first + chunk_events);
    const auto nblocks = static_cast<std::int64_t>((last - first + block - 1) / block);
#pragma omp parallel for num_threads(nthreads) schedule(dynamic, 4) if (nblocks > 1)
    for (std::int64_t b = 0; b < nblocks; ++b) {
      const std::size_t e0 = first + static_cast<std::size_t>(b) * block;
      const std::size_t n = std::min(block, last - e0);
      const std::byte* rows = data.data() + e0 * stride;
      if (decode_block_all_f32_host(rows, stride, n, layout, out, e0)) continue;
      for (std::size_t c = 0; c < ncol; ++c)
        decode_column_block(rows, stride, n, layout.columns[c], out.column(c).data() + e0);
    }
    if (release && !has_ascii) release(first * stride, (last - first) * stride);
  }
  if (has_ascii) {
    for (std::size_t c = 0; c < ncol; ++c) {
      const auto& col = layout.columns[c];
      if (col.kind != ColumnKind::AsciiFixed) continue;
      auto dst = out.column(c);
      const auto width = col.bits / 8;
      for (std::size_t e = 0; e < events; ++e) {
        const auto off = e * stride + col.bit_offset / 8;
        dst[e] = parse_ascii_field(
            std::string_view(reinterpret_cast<const char*>(data.data() + off), width),
            data_offset + static_cast<std::int64_t>(off), ctx);
      }
    }
    if (release) release(0, data.size());
  }
}

void decode_delimited_ascii(std::span<const std::byte> data, std::size_t events,
                            std::size_t channels, EventMatrix& out, std::int64_t data_offset,
                            const Context& ctx) {
  const auto* s = reinterpret_cast<const char*>(data.data());
  const std::size_t size = data.size();
  const auto sep = [](char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',' || c == '\0';
  };
  std::size_t i = 0;
  const std::size_t total = events * channels;
  for (std::size_t k = 0; k < total; ++k) {
    while (i < size && sep(s[i])) ++i;
    if (i >= size)
      ctx.fail(data_offset + static_cast<std::int64_t>(i), "$TOT",
               "delimited ASCII DATA holds " + std::to_string(k) + " values, $TOT x $PAR needs " +
                   std::to_string(total));
    std::size_t j = i;
    while (j < size && !sep(s[j])) ++j;
    const double v = parse_ascii_field(std::string_view(s + i, j - i),
                                       data_offset + static_cast<std::int64_t>(i), ctx);
    out(k / channels, k % channels) = v;
    i = j;
  }
}

}  // namespace mrdflow::fcs::detail
