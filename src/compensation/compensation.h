#pragma once
// Spillover matrices and compensation. A matrix is fluorochromes (rows) x detectors (columns);
// compensated = observed(detectors) * pinv(S) (inverse when square), applied to exactly the
// channels the matrix names and leaving every other channel untouched.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "fcs/fcs.h"

namespace mrdflow::compensation {

struct SpilloverMatrix {
  std::string source;                     // "$SPILLOVER", "SPILL", "$COMP", file path, "identity", Gating-ML id
  std::vector<std::string> fluorochromes; // row names
  std::vector<std::string> detectors;     // column names ($PnN of the data); == fluorochromes when square
  std::vector<double> values;             // row-major fluorochromes.size() x detectors.size()
  bool square() const noexcept { return fluorochromes.size() == detectors.size(); }
};

// The file's own matrix ($SPILLOVER / $SPILL / SPILL / $COMP ...), or nullopt when it has none.
std::optional<SpilloverMatrix> from_fcs(const fcs::DataSet& data);
// CSV (header row of detector names, one row per fluorochrome) or FlowJo-style matrix file.
SpilloverMatrix read_matrix_file(const std::filesystem::path& path);
SpilloverMatrix identity(const std::vector<std::string>& channels);

// Precomputed inverse for a matrix bound to a data set's channels. Throws mrdflow::Error
// ("compensation", ...) naming the channel when the matrix names a channel the data lacks,
// or when the matrix is singular.
class Compensator {
 public:
  Compensator(const SpilloverMatrix& matrix, const std::vector<fcs::Channel>& channels);
  // Compensates in place the named columns of `events` (column-major, all events).
  void apply(fcs::EventMatrix& events) const;
  const std::vector<std::size_t>& columns() const noexcept { return columns_; }
  const SpilloverMatrix& matrix() const noexcept { return matrix_; }

 private:
  SpilloverMatrix matrix_;
  std::vector<std::size_t> columns_;  // data column of each detector
  std::vector<double> unmix_;         // detectors x fluorochromes, row-major (pinv(S))
};

}  // namespace mrdflow::compensation
