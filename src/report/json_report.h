#pragma once
// Per-sample JSON report, schema "mrdflow/sample-report/1" (shared/spec/report.md).
// Field order follows the spec (ordered_json); a value that does not apply is null, never
// omitted and never invented. Only the "run" block may differ between two runs on the same input.
#include <nlohmann/json.hpp>

#include <string>

#include "analysis/result.h"

namespace mrdflow::report {

inline constexpr const char* kSampleReportSchema = "mrdflow/sample-report/1";

nlohmann::ordered_json sample_report_json(const analysis::SampleResult& result);

// The file contents: 2-space indented JSON plus a final newline.
std::string render_sample_report(const analysis::SampleResult& result);

}  // namespace mrdflow::report
