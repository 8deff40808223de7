#pragma once
// The channel values Gating-ML 2.0 gates are defined on: the FCS-scaled values (what FlowIO
// returns with preprocess=True, and what FlowKit gates). From the values as encoded:
//   $PnE f1,f2 with f1 > 0:  f2 * 10^(f1 * x / $PnR), f2 = 0 taken as 1  (log amplifier)
//   otherwise, $PnG != 1:    x / $PnG                                      (linear gain)
//   the time channel:        x * $TIMESTEP when $TIMESTEP is present
// flowCore's default read differs (it does not divide by $PnG), hence this separate step.
#include <filesystem>

#include "fcs/fcs.h"

namespace mrdflow::gates {

// Scales a data set read with ReadOptions::raw = true, in place. Throws Error("gates") when
// the data set is not raw, or a channel's $PnR/$PnG would make the scaling meaningless.
void apply_gatingml_scaling(fcs::DataSet& raw);

// read_fcs(path, raw) + apply_gatingml_scaling.
fcs::DataSet read_gatingml_scaled(const std::filesystem::path& path);

}  // namespace mrdflow::gates
