#include "gates/strategy.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <unordered_map>

#include "gates/population_graph.h"
#include "gates/shape_kernels.h"

namespace mrdflow::gates {

const char* gate_type_name(const GateShape& shape) {
  static constexpr const char* kNames[] = {"RectangleGate", "PolygonGate", "EllipsoidGate",
                                           "QuadrantGate", "BooleanGate"};
  return kNames[shape.index()];
}

Interval quadrant_interval(const Divider& divider, double location) {
  Interval interval;
  for (const double cut : divider.values) {
    if (cut <= location) {
      interval.min = cut;
    } else {
      interval.max = cut;
      break;
    }
  }
  return interval;
}

const Population& GatingResults::at(const std::string& id) const {
  for (const auto& p : populations) {
    if (p.id == id) return p;
  }
  throw Error("gates", "no population with id '" + id + "' in the gating results");
}

void GatingStrategy::add_transform(std::string id, transforms::Transform transform) {
  transforms_.push_back({std::move(id), std::move(transform)});
}
void GatingStrategy::add_ratio(std::string id, RatioTransform ratio) {
  ratios_.push_back({std::move(id), std::move(ratio)});
}
void GatingStrategy::add_matrix(std::string id, compensation::SpilloverMatrix matrix) {
  matrices_.push_back({std::move(id), std::move(matrix)});
}
void GatingStrategy::add_gate(Gate gate) { gates_.push_back(std::move(gate)); }

const transforms::Transform* GatingStrategy::find_transform(const std::string& id) const noexcept {
  for (const auto& t : transforms_) {
    if (t.id == id) return &t.transform;
  }
  return nullptr;
}
const RatioTransform* GatingStrategy::find_ratio(const std::string& id) const noexcept {
  for (const auto& r : ratios_) {
    if (r.id == id) return &r.ratio;
  }
  return nullptr;
}
const compensation::SpilloverMatrix* GatingStrategy::find_matrix(const std::string& id) const noexcept {
  for (const auto& m : matrices_) {
    if (m.id == id) return &m.matrix;
  }
  return nullptr;
}
const Gate* GatingStrategy::find_gate(const std::string& id) const noexcept {
  for (const auto& g : gates_) {
    if (g.id == id) return &g;
  }
  return nullptr;
}

std::vector<std::string> GatingStrategy::population_ids() const {
  std::vector<std::string> ids;
  for (const auto& node : detail::population_nodes(*this)) ids.push_back(node.id);
  return ids;
}

namespace detail {

std::vector<PopulationNode> population_nodes(const GatingStrategy& strategy) {
  std::vector<PopulationNode> nodes;
  const auto& gates = strategy.gates();
  for (std::size_t g = 0; g < gates.size(); ++g) {
    const Gate& gate = gates[g];
    if (const auto* quad = std::get_if<QuadrantGate>(&gate.shape)) {
      for (std::size_t q = 0; q < quad->quadrants.size(); ++q) {
        PopulationNode node{quad->quadrants[q].id, gate.parent_id, g,
                            static_cast<std::ptrdiff_t>(q), {}};
        if (!gate.parent_id.empty()) node.depends_on.push_back(gate.parent_id);
        nodes.push_back(std::move(node));
      }
      continue;
    }
    PopulationNode node{gate.id, gate.parent_id, g, -1, {}};
    if (!gate.parent_id.empty()) node.depends_on.push_back(gate.parent_id);
    if (const auto* boolean = std::get_if<BooleanGate>(&gate.shape)) {
      for (const auto& op : boolean->operands) node.depends_on.push_back(op.ref);
    }
    nodes.push_back(std::move(node));
  }
  return nodes;
}

std::vector<std::size_t> evaluation_order(const std::vector<PopulationNode>& nodes) {
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < nodes.size(); ++i) index.emplace(nodes[i].id, i);
  // Iterative depth-first search with colours; a grey node reached again closes a cycle.
  enum class Mark { kWhite, kGrey, kBlack };
  std::vector<Mark> mark(nodes.size(), Mark::kWhite);
  std::vector<std::size_t> order;
  order.reserve(nodes.size());
  for (std::size_t root = 0; root < nodes.size(); ++root) {
    if (mark[root] != Mark::kWhite) continue;
    std::vector<std::pair<std::size_t, std::size_t>> stack{{root, 0}};  // node, next dependency
    mark[root] = Mark::kGrey;
    while (!stack.empty()) {
      auto& [node, next] = stack.back();
      if (next == nodes[node].depends_on.size()) {
        mark[node] = Mark::kBlack;
        order.push_back(node);
        stack.pop_back();
        continue;
      }
      const std::string& dep = nodes[node].depends_on[next++];
      const auto it = index.find(dep);
      if (it == index.end()) {
        throw StrategyError(nodes[node].id, "references undefined gate '" + dep + "'");
      }
      const std::size_t d = it->second;
      if (mark[d] == Mark::kGrey) {
        std::string cycle = nodes[d].id;
        bool on_cycle = false;
        for (const auto& [n, unused] : stack) {
          (void)unused;
          if (n == d) on_cycle = true;
          if (on_cycle && n != d) cycle += " -> " + nodes[n].id;
        }
        cycle += " -> " + nodes[d].id;
        throw StrategyError(nodes[node].id, "cyclic gate dependency: " + cycle);
      }
      if (mark[d] == Mark::kWhite) {
        mark[d] = Mark::kGrey;
        stack.emplace_back(d, 0);
      }
    }
  }
  return order;
}

}  // namespace detail

