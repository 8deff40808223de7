// Spillover matrices from the FCS file, from matrix files (CSV / R table / FlowJo's old
// export), identity; and the shape/content checks every source goes through.
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "common/error.h"
#include "compensation/compensation.h"

namespace mrdflow::compensation {

namespace {

[[noreturn]] void fail(const std::string& where, const std::string& problem) {
  throw Error("compensation", where + ": " + problem);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string unquote(std::string_view s) {
  s = trim(s);
  if (s.size() >= 2 && ((s.front() == '"' && s.back() == '"') || (s.front() == '\'' && s.back() == '\'')))
    s = s.substr(1, s.size() - 2);
  return std::string(s);
}

// Splits on `delim`; delim == ' ' means runs of whitespace. Double quotes group characters.
std::vector<std::string> split(std::string_view line, char delim) {
  std::vector<std::string> fields;
  std::string current;
  bool quoted = false, any = false;
  auto flush = [&] {
    fields.push_back(unquote(current));
    current.clear();
    any = false;
  };
  for (char ch : line) {
    if (ch == '"') { quoted = !quoted; current += ch; any = true; continue; }
    const bool is_delim = !quoted && (delim == ' ' ? (ch == ' ' || ch == '\t') : ch == delim);
    if (is_delim) {
      if (delim == ' ') { if (any) flush(); }
      else flush();
    } else {
      current += ch;
      any = true;
    }
  }
  if (delim != ' ' || any) flush();
  return fields;
}

bool parse_number(std::string_view text, double& value) {
  text = trim(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size() && std::isfinite(value);
}

struct Line {
  std::size_t number;  // 1-based, as an editor shows it
  std::string text;
};

std::vector<Line> content_lines(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 BOM
  std::vector<Line> lines;
  std::size_t number = 1, start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    const bool end = i == text.size();
    if (end || text[i] == '\n' || text[i] == '\r') {
      std::string_view line = text.substr(start, i - start);
      if (!trim(line).empty()) lines.push_back({number, std::string(line)});
      if (!end && text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;  // CRLF
      ++number;
      start = i + 1;
    }
  }
  return lines;
}

char delimiter_of(std::string_view line) {
  if (line.find(',') != std::string_view::npos) return ',';
  if (line.find('\t') != std::string_view::npos) return '\t';
  return ' ';
}

// FlowJo's pre-v10 matrix export: name, "<TAB>" marker, tab-separated names, rows.
bool is_flowjo_export(const std::vector<Line>& lines) {
  if (lines.size() < 3) return false;
  const std::string_view marker = trim(lines[1].text);
  return marker.size() >= 2 && marker.front() == '<' && marker.back() == '>';
}

}  // namespace

void validate(const SpilloverMatrix& m) {
  const std::string where = "spillover matrix " + (m.source.empty() ? std::string("(unnamed)") : m.source);
  if (m.detectors.empty() || m.fluorochromes.empty()) fail(where, "matrix is empty");
  if (m.values.size() != m.fluorochromes.size() * m.detectors.size())
    fail(where, "holds " + std::to_string(m.values.size()) + " values for " +
                    std::to_string(m.fluorochromes.size()) + " x " + std::to_string(m.detectors.size()));
  for (std::size_t i = 0; i < m.values.size(); ++i)
    if (!std::isfinite(m.values[i]))
      fail(where, "value at row " + std::to_string(i / m.detectors.size() + 1) + ", column " +
                      std::to_string(i % m.detectors.size() + 1) + " is not a finite number");
  auto check_names = [&](const std::vector<std::string>& names, const char* what) {
    std::set<std::string> seen;
    for (const auto& n : names) {
      if (n.empty()) fail(where, std::string("has an empty ") + what + " name");
      if (!seen.insert(n).second) fail(where, std::string(what) + " '" + n + "' appears twice");
    }
  };
  check_names(m.detectors, "detector");
  check_names(m.fluorochromes, "fluorochrome");
}

std::optional<SpilloverMatrix> from_fcs(const fcs::DataSet& data) {
  if (!data.spillover || data.spillover->channels.empty()) return std::nullopt;
  const fcs::Spillover& s = *data.spillover;
  SpilloverMatrix m;
  m.source = s.keyword.empty() ? std::string("$SPILLOVER") : s.keyword;
  m.fluorochromes = s.channels;
  m.detectors = s.channels;
  m.values = s.values;
  try {
    validate(m);
  } catch (const Error& e) {
    throw Error("compensation", data.file + ": keyword " + m.source + ": " + e.what());
  }
  return m;
}

SpilloverMatrix identity(const std::vector<std::string>& channels) {
  SpilloverMatrix m;
  m.source = "identity";
  m.fluorochromes = channels;
  m.detectors = channels;
  m.values.assign(channels.size() * channels.size(), 0.0);
  for (std::size_t i = 0; i < channels.size(); ++i) m.values[i * channels.size() + i] = 1.0;
  validate(m);
  return m;
}

SpilloverMatrix parse_matrix_text(std::string_view text, const std::string& name) {
  const std::vector<Line> lines = content_lines(text);
  auto at_line = [&](const Line& l) { return name + ": line " + std::to_string(l.number); };
  if (lines.empty()) fail(name, "no matrix in file (empty)");

  SpilloverMatrix m;
  m.source = name;
  std::size_t first_row = 1;
  char delim;
  if (is_flowjo_export(lines)) {
    if (lines.size() < 4) fail(name, "FlowJo matrix export has no rows");
    delim = '\t';
    m.detectors = split(trim(lines[2].text), '\t');
    first_row = 3;
  } else {
    std::string_view header = trim(lines[0].text);
    if (!header.empty() && header.front() == '#') header = trim(header.substr(1));
    delim = delimiter_of(header);
    m.detectors = split(header, delim);
  }
  // A header with an empty leading cell (",A,B") is the corner above a row-name column.
  if (!m.detectors.empty() && m.detectors.front().empty()) m.detectors.erase(m.detectors.begin());
  while (!m.detectors.empty() && m.detectors.back().empty()) m.detectors.pop_back();  // trailing comma
  if (m.detectors.empty()) fail(at_line(lines[first_row - 1]), "header names no detectors");
  const std::size_t n = m.detectors.size();

  std::vector<std::string> row_names;
  for (std::size_t r = first_row; r < lines.size(); ++r) {
    std::vector<std::string> fields = split(trim(lines[r].text), delim == ' ' ? ' ' : delim);
    while (fields.size() > n && fields.back().empty()) fields.pop_back();  // trailing delimiter
    std::size_t offset = 0;
    double probe;
    if (fields.size() == n + 1 && !parse_number(fields[0], probe)) {
      row_names.push_back(fields[0]);
      offset = 1;
    } else if (fields.size() != n) {
      fail(at_line(lines[r]), "row has " + std::to_string(fields.size()) + " fields, header names " +
                                  std::to_string(n) + " detectors");
    }
    for (std::size_t k = offset; k < fields.size(); ++k) {
      double value;
      if (!parse_number(fields[k], value))
        fail(at_line(lines[r]), "field " + std::to_string(k + 1) + " '" + fields[k] + "' is not a number");
      m.values.push_back(value);
    }
  }
  const std::size_t rows = m.values.size() / n;
  if (rows == 0) fail(name, "matrix has a header but no rows");
  if (!row_names.empty() && row_names.size() != rows) fail(name, "some rows are named and some are not");
  if (!row_names.empty()) {
    m.fluorochromes = row_names;
  } else if (rows == n) {
    m.fluorochromes = m.detectors;
  } else {
    fail(name, std::to_string(rows) + " unnamed rows for " + std::to_string(n) +
                   " detectors (a non-square matrix needs row names)");
  }
  validate(m);
  return m;
}

SpilloverMatrix read_matrix_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path.string(), "cannot open matrix file");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) fail(path.string(), "read error");
  return parse_matrix_text(buffer.str(), path.string());
}

}  // namespace mrdflow::compensation
