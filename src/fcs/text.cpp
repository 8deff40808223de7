// TEXT segment: delimiter-separated keyword/value pairs; a doubled delimiter inside a key or
// value stands for one delimiter character (FCS 3.1 section 3.2.9).
#include <charconv>
#include <cmath>

#include "fcs/detail.h"

namespace mrdflow::fcs::detail {

std::string_view trim(std::string_view s) noexcept {
  const auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\0'; };
  while (!s.empty() && ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && ws(s.back())) s.remove_suffix(1);
  return s;
}

double parse_number(std::string_view value, const std::string& keyword, const Context& ctx) {
  auto t = trim(value);
  if (!t.empty() && t.front() == '+') t.remove_prefix(1);
  double v = 0;
  const auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || ec != std::errc{} || p != t.data() + t.size() || !std::isfinite(v))
    ctx.fail(std::nullopt, keyword, "value '" + std::string(value.substr(0, 40)) + "' is not a number");
  return v;
}

std::int64_t parse_integer(std::string_view value, const std::string& keyword,
                           const Context& ctx) {
  auto t = trim(value);
  if (!t.empty() && t.front() == '+') t.remove_prefix(1);
  std::int64_t v = 0;
  const auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || ec != std::errc{} || p != t.data() + t.size())
    ctx.fail(std::nullopt, keyword,
             "value '" + std::string(value.substr(0, 40)) + "' is not an integer");
  return v;
}

namespace {

struct Token {
  std::string text;
  std::size_t at;  // offset within the TEXT segment
  bool escaped;    // contained a doubled delimiter
};

// Splits into tokens. empty_values: a delimiter right after a key's closing delimiter closes an
// empty value instead of starting an escape (files that violate the no-empty-values rule).
std::vector<Token> tokenize(std::string_view text, bool empty_values, bool& unterminated) {
  const char d = text.front();
  std::vector<Token> tokens;
  std::size_t i = 1;
  unterminated = false;
  while (i < text.size()) {
    Token tok{{}, i, false};
    const bool is_value = tokens.size() % 2 == 1;
    if (empty_values && is_value && text[i] == d) {  // "//" after a key: empty value
      tokens.push_back(std::move(tok));
      ++i;
      continue;
    }
    bool closed = false;
    while (i < text.size()) {
      const char c = text[i];
      if (c == d) {
        // In empty-value mode a key never holds an escaped delimiter: "KEY//NEXT" is KEY
        // with an empty value.
        if (i + 1 < text.size() && text[i + 1] == d && !(empty_values && !is_value)) {
          tok.text.push_back(d);
          tok.escaped = true;
          i += 2;
          continue;
        }
        ++i;
        closed = true;
        break;
      }
      tok.text.push_back(c);
      ++i;
    }
    if (!closed) unterminated = true;
    tokens.push_back(std::move(tok));
  }
  // Trailing blanks/NULs after the last delimiter are padding, not a keyword.
  while (!tokens.empty() && tokens.size() % 2 == 1 && trim(tokens.back().text).empty())
    tokens.pop_back();
  return tokens;
}

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
    i += len;
  }
  return true;
}

std::string latin1_to_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x80) {
      out.push_back(ch);
    } else {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

}  // namespace

void parse_text(std::string_view text, std::int64_t text_offset, const Context& ctx,
                Keywords& out, std::vector<std::string>& warnings, bool overwrite) {
  if (text.empty()) ctx.fail(text_offset, "", "TEXT segment is empty");
  const char d = text.front();
  if (d == ' ' || d == '\0' || (d >= '0' && d <= '9') || (d >= 'A' && d <= 'Z') ||
      (d >= 'a' && d <= 'z') || d == '$')
    ctx.fail(text_offset, "", std::string("TEXT delimiter '") + d +
                                  "' is not a valid delimiter character");
  // FCS 3.x TEXT is UTF-8; older files use Latin-1 (e.g. "CELLQuest\xAA"). Keep every string
  // valid UTF-8 so reports and JSON can carry it.
  std::string converted;
  if (!valid_utf8(text)) {
    converted = latin1_to_utf8(text);
    text = converted;
    warnings.push_back("TEXT is not valid UTF-8; read as Latin-1");
  }
  bool unterminated = false;
  auto tokens = tokenize(text, false, unterminated);
  // Empty values written as doubled delimiters ("/$P3S//$P4S//$P6N/FL1-A/") parse under the
  // standard's escape rule as one value containing "/$P4S/$P6N", silently shifting every
  // keyword after it. An escaped delimiter followed by '$' is that pattern, never a real value.
  const std::string empty_value_mark{d, d, '$'};
  const bool empty_value_pattern = text.find(empty_value_mark) != std::string_view::npos;
  // An odd token count (a keyword without value) is the same fault seen from the other side.
  if (empty_value_pattern || tokens.size() % 2 == 1) {
    bool unterminated2 = false;
    auto retry = tokenize(text, true, unterminated2);
    if (retry.size() % 2 == 0) {
      warnings.push_back("TEXT has empty keyword values written as doubled delimiters "
                         "(not allowed by the standard); read them as empty values");
      tokens = std::move(retry);
      unterminated = unterminated2;
    }
  }
  if (tokens.size() % 2 == 1) {
    const auto& last = tokens.back();
    warnings.push_back("TEXT keyword '" + last.text.substr(0, 40) +
                       "' at the end has no value; ignored");
    tokens.pop_back();
  }
  if (tokens.empty()) ctx.fail(text_offset, "", "TEXT segment holds no keywords");
  if (unterminated)
    warnings.push_back("TEXT segment does not end with its delimiter; last value taken up to "
                       "the segment end");
  bool escape_warned = false;
  for (std::size_t k = 0; k + 1 < tokens.size(); k += 2) {
    auto name = std::string(trim(tokens[k].text));
    if (name.empty())
      ctx.fail(text_offset + static_cast<std::int64_t>(tokens[k].at), "",
               "TEXT has an empty keyword name");
    if (tokens[k + 1].escaped && !escape_warned) {
      escape_warned = true;
      warnings.push_back("TEXT value of " + name +
                         " contains a doubled (escaped) delimiter, read as one delimiter "
                         "character; flowCore's read.FCS with emptyValue=TRUE rejects such files");
    }
    if (!overwrite && out.contains(name)) {
      warnings.push_back("keyword " + name + " appears twice in TEXT; the first value is kept");
      continue;
    }
    out.set(std::move(name), std::move(tokens[k + 1].text));
  }
}

}  // namespace mrdflow::fcs::detail