namespace {

bool finite(double v) { return std::isfinite(v); }

void check_dimension(const GatingStrategy& s, const std::string& gate_id, const Dimension& d) {
  if (d.name.empty()) throw StrategyError(gate_id, "dimension without a channel name");
  if (d.compensation_ref.empty()) {
    throw StrategyError(gate_id, "dimension '" + d.name + "' has an empty compensation-ref");
  }
  if (d.compensation_ref != kUncompensated && d.compensation_ref != kFileCompensation &&
      s.find_matrix(d.compensation_ref) == nullptr) {
    throw StrategyError(gate_id, "dimension '" + d.name + "' references undefined spectrum matrix '" +
                                     d.compensation_ref + "'");
  }
  if (!d.transformation_ref.empty() && s.find_transform(d.transformation_ref) == nullptr) {
    throw StrategyError(gate_id, "dimension '" + d.name + "' references undefined transformation '" +
                                     d.transformation_ref + "'" +
                                     (s.find_ratio(d.transformation_ref) ? " (it is a ratio, usable only as a new-dimension)" : ""));
  }
  if (d.kind == Dimension::Kind::kRatio && s.find_ratio(d.name) == nullptr) {
    throw StrategyError(gate_id, "new-dimension references undefined ratio transformation '" +
                                     d.name + "'");
  }
}

void check_shape(const GatingStrategy& s, const Gate& gate, const std::set<std::string>& populations) {
  const std::string& id = gate.id;
  auto dims = [&](const std::vector<Dimension>& ds) {
    for (const auto& d : ds) check_dimension(s, id, d);
  };
  std::visit(
      [&](const auto& shape) {
        using T = std::decay_t<decltype(shape)>;
        if constexpr (std::is_same_v<T, RectangleGate>) {
          if (shape.dimensions.empty()) throw StrategyError(id, "RectangleGate has no dimension");
          if (shape.ranges.size() != shape.dimensions.size()) {
            throw StrategyError(id, "RectangleGate has " + std::to_string(shape.ranges.size()) +
                                        " ranges for " + std::to_string(shape.dimensions.size()) +
                                        " dimensions");
          }
          dims(shape.dimensions);
          for (std::size_t i = 0; i < shape.ranges.size(); ++i) {
            const auto& r = shape.ranges[i];
            if (!r.min && !r.max) {
              throw StrategyError(id, "dimension '" + shape.dimensions[i].name + "' has neither min nor max");
            }
            if ((r.min && !finite(*r.min)) || (r.max && !finite(*r.max))) {
              throw StrategyError(id, "dimension '" + shape.dimensions[i].name + "' has a non-finite bound");
            }
            if (r.min && r.max && *r.min > *r.max) {
              throw StrategyError(id, "dimension '" + shape.dimensions[i].name + "' has min > max");
            }
          }
        } else if constexpr (std::is_same_v<T, PolygonGate>) {
          if (shape.dimensions.size() != 2) {
            throw StrategyError(id, "PolygonGate needs exactly 2 dimensions, has " +
                                        std::to_string(shape.dimensions.size()));
          }
          dims(shape.dimensions);
          if (shape.vertices.size() < 3) {
            throw StrategyError(id, "PolygonGate needs at least 3 vertices, has " +
                                        std::to_string(shape.vertices.size()));
          }
          for (const auto& v : shape.vertices) {
            if (!finite(v.x) || !finite(v.y)) throw StrategyError(id, "PolygonGate has a non-finite vertex");
          }
        } else if constexpr (std::is_same_v<T, EllipsoidGate>) {
          const std::size_t n = shape.dimensions.size();
          if (n == 0) throw StrategyError(id, "EllipsoidGate has no dimension");
          dims(shape.dimensions);
          if (shape.mean.size() != n) {
            throw StrategyError(id, "EllipsoidGate mean has " + std::to_string(shape.mean.size()) +
                                        " coordinates for " + std::to_string(n) + " dimensions");
          }
          for (double m : shape.mean) {
            if (!finite(m)) throw StrategyError(id, "EllipsoidGate mean is not finite");
          }
          if (!finite(shape.distance_square) || shape.distance_square <= 0) {
            throw StrategyError(id, "EllipsoidGate distanceSquare must be finite and > 0");
          }
          try {
            invert_covariance(shape.covariance, n);
          } catch (const Error& e) {
            throw StrategyError(id, std::string("EllipsoidGate: ") + e.what());
          }
        } else if constexpr (std::is_same_v<T, QuadrantGate>) {
          if (shape.dividers.empty()) throw StrategyError(id, "QuadrantGate has no divider");
          if (shape.quadrants.empty()) throw StrategyError(id, "QuadrantGate has no Quadrant");
          std::set<std::string> divider_ids;
          for (const auto& d : shape.dividers) {
            if (d.id.empty()) throw StrategyError(id, "QuadrantGate divider without id");
            if (!divider_ids.insert(d.id).second) throw StrategyError(id, "duplicate divider id '" + d.id + "'");
            check_dimension(s, id, d.dimension);
            if (d.values.empty()) throw StrategyError(id, "divider '" + d.id + "' has no value");
            for (double v : d.values) {
              if (!finite(v)) throw StrategyError(id, "divider '" + d.id + "' has a non-finite value");
            }
            if (!std::is_sorted(d.values.begin(), d.values.end())) {
              throw StrategyError(id, "divider '" + d.id + "' values are not ascending");
            }
          }
          for (const auto& q : shape.quadrants) {
            if (q.positions.empty()) throw StrategyError(q.id, "Quadrant has no position");
            std::set<std::string> used;
            for (const auto& p : q.positions) {
              if (!divider_ids.count(p.divider_id)) {
                throw StrategyError(q.id, "position references undefined divider '" + p.divider_id + "'");
              }
              if (!used.insert(p.divider_id).second) {
                throw StrategyError(q.id, "divider '" + p.divider_id + "' used twice");
              }
              if (!finite(p.location)) throw StrategyError(q.id, "position location is not finite");
            }
          }
        } else if constexpr (std::is_same_v<T, BooleanGate>) {
          const std::size_t n = shape.operands.size();
          if (shape.op == BooleanGate::Op::kNot && n != 1) {
            throw StrategyError(id, "BooleanGate 'not' needs exactly 1 operand, has " + std::to_string(n));
          }
          if (shape.op != BooleanGate::Op::kNot && n < 2) {
            throw StrategyError(id, std::string("BooleanGate '") +
                                        (shape.op == BooleanGate::Op::kAnd ? "and" : "or") +
                                        "' needs at least 2 operands, has " + std::to_string(n));
          }
          for (const auto& op : shape.operands) {
            if (!populations.count(op.ref)) {
              throw StrategyError(id, "BooleanGate references undefined gate '" + op.ref + "'");
            }
          }
        }
      },
      gate.shape);
}

}  // namespace

