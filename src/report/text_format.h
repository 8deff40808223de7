#pragma once
// Small text helpers shared by the CSV and HTML writers: deterministic number printing and
// escaping. Numbers use the shortest round-trip form (std::to_chars), like the JSON.
#include <optional>
#include <string>
#include <string_view>

namespace mrdflow::report {

std::string format_number(double value);                 // "" for NaN/inf
std::string format_number(const std::optional<double>& value);  // "" when absent
std::string format_fixed(double value, int decimals);    // for display in HTML
// Percent for people: enough significant digits for rare events (0.0012 %), no exponent.
std::string format_percent(double percent);
std::string csv_field(std::string_view text);            // quoted when needed (RFC 4180)
std::string html_escape(std::string_view text);

}  // namespace mrdflow::report
