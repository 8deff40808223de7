// Minimal reproducers of reader problems found by the broken-file corpus and the fuzzer. Each
// test builds its file in memory (a synthetic base plus one precise change).
#include <gtest/gtest.h>

#include <string>

#include "corpus.h"
#include "fcs/fcs.h"

namespace mrdflow::fcs_robustness {
namespace {

FcsParts float_base() {
  for (auto& b : synthetic_bases())
    if (b.name == "synthetic/f32_le_31") return *b.parts;
  ADD_FAILURE() << "synthetic float32 base missing";
  return {};
}

fcs::DataSet read(const std::string& bytes, const std::string& name) {
  return fcs::read_fcs_bytes(std::as_bytes(std::span(bytes.data(), bytes.size())), name);
}

// Warnings and errors end up in reports and on the console one per line: text taken from the
// file (keyword names, channel names, stray DATA bytes when TEXT bounds are wrong) must not
// break the line.
void expect_one_line_warnings(const std::string& bytes, const std::string& name) {
  fcs::DataSet d;
  try {
    d = read(bytes, name);
  } catch (const fcs::FcsError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.find_first_of("\r\n"), std::string::npos) << name << ": error spans lines: " << what;
    return;
  }
  ASSERT_FALSE(d.warnings.empty()) << name << ": expected a warning about the damage";
  for (const auto& w : d.warnings)
    EXPECT_EQ(w.find_first_of("\r\n"), std::string::npos) << name << ": warning spans lines: " << w;
}

TEST(FcsReaderRegression, WarningAboutDanglingKeywordIsOneLine) {
  // TEXT ends with a keyword that has no value; its name holds a line feed.
  AssembleOptions o;
  o.text_filter = [](std::string s) { return s + "BAD\nKEY/"; };
  expect_one_line_warnings(assemble(float_base(), o), "dangling-keyword-with-newline");
}

TEST(FcsReaderRegression, WarningAboutRepeatedKeywordIsOneLine) {
  FcsParts p = float_base();
  p.text.keywords.emplace_back("LAB\nNOTE", "1");
  p.text.keywords.emplace_back("LAB\nNOTE", "2");
  expect_one_line_warnings(assemble(p), "repeated-keyword-with-newline");
}

TEST(FcsReaderRegression, MessageAboutUnknownSpilloverChannelIsOneLine) {
  FcsParts p = float_base();
  p.text.set("$SPILLOVER", "1,FL1\nA,1");
  expect_one_line_warnings(assemble(p), "spillover-channel-with-newline");
}

// Found by the fuzzer: a HEADER offset field holding a line feed is quoted into the FcsError.
TEST(FcsReaderRegression, MessageAboutBadHeaderFieldIsOneLine) {
  std::string bytes = assemble(float_base());
  set_header_field(bytes, kTextBegin, "\xAE" "Cs\n>E");
  try {
    (void)read(bytes, "header-field-with-newline");
    ADD_FAILURE() << "a HEADER TEXT offset that is not a number must be rejected";
  } catch (const fcs::FcsError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.find_first_of("\r\n"), std::string::npos) << "error spans lines: " << what;
  }
}

// UBSan: "signed integer overflow: 9223372036854775807 + 57" in the $NEXTDATA chain walk
// (reader.cpp, next + 58 > size). A huge $NEXTDATA must be a warning or an FcsError.
TEST(FcsReaderRegression, HugeNextdataDoesNotOverflow) {
  for (const char* next : {"9223372036854775807", "9223372036854775750", "-9223372036854775808"}) {
    for (std::size_t dataset : {0, 1}) {
      const std::string bytes = assemble(float_base(), {true, {{"$NEXTDATA", next}}, {}});
      try {
        const auto d = fcs::read_fcs_bytes(std::as_bytes(std::span(bytes.data(), bytes.size())),
                                           "huge-nextdata", {.dataset = dataset});
        EXPECT_EQ(dataset, 0u) << next << ": data set 1 cannot exist";
        EXPECT_EQ(d.events.events(), d.event_count);
      } catch (const fcs::FcsError& e) {
        EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
      }
    }
  }
}

}  // namespace
}  // namespace mrdflow::fcs_robustness
