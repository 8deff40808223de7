#pragma once
// The TEXT keyword store: insertion order and original spelling kept, case-insensitive lookup.
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace mrdflow::fcs {

struct Keyword {
  std::string name;   // as spelled in the file, e.g. "$P1N" or "SPILL"
  std::string value;  // doubled delimiters already un-escaped
};

class Keywords {
 public:
  // Adds or replaces (matched case-insensitively; the new spelling wins).
  void set(std::string name, std::string value);
  const std::string* find(std::string_view name) const noexcept;  // nullptr when absent
  std::optional<std::string> get(std::string_view name) const;
  bool contains(std::string_view name) const noexcept { return find(name) != nullptr; }
  bool erase(std::string_view name);
  std::span<const Keyword> all() const noexcept { return entries_; }
  std::size_t size() const noexcept { return entries_.size(); }

 private:
  void reindex();
  std::vector<Keyword> entries_;
  // lower-cased name -> position in entries_, so lookups stay O(1) for TEXT segments with
  // many thousands of keywords (a quadratic scan would let a crafted file hang the reader).
  std::unordered_map<std::string, std::size_t> index_;
};

std::string to_lower(std::string_view s);

bool iequals(std::string_view a, std::string_view b) noexcept;

}  // namespace mrdflow::fcs
