// Gating-ML 2.0 -> gates::GatingStrategy.
#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "gatingml/gatingml.h"
#include "gatingml/xml_context.h"

namespace mrdflow::gatingml {

namespace {

using detail::XmlContext;
using gates::Dimension;

constexpr std::string_view kG = kGatingNamespace;
constexpr std::string_view kT = kTransformsNamespace;
constexpr std::string_view kD = kDataTypeNamespace;

class Importer {
 public:
  Importer(const XmlContext& xml) : xml_(xml) {}

  gates::GatingStrategy run(const pugi::xml_node& root) {
    if (!xml_.is(root, kG, "Gating-ML")) {
      xml_.fail(root, "root element is not a Gating-ML 2.0 <Gating-ML> in namespace " +
                          std::string(kG));
    }
    walk(root);
    try {
      strategy_.validate();
    } catch (const gates::StrategyError& e) {
      const auto it = where_.find(e.gate_id());
      if (it != where_.end()) xml_.fail(it->second, e.problem());
      xml_.fail(root, e.what());
    }
    return std::move(strategy_);
  }

 private:
  void walk(const pugi::xml_node& parent) {
    for (pugi::xml_node n = parent.first_child(); n; n = n.next_sibling()) {
      if (n.type() != pugi::node_element) continue;
      const std::string ns = xml_.namespace_of(n);
      const std::string_view local = XmlContext::local_name(n.name());
      if (ns == kG) {
        if (local == "RectangleGate" || local == "PolygonGate" || local == "EllipsoidGate" ||
            local == "QuadrantGate" || local == "BooleanGate") {
          gate(n, local);
        } else if (local.ends_with("Gate")) {
          xml_.fail(n, "unknown gate type '" + std::string(local) + "'");
        } else {
          xml_.fail(n, "unexpected Gating-ML element here");
        }
      } else if (ns == kT) {
        if (local == "transformation") {
          transformation(n);
        } else if (local == "spectrumMatrix") {
          spectrum_matrix(n);
        } else {
          xml_.fail(n, "unknown transformations element '" + std::string(local) + "'");
        }
      } else if (ns == kD) {
        continue;  // custom_info and other annotations
      } else {
        walk(n);  // a non-Gating-ML wrapper: look inside
      }
    }
  }

  void remember(const std::string& id, const pugi::xml_node& n) {
    if (!where_.emplace(id, n).second) xml_.fail(n, "duplicate id '" + id + "'");
  }

  // --- transformations -------------------------------------------------------------------
  void transformation(const pugi::xml_node& n) {
    const std::string id = xml_.required_string(n, kT, "id");
    remember(id, n);
    const auto content = xml_.content_children(n);
    if (content.size() != 1) xml_.fail(n, "transformation must hold exactly one transform element");
    const pugi::xml_node t = content.front();
    if (xml_.namespace_of(t) != kT) xml_.fail(t, "not a Gating-ML transformations element");
    const std::string_view kind = XmlContext::local_name(t.name());
    auto num = [&](std::string_view attr) { return xml_.required_number(t, kT, attr); };
    if (kind == "flin") {
      strategy_.add_transform(id, transforms::Linear{num("T"), num("A")});
    } else if (kind == "flog") {
      strategy_.add_transform(id, transforms::Log{num("T"), num("M")});
    } else if (kind == "fasinh") {
      strategy_.add_transform(id, transforms::Asinh{num("T"), num("M"), num("A")});
    } else if (kind == "logicle") {
      strategy_.add_transform(id, transforms::Logicle{num("T"), num("W"), num("M"), num("A")});
    } else if (kind == "hyperlog") {
      strategy_.add_transform(id, transforms::Hyperlog{num("T"), num("W"), num("M"), num("A")});
    } else if (kind == "fratio") {
      const auto dims = xml_.children(t, kD, "fcs-dimension");
      if (dims.size() != 2) xml_.fail(t, "fratio needs exactly 2 fcs-dimension elements");
      gates::RatioTransform r;
      r.numerator = xml_.required_string(dims[0], kD, "name");
      r.denominator = xml_.required_string(dims[1], kD, "name");
      r.A = num("A");
      r.B = num("B");
      r.C = num("C");
      strategy_.add_ratio(id, r);
    } else {
      xml_.fail(t, "unknown transformation type '" + std::string(kind) + "'");
    }
  }

  std::vector<std::string> dimension_names(const pugi::xml_node& n) {
    std::vector<std::string> names;
    for (const auto& c : xml_.content_children(n)) {
      if (!xml_.is(c, kD, "fcs-dimension")) xml_.fail(c, "expected data-type:fcs-dimension");
      names.push_back(xml_.required_string(c, kD, "name"));
    }
    return names;
  }

