#include "report/manifest.h"

#include <array>
#include <charconv>
#include <cmath>
#include <fstream>
#include <optional>
#include <sstream>
#include <vector>

#include "common/error.h"

namespace mrdflow::report {
namespace {

constexpr std::array<std::string_view, 7> kColumns = {
    "file", "patient_id", "specimen", "timepoint_day", "beads_per_test", "volume_ul", "wbc_per_ul"};

[[noreturn]] void fail(const std::string& source, int line, const std::string& what) {
  throw Error("manifest", source + ": line " + std::to_string(line) + ": " + what);
}

// Splits one CSV record (RFC 4180 quoting). Records never span lines here: a quoted newline
// in a manifest is an error, which keeps line numbers in messages exact.
std::vector<std::string> split_record(std::string_view line, const std::string& source, int line_no) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < line.size() && line[i + 1] == '"') {
          fields.back() += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      if (!fields.back().empty()) fail(source, line_no, "stray quote in field " + std::to_string(fields.size()));
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  if (quoted) fail(source, line_no, "unterminated quoted field");
  return fields;
}

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

std::optional<double> parse_number(const std::string& cell, std::string_view column, bool positive,
                                   const std::string& source, int line_no) {
  if (cell.empty()) return std::nullopt;
  double v = 0;
  const char* end = cell.data() + cell.size();
  const auto [ptr, ec] = std::from_chars(cell.data(), end, v);
  if (ec != std::errc() || ptr != end || !std::isfinite(v))
    fail(source, line_no, std::string(column) + ": not a number: \"" + cell + "\"");
  if (positive && !(v > 0))
    fail(source, line_no, std::string(column) + ": must be greater than 0, got " + cell);
  return v;
}

}  // namespace

void Manifest::add(ManifestEntry entry) {
  if (const auto* previous = find(entry.file))
    fail(source, entry.line, "file \"" + entry.file + "\" already listed on line " +
                                 std::to_string(previous->line));
  std::string key = entry.file;
  entries_.emplace(std::move(key), std::move(entry));
}

const ManifestEntry* Manifest::find(std::string_view file_name) const {
  const auto it = entries_.find(file_name);
  return it == entries_.end() ? nullptr : &it->second;
}

Manifest parse_manifest(std::string_view text, const std::string& source) {
  Manifest manifest;
  manifest.source = source;
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // UTF-8 BOM from spreadsheets
  std::vector<int> column_of;  // header position -> index in kColumns
  int line_no = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (trim(line).empty()) continue;
    auto fields = split_record(line, source, line_no);
    for (auto& f : fields) f = trim(f);
    if (column_of.empty()) {  // header
      std::array<bool, kColumns.size()> seen{};
      for (std::size_t i = 0; i < fields.size(); ++i) {
        int found = -1;
        for (std::size_t k = 0; k < kColumns.size(); ++k)
          if (fields[i] == kColumns[k]) found = static_cast<int>(k);
        if (found < 0)
          fail(source, line_no, "unknown column \"" + fields[i] + "\" (expected header " +
                                    "file,patient_id,specimen,timepoint_day,beads_per_test,volume_ul,wbc_per_ul)");
        if (seen[static_cast<std::size_t>(found)]) fail(source, line_no, "column \"" + fields[i] + "\" repeated");
        seen[static_cast<std::size_t>(found)] = true;
        column_of.push_back(found);
      }
      if (!seen[0]) fail(source, line_no, "header has no \"file\" column");
      continue;
    }
    if (fields.size() != column_of.size())
      fail(source, line_no, "expected " + std::to_string(column_of.size()) + " fields, found " +
                                std::to_string(fields.size()));
    ManifestEntry entry;
    entry.line = line_no;
    auto& ctx = entry.context;
    for (std::size_t i = 0; i < fields.size(); ++i) {
      const std::string& cell = fields[i];
      const std::string_view column = kColumns[static_cast<std::size_t>(column_of[i])];
      switch (column_of[i]) {
        case 0: entry.file = cell; break;
        case 1: if (!cell.empty()) ctx.patient_id = cell; break;
        case 2: if (!cell.empty()) ctx.specimen = cell; break;
        case 3: ctx.timepoint_day = parse_number(cell, column, false, source, line_no); break;
        case 4: ctx.beads_per_test = parse_number(cell, column, true, source, line_no); break;
        case 5: ctx.volume_ul = parse_number(cell, column, true, source, line_no); break;
        case 6: ctx.wbc_per_ul = parse_number(cell, column, true, source, line_no); break;
      }
    }
    if (entry.file.empty()) fail(source, line_no, "empty \"file\" cell");
    if (entry.file.find_first_of("/\\") != std::string::npos)
      fail(source, line_no, "\"file\" must be a file name without directories: \"" + entry.file + "\"");
    manifest.add(std::move(entry));
  }
  if (column_of.empty()) fail(source, std::max(line_no, 1), "empty manifest: no header line");
  return manifest;
}

Manifest read_manifest(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("manifest", path.string() + ": cannot open manifest");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_manifest(text.str(), path.string());
}

}  // namespace mrdflow::report
