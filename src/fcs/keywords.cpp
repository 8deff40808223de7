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

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

void Keywords::set(std::string name, std::string value) {
  auto key = to_lower(name);
  if (const auto it = index_.find(key); it != index_.end()) {
    auto& k = entries_[it->second];
    k.name = std::move(name);
    k.value = std::move(value);
    return;
  }
  index_.emplace(std::move(key), entries_.size());
  entries_.push_back({std::move(name), std::move(value)});
}

const std::string* Keywords::find(std::string_view name) const noexcept {
  std::string key;
  try {
    key = to_lower(name);
  } catch (...) {
    return nullptr;
  }
  const auto it = index_.find(key);
  return it == index_.end() ? nullptr : &entries_[it->second].value;
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
  reindex();
  return true;
}

void Keywords::reindex() {
  index_.clear();
  for (std::size_t i = 0; i < entries_.size(); ++i) index_.emplace(to_lower(entries_[i].name), i);
}

}  // namespace mrdflow::fcs
