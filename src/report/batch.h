#pragma once
// The batch behind `mrdflow analyze`: collect inputs, choose templates, analyse the samples in
// parallel (OpenMP across samples), write each sample's JSON/HTML and database row as soon as it
// is done, then summary.csv and index.html. A bad file becomes an error entry; it never stops
// the batch.
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace mrdflow::report {

struct BatchOptions {
  std::vector<std::string> inputs;                    // FCS files and/or directories
  std::optional<std::filesystem::path> template_path; // none: chosen per file from its markers
  std::optional<std::filesystem::path> manifest_path;
  std::filesystem::path out_dir = "mrdflow-report";
  std::optional<std::filesystem::path> db_path;       // default: <out_dir>/results.sqlite
  int threads = 1;
  std::ostream* log = nullptr;                        // one progress line per sample
};

struct BatchOutcome {
  std::size_t samples = 0, failed = 0;
  std::filesystem::path out_dir, db_path;
};

// Setup problems (no inputs, bad manifest, bad template, unwritable output) throw
// mrdflow::Error before any sample is analysed; kinds "usage", "manifest", "template" are the
// caller's mistakes (exit 2), others ("io", "store") exit 1.
BatchOutcome run_batch(const BatchOptions& options);

}  // namespace mrdflow::report
