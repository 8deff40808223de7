#pragma once
// Template choice without --template: the gating templates in the gating folder, and which one
// a file's markers suit. Folder: ./gating if it exists, else $MRDFLOW_GATING_DIR, else the
// source tree's gating/ compiled in.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "analysis/analysis.h"

namespace mrdflow::report {

std::filesystem::path gating_dir();

class TemplateCatalog {
 public:
  // Loads every *.yaml / *.yml of `dir` (sorted). Throws Error("template", ...) when the folder
  // holds none or one does not load (a broken template is a setup error, not a sample error).
  explicit TemplateCatalog(const std::filesystem::path& dir);
  const std::vector<analysis::Template>& templates() const noexcept { return templates_; }

  // The template the labels ($PnS and $PnN of the file's channels) suit; when several do, the
  // most specific (most required marker groups), then by name. nullopt when none suits.
  std::optional<analysis::Template> choose(const std::vector<std::string>& labels) const;
  // "CD10, CD34" style list of what the closest template needs but the labels lack.
  std::string missing_markers(const std::vector<std::string>& labels) const;

 private:
  std::filesystem::path dir_;
  std::vector<analysis::Template> templates_;
};

}  // namespace mrdflow::report
