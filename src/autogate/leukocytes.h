#pragma once
// Leukocyte subsets on CD45 (transformed) vs SSC (linear), from the sample's own density:
// the low-SSC/high-SSC valley separates lymphoid-sized events from granulocytes, the brightest
// CD45 mode of low-SSC events is the lymphocytes; T cells are the CD3-bright mode of those.
#include <optional>
#include <string>
#include <vector>

#include "autogate/mask.h"

namespace mrdflow::autogate {

struct LeukocyteGates {
  Mask low_ssc, lymphocytes, monocytes, granulocytes;
  double ssc_split = 0;          // linear SSC: below = lymphoid-sized
  double granulocyte_split = 0;  // linear SSC: above = granulocytes
  double cd45_lymph_low = 0;     // transformed CD45: lower bound of lymphocytes
  std::vector<std::string> notes;
};
LeukocyteGates gate_leukocytes(Column cd45, Column ssc, const Mask& nucleated);

// Members of `in` above the split of a bimodal channel (e.g. CD3 among lymphocytes); nullopt
// when no second mode exists.
struct ModeSplit {
  Mask positive;
  double threshold = 0;
};
std::optional<ModeSplit> bright_mode(Column marker, const Mask& in);

// Members of `in` with any of the channels above its threshold.
Mask any_above(const std::vector<Column>& channels, const std::vector<double>& thresholds,
               const Mask& in);

}  // namespace mrdflow::autogate
