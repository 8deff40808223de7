#include "store/results_db.h"

#include <sqlite3.h>

#include <cmath>
#include <utility>

#include "common/error.h"

namespace mrdflow::store {
namespace {

using namespace mrdflow::analysis;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS samples (
  id INTEGER PRIMARY KEY,
  file TEXT NOT NULL,
  input_sha256 TEXT NOT NULL,
  template_sha256 TEXT NOT NULL,
  template_name TEXT,
  software_version TEXT NOT NULL,
  analyzed_at TEXT,
  sample_id TEXT,
  patient_id TEXT,
  specimen TEXT,
  timepoint_day REAL,
  error_kind TEXT,
  error_message TEXT,
  fcs_version TEXT,
  events_total INTEGER,
  qc_status TEXT,
  qc_events_removed INTEGER,
  qc_flags TEXT,
  nucleated_events INTEGER,
  mrd_denominator TEXT,
  mrd_denominator_events INTEGER,
  mrd_blast_events INTEGER,
  mrd_percent REAL,
  mrd_ci95_lo REAL,
  mrd_ci95_hi REAL,
  mrd_lod_events INTEGER,
  mrd_loq_events INTEGER,
  mrd_lod_percent REAL,
  mrd_loq_percent REAL,
  mrd_status TEXT,
  eligibility_verdict TEXT,
  eligibility_reason TEXT,
  car_t_cell_events INTEGER,
  car_events INTEGER,
  car_percent_of_t_cells REAL,
  car_ci95_lo REAL,
  car_ci95_hi REAL,
  car_cells_per_ul REAL,
  b_cell_marker TEXT,
  b_cell_events INTEGER,
  b_cells_percent_of_lymphocytes REAL,
  b_cells_per_ul REAL,
  b_cell_aplasia INTEGER,
  report_json TEXT NOT NULL,
  UNIQUE (file, input_sha256, template_sha256)
);
CREATE INDEX IF NOT EXISTS samples_by_patient ON samples (patient_id, timepoint_day);
CREATE TABLE IF NOT EXISTS populations (
  sample INTEGER NOT NULL REFERENCES samples(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  name TEXT NOT NULL,
  parent TEXT,
  count INTEGER NOT NULL,
  percent_of_parent REAL,
  PRIMARY KEY (sample, position)
);
CREATE TABLE IF NOT EXISTS antigens (
  sample INTEGER NOT NULL REFERENCES samples(id) ON DELETE CASCADE,
  marker TEXT NOT NULL,
  population TEXT NOT NULL,
  events INTEGER NOT NULL,
  positive_events INTEGER NOT NULL,
  percent_positive REAL,
  ci95_lo REAL,
  ci95_hi REAL,
  threshold REAL,
  threshold_source TEXT,
  median_intensity REAL,
  mfi_ratio REAL,
  dim INTEGER NOT NULL,
  PRIMARY KEY (sample, marker)
);
)sql";

// One prepared statement; binds by 1-based position. Finalised on scope exit.
class Statement {
 public:
  Statement(sqlite3* db, const std::string& where, std::string_view sql) : db_(db), where_(where) {
    if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) != SQLITE_OK)
      throw Error("store", where_ + ": " + sqlite3_errmsg(db));
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& text(const std::string& v) {
    check(sqlite3_bind_text(stmt_, ++pos_, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
    return *this;
  }
  Statement& text(const std::optional<std::string>& v) { return v ? text(*v) : null(); }
  Statement& text_or_null(const std::string& v) { return v.empty() ? null() : text(v); }
  Statement& integer(std::int64_t v) { check(sqlite3_bind_int64(stmt_, ++pos_, v)); return *this; }
  Statement& integer(const std::optional<std::int64_t>& v) { return v ? integer(*v) : null(); }
  Statement& real(double v) {
    if (!std::isfinite(v)) return null();
    check(sqlite3_bind_double(stmt_, ++pos_, v));
    return *this;
  }
  Statement& real(const std::optional<double>& v) { return v ? real(*v) : null(); }
  Statement& null() { check(sqlite3_bind_null(stmt_, ++pos_)); return *this; }

  bool step() {  // true while a row is available
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw Error("store", where_ + ": " + sqlite3_errmsg(db_));
  }
  void run() { while (step()) {} }

  std::optional<std::string> col_text(int i) const {
    if (sqlite3_column_type(stmt_, i) == SQLITE_NULL) return std::nullopt;
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, i));
    return std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, i)));
  }
  std::optional<double> col_real(int i) const {
    if (sqlite3_column_type(stmt_, i) == SQLITE_NULL) return std::nullopt;
    return sqlite3_column_double(stmt_, i);
  }
  std::optional<std::int64_t> col_int(int i) const {
    if (sqlite3_column_type(stmt_, i) == SQLITE_NULL) return std::nullopt;
    return sqlite3_column_int64(stmt_, i);
  }

 private:
  void check(int rc) const {
    if (rc != SQLITE_OK) throw Error("store", where_ + ": bind: " + sqlite3_errmsg(db_));
  }
  sqlite3* db_;
  std::string where_;
  sqlite3_stmt* stmt_ = nullptr;
  int pos_ = 0;
};

