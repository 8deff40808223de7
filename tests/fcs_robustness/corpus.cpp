// Generates the broken-file corpus, one family of damage at a time. Everything is deterministic
// (fixed seeds, fixed value lists) so a failing case name reproduces the same bytes.
#include "corpus.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <set>

#include "fcs/fcs.h"

namespace mrdflow::fcs_robustness {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kSmallBase = 700 * 1024;  // many-variant families only on files this small

std::string num(std::int64_t v) { return std::to_string(v); }

// Same width as the harness's computed offsets, so replacing one keeps the layout in place.
std::string pad12(std::int64_t v) {
  std::string s = std::to_string(v);
  return v < 0 || s.size() >= 12 ? s : std::string(12 - s.size(), '0') + s;
}

std::int64_t text_int(const TextSegment& t, std::string_view key, std::int64_t fallback) {
  if (const auto* v = t.find(key)) {
    try {
      std::size_t used = 0;
      const long long n = std::stoll(*v, &used);
      return n;
    } catch (...) {
    }
  }
  return fallback;
}

// Segment boundaries of a file as written (HEADER, then TEXT keywords where HEADER has 0).
struct Layout {
  std::int64_t size = 0, tb = -1, te = -1, db = -1, de = -1, ab = -1, ae = -1, sb = -1, se = -1;
};

Layout locate(std::string_view file) {
  Layout l;
  l.size = static_cast<std::int64_t>(file.size());
  const auto h = parse_header(file);
  if (!h) return l;
  l.tb = h->offsets[kTextBegin];
  l.te = h->offsets[kTextEnd];
  l.db = h->offsets[kDataBegin];
  l.de = h->offsets[kDataEnd];
  l.ab = h->offsets[kAnalysisBegin];
  l.ae = h->offsets[kAnalysisEnd];
  if (l.tb > 0 && l.te > l.tb && l.te < l.size) {
    const auto text = parse_text(file.substr(l.tb, l.te - l.tb + 1));
    if (text) {
      if (l.db <= 0) l.db = text_int(*text, "$BEGINDATA", l.db);
      if (l.de <= 0) l.de = text_int(*text, "$ENDDATA", l.de);
      l.sb = text_int(*text, "$BEGINSTEXT", -1);
      l.se = text_int(*text, "$ENDSTEXT", -1);
    }
  }
  return l;
}

struct Family {
  const std::vector<Base>& bases;
  std::vector<Case>& out;
  std::string family;

