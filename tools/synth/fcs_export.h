#pragma once
// A generated tube as an fcs::DataSet, keywords spelled the way the chosen instrument writes them.
#include <string>

#include "fcs/fcs.h"
#include "generator.h"

namespace mrdflow::synth {

fcs::DataSet to_dataset(const Tube& tube, const std::string& file_name);

}  // namespace mrdflow::synth