void exec(sqlite3* db, const std::string& where, const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    const std::string why = message ? message : sqlite3_errmsg(db);
    sqlite3_free(message);
    throw Error("store", where + ": " + why);
  }
}

std::optional<std::int64_t> as_int(std::uint64_t v) { return static_cast<std::int64_t>(v); }

}  // namespace

ResultsDb::ResultsDb(const std::filesystem::path& path) : path_(path) {
  const std::string where = path.string();
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    const std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw Error("store", where + ": cannot open results database: " + why);
  }
  try {
    sqlite3_busy_timeout(db_, 10000);  // another mrdflow writing the same file: wait, do not fail
    exec(db_, where, "PRAGMA foreign_keys = ON;");
    exec(db_, where, "BEGIN IMMEDIATE;");
    exec(db_, where, kSchema);
    Statement version(db_, where, "SELECT value FROM meta WHERE key = 'schema_version'");
    if (version.step()) {
      const auto v = version.col_text(0).value_or("");
      if (v != std::to_string(kSchemaVersion))
        throw Error("store", where + ": results database has schema version " + v + ", this mrdflow writes " +
                                 std::to_string(kSchemaVersion));
    } else {
      Statement(db_, where, "INSERT INTO meta(key, value) VALUES ('schema_version', ?)")
          .text(std::to_string(kSchemaVersion))
          .run();
    }
    exec(db_, where, "COMMIT;");
  } catch (...) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw;
  }
}

ResultsDb::~ResultsDb() { sqlite3_close(db_); }
ResultsDb::ResultsDb(ResultsDb&& other) noexcept
    : path_(std::move(other.path_)), db_(std::exchange(other.db_, nullptr)) {}
ResultsDb& ResultsDb::operator=(ResultsDb&& other) noexcept {
  if (this != &other) {
    sqlite3_close(db_);
    path_ = std::move(other.path_);
    db_ = std::exchange(other.db_, nullptr);
  }
  return *this;
}