  void add(const Base& b, const std::string& what, std::string bytes, bool must_complain = false,
           std::size_t dataset = 0, bool via_file = false) {
    Case c;
    c.family = family;
    c.name = b.name + "#";
    for (char ch : what) {  // names go into messages: keep them printable and one line
      const auto u = static_cast<unsigned char>(ch);
      if (u >= 0x20 && u < 0x7F) {
        c.name += ch;
      } else {
        static const char hex[] = "0123456789ABCDEF";
        c.name += std::string("\\x") + hex[u >> 4] + hex[u & 15];
      }
    }
    c.bytes = std::move(bytes);
    c.dataset = dataset;
    c.also_via_file = via_file;
    c.must_complain = must_complain;
    out.push_back(std::move(c));
  }
};

// ---- truncate: every segment boundary and +-1 around it -------------------------------------
void truncations(Family& f, const Base& b) {
  const Layout l = locate(b.bytes);
  std::set<std::int64_t> cuts;
  for (std::int64_t p : {std::int64_t{0}, std::int64_t{1}, std::int64_t{6}, std::int64_t{10},
                         std::int64_t{57}, l.tb, l.te, l.te + 1, l.db, l.de, l.de + 1, l.ab,
                         l.ae, l.ae + 1, l.sb, l.se, l.se + 1, l.size - 1, l.size / 2,
                         l.db + (l.de - l.db) / 2})
    for (std::int64_t d = -1; d <= 1; ++d)
      if (p + d >= 0 && p + d < l.size) cuts.insert(p + d);
  for (std::int64_t n : cuts)
    f.add(b, "truncate@" + num(n), b.bytes.substr(0, static_cast<std::size_t>(n)),
          /*must_complain=*/l.de > 0 && n <= l.de, 0, /*via_file=*/true);
}

// ---- header: garbage in every HEADER offset field and in the version ------------------------
void header_garbage(Family& f, const Base& b) {
  if (b.bytes.size() < kHeaderSize) return;
  const std::int64_t size = static_cast<std::int64_t>(b.bytes.size());
  const char* names[] = {"text_begin", "text_end", "data_begin", "data_end", "analysis_begin",
                         "analysis_end"};
  for (int field = 0; field < 6; ++field) {
    for (const std::string& v : {std::string(""), std::string("abcdefgh"), std::string("-1"),
                                 std::string("99999999"), std::string("0"), num(size),
                                 num(size + 1000), std::string("1e3"), std::string("12 34")}) {
      std::string bytes = b.bytes;
      set_header_field(bytes, static_cast<HeaderField>(field), v);
      f.add(b, std::string("header.") + names[field] + "=" + v, std::move(bytes));
    }
  }
  for (int pair = 0; pair < 3; ++pair) {  // begin and end swapped
    std::string bytes = b.bytes;
    const std::size_t a = kHeaderFieldOffset[2 * pair], e = kHeaderFieldOffset[2 * pair + 1];
    std::swap_ranges(bytes.begin() + a, bytes.begin() + a + 8, bytes.begin() + e);
    f.add(b, std::string("header.swap.") + names[2 * pair], std::move(bytes));
  }
  for (const std::string& v : {std::string("FCS9.9"), std::string("XYZ3.1"), std::string("fcs3.1"),
                               std::string("FCS3. "), std::string(6, '\0'),
                               std::string("FCS3.1abcd")}) {
    std::string bytes = b.bytes;
    bytes.replace(0, v.size(), v);
    f.add(b, "header.version=" + std::string(v.c_str()), std::move(bytes));
  }
}

// ---- offsets: $BEGINDATA/$ENDDATA, supplemental TEXT, ANALYSIS and $NEXTDATA in TEXT ---------
void text_offsets(Family& f, const Base& b) {
  const FcsParts& p = *b.parts;
  const std::string normal = assemble(p);
  const Layout l = locate(normal);
  auto with = [&](const std::string& what, AssembleOptions o) {
    f.add(b, what, assemble(p, o));
  };
  const std::string huge63 = "9223372036854775807", over63 = "9223372036854775808",
                    over64 = "18446744073709551616";
  for (const std::string& v : {num(-1), num(0), num(1), num(57), pad12(l.size), pad12(2 * l.size),
                               huge63, over63, over64, std::string("abc"), std::string(""),
                               std::string("1e3"), std::string(" 100 "), pad12(l.de),
                               pad12(l.db + 1), pad12(l.db - 1)})
    with("$BEGINDATA=" + v, {false, {{"$BEGINDATA", v}}, {}});
  for (const std::string& v : {num(-1), num(0), pad12(l.db - 1), pad12(l.de + 1), pad12(l.de - 1),
                               pad12(l.size), pad12(l.size + 1), huge63, over63,
                               std::string("abc"), std::string("")})
    with("$ENDDATA=" + v, {false, {{"$ENDDATA", v}}, {}});
  // HEADER and TEXT disagree.
  for (std::int64_t v : {l.db + 1, l.db - 8, std::int64_t{0}})
    with("header+$BEGINDATA=" + num(v), {true, {{"$BEGINDATA", pad12(v)}}, {}});
  for (std::int64_t v : {l.de + 1, l.de - 1})
    with("header+$ENDDATA=" + num(v), {true, {{"$ENDDATA", pad12(v)}}, {}});

  const std::vector<std::pair<std::string, std::string>> ranges = {
      {pad12(0), pad12(57)},           {pad12(l.te - 5), pad12(l.te)},
      {pad12(l.size), pad12(l.size + 10)}, {pad12(l.de), pad12(l.db)},
      {huge63, huge63},                {"-1", "-1"},
      {"abc", "abc"},                  {pad12(l.db), pad12(l.de)},
      {pad12(l.db), pad12(l.size + 100)}};
  for (const auto& [begin, end] : ranges) {
    with("$BEGINSTEXT=" + begin + ",$ENDSTEXT=" + end,
         {true, {{"$BEGINSTEXT", begin}, {"$ENDSTEXT", end}}, {}});
    with("$BEGINANALYSIS=" + begin + ",$ENDANALYSIS=" + end,
         {true, {{"$BEGINANALYSIS", begin}, {"$ENDANALYSIS", end}}, {}});
  }
  for (const std::string& v : {std::string("-1"), pad12(1), pad12(57), pad12(l.size),
                               pad12(l.size - 1), huge63, std::string("abc"), pad12(58),
                               pad12(l.te)})
    with("$NEXTDATA=" + v, {true, {{"$NEXTDATA", v}}, {}});
}

// Applies one keyword change to a copy of the parts and lays the file out consistently.
void keyword_case(Family& f, const Base& b, const std::string& key, std::optional<std::string> v,
                  bool must_complain = false, std::string version = "") {
  FcsParts p = *b.parts;
  if (v) p.text.set(key, *v);
  else p.text.erase(key);
  if (!version.empty()) p.version = version;
  f.add(b, key + (v ? "=" + *v : " removed") + (version.empty() ? "" : " as " + version),
        assemble(p), must_complain);
}

// ---- counts: $TOT and $PAR absurd -----------------------------------------------------------
void counts(Family& f, const Base& b) {
  const auto& t = b.parts->text;
  const std::int64_t tot = text_int(t, "$TOT", 100), par = text_int(t, "$PAR", 4);
  for (const std::string& v :
       {std::string("0"), std::string("-1"), std::string("9223372036854775807"),
        std::string("9223372036854775808"), std::string("18446744073709551615"),
        std::string("18446744073709551616"), std::string("99999999999999999999999"),
        std::string("1e30"), std::string("1e3"), std::string("abc"), std::string(""),
        std::string(" 7 "), std::string("12abc"), num(tot - 1), num(tot / 2)})
    keyword_case(f, b, "$TOT", v);
  keyword_case(f, b, "$TOT", num(tot + 1), true);
  keyword_case(f, b, "$TOT", num(tot * 2 + 1), true);
  for (const std::string& v :
       {std::string("0"), std::string("-1"), std::string("9223372036854775808"),
        std::string("4294967296"), std::string("2147483648"), std::string("1000000"),
        num(par - 1), std::string("abc"), std::string("")})
    keyword_case(f, b, "$PAR", v);
  keyword_case(f, b, "$PAR", num(par + 1), true);
}

// ---- widths: $PnB odd, zero, huge -----------------------------------------------------------
void widths(Family& f, const Base& b) {
  const std::int64_t par = text_int(b.parts->text, "$PAR", 1);
  for (std::int64_t channel : {std::int64_t{1}, par}) {
    const std::string key = "$P" + num(channel) + "B";
    for (const char* v :
         {"0", "-8", "1", "7", "10", "12", "13", "24", "63", "64", "65", "128", "1000000",
          "9223372036854775808", "abc", "*", ""})
      keyword_case(f, b, key, v);
    if (par == 1) break;
  }
  for (const char* v : {"7", "64", "12"}) {
    FcsParts p = *b.parts;
    for (std::int64_t c = 1; c <= par && c <= 10000; ++c) p.text.set("$P" + num(c) + "B", v);
    f.add(b, std::string("all $PnB=") + v, assemble(p));
  }
}

// ---- types: $DATATYPE, $BYTEORD, $MODE, $PnDATATYPE -----------------------------------------
void types(Family& f, const Base& b) {
  for (const char* v : {"", "X", "FF", "i", "f", "d", "a", "I", "F", "D", "A"})
    keyword_case(f, b, "$DATATYPE", v);
  for (const char* v : {"", "1,2,3,4,5", "1,1,1,1", "0,1,2,3", "9,8,7,6", "abc", "4,3,2,1",
                               "1,2", "2,1", "3,4,1,2", "1,2,3,4,5,6,7,8", "1,2,3", "4,3,2,1,",
                               ",,,", "1,2,3,-4"})
    keyword_case(f, b, "$BYTEORD", v);
  for (const char* v : {"C", "U", "X", ""}) keyword_case(f, b, "$MODE", v);
  for (const char* v : {"X", "D", "I", "A", "F", ""}) {
    keyword_case(f, b, "$P1DATATYPE", v, false, "FCS3.2");
    keyword_case(f, b, "$P1DATATYPE", v);
  }
}

// ---- scales: $PnR, $PnE, $PnG, $TIMESTEP, spillover -----------------------------------------
void scales(Family& f, const Base& b) {
  const auto& t = b.parts->text;
  const std::string p1n = t.find("$P1N") ? *t.find("$P1N") : "P1";
  const std::string p2n = t.find("$P2N") ? *t.find("$P2N") : "P2";
  for (const char* v : {"0", "-1", "1e308", "nan", "inf", "abc", "", "9223372036854775808",
                               "0.5", "1"})
    keyword_case(f, b, "$P1R", v);
  for (const char* v : {"abc", "1", "-1,0", "inf,1", "4,0", "1000,1", "0,0", "0,5",
                               "nan,nan", "", "4,-1", "1e308,1e308"})
    keyword_case(f, b, "$P1E", v);
  for (const char* v : {"0", "-1", "nan", "abc", "1e308", "1e-308"})
    keyword_case(f, b, "$P1G", v);
  for (const char* v : {"0", "abc", "nan", "-1", "1e308"}) {
    FcsParts p = *b.parts;
    p.text.set("$P1N", "Time");
    p.text.set("$TIMESTEP", v);
    f.add(b, std::string("$P1N=Time,$TIMESTEP=") + v, assemble(p));
  }
  for (const std::string& v :
       {std::string("abc"), std::string("2,FSC-A"), std::string("1000000000,a"),
        std::string("2,X,Y,1,0,0,1"), std::string("-1"), std::string(""), "1," + p1n + ",nan",
        "2," + p1n + "," + p2n + ",1,0,0", "3," + p1n + "," + p1n + "," + p1n + ",1,0,0,0,1,0,0,0,1",
        "2," + p1n + "," + p2n + ",1,0,0,1,5", std::string("2,1,2,1,0.5,0.25,1"),
        std::string("2,0,9,1,0,0,1"),
        "18446744073709551616," + p1n, "1," + p1n + ",abc"}) {
    // Alternate the spelling: both reach the same parser.
    keyword_case(f, b, (v.size() % 2 == 0) ? "$SPILLOVER" : "SPILL", v);
  }
  keyword_case(f, b, "$COMP", "abc");
  // Text from the file that ends up in messages: line breaks and control bytes in names.
  keyword_case(f, b, "$SPILLOVER", "1,FL1\nA,1");
  keyword_case(f, b, "$SPILLOVER", "2," + p1n + ",X\r\nY,1,0,0,1");
  keyword_case(f, b, "$P1N", "A\nB");
  keyword_case(f, b, "$P1B", "1\n6");
  keyword_case(f, b, "$DATATYPE", "\n");
  keyword_case(f, b, "$TOT", "12\n");
  keyword_case(f, b, "$P1N", "");
  keyword_case(f, b, "$P1N", p2n);
}

// ---- missing: each required keyword removed -------------------------------------------------
void missing(Family& f, const Base& b) {
  const std::int64_t par = text_int(b.parts->text, "$PAR", 1);
  const std::string last = "$P" + num(par);
  for (const std::string& key : {std::string("$BYTEORD"), std::string("$DATATYPE"),
                                 std::string("$MODE"), std::string("$PAR"), std::string("$TOT"),
                                 std::string("$P1B"), std::string("$P1N"), std::string("$P1R"),
                                 std::string("$P1E"), last + "B", last + "N", last + "R"})
    keyword_case(f, b, key, std::nullopt);
  const FcsParts& p = *b.parts;
  auto removed = [&](const std::string& what, std::vector<std::string> keys) {
    AssembleOptions o{false, {}, {}};
    for (auto& k : keys) o.offset_overrides.emplace_back(std::move(k), std::nullopt);
    f.add(b, what, assemble(p, o));
  };
  removed("$BEGINDATA removed", {"$BEGINDATA"});
  removed("$ENDDATA removed", {"$ENDDATA"});
  removed("$BEGINDATA,$ENDDATA removed", {"$BEGINDATA", "$ENDDATA"});
  removed("$NEXTDATA removed", {"$NEXTDATA"});
  FcsParts q = p;  // every $Pn* keyword of the last channel
  std::erase_if(q.text.keywords, [&](const auto& kv) {
    const std::string& k = kv.first;
    return k.size() > last.size() && std::equal(last.begin(), last.end(), k.begin(),
                                                [](char a, char c) { return a == std::toupper(c); }) &&
           !std::isdigit(static_cast<unsigned char>(k[last.size()]));
  });
  f.add(b, "all " + last + "* removed", assemble(q));
}

// ---- delimiters: TEXT structure damaged -----------------------------------------------------
void delimiters(Family& f, const Base& b) {
  const FcsParts& p = *b.parts;
  for (char d : {' ', '\0', '\xFF', '$', ',', '1', 'P', '\n', '|'}) {
    FcsParts q = p;
    q.text.delimiter = d;
    f.add(b, "delimiter=0x" + num(static_cast<unsigned char>(d)), assemble(q));
  }
  const char d = p.text.delimiter;
  auto filtered = [&](const std::string& what, std::function<std::string(std::string)> filter) {
    AssembleOptions o;
    o.text_filter = std::move(filter);
    f.add(b, what, assemble(p, o));
  };
  filtered("no final delimiter", [](std::string s) { s.pop_back(); return s; });
  filtered("junk after final delimiter", [](std::string s) { return s + "junk"; });
  filtered("first byte not the delimiter", [](std::string s) { s[0] = 'X'; return s; });
  filtered("$TOT value delimiter dropped", [d](std::string s) {
    const std::string key = std::string(1, d) + "$TOT" + d;
    if (const auto pos = s.find(key); pos != std::string::npos) s.erase(pos + key.size() - 1, 1);
    return s;
  });
  filtered("every delimiter doubled", [d](std::string s) {
    std::string out;
    for (char c : s) {
      out += c;
      if (c == d) out += c;
    }
    return out;
  });
  filtered("leading empty keyword", [d](std::string s) { return std::string(2, d) + s.substr(1); });
  filtered("NUL in keyword name", [](std::string s) {
    if (const auto pos = s.find("$BYTEORD"); pos != std::string::npos) s[pos + 2] = '\0';
    return s;
  });
  filtered("only the delimiter", [](std::string s) { return s.substr(0, 1); });
  filtered("two delimiters", [d](std::string) { return std::string(2, d); });
  filtered("empty TEXT", [](std::string) { return std::string(); });
  filtered("TEXT cut mid keyword", [](std::string s) { return s.substr(0, s.size() / 2); });

  const std::string normal = assemble(p);
  const Layout l = locate(normal);
  auto header_case = [&](const std::string& what, HeaderField field, std::int64_t v) {
    std::string bytes = normal;
    set_header_field(bytes, field, num(v));
    f.add(b, what, std::move(bytes));
  };
  header_case("text_end short by 10", kTextEnd, l.te - 10);
  header_case("text_end at data end", kTextEnd, l.de);
  header_case("text_end = text_begin", kTextEnd, l.tb);
  header_case("text_end before text_begin", kTextEnd, l.tb - 1);
  header_case("text_begin = text_end", kTextBegin, l.te);
  header_case("text_begin in HEADER", kTextBegin, 0);
  header_case("text_begin 1", kTextBegin, 1);
  keyword_case(f, b, "$CYT", "");

  if (b.name.rfind("synthetic/", 0) != 0) return;  // the heavy cases below: synthetic bases only
  {
    FcsParts q = p;
    q.text.set("$P1S", std::string(1 << 20, 'x'));
    f.add(b, "1 MiB keyword value", assemble(q));
  }
  {
    FcsParts q = p;
    for (int i = 0; i < 20000; ++i) q.text.keywords.emplace_back("K" + num(i), "v");
    f.add(b, "20000 extra keywords", assemble(q));
  }
  {
    FcsParts q = p;
    for (int i = 0; i < 2000; ++i) q.text.keywords.emplace_back("$TOT", num(i));
    f.add(b, "$TOT repeated 2000 times", assemble(q));
  }
}

// ---- datasets: $NEXTDATA chains, loops and dangling links -----------------------------------
void datasets(Family& f, const Base& b) {
  const FcsParts& p = *b.parts;
  auto linked = [&](std::string next) { return assemble(p, {true, {{"$NEXTDATA", next}}, {}}); };
  const std::string normal = assemble(p);
  const std::int64_t len = static_cast<std::int64_t>(linked(pad12(0)).size());
  const Layout l = locate(normal);
  const std::string a = linked(pad12(len));
  const std::string back = linked("-" + num(len));
  for (std::size_t ds : {0, 1, 2}) f.add(b, "A->B ds" + num(ds), a + normal, false, ds);
  for (std::size_t ds : {0, 1}) f.add(b, "A->nothing ds" + num(ds), a, false, ds);
  for (std::size_t ds : {1, 3}) f.add(b, "A->A->past end ds" + num(ds), a + a, false, ds);
  for (std::size_t ds : {1, 4, 1000}) f.add(b, "A->B->A loop ds" + num(ds), a + back, false, ds);
  f.add(b, "A->B truncated ds1", a + normal.substr(0, normal.size() / 2), false, 1);
  f.add(b, "A->into own DATA ds1", linked(pad12(l.db)) + normal, false, 1);
  f.add(b, "A->self ds1", linked(pad12(0)) + normal, false, 1);
}

// ---- random: byte mutations with fixed seeds ------------------------------------------------
struct Rng {  // splitmix64: identical everywhere
  std::uint64_t s;
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(next() % n); }
};

