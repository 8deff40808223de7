#pragma once
// Sample preparation before gating: compensation with the file's own spillover, logicle per
// fluorescence channel with parameters estimated from that channel, scatter scaled linearly
// to [0, 1] of its range. In place on the data set's column-major event matrix.
#include <map>
#include <string>
#include <vector>

#include "analysis/markers.h"
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

Prepared prepare_events(fcs::DataSet& data, const ResolvedPanel& panel, int threads);

// Bulk logicle through a monotone lookup table of the exact inverse (binary search +
// linear interpolation, error far below gating resolution); values beyond the table fall back
// to the exact transform.
void logicle_in_place(const transforms::Logicle& t, std::span<double> values, int threads);

}  // namespace mrdflow::analysis
