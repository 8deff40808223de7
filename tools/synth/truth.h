#pragma once
// The sidecar files of a synthetic FCS file: <stem>.truth.json (schema "mrdflow-synth/truth/1",
// documented in docs/synthetic-data.md) and <stem>.labels (one uint8 Population code per event,
// in event order, no header).
#include <filesystem>
#include <string>

#include "generator.h"

namespace mrdflow::synth {

std::string truth_json(const Tube& tube, const std::string& fcs_file_name);
void write_truth(const std::filesystem::path& path, const Tube& tube, const std::string& fcs_file_name);
void write_labels(const std::filesystem::path& path, const Tube& tube);

}  // namespace mrdflow::synth
