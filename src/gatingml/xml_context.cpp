#include "gatingml/xml_context.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "common/error.h"

namespace mrdflow::gatingml::detail {

namespace {

std::string_view prefix_of(std::string_view qualified) {
  const auto colon = qualified.find(':');
  return colon == std::string_view::npos ? std::string_view{} : qualified.substr(0, colon);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

XmlContext::XmlContext(std::string name, std::string_view text) : name_(std::move(name)) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') newlines_.push_back(static_cast<std::ptrdiff_t>(i));
  }
}

std::size_t XmlContext::line_of(std::ptrdiff_t offset) const noexcept {
  if (offset < 0) return 0;
  return static_cast<std::size_t>(std::lower_bound(newlines_.begin(), newlines_.end(), offset) -
                                  newlines_.begin()) + 1;
}

std::string_view XmlContext::local_name(std::string_view qualified) noexcept {
  const auto colon = qualified.find(':');
  return colon == std::string_view::npos ? qualified : qualified.substr(colon + 1);
}

std::string XmlContext::resolve_prefix(const pugi::xml_node& node, std::string_view prefix) const {
  const std::string attr = prefix.empty() ? std::string("xmlns") : "xmlns:" + std::string(prefix);
  for (pugi::xml_node n = node; n; n = n.parent()) {
    if (n.type() != pugi::node_element) continue;
    if (const auto a = n.attribute(attr.c_str())) return a.value();
  }
  return {};
}

std::string XmlContext::namespace_of(const pugi::xml_node& node) const {
  return resolve_prefix(node, prefix_of(node.name()));
}

bool XmlContext::is(const pugi::xml_node& node, std::string_view ns, std::string_view local) const {
  return node.type() == pugi::node_element && local_name(node.name()) == local &&
         namespace_of(node) == ns;
}

pugi::xml_attribute XmlContext::attribute(const pugi::xml_node& node, std::string_view ns,
                                          std::string_view local) const {
  pugi::xml_attribute unprefixed;
  for (pugi::xml_attribute a = node.first_attribute(); a; a = a.next_attribute()) {
    const std::string_view qname = a.name();
    if (local_name(qname) != local) continue;
    const std::string_view prefix = prefix_of(qname);
    if (prefix.empty()) {
      unprefixed = a;
    } else if (prefix != "xmlns" && resolve_prefix(node, prefix) == ns) {
      return a;
    }
  }
  return unprefixed;
}

std::vector<pugi::xml_node> XmlContext::children(const pugi::xml_node& node, std::string_view ns,
                                                 std::string_view local) const {
  std::vector<pugi::xml_node> out;
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
    if (is(c, ns, local)) out.push_back(c);
  }
  return out;
}

std::vector<pugi::xml_node> XmlContext::content_children(const pugi::xml_node& node) const {
  std::vector<pugi::xml_node> out;
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
    if (c.type() != pugi::node_element) continue;
    if (local_name(c.name()) == "custom_info") continue;
    out.push_back(c);
  }
  return out;
}

void XmlContext::fail_at(std::ptrdiff_t offset, const std::string& problem) const {
  throw Error("gatingml", name_ + ": line " + std::to_string(line_of(offset)) + ": " + problem);
}

void XmlContext::fail(const pugi::xml_node& node, const std::string& problem) const {
  // Name the element and the nearest id (the element's own, else its enclosing gate's).
  std::string where = "<" + std::string(node.name());
  for (pugi::xml_node n = node; n && n.type() == pugi::node_element; n = n.parent()) {
    std::string_view id;
    for (pugi::xml_attribute a = n.first_attribute(); a; a = a.next_attribute()) {
      if (local_name(a.name()) == "id") id = a.value();
    }
    if (!id.empty()) {
      where += (n == node ? " id=\"" : " in id=\"") + std::string(id) + "\"";
      break;
    }
  }
  where += ">";
  fail_at(node.offset_debug(), where + ": " + problem);
}

std::string XmlContext::required_string(const pugi::xml_node& node, std::string_view ns,
                                        std::string_view local) const {
  const auto a = attribute(node, ns, local);
  if (!a) fail(node, "missing attribute '" + std::string(local) + "'");
  const std::string_view v = trim(a.value());
  if (v.empty()) fail(node, "attribute '" + std::string(local) + "' is empty");
  return std::string(v);
}

double XmlContext::number_text(const pugi::xml_node& node, std::string_view text,
                               const std::string& what) const {
  const std::string_view s = trim(text);
  double out = 0;
  // from_chars rejects a leading '+', which XML Schema doubles allow.
  const std::string_view digits = (!s.empty() && s.front() == '+') ? s.substr(1) : s;
  const auto r = std::from_chars(digits.data(), digits.data() + digits.size(), out);
  if (s.empty() || r.ec != std::errc{} || r.ptr != digits.data() + digits.size() ||
      !std::isfinite(out)) {
    fail(node, what + ": '" + std::string(text) + "' is not a finite number");
  }
  return out;
}

std::optional<double> XmlContext::optional_number(const pugi::xml_node& node, std::string_view ns,
                                                  std::string_view local) const {
  const auto a = attribute(node, ns, local);
  if (!a) return std::nullopt;
  return number_text(node, a.value(), "attribute '" + std::string(local) + "'");
}

double XmlContext::required_number(const pugi::xml_node& node, std::string_view ns,
                                   std::string_view local) const {
  const auto v = optional_number(node, ns, local);
  if (!v) fail(node, "missing attribute '" + std::string(local) + "'");
  return *v;
}

}  // namespace mrdflow::gatingml::detail
