#pragma once
// summary.csv: one row per sample with the headline figures (docs/report.md lists the columns).
// Empty cell = does not apply / unknown, as null in the JSON.
#include <span>
#include <string>
#include <vector>

#include "analysis/result.h"

namespace mrdflow::report {

const std::vector<std::string>& summary_columns();
std::string summary_header_line();                                 // with "\n"
std::string summary_row(const analysis::SampleResult& result);     // with "\n"
std::string render_summary_csv(std::span<const analysis::SampleResult> results);

}  // namespace mrdflow::report
