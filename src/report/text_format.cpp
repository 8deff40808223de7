#include "report/text_format.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace mrdflow::report {

std::string format_number(double value) {
  if (!std::isfinite(value)) return {};
  std::array<char, 64> buf{};
  const auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), value);
  if (ec != std::errc()) return {};
  return std::string(buf.data(), end);
}

std::string format_number(const std::optional<double>& value) {
  return value ? format_number(*value) : std::string();
}

std::string format_fixed(double value, int decimals) {
  if (!std::isfinite(value)) return "n/a";
  std::array<char, 64> buf{};
  const auto [end, ec] =
      std::to_chars(buf.data(), buf.data() + buf.size(), value, std::chars_format::fixed, decimals);
  if (ec != std::errc()) return "n/a";
  return std::string(buf.data(), end);
}

std::string format_percent(double percent) {
  if (!std::isfinite(percent)) return "n/a";
  const double magnitude = std::fabs(percent);
  // Three significant digits below 1 %, two decimals above: 0.00123 %, 12.34 %.
  int decimals = 2;
  if (magnitude > 0 && magnitude < 1)
    decimals = std::min(9, 2 - static_cast<int>(std::floor(std::log10(magnitude))));
  return format_fixed(percent, decimals);
}

std::string csv_field(std::string_view text) {
  const bool quote = text.find_first_of(",\"\r\n") != std::string_view::npos ||
                     (!text.empty() && (text.front() == ' ' || text.back() == ' '));
  if (!quote) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace mrdflow::report
