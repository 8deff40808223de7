#pragma once
// Entry points of the automated analysis: load a gating template (YAML, gating/*.yaml) and
// analyse one FCS file with it into a SampleResult (result.h). The report module and the
// command line only call these.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analysis/result.h"

namespace mrdflow::analysis {

// A validated gating template. Opaque to callers beyond name/sha256/markers.
class Template {
 public:
  struct Impl;
  Template();
  explicit Template(std::shared_ptr<const Impl> impl);
  const std::string& name() const;        // template's `name:` field
  const std::string& sha256() const;      // SHA-256 of the template file's bytes
  const std::filesystem::path& path() const;
  // Markers the template needs to run at all (e.g. CD45, CD19|CD22 ...), for template choice.
  bool suits_markers(const std::vector<std::string>& file_markers) const;
  const Impl& impl() const { return *impl_; }

 private:
  std::shared_ptr<const Impl> impl_;
};

// Throws mrdflow::Error("template", "FILE: line N: ...") on unknown marker, method, parameter, parent.
Template load_template(const std::filesystem::path& path);

// What the manifest (or FCS keywords) says about the specimen. Manifest values win.
struct SampleContext {
  std::optional<std::string> patient_id, specimen;
  std::optional<double> timepoint_day, beads_per_test, volume_ul, wbc_per_ul;
};

struct AnalyzeOptions {
  int threads = 1;  // threads inside this sample (results never depend on it)
  // Optional: called once per gated population with its event mask (1 = member, FCS event
  // order), for per-event checks against known labels and for exports. Not part of the report.
  std::function<void(const std::string& name, const std::vector<std::uint8_t>& members)> on_population;
};

// Analyses one file. Never throws for a bad input file: the error is returned in
// SampleResult::error_kind / error_message (with input fields filled as far as known).
SampleResult analyze_sample(const std::filesystem::path& fcs_path, const Template& tmpl,
                            const SampleContext& context, const AnalyzeOptions& options);

}  // namespace mrdflow::analysis
