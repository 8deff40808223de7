#pragma once
// A gating strategy: named scale transforms, ratio transforms and spectrum matrices, and a
// tree of gates (parent ids). Evaluation computes every needed dimension column once and a
// membership bitset per population.
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "compensation/compensation.h"
#include "fcs/fcs.h"
#include "gates/gate_types.h"
#include "gates/membership.h"
#include "transforms/transforms.h"

namespace mrdflow::gates {

// A strategy that does not hold together (undefined reference, cycle, bad operand count...).
// `gate_id` names the offending gate (or transform/matrix id) so importers can add a location.
class StrategyError : public Error {
 public:
  StrategyError(std::string gate_id, const std::string& problem)
      : Error("gates", (gate_id.empty() ? std::string() : "gate '" + gate_id + "': ") + problem),
        gate_id_(std::move(gate_id)), problem_(problem) {}
  const std::string& gate_id() const noexcept { return gate_id_; }
  const std::string& problem() const noexcept { return problem_; }

 private:
  std::string gate_id_;
  std::string problem_;
};

struct NamedTransform {
  std::string id;
  transforms::Transform transform;
};
struct NamedRatio {
  std::string id;
  RatioTransform ratio;
};
struct NamedMatrix {
  std::string id;
  compensation::SpilloverMatrix matrix;  // rows = fluorochromes, columns = detectors
};

// One population of the evaluated tree.
struct Population {
  std::string id;
  std::string parent_id;       // "" = all events
  Membership events;           // final membership (own test AND parent)
  std::size_t count = 0;       // events.count()
  std::size_t parent_count = 0;
  double percent_of_parent() const noexcept {
    return parent_count == 0 ? 0.0 : 100.0 * static_cast<double>(count) /
                                         static_cast<double>(parent_count);
  }
};

struct GatingResults {
  std::size_t event_count = 0;
  std::vector<Population> populations;  // in definition order
  std::vector<std::string> warnings;     // e.g. compensation-ref FCS on a file without spillover
  const Population& at(const std::string& id) const;  // throws Error("gates") if unknown
};

class GatingStrategy {
 public:
  void add_transform(std::string id, transforms::Transform transform);
  void add_ratio(std::string id, RatioTransform ratio);
  void add_matrix(std::string id, compensation::SpilloverMatrix matrix);
  void add_gate(Gate gate);

  const std::vector<NamedTransform>& transforms() const noexcept { return transforms_; }
  const std::vector<NamedRatio>& ratios() const noexcept { return ratios_; }
  const std::vector<NamedMatrix>& matrices() const noexcept { return matrices_; }
  const std::vector<Gate>& gates() const noexcept { return gates_; }

  const transforms::Transform* find_transform(const std::string& id) const noexcept;
  const RatioTransform* find_ratio(const std::string& id) const noexcept;
  const compensation::SpilloverMatrix* find_matrix(const std::string& id) const noexcept;
  const Gate* find_gate(const std::string& id) const noexcept;

  // Population ids in definition order (quadrant gates contribute one per quadrant).
  std::vector<std::string> population_ids() const;

  // Checks ids are unique, every reference is defined, shapes are well formed (dimension
  // counts, vertex counts, boolean operand counts, invertible covariance) and the
  // parent/operand graph has no cycle. Throws StrategyError naming the gate.
  void validate() const;

  // Gates `data` (its events are the values to gate, e.g. gatingml_scaled()). Channels are
  // matched by $PnN; a missing channel throws Error("gates", ...) naming it.
  GatingResults evaluate(const fcs::DataSet& data) const;

 private:
  std::vector<NamedTransform> transforms_;
  std::vector<NamedRatio> ratios_;
  std::vector<NamedMatrix> matrices_;
  std::vector<Gate> gates_;
};

}  // namespace mrdflow::gates