  void spectrum_matrix(const pugi::xml_node& n) {
    const std::string id = xml_.required_string(n, kT, "id");
    remember(id, n);
    if (const auto inv = xml_.attribute(n, kT, "matrix-inverted-already");
        inv && std::string_view(inv.value()) == "true") {
      xml_.fail(n, "matrix-inverted-already=\"true\" is not supported");
    }
    const auto fl = xml_.children(n, kT, "fluorochromes");
    const auto de = xml_.children(n, kT, "detectors");
    if (fl.size() != 1 || de.size() != 1) {
      xml_.fail(n, "spectrumMatrix needs one fluorochromes and one detectors element");
    }
    compensation::SpilloverMatrix m;
    m.source = id;
    m.fluorochromes = dimension_names(fl.front());
    m.detectors = dimension_names(de.front());
    const auto rows = xml_.children(n, kT, "spectrum");
    if (rows.size() != m.fluorochromes.size()) {
      xml_.fail(n, "spectrumMatrix has " + std::to_string(rows.size()) + " spectrum rows for " +
                       std::to_string(m.fluorochromes.size()) + " fluorochromes");
    }
    for (const auto& row : rows) {
      const auto coefficients = xml_.children(row, kT, "coefficient");
      if (coefficients.size() != m.detectors.size()) {
        xml_.fail(row, "spectrum has " + std::to_string(coefficients.size()) +
                           " coefficients for " + std::to_string(m.detectors.size()) + " detectors");
      }
      for (const auto& c : coefficients) m.values.push_back(xml_.required_number(c, kT, "value"));
    }
    strategy_.add_matrix(id, std::move(m));
  }

  // --- gates -----------------------------------------------------------------------------
  // gating:dimension / gating:divider: compensation-ref, transformation-ref and one
  // fcs-dimension or new-dimension child.
  Dimension dimension(const pugi::xml_node& n) {
    Dimension d;
    if (const auto a = xml_.attribute(n, kG, "compensation-ref")) {
      d.compensation_ref = a.value();
      if (d.compensation_ref.empty()) xml_.fail(n, "empty compensation-ref");
    }
    if (const auto a = xml_.attribute(n, kG, "transformation-ref")) {
      d.transformation_ref = a.value();
      if (d.transformation_ref.empty()) xml_.fail(n, "empty transformation-ref");
    }
    const auto fcs_dims = xml_.children(n, kD, "fcs-dimension");
    const auto new_dims = xml_.children(n, kD, "new-dimension");
    if (fcs_dims.size() + new_dims.size() != 1) {
      xml_.fail(n, "needs exactly one data-type:fcs-dimension or data-type:new-dimension");
    }
    if (!fcs_dims.empty()) {
      d.kind = Dimension::Kind::kChannel;
      d.name = xml_.required_string(fcs_dims.front(), kD, "name");
    } else {
      d.kind = Dimension::Kind::kRatio;
      d.name = xml_.required_string(new_dims.front(), kD, "transformation-ref");
    }
    return d;
  }

  std::vector<double> values(const std::vector<pugi::xml_node>& nodes, std::string_view ns,
                             std::string_view attr) {
    std::vector<double> out;
    for (const auto& n : nodes) out.push_back(xml_.required_number(n, ns, attr));
    return out;
  }

