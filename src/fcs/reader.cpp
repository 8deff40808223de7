// read_fcs / read_fcs_bytes: HEADER -> TEXT (+ supplemental) -> channels -> DATA offsets ->
// decode -> flowCore defaults. The file variant memory-maps the file and releases DATA pages
// as soon as they are decoded, so peak memory stays close to the decoded columns.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>

#include "fcs/detail.h"

namespace mrdflow::fcs {

namespace {

using namespace detail;
using AbsRelease = std::function<void(std::int64_t abs_offset, std::uint64_t length)>;
using AbsFetch = std::function<bool(std::int64_t abs_offset, std::uint64_t length, std::byte* into)>;

constexpr std::int64_t kHeaderBigSentinel = 99999999;

struct ParsedSet {
  std::int64_t base = 0;  // absolute offset of this data set's HEADER
  Header header;
  Keywords keywords;
  std::vector<std::string> warnings;
};

std::optional<std::int64_t> keyword_int(const Keywords& kw, std::string_view name, const Context& ctx) {
  const auto* v = kw.find(name);
  if (v == nullptr || trim(*v).empty()) return std::nullopt;
  return parse_integer(*v, std::string(name), ctx);
}

// An offset keyword: a non-negative integer small enough that base + value cannot overflow.
std::optional<std::int64_t> offset_kw(const Keywords& kw, std::string_view name, const Context& ctx) {
  const auto v = keyword_int(kw, name, ctx);
  if (v && (*v < 0 || *v > (std::int64_t{1} << 60)))
    ctx.fail(std::nullopt, std::string(name), "offset " + std::to_string(*v) + " is out of range");
  return v;
}

ParsedSet parse_set(std::span<const std::byte> file, std::int64_t base, const Context& ctx) {
  ParsedSet set;
  set.base = base;
  set.header = parse_header(file, base, ctx);
  const auto size = static_cast<std::int64_t>(file.size());
  const auto tb = base + set.header.text_begin, te = base + set.header.text_end;
  if (set.header.text_begin < 58 && set.header.text_begin != 0)
    ctx.fail(base + 10, "", "TEXT segment begins at " + std::to_string(set.header.text_begin) +
                                ", inside the 58-byte HEADER");
  if (te < tb) ctx.fail(base + 10, "", "TEXT segment ends (" + std::to_string(set.header.text_end) +
                                           ") before it begins (" + std::to_string(set.header.text_begin) + ")");
  if (te >= size)
    ctx.fail(tb, "", "TEXT segment [" + std::to_string(tb) + ", " + std::to_string(te) +
                         "] extends past the end of the file (" + std::to_string(size) + " bytes)");
  const std::string_view text(reinterpret_cast<const char*>(file.data() + tb),
                              static_cast<std::size_t>(te - tb + 1));
  parse_text(text, tb, ctx, set.keywords, set.warnings, false);
  // Supplemental TEXT (FCS 3.x): same syntax, its own delimiter; primary keywords win.
  const auto sb = offset_kw(set.keywords, "$BEGINSTEXT", ctx);
  const auto se = offset_kw(set.keywords, "$ENDSTEXT", ctx);
  if (sb && se && *sb > 0 && *se >= *sb) {
    if (base + *se >= size) {
      set.warnings.push_back("supplemental TEXT [" + std::to_string(*sb) + ", " + std::to_string(*se) +
                             "] lies past the end of the file; ignored");
    } else if (!(*sb == set.header.text_begin && *se == set.header.text_end)) {
      const std::string_view stext(reinterpret_cast<const char*>(file.data() + base + *sb),
                                   static_cast<std::size_t>(*se - *sb + 1));
      Keywords extra;
      parse_text(stext, base + *sb, ctx, extra, set.warnings, false);
      for (const auto& k : extra.all()) {
        if (set.keywords.contains(k.name)) {
          set.warnings.push_back("keyword " + k.name + " in supplemental TEXT repeats a primary TEXT keyword; primary kept");
          continue;
        }
        set.keywords.set(k.name, k.value);
      }
    }
  }
  return set;
}

std::string pkey(std::size_t i, const char* suffix) { return "$P" + std::to_string(i + 1) + suffix; }

void build_channels(DataSet& ds, const Context& ctx, std::size_t text_size) {
  const auto& kw = ds.keywords;
  const auto par = keyword_int(kw, "$PAR", ctx);
  if (!par) ctx.fail(std::nullopt, "$PAR", "required keyword is missing");
  // Each parameter needs at least a $PnB keyword in TEXT, which bounds a sane $PAR.
  if (*par < 1 || static_cast<std::uint64_t>(*par) > text_size / 4 + 1)
    ctx.fail(std::nullopt, "$PAR", "value " + std::to_string(*par) + " is not a plausible parameter count");
  const auto* dt = kw.find("$DATATYPE");
  if (dt == nullptr) ctx.fail(std::nullopt, "$DATATYPE", "required keyword is missing");
  const auto dts = trim(*dt);
  if (dts.size() != 1 || std::string_view("IFDA").find(static_cast<char>(std::toupper(dts[0]))) == std::string_view::npos)
    ctx.fail(std::nullopt, "$DATATYPE", "unknown data type '" + std::string(dts.substr(0, 20)) + "'");
  const char global_type = static_cast<char>(std::toupper(dts[0]));
  if (const auto* mode = kw.find("$MODE"); mode != nullptr && trim(*mode) != "L")
    ctx.fail(std::nullopt, "$MODE", "'" + std::string(trim(*mode).substr(0, 20)) +
                                        "' is not supported (only list mode L)");
  const bool v2 = ds.header.version == "FCS2.0";
  std::vector<std::size_t> no_pne;
  ds.channels.resize(static_cast<std::size_t>(*par));
  for (std::size_t i = 0; i < ds.channels.size(); ++i) {
    auto& ch = ds.channels[i];
    if (const auto* n = kw.find(pkey(i, "N"))) {
      ch.name = *n;
    } else if (v2) {
      ch.name = "P" + std::to_string(i + 1);
      ds.warnings.push_back(pkey(i, "N") + " missing; channel named " + ch.name);
    } else {
      ctx.fail(std::nullopt, pkey(i, "N"), "required keyword is missing");
    }
    if (const auto* s = kw.find(pkey(i, "S"))) ch.marker = *s;
    const auto* b = kw.find(pkey(i, "B"));
    if (b == nullptr) ctx.fail(std::nullopt, pkey(i, "B"), "required keyword is missing");
    if (trim(*b) == "*") ch.bits = 0;
    else {
      const auto bits = parse_integer(*b, pkey(i, "B"), ctx);
      if (bits < 1 || bits > 64) ctx.fail(std::nullopt, pkey(i, "B"), "width " + std::to_string(bits) + " is not 1..64");
      ch.bits = static_cast<int>(bits);
    }
    const auto* r = kw.find(pkey(i, "R"));
    if (r == nullptr) ctx.fail(std::nullopt, pkey(i, "R"), "required keyword is missing");
    ch.range = parse_number(*r, pkey(i, "R"), ctx);
    ch.max_value = ch.range;
    if (const auto* e = kw.find(pkey(i, "E"))) {
      const auto comma = e->find(',');
      if (comma == std::string::npos)
        ctx.fail(std::nullopt, pkey(i, "E"), "value '" + e->substr(0, 40) + "' is not 'f1,f2'");
      ch.log_decades = parse_number(std::string_view(*e).substr(0, comma), pkey(i, "E"), ctx);
      ch.log_offset = parse_number(std::string_view(*e).substr(comma + 1), pkey(i, "E"), ctx);
      if (ch.log_decades < 0 || ch.log_offset < 0)
        ctx.fail(std::nullopt, pkey(i, "E"), "value '" + e->substr(0, 40) + "' is negative");
    } else {
      no_pne.push_back(i + 1);
    }
    if (const auto* g = kw.find(pkey(i, "G")); g != nullptr && !trim(*g).empty())
      ch.gain = parse_number(*g, pkey(i, "G"), ctx);
    if (const auto* d = kw.find(pkey(i, "D"))) ch.display = *d;
    if (const auto* t = kw.find(pkey(i, "TYPE"))) ch.type = *t;
    ch.datatype = global_type;
    if (const auto* pdt = kw.find(pkey(i, "DATATYPE"))) {
      const auto v = trim(*pdt);
      if (v != "I" && v != "F" && v != "D")
        ctx.fail(std::nullopt, pkey(i, "DATATYPE"), "unknown data type '" + std::string(v.substr(0, 20)) + "'");
      ch.datatype = v[0];
    }
  }
  if (!no_pne.empty()) {
    std::string list;
    for (auto n : no_pne) list += (list.empty() ? "" : ", ") + std::to_string(n);
    ds.warnings.push_back("no $PnE keyword for channels " + list + "; using '0,0' as flowCore does");
  }
}

struct DataPlacement {
  std::int64_t begin = 0;  // relative to the data set's base
  std::uint64_t length = 0;
};

std::uint64_t checked_bytes(const DataLayout& layout, std::uint64_t tot, const Context& ctx) {
  const auto bits = std::max<std::uint64_t>(layout.row_bits, 1);
  if (tot > (std::numeric_limits<std::uint64_t>::max() / 2) / bits)
    ctx.fail(std::nullopt, "$TOT", "value " + std::to_string(tot) + " is absurd for rows of " +
                                       std::to_string(layout.row_bits) + " bits");
  return layout.bytes_for(tot);
}

// Where DATA is: HEADER offsets, or $BEGINDATA/$ENDDATA when the HEADER holds 0 (files over
// 99,999,999 bytes) or when the two disagree and only TEXT fits $TOT (with a warning).
DataPlacement place_data(DataSet& ds, const ParsedSet& set, DataLayout& layout,
                         std::optional<std::uint64_t>& tot, std::int64_t file_size, const Context& ctx) {
  const auto& h = ds.header;
  const auto tb = offset_kw(ds.keywords, "$BEGINDATA", ctx);
  const auto te = offset_kw(ds.keywords, "$ENDDATA", ctx);
  std::int64_t begin = h.data_begin, end = h.data_end;
  const bool header_begin_blank = h.data_begin <= 0;
  const bool header_end_blank = h.data_end <= 0 || h.data_end == kHeaderBigSentinel;
  if (header_begin_blank) {
    if (!tb) ctx.fail(set.base + 26, "$BEGINDATA", "DATA start unknown: HEADER holds 0 and TEXT has no $BEGINDATA");
    begin = *tb;
  }
  if (header_end_blank) {
    if (!te) ctx.fail(set.base + 34, "$ENDDATA", "DATA end unknown: HEADER holds 0 and TEXT has no $ENDDATA");
    end = *te;
  }
  std::optional<std::uint64_t> expected;
  if (tot && !layout.delimited_ascii) expected = checked_bytes(layout, *tot, ctx);
  const auto len = [](std::int64_t b, std::int64_t e) { return e - b + 1; };
  // HEADER vs TEXT disagreement: flowCore trusts a non-zero HEADER and stops; pick the pair
  // whose length matches $TOT x row width, preferring TEXT (that is what the writer computed last).
  if ((tb && *tb != begin) || (te && *te != end)) {
    const std::int64_t cb = tb.value_or(begin), ce = te.value_or(end);
    std::string msg = "HEADER and TEXT disagree on the DATA segment (HEADER " + std::to_string(begin) +
                      ".." + std::to_string(end) + ", TEXT " + std::to_string(cb) + ".." +
                      std::to_string(ce) + ")";
    if (expected && len(cb, ce) == static_cast<std::int64_t>(*expected) && len(begin, end) != len(cb, ce)) {
      ds.warnings.push_back(msg + "; the TEXT offsets match $TOT and are used");
      begin = cb;
      end = ce;
    } else if (expected && len(begin, end) == static_cast<std::int64_t>(*expected)) {
      ds.warnings.push_back(msg + "; the HEADER offsets match $TOT and are used");
    } else if (expected && std::abs(len(cb, ce) - static_cast<std::int64_t>(*expected)) <= 1 &&
               std::abs(len(begin, end) - static_cast<std::int64_t>(*expected)) > 1) {
      ds.warnings.push_back(msg + "; the TEXT offsets are used");
      begin = cb;
      end = ce;
    } else {
      ds.warnings.push_back(msg + "; the HEADER offsets are used");
    }
  }
  if (begin < 0 || set.base + begin > file_size)
    ctx.fail(set.base + 26, "$BEGINDATA", "DATA begins at " + std::to_string(begin) + ", outside the file (" +
                                              std::to_string(file_size) + " bytes)");
  std::int64_t actual = len(begin, end);
  if (actual < 0) ctx.fail(set.base + 26, "$ENDDATA", "DATA segment ends (" + std::to_string(end) + ") before it begins (" + std::to_string(begin) + ")");
  const std::int64_t available = file_size - (set.base + begin);
  if (layout.delimited_ascii) {
    if (actual > available) ctx.fail(set.base + begin, "$ENDDATA", "DATA segment [" + std::to_string(begin) + ", " + std::to_string(end) + "] extends past the end of the file (" + std::to_string(file_size) + " bytes)");
    if (!tot) ctx.fail(std::nullopt, "$TOT", "required keyword is missing");
    return {begin, static_cast<std::uint64_t>(actual)};
  }
  if (!tot) {
    // FCS 2.0 did not require $TOT: derive it from the DATA length.
    const auto row = layout.row_bytes();
    if (layout.bit_packed || row == 0 || actual % static_cast<std::int64_t>(row) != 0)
      ctx.fail(std::nullopt, "$TOT", "missing, and the DATA length " + std::to_string(actual) + " is not a whole number of rows");
    tot = static_cast<std::uint64_t>(actual) / row;
    expected = static_cast<std::uint64_t>(actual);
    ds.warnings.push_back("$TOT missing; " + std::to_string(*tot) + " events derived from the DATA length");
  }
  auto exp = static_cast<std::int64_t>(*expected);
  if (actual != exp && layout.bit_packed) {
    // Legacy CXP files: $PnB 10 for data stored in 16 bits (flowCore: bitwidth 10 -> 16).
    DataSet widened;
    widened.channels = ds.channels;
    widened.keywords = ds.keywords;
    for (auto& ch : widened.channels) {
      int w = 8;
      while (w < ch.bits) w *= 2;
      ch.bits = w;
    }
    std::vector<std::string> ignored;
    auto alt = plan_layout(widened, ctx, ignored);
    const auto alt_exp = static_cast<std::int64_t>(checked_bytes(alt, *tot, ctx));
    if (std::abs(actual - alt_exp) <= 1) {
      ds.warnings.push_back("$PnB widths are not whole bytes but the DATA length fits byte-aligned storage "
                            "(legacy Beckman Coulter CXP); read as " +
                            std::to_string(alt.columns.front().bits) + "-bit words");
      layout = std::move(alt);
      exp = alt_exp;
    }
  }
  if (actual != exp) {
    if (std::abs(actual - exp) == 1) {
      ds.warnings.push_back("DATA segment length " + std::to_string(actual) + " is off by one from $TOT x row width (" +
                            std::to_string(exp) + " bytes); $ENDDATA taken as " + std::to_string(begin + exp - 1));
    } else {
      ctx.fail(set.base + begin, "$TOT", "$TOT " + std::to_string(*tot) + " x " + std::to_string(layout.row_bits) +
                                             " bits per event = " + std::to_string(exp) + " bytes, but the DATA segment [" +
                                             std::to_string(begin) + ", " + std::to_string(end) + "] holds " +
                                             std::to_string(actual));
    }
  }
  if (exp > available)
    ctx.fail(set.base + begin, "$ENDDATA", "DATA segment needs " + std::to_string(exp) + " bytes from offset " +
                                               std::to_string(set.base + begin) + " but the file has only " +
                                               std::to_string(std::max<std::int64_t>(available, 0)));
  return {begin, static_cast<std::uint64_t>(exp)};
}

DataSet read_impl(std::span<const std::byte> file, const std::string& name, const ReadOptions& options,
                  const AbsRelease& release, const AbsFetch& fetch = {},
                  EventMatrix&& storage = {}) {
  const Context ctx{name};
  const auto size = static_cast<std::int64_t>(file.size());
  // Walk the $NEXTDATA chain (bounded: offsets must move forward).
  std::vector<ParsedSet> sets;
  std::vector<std::string> chain_warnings;
  std::int64_t base = 0;
  while (true) {
    if (sets.size() <= options.dataset) {
      sets.push_back(parse_set(file, base, ctx));
    } else {
      try {
        sets.push_back(parse_set(file, base, ctx));
      } catch (const FcsError& e) {
        chain_warnings.push_back("data set " + std::to_string(sets.size()) + " at byte " + std::to_string(base) +
                                 " is unreadable and was skipped: " + e.problem());
        break;
      }
    }
    std::optional<std::int64_t> nd;
    try {
      nd = keyword_int(sets.back().keywords, "$NEXTDATA", ctx);
    } catch (const FcsError&) {
      chain_warnings.push_back("$NEXTDATA is not a number; further data sets ignored");
    }
    if (!nd || *nd == 0) break;
    if (*nd < 0 || *nd > size - base - 58) {
      chain_warnings.push_back("$NEXTDATA " + std::to_string(*nd) + " points outside the file; ignored");
      break;
    }
    if (sets.size() >= 100000) break;
    base += *nd;
  }
  if (options.dataset >= sets.size())
    ctx.fail(std::nullopt, "$NEXTDATA", "data set " + std::to_string(options.dataset) + " requested but the file holds " +
                                            std::to_string(sets.size()));
  auto& set = sets[options.dataset];
  DataSet ds;
  ds.file = name;
  ds.header = set.header;
  ds.keywords = std::move(set.keywords);
  ds.warnings = std::move(set.warnings);
  ds.warnings.insert(ds.warnings.end(), chain_warnings.begin(), chain_warnings.end());
  ds.dataset_index = options.dataset;
  ds.dataset_count = sets.size();
  ds.raw = options.raw;
  if (sets.size() > 1 && options.dataset == 0)
    ds.warnings.push_back("the file holds " + std::to_string(sets.size()) + " data sets; the first is read");

  build_channels(ds, ctx, static_cast<std::size_t>(set.header.text_end - set.header.text_begin + 1));
  std::optional<std::uint64_t> tot;
  if (const auto t = keyword_int(ds.keywords, "$TOT", ctx)) {
    if (*t < 0) ctx.fail(std::nullopt, "$TOT", "negative event count");
    tot = static_cast<std::uint64_t>(*t);
  } else if (ds.header.version != "FCS2.0") {
    ctx.fail(std::nullopt, "$TOT", "required keyword is missing");
  }
  auto layout = plan_layout(ds, ctx, ds.warnings);
  const auto placement = place_data(ds, set, layout, tot, size, ctx);
  ds.event_count = static_cast<std::size_t>(*tot);
  ds.spillover = find_spillover(ds, ctx, ds.warnings, options.strict_spillover);
  const auto data_abs = set.base + placement.begin;
  const auto data = file.subspan(static_cast<std::size_t>(data_abs), placement.length);
  if (layout.delimited_ascii) {
    if (ds.event_count > 0 && ds.channels.size() > data.size() / ds.event_count + 1)
      ctx.fail(data_abs, "$TOT", "$TOT x $PAR values cannot fit in " + std::to_string(data.size()) + " bytes of ASCII DATA");
  }
  if (!options.read_events) {
    for (auto& w : ds.warnings) w = printable(w);
    return ds;
  }
  ds.events = EventMatrix::recycle(std::move(storage), ds.event_count, ds.channels.size());
  if (layout.delimited_ascii) {
    decode_delimited_ascii(data, ds.event_count, ds.channels.size(), ds.events, data_abs, ctx);
  } else {
    ReleaseFn rel;
    FetchFn fetch_data;
    if (release) rel = [&](std::uint64_t off, std::uint64_t len) { release(data_abs + static_cast<std::int64_t>(off), len); };
    if (fetch)
      fetch_data = [&](std::uint64_t off, std::uint64_t len, std::byte* into) {
        return fetch(data_abs + static_cast<std::int64_t>(off), len, into);
      };
    decode_fixed(data, layout, ds.event_count, ds.events, options.threads, rel, fetch_data, ctx, data_abs);
  }
  if (!options.raw) apply_flowcore_defaults(ds, options.keep_above_range);
  for (auto& w : ds.warnings) w = printable(w);  // one line each, whatever the file held
  return ds;
}

// Read-only mapping of a whole file; unmapped on scope exit.
class MappedFile {
 public:
  explicit MappedFile(const std::filesystem::path& path) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw FcsError(path.string(), std::nullopt, "", std::string("cannot open: ") + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd_);
      throw FcsError(path.string(), std::nullopt, "", "not a regular file");
    }
    size_ = static_cast<std::size_t>(st.st_size);
    if (size_ > 0) {
      void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd_, 0);
      if (p == MAP_FAILED) {
        ::close(fd_);
        throw FcsError(path.string(), std::nullopt, "", std::string("cannot map: ") + std::strerror(errno));
      }
      data_ = static_cast<std::byte*>(p);
      ::madvise(p, size_, MADV_SEQUENTIAL);
    }
  }
  ~MappedFile() {
    if (data_ != nullptr) ::munmap(data_, size_);
    if (fd_ >= 0) ::close(fd_);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  std::span<const std::byte> bytes() const noexcept { return {data_, size_}; }
  // Copies [offset, offset+length) with pread (see FetchFn for why not through the mapping).
  bool fetch(std::int64_t offset, std::uint64_t length, std::byte* into) const noexcept {
    std::uint64_t done = 0;
    while (done < length) {
      const ssize_t n = ::pread(fd_, into + done, length - done, static_cast<off_t>(offset + done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      done += static_cast<std::uint64_t>(n);
    }
    return true;
  }
  // Drops the pages fully inside [offset, offset+length): they were decoded already.
  void release(std::int64_t offset, std::uint64_t length) const noexcept {
    static const auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
    const auto b = (static_cast<std::uint64_t>(offset) + page - 1) / page * page;
    const auto e = (static_cast<std::uint64_t>(offset) + length) / page * page;
    if (data_ != nullptr && e > b) ::madvise(data_ + b, e - b, MADV_DONTNEED);
  }

 private:
  int fd_ = -1;
  std::byte* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace

DataSet read_fcs_bytes(std::span<const std::byte> bytes, const std::string& name, const ReadOptions& options) {
  return read_impl(bytes, name, options, nullptr);
}

DataSet read_fcs(const std::filesystem::path& path, const ReadOptions& options) {
  return read_fcs(path, options, EventMatrix{});
}

DataSet read_fcs(const std::filesystem::path& path, const ReadOptions& options, EventMatrix&& storage) {
  const MappedFile mapped(path);
  return read_impl(mapped.bytes(), path.string(), options,
                   [&](std::int64_t off, std::uint64_t len) { mapped.release(off, len); },
                   [&](std::int64_t off, std::uint64_t len, std::byte* into) { return mapped.fetch(off, len, into); },
                   std::move(storage));
}

}  // namespace mrdflow::fcs
