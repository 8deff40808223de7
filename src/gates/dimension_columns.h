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
  using Values = std::vector<double>;
  Column raw_channel(const std::string& name) const;
  Column compensated_channel(const std::string& compensation_ref, const std::string& name);
  const std::map<std::string, Values>& compensated_set(const std::string& compensation_ref);

  const GatingStrategy& strategy_;
  const fcs::DataSet& data_;
  std::vector<std::string>& warnings_;
  // std::map nodes never move, so spans into their vectors stay valid while we add more.
  std::map<std::string, std::map<std::string, Values>> compensated_;  // ref -> name -> values
  std::map<std::string, Values> derived_;  // ratio / transformed columns by cache key
};

}  // namespace mrdflow::gates::detail