  void gate(const pugi::xml_node& n, std::string_view type) {
    gates::Gate g;
    g.id = xml_.required_string(n, kG, "id");
    if (const auto p = xml_.attribute(n, kG, "parent_id")) g.parent_id = p.value();
    remember(g.id, n);
    if (type == "RectangleGate") {
      gates::RectangleGate r;
      for (const auto& dn : xml_.children(n, kG, "dimension")) {
        r.dimensions.push_back(dimension(dn));
        r.ranges.push_back({xml_.optional_number(dn, kG, "min"), xml_.optional_number(dn, kG, "max")});
      }
      g.shape = std::move(r);
    } else if (type == "PolygonGate") {
      gates::PolygonGate p;
      for (const auto& dn : xml_.children(n, kG, "dimension")) p.dimensions.push_back(dimension(dn));
      for (const auto& vn : xml_.children(n, kG, "vertex")) {
        const auto coords = values(xml_.children(vn, kG, "coordinate"), kD, "value");
        if (coords.size() != 2) xml_.fail(vn, "vertex needs exactly 2 coordinates, has " + std::to_string(coords.size()));
        p.vertices.push_back({coords[0], coords[1]});
      }
      g.shape = std::move(p);
    } else if (type == "EllipsoidGate") {
      gates::EllipsoidGate e;
      for (const auto& dn : xml_.children(n, kG, "dimension")) e.dimensions.push_back(dimension(dn));
      const auto mean = xml_.children(n, kG, "mean");
      const auto cov = xml_.children(n, kG, "covarianceMatrix");
      const auto dist = xml_.children(n, kG, "distanceSquare");
      if (mean.size() != 1 || cov.size() != 1 || dist.size() != 1) {
        xml_.fail(n, "EllipsoidGate needs one mean, one covarianceMatrix and one distanceSquare");
      }
      e.mean = values(xml_.children(mean.front(), kG, "coordinate"), kD, "value");
      const auto rows = xml_.children(cov.front(), kG, "row");
      for (const auto& row : rows) {
        const auto entries = values(xml_.children(row, kG, "entry"), kD, "value");
        if (entries.size() != rows.size()) {
          xml_.fail(row, "covariance row has " + std::to_string(entries.size()) +
                             " entries, expected " + std::to_string(rows.size()));
        }
        e.covariance.insert(e.covariance.end(), entries.begin(), entries.end());
      }
      e.distance_square = xml_.required_number(dist.front(), kD, "value");
      g.shape = std::move(e);
    } else if (type == "QuadrantGate") {
      gates::QuadrantGate q;
      for (const auto& dn : xml_.children(n, kG, "divider")) {
        gates::Divider d;
        d.id = xml_.required_string(dn, kG, "id");
        d.dimension = dimension(dn);
        for (const auto& vn : xml_.children(dn, kG, "value")) {
          d.values.push_back(xml_.number_text(vn, vn.child_value(), "divider value"));
        }
        std::sort(d.values.begin(), d.values.end());
        q.dividers.push_back(std::move(d));
      }
      for (const auto& qn : xml_.children(n, kG, "Quadrant")) {
        gates::Quadrant quadrant;
        quadrant.id = xml_.required_string(qn, kG, "id");
        remember(quadrant.id, qn);
        for (const auto& pn : xml_.children(qn, kG, "position")) {
          quadrant.positions.push_back({xml_.required_string(pn, kG, "divider_ref"),
                                        xml_.required_number(pn, kG, "location")});
        }
        q.quadrants.push_back(std::move(quadrant));
      }
      g.shape = std::move(q);
    } else {  // BooleanGate
      gates::BooleanGate b;
      std::vector<pugi::xml_node> ops;
      for (const auto& c : xml_.content_children(n)) {
        if (xml_.is(c, kG, "and") || xml_.is(c, kG, "or") || xml_.is(c, kG, "not")) ops.push_back(c);
      }
      if (ops.size() != 1) xml_.fail(n, "BooleanGate needs exactly one of and/or/not");
      const std::string_view op = XmlContext::local_name(ops.front().name());
      b.op = op == "and" ? gates::BooleanGate::Op::kAnd
             : op == "or" ? gates::BooleanGate::Op::kOr
                          : gates::BooleanGate::Op::kNot;
      for (const auto& rn : xml_.children(ops.front(), kG, "gateReference")) {
        gates::BooleanOperand operand;
        operand.ref = xml_.required_string(rn, kG, "ref");
        if (const auto c = xml_.attribute(rn, kG, "use-as-complement")) {
          const std::string_view v = c.value();
          if (v == "true" || v == "1") {
            operand.complement = true;
          } else if (v != "false" && v != "0") {
            xml_.fail(rn, "use-as-complement must be true or false, got '" + std::string(v) + "'");
          }
        }
        b.operands.push_back(std::move(operand));
      }
      g.shape = std::move(b);
    }
    strategy_.add_gate(std::move(g));
  }

  const XmlContext& xml_;
  gates::GatingStrategy strategy_;
  std::map<std::string, pugi::xml_node> where_;  // id -> element, to place validation errors
};

}  // namespace

gates::GatingStrategy parse_gatingml(std::string_view text, const std::string& name) {
  XmlContext xml(name, text);
  pugi::xml_document doc;
  const pugi::xml_parse_result parsed =
      doc.load_buffer(text.data(), text.size(), pugi::parse_default, pugi::encoding_auto);
  if (!parsed) {
    xml.fail_at(parsed.offset, std::string("invalid XML: ") + parsed.description());
  }
  const pugi::xml_node root = doc.document_element();
  if (!root) xml.fail_at(0, "no root element");
  return Importer(xml).run(root);
}

gates::GatingStrategy read_gatingml(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("gatingml", path.string() + ": cannot open file");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw Error("gatingml", path.string() + ": read error");
  return parse_gatingml(buffer.str(), path.string());
}

}  // namespace mrdflow::gatingml
