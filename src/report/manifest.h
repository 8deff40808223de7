#pragma once
// The sample manifest (CSV): what the lab knows about each specimen, keyed by FCS file name.
// Header columns: file,patient_id,specimen,timepoint_day,beads_per_test,volume_ul,wbc_per_ul
// (`file` required, the others optional, any order). Empty cell = unknown. Errors are one line:
// Error("manifest", "FILE: line N: ...").
#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "analysis/analysis.h"

namespace mrdflow::report {

struct ManifestEntry {
  std::string file;                   // FCS file name as written in the manifest
  analysis::SampleContext context;
  int line = 0;                       // 1-based line in the manifest (for messages)
};

class Manifest {
 public:
  void add(ManifestEntry entry);      // throws on a duplicate file name
  const ManifestEntry* find(std::string_view file_name) const;
  std::size_t size() const noexcept { return entries_.size(); }
  const std::map<std::string, ManifestEntry, std::less<>>& entries() const { return entries_; }
  std::string source;                 // manifest path, for messages

 private:
  std::map<std::string, ManifestEntry, std::less<>> entries_;
};

Manifest parse_manifest(std::string_view text, const std::string& source_name);
Manifest read_manifest(const std::filesystem::path& path);

}  // namespace mrdflow::report