std::int64_t ResultsDb::put(const SampleResult& r, std::string_view report_json) {
  const std::string where = path_.string() + ": sample " + r.file;
  const bool failed = r.error_kind || r.error_message;
  exec(db_, where, "BEGIN IMMEDIATE;");
  try {
    Statement(db_, where, "DELETE FROM samples WHERE file = ? AND input_sha256 = ? AND template_sha256 = ?")
        .text(r.file).text(r.sha256).text(r.template_sha256).run();
    std::string flags;
    for (const auto& f : r.qc.flags) flags += (flags.empty() ? "" : "; ") + f;
    std::optional<std::int64_t> nucleated;
    for (const auto& p : r.populations)
      if (p.name == "nucleated") nucleated = as_int(p.count);
    const MrdResult* m = !failed && r.mrd ? &*r.mrd : nullptr;
    // Percentages of an empty denominator are undefined: NULL, as in the JSON.
    const bool mrd_defined = m && m->denominator_events > 0;
    const Eligibility* e = !failed && r.eligibility ? &*r.eligibility : nullptr;
    const CarTResult* c = !failed && r.car_t ? &*r.car_t : nullptr;
    const BCellResult* b = !failed && r.b_cells ? &*r.b_cells : nullptr;
    const std::optional<double> no_real;
    const std::optional<std::int64_t> no_int;
    const std::optional<std::string> no_text;
    Statement insert(db_, where, R"sql(INSERT INTO samples (
        file, input_sha256, template_sha256, template_name, software_version, analyzed_at, sample_id,
        patient_id, specimen, timepoint_day, error_kind, error_message, fcs_version, events_total,
        qc_status, qc_events_removed, qc_flags, nucleated_events, mrd_denominator,
        mrd_denominator_events, mrd_blast_events, mrd_percent, mrd_ci95_lo, mrd_ci95_hi,
        mrd_lod_events, mrd_loq_events, mrd_lod_percent, mrd_loq_percent, mrd_status,
        eligibility_verdict, eligibility_reason, car_t_cell_events, car_events,
        car_percent_of_t_cells, car_ci95_lo, car_ci95_hi, car_cells_per_ul, b_cell_marker,
        b_cell_events, b_cells_percent_of_lymphocytes, b_cells_per_ul, b_cell_aplasia, report_json)
        VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?))sql");
    insert.text(r.file).text(r.sha256).text(r.template_sha256).text_or_null(r.template_name)
        .text(r.software_version).text_or_null(r.started).text_or_null(r.sample_id)
        .text(r.patient_id).text(r.specimen).real(r.timepoint_day)
        .text(failed ? std::optional(r.error_kind.value_or("error")) : no_text)
        .text(failed ? std::optional(r.error_message.value_or("")) : no_text)
        .text_or_null(r.fcs_version)
        .integer(r.fcs_version.empty() ? no_int : as_int(r.events_total))
        .text(failed ? no_text : std::optional(r.qc.status))
        .integer(failed ? no_int : as_int(r.qc.events_removed))
        .text(failed ? no_text : std::optional(flags))
        .integer(failed ? no_int : nucleated)
        .text(m ? std::optional(m->denominator) : no_text)
        .integer(m ? as_int(m->denominator_events) : no_int)
        .integer(m ? as_int(m->blast_events) : no_int)
        .real(mrd_defined ? std::optional(m->percent) : no_real)
        .real(mrd_defined ? std::optional(m->ci95.lo) : no_real)
        .real(mrd_defined ? std::optional(m->ci95.hi) : no_real)
        .integer(m ? as_int(m->lod_events) : no_int)
        .integer(m ? as_int(m->loq_events) : no_int)
        .real(mrd_defined ? std::optional(m->lod_percent) : no_real)
        .real(mrd_defined ? std::optional(m->loq_percent) : no_real)
        .text(m ? std::optional(m->status) : no_text)
        .text(e ? std::optional(e->verdict) : no_text)
        .text(e ? std::optional(e->reason) : no_text)
        .integer(c ? as_int(c->t_cell_events) : no_int)
        .integer(c ? as_int(c->car_events) : no_int)
        .real(c ? std::optional(c->percent_of_t_cells) : no_real)
        .real(c ? std::optional(c->ci95.lo) : no_real)
        .real(c ? std::optional(c->ci95.hi) : no_real)
        .real(c ? c->cells_per_ul : no_real)
        .text(b ? std::optional(b->marker) : no_text)
        .integer(b ? as_int(b->events) : no_int)
        .real(b ? std::optional(b->percent_of_lymphocytes) : no_real)
        .real(b ? b->cells_per_ul : no_real)
        .integer(b && b->aplasia ? std::optional<std::int64_t>(*b->aplasia ? 1 : 0) : no_int)
        .text(std::string(report_json))
        .run();
    const std::int64_t id = sqlite3_last_insert_rowid(db_);
    if (!failed) {
      std::int64_t position = 0;
      for (const auto& p : r.populations)
        Statement(db_, where, "INSERT INTO populations VALUES (?,?,?,?,?,?)")
            .integer(id).integer(position++).text(p.name).text(p.parent).integer(as_int(p.count))
            .real(p.percent_of_parent).run();
      for (const auto& [marker, a] : r.antigens)
        Statement(db_, where, "INSERT INTO antigens VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)")
            .integer(id).text(marker).text(a.population).integer(as_int(a.events))
            .integer(as_int(a.positive_events)).real(a.percent_positive).real(a.ci95.lo).real(a.ci95.hi)
            .real(a.threshold).text_or_null(a.threshold_source).real(a.median_intensity).real(a.mfi_ratio)
            .integer(a.dim ? 1 : 0).run();
    }
    exec(db_, where, "COMMIT;");
    return id;
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK;", nullptr, nullptr, nullptr);
    throw;
  }
}

std::vector<StoredSample> ResultsDb::samples(std::optional<std::string> patient_id) const {
  const std::string where = path_.string();
  Statement q(db_, where, R"sql(SELECT id, file, input_sha256, sample_id, template_name, analyzed_at,
      patient_id, specimen, error_kind, timepoint_day, mrd_percent, car_percent_of_t_cells,
      car_cells_per_ul, b_cells_percent_of_lymphocytes, car_events, car_t_cell_events,
      b_cell_aplasia, report_json FROM samples
      WHERE ?1 IS NULL OR patient_id = ?1
      ORDER BY patient_id, timepoint_day, file, id)sql");
  q.text(patient_id);
  std::vector<StoredSample> out;
  while (q.step()) {
    StoredSample s;
    s.id = q.col_int(0).value_or(0);
    s.file = q.col_text(1).value_or("");
    s.input_sha256 = q.col_text(2).value_or("");
    s.sample_id = q.col_text(3).value_or("");
    s.template_name = q.col_text(4).value_or("");
    s.analyzed_at = q.col_text(5).value_or("");
    s.patient_id = q.col_text(6);
    s.specimen = q.col_text(7);
    s.error_kind = q.col_text(8);
    s.timepoint_day = q.col_real(9);
    s.mrd_percent = q.col_real(10);
    s.car_percent_of_t_cells = q.col_real(11);
    s.car_cells_per_ul = q.col_real(12);
    s.b_cells_percent_of_lymphocytes = q.col_real(13);
    s.car_events = q.col_int(14);
    s.car_t_cell_events = q.col_int(15);
    if (const auto a = q.col_int(16)) s.aplasia = *a != 0;
    s.report_json = q.col_text(17).value_or("");
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace mrdflow::store
