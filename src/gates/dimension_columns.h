#pragma once
// Internal: computes each (compensation, channel or ratio, transform) column a strategy needs
// once per evaluation and hands out spans to it.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gates/shape_kernels.h"
#include "gates/strategy.h"

namespace mrdflow::gates::detail {

class DimensionColumns {
 public:
  DimensionColumns(const GatingStrategy& strategy, const fcs::DataSet& data,
                   std::vector<std::string>& warnings);
  // The values of dimension `d` for all events. Throws Error("gates") for an unknown channel.
  Column get(const Dimension& d);

 private:
  // One column in EventMatrix storage: fresh std::vector pages are faulted in one by one,
  // which on a virtual machine costs more than the transform itself.
  using Values = fcs::EventMatrix;
  Column raw_channel(const std::string& name) const;
  Column compensated_channel(const std::string& compensation_ref, const std::string& name);
  // Compensated values under one compensation-ref: a column per fluorochrome (and, for a
  // square matrix, the same column under its detector's name, as FlowKit resolves it).
  struct CompensatedSet {
    fcs::EventMatrix values;
    std::map<std::string, std::size_t> column_of;
  };
  const CompensatedSet& compensated_set(const std::string& compensation_ref);

  const GatingStrategy& strategy_;
  const fcs::DataSet& data_;
  std::vector<std::string>& warnings_;
  // std::map nodes never move, so spans into their columns stay valid while we add more.
  std::map<std::string, CompensatedSet> compensated_;  // by compensation-ref
  std::map<std::string, Values> derived_;  // ratio / transformed columns by cache key
};

}  // namespace mrdflow::gates::detail
