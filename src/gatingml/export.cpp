// gates::GatingStrategy -> Gating-ML 2.0.
#include <pugixml.hpp>

#include <charconv>
#include <sstream>

#include "common/atomic_file.h"
#include "gatingml/gatingml.h"

namespace mrdflow::gatingml {

namespace {

// Shortest text that parses back to exactly the same double (round trip is exact).
std::string number(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

void set(pugi::xml_node n, const char* name, const std::string& value) {
  n.append_attribute(name) = value.c_str();
}
void set(pugi::xml_node n, const char* name, double value) { set(n, name, number(value)); }

void fcs_dimension(pugi::xml_node parent, const std::string& name) {
  set(parent.append_child("data-type:fcs-dimension"), "data-type:name", name);
}

void transform(pugi::xml_node root, const gates::NamedTransform& t) {
  auto node = root.append_child("transforms:transformation");
  set(node, "transforms:id", t.id);
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, transforms::Linear>) {
          auto e = node.append_child("transforms:flin");
          set(e, "transforms:T", x.T);
          set(e, "transforms:A", x.A);
        } else if constexpr (std::is_same_v<T, transforms::Log>) {
          auto e = node.append_child("transforms:flog");
          set(e, "transforms:T", x.T);
          set(e, "transforms:M", x.M);
        } else if constexpr (std::is_same_v<T, transforms::Asinh>) {
          auto e = node.append_child("transforms:fasinh");
          set(e, "transforms:T", x.T);
          set(e, "transforms:M", x.M);
          set(e, "transforms:A", x.A);
        } else if constexpr (std::is_same_v<T, transforms::Logicle> ||
                             std::is_same_v<T, transforms::Hyperlog>) {
          auto e = node.append_child(std::is_same_v<T, transforms::Logicle> ? "transforms:logicle"
                                                                            : "transforms:hyperlog");
          set(e, "transforms:T", x.T);
          set(e, "transforms:W", x.W);
          set(e, "transforms:M", x.M);
          set(e, "transforms:A", x.A);
        } else {
          throw Error("gatingml", "transformation '" + t.id +
                                      "': FlowJo biex has no Gating-ML 2.0 form; cannot export");
        }
      },
      t.transform);
}

void ratio(pugi::xml_node root, const gates::NamedRatio& r) {
  auto node = root.append_child("transforms:transformation");
  set(node, "transforms:id", r.id);
  auto e = node.append_child("transforms:fratio");
  set(e, "transforms:A", r.ratio.A);
  set(e, "transforms:B", r.ratio.B);
  set(e, "transforms:C", r.ratio.C);
  fcs_dimension(e, r.ratio.numerator);
  fcs_dimension(e, r.ratio.denominator);
}

void matrix(pugi::xml_node root, const gates::NamedMatrix& m) {
  auto node = root.append_child("transforms:spectrumMatrix");
  set(node, "transforms:id", m.id);
  auto fl = node.append_child("transforms:fluorochromes");
  for (const auto& f : m.matrix.fluorochromes) fcs_dimension(fl, f);
  auto de = node.append_child("transforms:detectors");
  for (const auto& d : m.matrix.detectors) fcs_dimension(de, d);
  const std::size_t cols = m.matrix.detectors.size();
  for (std::size_t i = 0; i < m.matrix.fluorochromes.size(); ++i) {
    auto row = node.append_child("transforms:spectrum");
    for (std::size_t j = 0; j < cols; ++j) {
      set(row.append_child("transforms:coefficient"), "transforms:value", m.matrix.values[i * cols + j]);
    }
  }
}

// Attributes of a gating:dimension / gating:divider plus its dimension child.
void dimension(pugi::xml_node node, const gates::Dimension& d) {
  set(node, "gating:compensation-ref", d.compensation_ref);
  if (!d.transformation_ref.empty()) set(node, "gating:transformation-ref", d.transformation_ref);
}
void dimension_child(pugi::xml_node node, const gates::Dimension& d) {
  if (d.kind == gates::Dimension::Kind::kRatio) {
    set(node.append_child("data-type:new-dimension"), "data-type:transformation-ref", d.name);
  } else {
    fcs_dimension(node, d.name);
  }
}
void dimensions(pugi::xml_node gate, const std::vector<gates::Dimension>& dims) {
  for (const auto& d : dims) {
    auto n = gate.append_child("gating:dimension");
    dimension(n, d);
    dimension_child(n, d);
  }
}

