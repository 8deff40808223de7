// Reader unit tests on FCS files constructed in memory: TEXT syntax, every data encoding,
// segment offsets, multiple data sets, and the errors for malformed input.
#include <gtest/gtest.h>

#include <cmath>

#include "fcs_builder.h"

namespace mrdflow::fcs_test {
namespace {

std::string error_of(const std::string& bytes, const fcs::ReadOptions& o = {}) {
  try {
    (void)read(bytes, o);
  } catch (const fcs::FcsError& e) {
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
    EXPECT_EQ(std::string(e.what()).rfind("test.fcs", 0), 0u) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "expected an FcsError";
  return "";
}

// 2 channels x 3 events of float32 little-endian.
RawFcs floats() {
  auto f = simple(2, 3, "F", 32, "1,2,3,4", 262144);
  for (float v : {1.5f, -2.25f, 3.0f, 2e5f, 0.0f, 7.125f}) put_f32(f.data, v, false);
  return f;
}

TEST(FcsText, AnyDelimiterAndDoubledDelimiterEscapes) {
  for (char d : {'/', '|', '\\', '!', '\x0c', '*', ','}) {
    auto f = floats();
    f.delimiter = d;
    f.keywords.push_back({"MY KEY", std::string("a") + d + "b" + d + d + "c"});
    f.keywords.push_back({std::string("ODD") + d + "NAME", "x"});
    const auto ds = read(build(f));
    EXPECT_EQ(ds.keywords.get("my key"), std::string("a") + d + "b" + d + d + "c") << "delimiter " << int(d);
    EXPECT_EQ(ds.keywords.get(std::string("ODD") + d + "NAME"), "x");
    EXPECT_EQ(ds.events(1, 1), 200000.0);
  }
}

TEST(FcsText, KeywordsCaseInsensitiveOriginalSpellingKept) {
  auto f = floats();
  f.keywords.push_back({"$Fil", "tube.fcs"});
  f.keywords.push_back({"CustomKey", "v"});
  const auto ds = read(build(f));
  EXPECT_EQ(ds.keywords.get("$FIL"), "tube.fcs");
  EXPECT_EQ(ds.keywords.get("customkey"), "v");
  bool found = false;
  for (const auto& k : ds.keywords.all()) found = found || k.name == "$Fil";
  EXPECT_TRUE(found);
}

TEST(FcsText, EmptyValuesWrittenAsDoubledDelimitersAreRecovered) {
  // CellQuest FCS 2.0 style: "\$P2S\\$P1N\FSC-H\" means $P2S is empty.
  auto f = floats();
  f.version = "FCS2.0";
  f.delimiter = '\\';
  // build() writes an empty value as "\$P2S\\$P2N\Ch2\": exactly that pattern.
  for (auto it = f.keywords.begin(); it != f.keywords.end(); ++it)
    if (it->first == "$P2N") {
      f.keywords.insert(it, {"$P2S", ""});
      break;
    }
  const std::string bytes = build(f);
  ASSERT_NE(bytes.find("$P2S\\\\$P2N"), std::string::npos);
  const auto ds = read(bytes);
  EXPECT_EQ(ds.keywords.get("$P2S"), "");
  EXPECT_TRUE(has_warning(ds, "empty keyword values"));
  EXPECT_EQ(ds.channels[1].name, "Ch2");
}

TEST(FcsText, SupplementalTextIsMerged) {
  auto f = floats();
  f.version = "FCS3.0";
  f.supplemental = "|EXTRA KEY|extra value|$FIL|ignored duplicate|";
  f.keywords.push_back({"$FIL", "primary"});
  const auto ds = read(build(f));
  EXPECT_EQ(ds.keywords.get("EXTRA KEY"), "extra value");
  EXPECT_EQ(ds.keywords.get("$FIL"), "primary");
  EXPECT_TRUE(has_warning(ds, "supplemental TEXT repeats"));
}

TEST(FcsText, Latin1TextBecomesUtf8) {
  auto f = floats();
  f.version = "FCS2.0";
  f.keywords.push_back({"CREATOR", "CELLQuest\xAA 3.3"});
  const auto ds = read(build(f));
  EXPECT_EQ(ds.keywords.get("CREATOR"), "CELLQuest\xC2\xAA 3.3");
}

TEST(FcsDecode, Float32BothByteOrders) {
  for (bool big : {false, true}) {
    auto f = simple(2, 2, "F", 32, big ? "4,3,2,1" : "1,2,3,4", 1e6);
    for (float v : {1.25f, -3.5f, 1e-3f, 65536.5f}) put_f32(f.data, v, big);
    const auto ds = read_raw(build(f));
    EXPECT_EQ(ds.events(0, 0), 1.25);
    EXPECT_EQ(ds.events(0, 1), -3.5);
    EXPECT_EQ(ds.events(1, 0), static_cast<double>(1e-3f));
    EXPECT_EQ(ds.events(1, 1), 65536.5);
  }
}

TEST(FcsDecode, Float64KeepsDoublesExactly) {
  for (bool big : {false, true}) {
    auto f = simple(1, 3, "D", 64, big ? "4,3,2,1" : "1,2,3,4", 1e9);
    for (double v : {0.1, -1e300, 123456789.123456789}) put_f64(f.data, v, big);
    const auto ds = read_raw(build(f));
    EXPECT_EQ(ds.events(0, 0), 0.1);
    EXPECT_EQ(ds.events(1, 0), -1e300);
    EXPECT_EQ(ds.events(2, 0), 123456789.123456789);
  }
}

TEST(FcsDecode, IntegersOfEveryByteWidthAndOrder) {
  struct Case {
    int bits;
    std::string byteord;
    std::vector<int> order;
  };
  const std::vector<Case> cases = {
      {8, "1", {1}},
      {16, "1,2", {1, 2}},
      {16, "2,1", {2, 1}},
      {16, "1,2,3,4", {1, 2}},
      {16, "4,3,2,1", {2, 1}},
      {24, "1,2,3", {1, 2, 3}},
      {24, "4,3,2,1", {3, 2, 1}},
      {32, "1,2,3,4", {1, 2, 3, 4}},
      {32, "4,3,2,1", {4, 3, 2, 1}},
      {32, "3,4,1,2", {3, 4, 1, 2}},
      {32, "2,1,4,3", {2, 1, 4, 3}},
      {64, "1,2,3,4,5,6,7,8", {1, 2, 3, 4, 5, 6, 7, 8}},
      {64, "8,7,6,5,4,3,2,1", {8, 7, 6, 5, 4, 3, 2, 1}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::to_string(c.bits) + " bits, $BYTEORD " + c.byteord);
    const double range = std::ldexp(1.0, c.bits);
    auto f = simple(2, 2, "I", c.bits, c.byteord, range);
    const std::uint64_t top = c.bits == 64 ? (1ULL << 52) + 3 : (1ULL << c.bits) - 1;
    const std::vector<std::uint64_t> values = {0, top, 1, 0x5A & top};
    for (auto v : values) put_uint(f.data, v, c.order);
    const auto ds = read_raw(build(f));
    for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(ds.events(i / 2, i % 2), static_cast<double>(values[i]));
  }
}

TEST(FcsDecode, IntegerMaskedToPowerOfTwoOfRange) {
  // 16-bit storage, $PnR 1024: only the low 10 bits count (flowCore and the FCS standard).
  auto f = simple(1, 2, "I", 16, "1,2", 1024);
  put_uint(f.data, 0xFC00 | 37, {1, 2});
  put_uint(f.data, 1023, {1, 2});
  const auto ds = read_raw(build(f));
  EXPECT_EQ(ds.events(0, 0), 37);
  EXPECT_EQ(ds.events(1, 0), 1023);
  // $PnR not a power of two: 30000 -> 15 bits.
  auto g = simple(1, 1, "I", 16, "1,2", 30000);
  put_uint(g.data, 0x8000 | 20000, {1, 2});
  EXPECT_EQ(read_raw(build(g)).events(0, 0), 20000);
}

TEST(FcsDecode, OddBitWidthsPacked) {
  for (int bits : {10, 12, 20}) {
    for (bool big : {false, true}) {
      SCOPED_TRACE(std::to_string(bits) + (big ? " big" : " little"));
      const double range = std::ldexp(1.0, bits);
      auto f = simple(3, 3, "I", bits, big ? "4,3,2,1" : "1,2,3,4", range);
      std::vector<std::uint64_t> values;
      for (int i = 0; i < 9; ++i) values.push_back((static_cast<std::uint64_t>(i) * 2654435761ULL) % static_cast<std::uint64_t>(range));
      f.data = pack_bits(values, {bits}, big);
      const auto ds = read_raw(build(f));
      for (std::size_t i = 0; i < 9; ++i) EXPECT_EQ(ds.events(i / 3, i % 3), static_cast<double>(values[i]));
      EXPECT_TRUE(has_warning(ds, "packed bit stream"));
    }
  }
}

TEST(FcsDecode, MixedWidthsPackedAndByteAligned) {
  // Byte-aligned mix (FlowIO's variable_int_example: 16 and 32 bits).
  auto f = simple(2, 2, "I", 16, "1,2,3,4", 65536);
  set_kw(f, {"$P2B", "32"});
  set_kw(f, {"$P2R", "4294967296"});
  for (int e = 0; e < 2; ++e) {
    put_uint(f.data, 1000 + e, {1, 2});
    put_uint(f.data, 3000000000u + e, {1, 2, 3, 4});
  }
  auto ds = read_raw(build(f));
  EXPECT_EQ(ds.events(1, 0), 1001);
  EXPECT_EQ(ds.events(1, 1), 3000000001.0);
  // Packed mix: 12 + 20 bits.
  auto g = simple(2, 2, "I", 12, "1,2,3,4", 4096);
  set_kw(g, {"$P2B", "20"});
  set_kw(g, {"$P2R", "1048576"});
  g.data = pack_bits({4095, 1048575, 7, 99999}, {12, 20}, false);
  ds = read_raw(build(g));
  EXPECT_EQ(ds.events(0, 0), 4095);
  EXPECT_EQ(ds.events(0, 1), 1048575);
  EXPECT_EQ(ds.events(1, 0), 7);
  EXPECT_EQ(ds.events(1, 1), 99999);
}

TEST(FcsDecode, LegacyTenBitWidthStoredInSixteen) {
  // Beckman Coulter CXP writes $PnB 10 for 16-bit words; the DATA length tells.
  auto f = simple(2, 2, "I", 10, "1,2", 1024);
  for (int v : {5, 1023, 512, 0}) put_uint(f.data, static_cast<std::uint64_t>(v), {1, 2});
  const auto ds = read_raw(build(f));
  EXPECT_EQ(ds.events(0, 1), 1023);
  EXPECT_EQ(ds.events(1, 0), 512);
  EXPECT_TRUE(has_warning(ds, "legacy Beckman Coulter"));
}

TEST(FcsDecode, AsciiFixedWidth) {
  auto f = simple(2, 2, "A", 6, "1,2,3,4", 1e6);
  f.data = "  12.5-3e+02     7000042";
  const auto ds = read_raw(build(f));
  EXPECT_EQ(ds.events(0, 0), 12.5);
  EXPECT_EQ(ds.events(0, 1), -300);
  EXPECT_EQ(ds.events(1, 0), 7);
  EXPECT_EQ(ds.events(1, 1), 42);
}

TEST(FcsDecode, AsciiDelimited) {
  auto f = simple(3, 2, "A", 0, "1,2,3,4", 1e6);
  f.data = "1,2.5 3\r\n-4\t5e3,6\n";
  const auto ds = read_raw(build(f));
  EXPECT_EQ(ds.events(0, 2), 3);
  EXPECT_EQ(ds.events(1, 0), -4);
  EXPECT_EQ(ds.events(1, 1), 5000);
  auto g = f;
  g.data = "1,2,3,4,5";
  EXPECT_NE(error_of(build(g)).find("delimited ASCII DATA holds 5 values"), std::string::npos);
  auto h = f;
  h.data = "1,2,x,4,5,6";
  EXPECT_NE(error_of(build(h)).find("'x' is not a number"), std::string::npos);
}

TEST(FcsDecode, Fcs32PerColumnDataTypes) {
  auto f = simple(3, 2, "F", 32, "1,2,3,4", 1e6);
  f.version = "FCS3.2";
  set_kw(f, {"$P2DATATYPE", "I"});
  set_kw(f, {"$P2B", "16"});
  set_kw(f, {"$P2R", "65536"});
  set_kw(f, {"$P3DATATYPE", "D"});
  set_kw(f, {"$P3B", "64"});
  for (int e = 0; e < 2; ++e) {
    put_f32(f.data, 1.5f + e, false);
    put_uint(f.data, 60000u + e, {1, 2});
    put_f64(f.data, 0.1 * (e + 1), false);
  }
  const auto ds = read_raw(build(f));
  EXPECT_EQ(ds.channels[1].datatype, 'I');
  EXPECT_EQ(ds.events(1, 0), 2.5);
  EXPECT_EQ(ds.events(1, 1), 60001);
  EXPECT_EQ(ds.events(1, 2), 0.2);
}

TEST(FcsOffsets, HeaderZeroUsesText) {
  auto f = floats();
  f.header_data_zero = true;
  const auto ds = read(build(f));
  EXPECT_EQ(ds.events(2, 1), 7.125);
}

TEST(FcsOffsets, BigFileOver99999999BytesUsesTextOffsets) {
  // The HEADER cannot hold offsets above 99,999,999: it says 0 and TEXT has the truth.
  auto f = floats();
  f.header_data_zero = true;
  f.padding_before_data = 100'000'000;
  const auto bytes = build(f);
  ASSERT_GT(bytes.size(), 100'000'000u);
  const auto ds = read(bytes);
  EXPECT_EQ(ds.events(0, 0), 1.5);
  EXPECT_EQ(ds.events(2, 1), 7.125);
}

TEST(FcsOffsets, OffByOneEndDataIsToleratedWithWarning) {
  for (int adjust : {1, -1}) {
    auto f = floats();
    f.enddata_adjust = adjust;
    const auto ds = read(build(f));
    EXPECT_TRUE(has_warning(ds, "off by one"));
    EXPECT_EQ(ds.events(2, 1), 7.125);
  }
}

TEST(FcsOffsets, HeaderTextDiscrepancyResolvedByTot) {
  auto f = floats();
  f.header_data_shift = -40;
  const auto ds = read(build(f));
  EXPECT_TRUE(has_warning(ds, "TEXT offsets match $TOT"));
  EXPECT_EQ(ds.events(0, 0), 1.5);
}

TEST(FcsNextData, AllDataSetsReadable) {
  auto first = floats();
  auto second = simple(1, 2, "I", 16, "1,2", 1024);
  put_uint(second.data, 11, {1, 2});
  put_uint(second.data, 22, {1, 2});
  const auto b2 = build(second);
  // $NEXTDATA is relative to the first data set's start: the size of the first block.
  set_kw(first, {"$NEXTDATA", std::string(20, '0')});
  auto b1 = build(first);
  const auto pos = b1.find("$NEXTDATA/") + 10;
  const auto nd = std::to_string(b1.size());
  b1.replace(pos + 20 - nd.size(), nd.size(), nd);
  const std::string file = b1 + b2;
  auto ds0 = read(file);
  EXPECT_EQ(ds0.dataset_count, 2u);
  EXPECT_EQ(ds0.events(0, 0), 1.5);
  EXPECT_TRUE(has_warning(ds0, "2 data sets"));
  fcs::ReadOptions o;
  o.dataset = 1;
  auto ds1 = read(file, o);
  EXPECT_EQ(ds1.dataset_index, 1u);
  EXPECT_EQ(ds1.events(1, 0), 22);
  o.dataset = 2;
  EXPECT_NE(error_of(file, o).find("data set 2 requested but the file holds 2"), std::string::npos);
}

TEST(FcsErrors, MalformedFilesGiveOneLineErrorsWithContext) {
  const auto good = build(floats());
  EXPECT_NE(error_of("").find("too short"), std::string::npos);
  EXPECT_NE(error_of("NOTFCS" + good.substr(6)).find("not an FCS file"), std::string::npos);
  EXPECT_NE(error_of(good.substr(0, 100)).find("extends past the end of the file"), std::string::npos);
  EXPECT_NE(error_of(good.substr(0, good.size() - 5)).find("DATA segment"), std::string::npos);

  auto tot = floats();
  tot.keywords.push_back({"$TOT", "4"});  // duplicate: first wins, so edit the first instead
  tot.keywords.erase(tot.keywords.end() - 1);
  for (auto& [k, v] : tot.keywords)
    if (k == "$TOT") v = "5";
  EXPECT_NE(error_of(build(tot)).find("$TOT 5 x 64 bits per event = 40 bytes"), std::string::npos);

  auto absurd = floats();
  for (auto& [k, v] : absurd.keywords)
    if (k == "$TOT") v = "999999999999999999";
  EXPECT_NE(error_of(build(absurd)).find("$TOT"), std::string::npos);

  auto par = floats();
  for (auto& [k, v] : par.keywords)
    if (k == "$PAR") v = "2000000000";
  EXPECT_NE(error_of(build(par)).find("plausible parameter count"), std::string::npos);

  auto dt = floats();
  for (auto& [k, v] : dt.keywords)
    if (k == "$DATATYPE") v = "Q";
  EXPECT_NE(error_of(build(dt)).find("unknown data type 'Q'"), std::string::npos);

  auto rng = floats();
  for (auto& [k, v] : rng.keywords)
    if (k == "$P2R") v = "lots";
  EXPECT_NE(error_of(build(rng)).find("keyword $P2R: value 'lots' is not a number"), std::string::npos);

  auto missing = floats();
  std::erase_if(missing.keywords, [](const auto& kv) { return kv.first == "$P1B"; });
  EXPECT_NE(error_of(build(missing)).find("keyword $P1B: required keyword is missing"), std::string::npos);

  auto mode = floats();
  for (auto& [k, v] : mode.keywords)
    if (k == "$MODE") v = "C";
  EXPECT_NE(error_of(build(mode)).find("only list mode"), std::string::npos);

  auto delim = good;
  delim[58] = 'A';
  EXPECT_NE(error_of(delim).find("not a valid delimiter"), std::string::npos);

  auto width = floats();
  for (auto& [k, v] : width.keywords)
    if (k == "$P1B") v = "16";
  EXPECT_NE(error_of(build(width)).find("float data needs 32 bits"), std::string::npos);

  auto order = floats();
  for (auto& [k, v] : order.keywords)
    if (k == "$BYTEORD") v = "1,1,2,3";
  EXPECT_NE(error_of(build(order)).find("not a permutation"), std::string::npos);
}

TEST(FcsSpillover, NamesNumbersAndMalformedMatrices) {
  auto f = floats();
  f.keywords.push_back({"$SPILLOVER", "2,Ch2,Ch1,1,0.1,0.2,1"});
  auto ds = read(build(f));
  ASSERT_TRUE(ds.spillover);
  EXPECT_EQ(ds.spillover->keyword, "$SPILLOVER");
  EXPECT_EQ(ds.spillover->channels, (std::vector<std::string>{"Ch2", "Ch1"}));
  EXPECT_EQ(ds.spillover->at(0, 1), 0.1);
  EXPECT_EQ(ds.spillover->at(1, 0), 0.2);

  auto numbers = floats();  // BD Accuri / Navios: parameter numbers instead of names
  numbers.keywords.push_back({"SPILL", "2,1,2,1,0.5,0,1"});
  ds = read(build(numbers));
  ASSERT_TRUE(ds.spillover);
  EXPECT_EQ(ds.spillover->channels, (std::vector<std::string>{"Ch1", "Ch2"}));

  auto unknown = floats();
  unknown.keywords.push_back({"SPILL", "2,Ch1,FITC-A,1,0,0,1"});
  EXPECT_NE(error_of(build(unknown)).find("names channel 'FITC-A'"), std::string::npos);
  fcs::ReadOptions lenient;
  lenient.strict_spillover = false;
  ds = read(build(unknown), lenient);
  EXPECT_FALSE(ds.spillover);
  EXPECT_TRUE(has_warning(ds, "spillover ignored"));

  auto macsquant = floats();  // names but no coefficients (Miltenyi MACSQuant)
  macsquant.keywords.push_back({"$SPILLOVER", "2,Ch1,Ch2"});
  ds = read(build(macsquant));
  EXPECT_FALSE(ds.spillover);
  EXPECT_TRUE(has_warning(ds, "a 2x2 matrix needs 7"));
  EXPECT_EQ(ds.events(1, 1), 200000.0);

  auto comp = floats();  // $COMP without names: the first n parameters
  comp.keywords.push_back({"$COMP", "2,1,0.25,0,1"});
  ds = read(build(comp));
  ASSERT_TRUE(ds.spillover);
  EXPECT_EQ(ds.spillover->keyword, "$COMP");
  EXPECT_EQ(ds.spillover->at(0, 1), 0.25);
}

TEST(FcsReadOptions, HeaderOnlyReadSkipsEvents) {
  fcs::ReadOptions o;
  o.read_events = false;
  const auto ds = read(build(floats()), o);
  EXPECT_EQ(ds.event_count, 3u);
  EXPECT_EQ(ds.events.events(), 0u);
  EXPECT_EQ(ds.channels.size(), 2u);
}

}  // namespace
}  // namespace mrdflow::fcs_test
