#include "report/inputs.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <system_error>

#include "common/error.h"

namespace mrdflow::report {
namespace fs = std::filesystem;
namespace {

bool has_fcs_extension(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == ".fcs";
}

std::string stem_of(const fs::path& p) {
  return has_fcs_extension(p) ? p.stem().string() : p.filename().string();
}

}  // namespace

std::vector<InputFile> collect_inputs(const std::vector<std::string>& args) {
  std::vector<fs::path> found;
  for (const auto& arg : args) {
    const fs::path p(arg);
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      const auto before = found.size();
      fs::recursive_directory_iterator it(p, fs::directory_options::skip_permission_denied, ec), end;
      if (ec) throw Error("usage", arg + ": cannot list directory: " + ec.message());
      for (; it != end; it.increment(ec)) {
        if (ec) throw Error("usage", arg + ": cannot list directory: " + ec.message());
        std::error_code fec;
        if (it->is_regular_file(fec) && has_fcs_extension(it->path())) found.push_back(it->path());
      }
      if (found.size() == before) throw Error("usage", arg + ": no *.fcs files in this directory");
    } else if (fs::exists(p, ec)) {
      found.push_back(p);  // named explicitly: analysed whatever its extension
    } else {
      throw Error("usage", arg + ": no such file or directory");
    }
  }
  if (found.empty()) throw Error("usage", "no input files given");
  std::sort(found.begin(), found.end(),
            [](const fs::path& a, const fs::path& b) { return a.generic_string() < b.generic_string(); });

  std::vector<InputFile> inputs;
  std::set<fs::path> seen_files;
  // "index" would overwrite index.html; an empty stem would give ".json".
  std::set<std::string> used_stems = {"index", ""};
  for (const auto& p : found) {
    std::error_code ec;
    const fs::path canonical = fs::weakly_canonical(p, ec);
    if (!seen_files.insert(ec ? p : canonical).second) continue;  // same file named twice
    const std::string base = stem_of(p).empty() ? std::string("sample") : stem_of(p);
    std::string stem = base;
    for (int n = 2; !used_stems.insert(stem).second; ++n) stem = base + "-" + std::to_string(n);
    inputs.push_back({p, stem});
  }
  return inputs;
}

}  // namespace mrdflow::report