void GatingStrategy::validate() const {
  std::set<std::string> transform_ids;
  for (const auto& t : transforms_) {
    if (t.id.empty()) throw StrategyError("", "transformation without id");
    if (!transform_ids.insert(t.id).second) throw StrategyError(t.id, "duplicate transformation id");
    try {
      transforms::validate(t.transform);
    } catch (const Error& e) {
      throw StrategyError(t.id, std::string("transformation: ") + e.what());
    }
  }
  for (const auto& r : ratios_) {
    if (r.id.empty()) throw StrategyError("", "ratio transformation without id");
    if (!transform_ids.insert(r.id).second) throw StrategyError(r.id, "duplicate transformation id");
    if (r.ratio.numerator.empty() || r.ratio.denominator.empty()) {
      throw StrategyError(r.id, "fratio needs two fcs-dimensions");
    }
    if (!finite(r.ratio.A) || !finite(r.ratio.B) || !finite(r.ratio.C)) {
      throw StrategyError(r.id, "fratio parameters must be finite");
    }
  }
  std::set<std::string> matrix_ids;
  for (const auto& m : matrices_) {
    if (m.id.empty()) throw StrategyError("", "spectrum matrix without id");
    if (m.id == kUncompensated || m.id == kFileCompensation) {
      throw StrategyError(m.id, "spectrum matrix id is reserved");
    }
    if (!matrix_ids.insert(m.id).second) throw StrategyError(m.id, "duplicate spectrum matrix id");
    const auto& sm = m.matrix;
    if (sm.fluorochromes.empty() || sm.detectors.empty()) {
      throw StrategyError(m.id, "spectrum matrix needs fluorochromes and detectors");
    }
    if (sm.values.size() != sm.fluorochromes.size() * sm.detectors.size()) {
      throw StrategyError(m.id, "spectrum matrix has " + std::to_string(sm.values.size()) +
                                    " coefficients, expected " +
                                    std::to_string(sm.fluorochromes.size() * sm.detectors.size()));
    }
    for (double v : sm.values) {
      if (!finite(v)) throw StrategyError(m.id, "spectrum matrix has a non-finite coefficient");
    }
  }

  std::set<std::string> populations;
  std::set<std::string> quadrant_gate_ids;
  for (const auto& g : gates_) {
    if (g.id.empty()) throw StrategyError("", std::string(gate_type_name(g.shape)) + " without id");
    if (const auto* quad = std::get_if<QuadrantGate>(&g.shape)) {
      if (!quadrant_gate_ids.insert(g.id).second || populations.count(g.id)) {
        throw StrategyError(g.id, "duplicate gate id");
      }
      for (const auto& q : quad->quadrants) {
        if (q.id.empty()) throw StrategyError(g.id, "Quadrant without id");
        if (!populations.insert(q.id).second || quadrant_gate_ids.count(q.id)) {
          throw StrategyError(q.id, "duplicate gate id");
        }
      }
    } else if (!populations.insert(g.id).second || quadrant_gate_ids.count(g.id)) {
      throw StrategyError(g.id, "duplicate gate id");
    }
  }
  for (const auto& g : gates_) {
    if (!g.parent_id.empty() && !populations.count(g.parent_id)) {
      throw StrategyError(g.id, quadrant_gate_ids.count(g.parent_id)
                                    ? "parent '" + g.parent_id + "' is a QuadrantGate; use one of its Quadrant ids"
                                    : "references undefined parent gate '" + g.parent_id + "'");
    }
    if (g.parent_id == g.id) throw StrategyError(g.id, "gate is its own parent");
    check_shape(*this, g, populations);
  }
  detail::evaluation_order(detail::population_nodes(*this));
}

}  // namespace mrdflow::gates