std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  return h;
}

void random_mutations(Family& f, const Base& b) {
  if (b.bytes.empty()) return;
  const Layout l = locate(b.bytes);
  const std::size_t text_region =
      l.te > 0 && l.te < l.size ? static_cast<std::size_t>(l.te + 1) : std::min<std::size_t>(b.bytes.size(), 4096);
  const char delimiter = l.tb > 0 && l.tb < l.size ? b.bytes[static_cast<std::size_t>(l.tb)] : '/';
  // Large files: fewer seeds (each accepted variant decodes megabytes, slow under ASan).
  const std::uint64_t step = b.small ? 1 : 2;
  for (std::uint64_t seed = 0; seed < 20; seed += step) {
    Rng rng{fnv1a(b.name) ^ (seed * 0x100000001B3ULL)};
    std::string bytes = b.bytes;
    std::string what;
    if (seed < 16) {
      const std::size_t region = seed < 12 ? text_region : bytes.size();
      const std::size_t k = 1 + rng.below(8);
      for (std::size_t i = 0; i < k; ++i) {
        const std::size_t pos = rng.below(region);
        const char values[] = {static_cast<char>('0' + rng.below(10)), ' ', delimiter, '\0',
                               '\xFF', '-', static_cast<char>(rng.below(256))};
        bytes[pos] = values[rng.below(std::size(values))];
      }
      what = (seed < 12 ? "random HEADER/TEXT bytes seed " : "random bytes seed ") + num(seed);
    } else {
      const std::size_t pos = rng.below(text_region), n = 1 + rng.below(3);
      if (seed % 2 == 0) bytes.insert(pos, n, delimiter);
      else bytes.erase(pos, n);
      what = (seed % 2 == 0 ? "insert delimiters seed " : "delete bytes seed ") + num(seed);
    }
    f.add(b, what, std::move(bytes));
  }
}

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

