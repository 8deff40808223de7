#include "fcs/keywords.h"

#include <algorithm>
#include <cctype>

namespace mrdflow::fcs {

bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

void Keywords::set(std::string name, std::string value) {
  for (auto& k : entries_) {
    if (iequals(k.name, name)) {
      k.name = std::move(name);
      k.value = std::move(value);
      return;
    }
  }
  entries_.push_back({std::move(name), std::move(value)});
}

const std::string* Keywords::find(std::string_view name) const noexcept {
  for (const auto& k : entries_)
    if (iequals(k.name, name)) return &k.value;
  return nullptr;
}

std::optional<std::string> Keywords::get(std::string_view name) const {
  if (const auto* v = find(name)) return *v;
  return std::nullopt;
}

bool Keywords::erase(std::string_view name) {
  const auto it = std::find_if(entries_.begin(), entries_.end(),
                               [&](const Keyword& k) { return iequals(k.name, name); });
  if (it == entries_.end()) return false;
  entries_.erase(it);
  return true;
}

}  // namespace mrdflow::fcs
