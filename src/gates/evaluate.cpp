// GatingStrategy::evaluate: dimension columns once, one bitset per population, in dependency
// order; child = own test AND parent.
#include <algorithm>

#include "gates/dimension_columns.h"
#include "gates/population_graph.h"
#include "gates/shape_kernels.h"
#include "gates/strategy.h"

namespace mrdflow::gates {

namespace {

using detail::DimensionColumns;

std::vector<Column> columns_of(DimensionColumns& columns, const std::vector<Dimension>& dims) {
  std::vector<Column> out;
  out.reserve(dims.size());
  for (const auto& d : dims) out.push_back(columns.get(d));
  return out;
}

Membership shape_membership(const Gate& gate, std::ptrdiff_t quadrant, std::size_t events,
                            DimensionColumns& columns,
                            const std::vector<Population>& done,
                            const std::map<std::string, std::size_t>& node_index) {
  Membership m(events);
  std::visit(
      [&](const auto& shape) {
        using T = std::decay_t<decltype(shape)>;
        if constexpr (std::is_same_v<T, RectangleGate>) {
          const auto cols = columns_of(columns, shape.dimensions);
          fill_parallel(m, [&](WordRange w, std::uint64_t* out) {
            rectangle_bits(shape.ranges, cols, w, out);
          });
        } else if constexpr (std::is_same_v<T, PolygonGate>) {
          const auto cols = columns_of(columns, shape.dimensions);
          fill_parallel(m, [&](WordRange w, std::uint64_t* out) {
            polygon_bits(shape.vertices, cols[0], cols[1], w, out);
          });
        } else if constexpr (std::is_same_v<T, EllipsoidGate>) {
          const auto cols = columns_of(columns, shape.dimensions);
          const auto inverse = invert_covariance(shape.covariance, shape.dimensions.size());
          fill_parallel(m, [&](WordRange w, std::uint64_t* out) {
            ellipsoid_bits(shape.mean, inverse, shape.distance_square, cols, w, out);
          });
        } else if constexpr (std::is_same_v<T, QuadrantGate>) {
          // A quadrant is a rectangle over the dividers it positions itself on.
          const Quadrant& q = shape.quadrants[static_cast<std::size_t>(quadrant)];
          std::vector<Interval> ranges;
          std::vector<Column> cols;
          for (const auto& pos : q.positions) {
            const auto div = std::ranges::find(shape.dividers, pos.divider_id, &Divider::id);
            ranges.push_back(quadrant_interval(*div, pos.location));
            cols.push_back(columns.get(div->dimension));
          }
          fill_parallel(m, [&](WordRange w, std::uint64_t* out) {
            rectangle_bits(ranges, cols, w, out);
          });
        } else if constexpr (std::is_same_v<T, BooleanGate>) {
          auto operand = [&](const BooleanOperand& op) {
            Membership v = done[node_index.at(op.ref)].events;
            if (op.complement) v.flip();
            return v;
          };
          switch (shape.op) {
            case BooleanGate::Op::kNot:
              m = operand(shape.operands.front());
              m.flip();
              break;
            case BooleanGate::Op::kAnd:
              m = Membership(events, true);
              for (const auto& op : shape.operands) m &= operand(op);
              break;
            case BooleanGate::Op::kOr:
              for (const auto& op : shape.operands) m |= operand(op);
              break;
          }
        }
      },
      gate.shape);
  return m;
}

}  // namespace

GatingResults GatingStrategy::evaluate(const fcs::DataSet& data) const {
  validate();
  const std::size_t events = data.events.events();
  if (data.events.channels() != data.channels.size()) {
    throw Error("gates", data.file + ": data set has no event values to gate (" +
                             std::to_string(data.events.channels()) + " columns for " +
                             std::to_string(data.channels.size()) + " channels)");
  }
  GatingResults results;
  results.event_count = events;
  const auto nodes = detail::population_nodes(*this);
  const auto order = detail::evaluation_order(nodes);
  std::map<std::string, std::size_t> node_index;
  for (std::size_t i = 0; i < nodes.size(); ++i) node_index.emplace(nodes[i].id, i);

  DimensionColumns columns(*this, data, results.warnings);
  std::vector<Population> done(nodes.size());
  for (const std::size_t i : order) {
    const auto& node = nodes[i];
    const Gate& gate = gates_[node.gate_index];
    Population p;
    p.id = node.id;
    p.parent_id = node.parent_id;
    try {
      p.events = shape_membership(gate, node.quadrant, events, columns, done, node_index);
    } catch (const StrategyError&) {
      throw;
    } catch (const Error& e) {
      throw Error("gates", std::string(gate_type_name(gate.shape)) + " '" + node.id + "': " + e.what());
    }
    if (!node.parent_id.empty()) {
      const Population& parent = done[node_index.at(node.parent_id)];
      p.events &= parent.events;
      p.parent_count = parent.count;
    } else {
      p.parent_count = events;
    }
    p.count = p.events.count();
    done[i] = std::move(p);
  }
  results.populations = std::move(done);
  return results;
}

}  // namespace mrdflow::gates