std::vector<Base> load_bases(const std::string& shared_dir) {
  std::vector<Base> bases = synthetic_bases();
  // One file made by the writer under test too (float32, the common case), when it can write.
  try {
    fcs::DataSet d;
    d.file = "writer";
    d.header.version = "FCS3.1";
    d.event_count = 300;
    d.channels.resize(3);
    const char* names[] = {"FSC-A", "SSC-A", "CD19"};
    for (std::size_t c = 0; c < 3; ++c) {
      d.channels[c].name = names[c];
      d.channels[c].bits = 32;
      d.channels[c].range = 262144;
      d.channels[c].max_value = 262144;
    }
    d.events = fcs::EventMatrix(300, 3);
    for (std::size_t i = 0; i < d.events.values().size(); ++i)
      d.events.values()[i] = static_cast<double>((i * 7919) % 262144);
    Base b;
    b.name = "writer/f32";
    b.bytes = fcs::to_fcs_bytes(d);
    b.parts = disassemble(b.bytes);
    bases.push_back(std::move(b));
  } catch (const std::exception&) {
    // Writer not usable: the synthetic bases above still cover float32.
  }
  if (!shared_dir.empty() && fs::is_directory(shared_dir)) {
    std::vector<fs::path> files;
    for (const auto& e : fs::recursive_directory_iterator(shared_dir)) {
      const std::string p = e.path().string();
      if (e.is_regular_file() && fs::exists(p + ".truth.json")) files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    std::set<std::string> kinds;  // keyword-level damage on one file per kind keeps runtime modest
    for (const auto& path : files) {
      Base b;
      b.name = "shared/" + fs::relative(path, shared_dir).generic_string();
      b.bytes = read_all(path);
      b.parts = disassemble(b.bytes);
      b.small = b.bytes.size() <= kSmallBase;
      if (b.parts) {
        const auto kw = [&](const char* k) {
          const auto* v = b.parts->text.find(k);
          return v ? *v : std::string("?");
        };
        b.representative =
            b.small && kinds.insert(b.parts->version + kw("$DATATYPE") + kw("$BYTEORD")).second;
      } else {
        b.representative = false;
      }
      bases.push_back(std::move(b));
    }
  }
  return bases;
}

const std::vector<std::string>& family_names() {
  static const std::vector<std::string> names = {"truncate", "header",     "offsets", "counts",
                                                 "widths",   "types",      "scales",  "missing",
                                                 "delimiters", "datasets", "random"};
  return names;
}

std::vector<Case> make_family(std::string_view family, const std::vector<Base>& bases) {
  std::vector<Case> out;
  Family f{bases, out, std::string(family)};
  for (const Base& b : bases) {
    const bool keyword_level = b.parts.has_value() && b.small && b.representative;
    if (family == "truncate") truncations(f, b);
    else if (family == "random") random_mutations(f, b);
    else if (family == "header" && b.small && b.representative) header_garbage(f, b);
    else if (!keyword_level) continue;
    else if (family == "offsets") text_offsets(f, b);
    else if (family == "counts") counts(f, b);
    else if (family == "widths") widths(f, b);
    else if (family == "types") types(f, b);
    else if (family == "scales") scales(f, b);
    else if (family == "missing") missing(f, b);
    else if (family == "delimiters") delimiters(f, b);
    else if (family == "datasets") datasets(f, b);
  }
  return out;
}

}  // namespace mrdflow::fcs_robustness
