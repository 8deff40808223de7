#pragma once
// Sample preparation before gating: compensation with the file's own spillover, logicle per
// fluorescence channel with parameters estimated from that channel, scatter scaled linearly
// to [0, 1] of its range. In place on the data set's column-major event matrix.
#include <map>
#include <string>
#include <vector>

#include "analysis/markers.h"
#include "analysis/timing.h"
#include "fcs/fcs.h"
#include "transforms/transforms.h"

namespace mrdflow::analysis {

struct Prepared {
  std::map<std::size_t, transforms::Logicle> logicle;  // column -> transform used
  std::map<std::size_t, double> scatter_scale;         // column -> divisor applied
  std::string compensation;                            // matrix source or "none"
  std::vector<std::string> notes;
  // Linear value of a transformed fluorescence value in column c (for MFI in linear units).
  double to_linear(std::size_t c, double y) const;
};

// `timer` (optional) receives the compensation / logicle / scatter phases.
Prepared prepare_events(fcs::DataSet& data, const ResolvedPanel& panel, int threads,
                        PhaseTimer* timer = nullptr);

// Bulk logicle with the transforms library's prepared table (|error| <= 1e-9 relative to the
// exact root), split into blocks over `threads` OpenMP threads; element-wise, so the result
// does not depend on the thread count.
void logicle_in_place(const transforms::Logicle& t, std::span<double> values, int threads);

}  // namespace mrdflow::analysis