void gate(pugi::xml_node root, const gates::Gate& g) {
  auto node = root.append_child((std::string("gating:") + gates::gate_type_name(g.shape)).c_str());
  set(node, "gating:id", g.id);
  if (!g.parent_id.empty()) set(node, "gating:parent_id", g.parent_id);
  std::visit(
      [&](const auto& s) {
        using T = std::decay_t<decltype(s)>;
        if constexpr (std::is_same_v<T, gates::RectangleGate>) {
          for (std::size_t i = 0; i < s.dimensions.size(); ++i) {
            auto n = node.append_child("gating:dimension");
            dimension(n, s.dimensions[i]);
            if (s.ranges[i].min) set(n, "gating:min", *s.ranges[i].min);
            if (s.ranges[i].max) set(n, "gating:max", *s.ranges[i].max);
            dimension_child(n, s.dimensions[i]);
          }
        } else if constexpr (std::is_same_v<T, gates::PolygonGate>) {
          dimensions(node, s.dimensions);
          for (const auto& v : s.vertices) {
            auto vn = node.append_child("gating:vertex");
            set(vn.append_child("gating:coordinate"), "data-type:value", v.x);
            set(vn.append_child("gating:coordinate"), "data-type:value", v.y);
          }
        } else if constexpr (std::is_same_v<T, gates::EllipsoidGate>) {
          dimensions(node, s.dimensions);
          auto mean = node.append_child("gating:mean");
          for (double m : s.mean) set(mean.append_child("gating:coordinate"), "data-type:value", m);
          auto cov = node.append_child("gating:covarianceMatrix");
          const std::size_t n = s.dimensions.size();
          for (std::size_t i = 0; i < n; ++i) {
            auto row = cov.append_child("gating:row");
            for (std::size_t j = 0; j < n; ++j) {
              set(row.append_child("gating:entry"), "data-type:value", s.covariance[i * n + j]);
            }
          }
          set(node.append_child("gating:distanceSquare"), "data-type:value", s.distance_square);
        } else if constexpr (std::is_same_v<T, gates::QuadrantGate>) {
          for (const auto& d : s.dividers) {
            auto dn = node.append_child("gating:divider");
            set(dn, "gating:id", d.id);
            dimension(dn, d.dimension);
            dimension_child(dn, d.dimension);
            for (double v : d.values) dn.append_child("gating:value").text().set(number(v).c_str());
          }
          for (const auto& q : s.quadrants) {
            auto qn = node.append_child("gating:Quadrant");
            set(qn, "gating:id", q.id);
            for (const auto& p : q.positions) {
              auto pn = qn.append_child("gating:position");
              set(pn, "gating:divider_ref", p.divider_id);
              set(pn, "gating:location", p.location);
            }
          }
        } else {
          const char* op = s.op == gates::BooleanGate::Op::kAnd  ? "gating:and"
                           : s.op == gates::BooleanGate::Op::kOr ? "gating:or"
                                                                 : "gating:not";
          auto on = node.append_child(op);
          for (const auto& operand : s.operands) {
            auto rn = on.append_child("gating:gateReference");
            set(rn, "gating:ref", operand.ref);
            if (operand.complement) set(rn, "gating:use-as-complement", std::string("true"));
          }
        }
      },
      g.shape);
}

}  // namespace

std::string to_gatingml(const gates::GatingStrategy& strategy) {
  strategy.validate();
  pugi::xml_document doc;
  auto decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  auto root = doc.append_child("gating:Gating-ML");
  root.append_attribute("xmlns:gating") = kGatingNamespace;
  root.append_attribute("xmlns:transforms") = kTransformsNamespace;
  root.append_attribute("xmlns:data-type") = kDataTypeNamespace;
  for (const auto& t : strategy.transforms()) transform(root, t);
  for (const auto& r : strategy.ratios()) ratio(root, r);
  for (const auto& m : strategy.matrices()) matrix(root, m);
  for (const auto& g : strategy.gates()) gate(root, g);
  std::ostringstream out;
  doc.save(out, "  ", pugi::format_default, pugi::encoding_utf8);
  return out.str();
}

void write_gatingml(const std::filesystem::path& path, const gates::GatingStrategy& strategy) {
  write_file_atomic(path, to_gatingml(strategy));
}

}  // namespace mrdflow::gatingml
