#pragma once
// The validated content of a gating template (gating/*.yaml). See docs/analysis.md.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "analysis/analysis.h"

namespace mrdflow::analysis {

struct PopulationStep {
  std::string name, parent, method;
  std::map<std::string, double> numbers;                     // numeric parameters
  std::map<std::string, std::string> words;                  // word parameters (marker, subset ...)
  std::map<std::string, std::vector<std::string>> lists;     // list parameters (markers)
  int line = 0;                                              // 1-based line in the file
};

struct Template::Impl {
  std::string name, sha256;
  std::filesystem::path path;
  std::map<std::string, std::vector<std::string>> aliases;  // marker -> spellings
  std::vector<std::vector<std::string>> required;            // each: any-of marker names
  std::vector<PopulationStep> steps;
  // analysis settings
  std::string denominator = "nucleated";
  std::size_t lod_events = 20, loq_events = 50;
  std::string positivity_method = "negative_population";   // or "fixed"
  std::vector<std::string> positivity_references{"t_cells", "granulocytes"};
  double positivity_percentile = 99.5;
  std::map<std::string, double> fixed_thresholds;           // marker -> transformed value
  std::size_t min_reference_events = 100;
  double dim_mfi_ratio = 10;                                 // positive with ratio below: dim
  std::vector<std::string> antigens{"CD19", "CD22"};
  struct Rule { std::string marker; double threshold_percent = 95; };
  std::vector<Rule> eligibility;
};

}  // namespace mrdflow::analysis
