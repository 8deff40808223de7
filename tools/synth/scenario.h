#pragma once
// Named clinical scenarios: what the truth of a file must be (MRD level, antigen expression of
// the blasts, composition of the normal background). Everything else varies by seed.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mrdflow::synth {

struct Range {
  double lo, hi;
};

struct Scenario {
  std::string name;
  std::string description;
  std::size_t default_events;
  // Blasts: either a fraction of nucleated cells or an exact event count.
  std::optional<Range> mrd_fraction;
  std::optional<std::size_t> blast_events;
  Range cd19_positive{1.0, 1.0};   // share of blasts drawn from the CD19-positive component
  Range cd22_positive{1.0, 1.0};
  bool cd22_dim = false;           // CD22-positive blasts ~1 decade below normal mature B
  Range hematogone_fraction{0.003, 0.03};  // of nucleated cells
  bool b_cell_aplasia = false;     // after CD19-directed therapy: normal B lineage nearly absent
};

const std::vector<Scenario>& scenarios();
const Scenario* find_scenario(std::string_view name);

}  // namespace mrdflow::synth
