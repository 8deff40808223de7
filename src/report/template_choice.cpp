#include "report/template_choice.h"

#include <algorithm>
#include <cstdlib>
#include <system_error>

#include "analysis/markers.h"
#include "analysis/template_impl.h"
#include "common/error.h"

namespace mrdflow::report {
namespace fs = std::filesystem;
namespace {

// Required marker groups (each "any of") the labels do not name.
std::vector<std::string> missing_groups(const analysis::Template& t, const std::vector<std::string>& labels) {
  const auto& impl = t.impl();
  std::vector<std::string> missing;
  for (const auto& any : impl.required) {
    bool found = false;
    for (const auto& m : any) {
      std::vector<std::string> spellings{m};
      if (const auto it = impl.aliases.find(m); it != impl.aliases.end())
        spellings.insert(spellings.end(), it->second.begin(), it->second.end());
      for (const auto& label : labels)
        for (const auto& s : spellings) found = found || analysis::label_names_marker(label, s);
    }
    if (!found) {
      std::string group;
      for (const auto& m : any) group += (group.empty() ? "" : " or ") + m;
      missing.push_back(group);
    }
  }
  return missing;
}

}  // namespace

fs::path gating_dir() {
  std::error_code ec;
  if (fs::is_directory("gating", ec)) return "gating";
  if (const char* env = std::getenv("MRDFLOW_GATING_DIR"); env && *env) return env;
  return MRDFLOW_DEFAULT_GATING_DIR;
}

TemplateCatalog::TemplateCatalog(const fs::path& dir) : dir_(dir) {
  std::error_code ec;
  std::vector<fs::path> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const auto ext = it->path().extension();
    if (it->is_regular_file() && (ext == ".yaml" || ext == ".yml")) files.push_back(it->path());
  }
  if (ec) throw Error("template", dir.string() + ": cannot list gating templates: " + ec.message());
  if (files.empty())
    throw Error("template", dir.string() + ": no gating templates (*.yaml); give --template FILE");
  std::sort(files.begin(), files.end());
  for (const auto& f : files) templates_.push_back(analysis::load_template(f));
}

std::optional<analysis::Template> TemplateCatalog::choose(const std::vector<std::string>& labels) const {
  const analysis::Template* best = nullptr;
  for (const auto& t : templates_) {
    if (!t.suits_markers(labels)) continue;
    // Most specific wins: a CAR-T tube also carries CD45/CD19, so a template needing more
    // marker groups (e.g. the CAR reagent too) is preferred over one needing fewer.
    if (!best || t.impl().required.size() > best->impl().required.size() ||
        (t.impl().required.size() == best->impl().required.size() && t.name() < best->name()))
      best = &t;
  }
  if (!best) return std::nullopt;
  return *best;
}

std::string TemplateCatalog::missing_markers(const std::vector<std::string>& labels) const {
  // Report against the closest template: the one missing the fewest marker groups.
  std::vector<std::string> fewest;
  bool first = true;
  for (const auto& t : templates_) {
    auto m = missing_groups(t, labels);
    if (first || m.size() < fewest.size()) fewest = std::move(m);
    first = false;
  }
  std::string s;
  for (const auto& m : fewest) s += (s.empty() ? "" : ", ") + m;
  return s;
}

}  // namespace mrdflow::report
