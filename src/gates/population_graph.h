#pragma once
// Internal: the populations a strategy defines and the order to compute them in.
#include <cstddef>
#include <string>
#include <vector>

#include "gates/strategy.h"

namespace mrdflow::gates::detail {

struct PopulationNode {
  std::string id;
  std::string parent_id;
  std::size_t gate_index = 0;      // into GatingStrategy::gates()
  std::ptrdiff_t quadrant = -1;    // index into the QuadrantGate's quadrants, or -1
  std::vector<std::string> depends_on;  // parent and boolean operands
};

std::vector<PopulationNode> population_nodes(const GatingStrategy& strategy);

// Node indices so that every node comes after what it depends on. Throws StrategyError on an
// undefined dependency or a cycle (naming the gates on it).
std::vector<std::size_t> evaluation_order(const std::vector<PopulationNode>& nodes);

}  // namespace mrdflow::gates::detail
