#pragma once
// Internal: namespace-aware lookups on a pugixml tree and one-line errors with line numbers.
#include <pugixml.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mrdflow::gatingml::detail {

class XmlContext {
 public:
  XmlContext(std::string name, std::string_view text);

  const std::string& name() const noexcept { return name_; }
  std::size_t line_of(std::ptrdiff_t offset) const noexcept;  // 1-based
  std::size_t line_of(const pugi::xml_node& node) const noexcept {
    return line_of(node.offset_debug());
  }

  // Namespace URI and local name of an element (prefix resolved through xmlns declarations).
  std::string namespace_of(const pugi::xml_node& node) const;
  static std::string_view local_name(std::string_view qualified) noexcept;
  bool is(const pugi::xml_node& node, std::string_view ns, std::string_view local) const;

  // Attribute `local` in namespace `ns`; an unprefixed attribute with that local name is
  // accepted too (some writers omit the prefix). Empty when absent.
  pugi::xml_attribute attribute(const pugi::xml_node& node, std::string_view ns,
                                std::string_view local) const;
  // Child elements with that namespace and local name.
  std::vector<pugi::xml_node> children(const pugi::xml_node& node, std::string_view ns,
                                       std::string_view local) const;
  // All child elements except data-type:custom_info (free-form annotation).
  std::vector<pugi::xml_node> content_children(const pugi::xml_node& node) const;

  // Throws Error("gatingml", "FILE: line N: <element id=...>: problem").
  [[noreturn]] void fail(const pugi::xml_node& node, const std::string& problem) const;
  [[noreturn]] void fail_at(std::ptrdiff_t offset, const std::string& problem) const;

  // Required/optional attribute helpers that report failures via fail().
  std::string required_string(const pugi::xml_node& node, std::string_view ns,
                              std::string_view local) const;
  std::optional<double> optional_number(const pugi::xml_node& node, std::string_view ns,
                                        std::string_view local) const;
  double required_number(const pugi::xml_node& node, std::string_view ns,
                         std::string_view local) const;
  double number_text(const pugi::xml_node& node, std::string_view text,
                     const std::string& what) const;

 private:
  std::string name_;
  std::vector<std::ptrdiff_t> newlines_;  // offsets of '\n'
  std::string resolve_prefix(const pugi::xml_node& node, std::string_view prefix) const;
};

}  // namespace mrdflow::gatingml::detail
