#pragma once
// Spillover matrices and compensation. A matrix is fluorochromes (rows) x detectors (columns);
// compensated = observed(detectors) * pinv(S) (inverse when square), applied to exactly the
// channels the matrix names and leaving every other channel untouched.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fcs/fcs.h"

namespace mrdflow::compensation {

struct SpilloverMatrix {
  std::string source;                     // "$SPILLOVER", "SPILL", "$COMP", file path, "identity", Gating-ML id
  std::vector<std::string> fluorochromes; // row names
  std::vector<std::string> detectors;     // column names ($PnN of the data); == fluorochromes when square
  std::vector<double> values;             // row-major fluorochromes.size() x detectors.size()
  bool square() const noexcept { return fluorochromes.size() == detectors.size(); }
  double at(std::size_t row, std::size_t col) const { return values[row * detectors.size() + col]; }
};

// The file's own matrix ($SPILLOVER / $SPILL / SPILL / $COMP ...), or nullopt when it has none.
std::optional<SpilloverMatrix> from_fcs(const fcs::DataSet& data);
// CSV (header row of detector names, one row per fluorochrome) or FlowJo-style matrix file.
// Accepted layouts (docs/transforms.md): comma/tab/space separated with a header of detector
// names (optionally starting with '#', optionally quoted) and optional leading row names;
// FlowJo's old matrix export (name line, "<TAB>" marker line, tab-separated names, rows; CR,
// LF or CRLF line ends). Throws mrdflow::Error("compensation", "FILE: line N: ...").
SpilloverMatrix read_matrix_file(const std::filesystem::path& path);
// Same, from text already in memory; `name` is used in messages and as `source`.
SpilloverMatrix parse_matrix_text(std::string_view text, const std::string& name);
SpilloverMatrix identity(const std::vector<std::string>& channels);
// Checks shape, finiteness and non-empty, distinct names; throws mrdflow::Error("compensation").
void validate(const SpilloverMatrix& matrix);

// Precomputed inverse for a matrix bound to a data set's channels. Throws mrdflow::Error
// ("compensation", ...) naming the channel when the matrix names a channel the data lacks,
// or when the matrix is singular.
class Compensator {
 public:
  Compensator(const SpilloverMatrix& matrix, const std::vector<fcs::Channel>& channels);
  // Compensates in place the named columns of `events` (column-major, all events): detector
  // column j receives fluorochrome j's value. Square matrices only (throws otherwise; use
  // unmix()). Events are processed in blocks with OpenMP; results do not depend on threads.
  void apply(fcs::EventMatrix& events) const;
  // Fluorochrome abundances for every event: events x fluorochromes (column k = fluorochrome
  // k). Works for square and non-square (least-squares, pinv) matrices; `events` unchanged.
  fcs::EventMatrix unmix(const fcs::EventMatrix& events) const;
  // Index of a fluorochrome (row) name, exact then case-insensitive; nullopt when absent.
  std::optional<std::size_t> fluorochrome_index(std::string_view name) const;
  const std::vector<std::size_t>& columns() const noexcept { return columns_; }
  const SpilloverMatrix& matrix() const noexcept { return matrix_; }

 private:
  SpilloverMatrix matrix_;
  std::vector<std::size_t> columns_;  // data column of each detector
  std::vector<double> unmix_;         // detectors x fluorochromes, row-major (pinv(S))

  // out(block rows x fluorochromes) = in(block rows x detectors) * unmix_, gathered per block.
  void unmix_into(const fcs::EventMatrix& events, fcs::EventMatrix& out,
                  const std::vector<std::size_t>& out_columns) const;
};

}  // namespace mrdflow::compensation
