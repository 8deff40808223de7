#pragma once
// Self-contained HTML pages (no scripts, no external files): one per sample and an index.
#include <span>
#include <string>

#include "analysis/result.h"

namespace mrdflow::report {

// `json_name`: the sample's JSON file name, linked from the page.
std::string render_sample_html(const analysis::SampleResult& result, const std::string& json_name);

struct IndexEntry {
  const analysis::SampleResult* result = nullptr;
  std::string html_name;  // "<stem>.html"
  std::string json_name;  // "<stem>.json"
};
std::string render_index_html(std::span<const IndexEntry> entries);

// One sentence for the MRD figure, e.g. "MRD not detected at 0.0025 % sensitivity (LOD 20
// events in 800000 nucleated cells)". Shared by both pages.
std::string mrd_statement(const analysis::MrdResult& mrd);

}  // namespace mrdflow::report
