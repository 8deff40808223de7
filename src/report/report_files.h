#pragma once
// Writes a batch's report files into the output directory, each atomically (temp + rename):
// <stem>.json and <stem>.html per sample as soon as the sample is done, then summary.csv and
// index.html over all samples. A failure to write one file is reported, never half-written.
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "analysis/result.h"

namespace mrdflow::report {

struct SampleFiles {
  std::string stem;
  analysis::SampleResult result;
};

class ReportDirectory {
 public:
  // Creates the directory (and parents). Throws Error("io", ...) when it cannot.
  explicit ReportDirectory(std::filesystem::path dir);
  const std::filesystem::path& dir() const noexcept { return dir_; }

  // Writes <stem>.json and <stem>.html; returns the JSON text written (stored in the database).
  std::string write_sample(const std::string& stem, const analysis::SampleResult& result) const;
  // Writes summary.csv and index.html for `samples`, in the given order.
  void write_batch_files(std::span<const SampleFiles> samples) const;

 private:
  std::filesystem::path dir_;
};

}  // namespace mrdflow::report
