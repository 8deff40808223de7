#pragma once
// Gate geometry as small value types (FlowKit's nouns). Each holds its dimensions and shape;
// membership kernels are in shape_kernels.h, the tree in strategy.h.
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "gates/dimension.h"

namespace mrdflow::gates {

// Half-open [min, max) as Gating-ML defines rectangle and quadrant ranges; a missing end is open.
struct Interval {
  std::optional<double> min;
  std::optional<double> max;
  friend bool operator==(const Interval&, const Interval&) = default;
};

// Any number of dimensions; inside when every value lies in its interval.
struct RectangleGate {
  std::vector<Dimension> dimensions;
  std::vector<Interval> ranges;  // one per dimension
  friend bool operator==(const RectangleGate&, const RectangleGate&) = default;
};

struct Vertex {
  double x = 0, y = 0;
  friend bool operator==(const Vertex&, const Vertex&) = default;
};

// Two dimensions; inside by non-zero winding number (FlowKit/FlowUtils semantics, so
// self-intersecting outlines behave as in the Gating-ML reference implementation).
struct PolygonGate {
  std::vector<Dimension> dimensions;  // exactly 2
  std::vector<Vertex> vertices;       // >= 3, implicitly closed
  friend bool operator==(const PolygonGate&, const PolygonGate&) = default;
};

// N dimensions; inside when (x - mean)^T covariance^-1 (x - mean) <= distance_square.
struct EllipsoidGate {
  std::vector<Dimension> dimensions;
  std::vector<double> mean;        // one per dimension
  std::vector<double> covariance;  // row-major n x n, symmetric, invertible
  double distance_square = 1;
  friend bool operator==(const EllipsoidGate&, const EllipsoidGate&) = default;
};

// A quadrant gate cuts each divider's dimension at its values; every Quadrant is its own
// population (own id), selecting for each referenced divider the interval containing
// `location`. Intervals are [lower cut, upper cut) like rectangle ranges.
struct Divider {
  std::string id;
  Dimension dimension;
  std::vector<double> values;  // cut points, ascending
  friend bool operator==(const Divider&, const Divider&) = default;
};
struct QuadrantPosition {
  std::string divider_id;
  double location = 0;
  friend bool operator==(const QuadrantPosition&, const QuadrantPosition&) = default;
};
struct Quadrant {
  std::string id;
  std::vector<QuadrantPosition> positions;
  friend bool operator==(const Quadrant&, const Quadrant&) = default;
};
struct QuadrantGate {
  std::vector<Divider> dividers;
  std::vector<Quadrant> quadrants;
  friend bool operator==(const QuadrantGate&, const QuadrantGate&) = default;
};

// Combines other populations (their final membership, parents included).
struct BooleanOperand {
  std::string ref;
  bool complement = false;  // Gating-ML use-as-complement
  friend bool operator==(const BooleanOperand&, const BooleanOperand&) = default;
};
struct BooleanGate {
  enum class Op { kAnd, kOr, kNot };
  Op op = Op::kAnd;
  std::vector<BooleanOperand> operands;  // and/or: >= 2; not: exactly 1
  friend bool operator==(const BooleanGate&, const BooleanGate&) = default;
};

using GateShape = std::variant<RectangleGate, PolygonGate, EllipsoidGate, QuadrantGate, BooleanGate>;

struct Gate {
  std::string id;
  std::string parent_id;  // "" = applies to all events
  GateShape shape;
  friend bool operator==(const Gate&, const Gate&) = default;
};

const char* gate_type_name(const GateShape& shape);  // "RectangleGate", ...

// The interval of `divider` that contains `location`: [largest cut <= location, next cut).
Interval quadrant_interval(const Divider& divider, double location);

}  // namespace mrdflow::gates
