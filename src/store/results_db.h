#pragma once
// The results database (SQLite): one row per analysed sample with the headline figures, its
// populations and antigen figures, and the full JSON report. Schema in docs/report.md
// ("Results database"); schema version in table `meta`. Later tools (persistence, trends)
// read it. Writes are transactional: a sample is stored completely or not at all.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/result.h"

struct sqlite3;

namespace mrdflow::store {

inline constexpr int kSchemaVersion = 1;

// A stored sample as later tools read it back (subset of the columns).
struct StoredSample {
  std::int64_t id = 0;
  std::string file, input_sha256, sample_id, template_name, analyzed_at;
  std::optional<std::string> patient_id, specimen, error_kind;
  std::optional<double> timepoint_day;
  std::optional<double> mrd_percent, car_percent_of_t_cells, car_cells_per_ul,
      b_cells_percent_of_lymphocytes;
  std::optional<std::int64_t> car_events, car_t_cell_events;
  std::optional<bool> aplasia;
  std::string report_json;
};

class ResultsDb {
 public:
  // Opens or creates the database and its tables. Throws Error("store", "FILE: ...").
  explicit ResultsDb(const std::filesystem::path& path);
  ~ResultsDb();
  ResultsDb(const ResultsDb&) = delete;
  ResultsDb& operator=(const ResultsDb&) = delete;
  ResultsDb(ResultsDb&&) noexcept;
  ResultsDb& operator=(ResultsDb&&) noexcept;

  // Stores one sample (replacing an earlier row for the same file name + input SHA-256 +
  // template SHA-256). `report_json` is the exact JSON written to <stem>.json. Returns the row id.
  // Not thread-safe: callers serialise access.
  std::int64_t put(const analysis::SampleResult& result, std::string_view report_json);

  // Samples in (patient_id, timepoint_day, file) order; all when patient is empty.
  std::vector<StoredSample> samples(std::optional<std::string> patient_id = std::nullopt) const;

  const std::filesystem::path& path() const noexcept { return path_; }
  sqlite3* handle() const noexcept { return db_; }

 private:
  std::filesystem::path path_;
  sqlite3* db_ = nullptr;
};

}  // namespace mrdflow::store
