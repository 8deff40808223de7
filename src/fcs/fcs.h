#pragma once
// Public API of the FCS engine: one FCS data set as value types.
//
// Split as cytolib does: keywords.h (TEXT keyword store), header/text parsing, data decoding and
// writing live in their own files; this header holds the nouns the rest of mrdflow uses.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "fcs/keywords.h"

namespace mrdflow::fcs {

// A malformed or unsupported FCS file. what() is one line: "FILE: at byte N: keyword $X: problem".
class FcsError : public Error {
 public:
  FcsError(const std::string& file, std::optional<std::int64_t> byte_offset,
           const std::string& keyword, const std::string& problem)
      : Error("fcs", describe_location(file, byte_offset, keyword, problem)),
        file_(file), byte_offset_(byte_offset), keyword_(keyword), problem_(problem) {}
  const std::string& file() const noexcept { return file_; }
  std::optional<std::int64_t> byte_offset() const noexcept { return byte_offset_; }
  const std::string& keyword() const noexcept { return keyword_; }
  const std::string& problem() const noexcept { return problem_; }

 private:
  std::string file_;
  std::optional<std::int64_t> byte_offset_;
  std::string keyword_;
  std::string problem_;
};

// Segment offsets as written in the HEADER (absolute within the data set; -1 where blank).
struct Header {
  std::string version;  // "FCS2.0", "FCS3.0", "FCS3.1", "FCS3.2"
  std::int64_t text_begin = -1, text_end = -1;
  std::int64_t data_begin = -1, data_end = -1;
  std::int64_t analysis_begin = -1, analysis_end = -1;
};

// One parameter (column) of the data set, from its $Pn* keywords.
struct Channel {
  std::string name;          // $PnN
  std::string marker;        // $PnS, "" when absent
  int bits = 0;              // $PnB (0 for '*', delimited ASCII)
  double range = 0;          // $PnR as written
  double log_decades = 0;    // $PnE f1
  double log_offset = 0;     // $PnE f2
  double gain = 1;           // $PnG, 1 when absent
  std::string display;       // $PnD, "" when absent
  std::string type;          // $PnTYPE (FCS 3.2), "" when absent
  char datatype = 'F';       // this column's encoding: 'I', 'F', 'D' or 'A' ($PnDATATYPE or $DATATYPE)
  // flowCore's `range` for this channel (parameters$range = as.numeric($PnR)), in both
  // modes: flowCore keeps $PnR here even for linearised log channels (their values reach
  // 10^f1 * f2; flowCore's maxRange holds that). See docs/fcs-semantics.md.
  double max_value = 0;
};

// A spillover matrix found in the file.
struct Spillover {
  std::string keyword;                // where it was found: "$SPILLOVER", "SPILL", "$COMP", ...
  std::vector<std::string> channels;  // $PnN names in matrix order
  std::vector<double> values;         // row-major n x n: row = fluorochrome, column = detector
  std::size_t size() const noexcept { return channels.size(); }
  double at(std::size_t row, std::size_t col) const { return values[row * size() + col]; }
};

// Frees EventMatrix storage: large arrays are anonymous mappings (huge pages), small ones new[].
struct EventStorageDeleter {
  std::size_t mapped_bytes = 0;  // 0: allocated with new[]
  void operator()(double* p) const noexcept;
};

// Event values, column-major: each channel's values are one contiguous array.
class EventMatrix {
 public:
  EventMatrix() = default;
  EventMatrix(std::size_t events, std::size_t channels);  // uninitialised values
  EventMatrix(const EventMatrix& other);
  EventMatrix& operator=(const EventMatrix& other);
  EventMatrix(EventMatrix&&) noexcept = default;
  EventMatrix& operator=(EventMatrix&&) noexcept = default;
  // An events x channels matrix that takes over `storage`'s memory when it holds enough values
  // (values uninitialised). Batch readers pass the previous file's matrix: its pages are already
  // faulted in, and fresh memory costs more to provide than decoding does.
  static EventMatrix recycle(EventMatrix&& storage, std::size_t events, std::size_t channels);

  std::size_t events() const noexcept { return events_; }
  std::size_t capacity() const noexcept { return capacity_; }  // values the storage can hold
  std::size_t channels() const noexcept { return channels_; }
  std::span<double> column(std::size_t c) noexcept { return {data_.get() + c * events_, events_}; }
  std::span<const double> column(std::size_t c) const noexcept {
    return {data_.get() + c * events_, events_};
  }
  double operator()(std::size_t event, std::size_t channel) const noexcept {
    return data_[channel * events_ + event];
  }
  double& operator()(std::size_t event, std::size_t channel) noexcept {
    return data_[channel * events_ + event];
  }
  std::span<double> values() noexcept { return {data_.get(), events_ * channels_}; }
  std::span<const double> values() const noexcept { return {data_.get(), events_ * channels_}; }

 private:
  std::size_t events_ = 0;
  std::size_t channels_ = 0;
  std::size_t capacity_ = 0;
  std::unique_ptr<double[], EventStorageDeleter> data_;
};

struct ReadOptions {
  // false (default): values as flowCore's read.FCS returns them by default (see
  // docs/fcs-semantics.md); true: values exactly as encoded in the file.
  bool raw = false;
  std::size_t dataset = 0;   // which data set of a $NEXTDATA chain (0 = first)
  bool read_events = true;   // false: HEADER and TEXT only (fast `info`)
  int threads = 0;           // decoding threads; 0 = OpenMP default
  // true: a spillover matrix naming channels that are not $PnN is an FcsError (compensating
  // with the wrong matrix is worse than stopping); false: warning, spillover dropped.
  bool strict_spillover = true;
  // Channels exempt from flowCore's truncation at $PnR (unless raw): the time channel, whose
  // $PnR some instruments set below the acquisition's length. Truncated, every later event
  // shares one timestamp and time-based QC sees them as one burst (a quarter of a tube).
  std::function<bool(const Channel&)> keep_above_range = {};
};

// One FCS data set: keywords, channels and (unless read_events=false) event values.
struct DataSet {
  std::string file;                  // the path or name it was read from (for messages)
  Header header;
  Keywords keywords;                 // primary + supplemental TEXT, original spelling
  std::vector<Channel> channels;
  std::optional<Spillover> spillover;
  std::size_t event_count = 0;       // $TOT (after any recovery)
  EventMatrix events;                // event_count x channels.size(), or empty
  std::size_t dataset_index = 0;     // which data set of the file this is
  std::size_t dataset_count = 1;     // how many data sets the file holds
  bool raw = false;                  // values are as encoded (ReadOptions::raw)
  std::vector<std::string> warnings; // deviations from the standard that were tolerated

  std::string version() const { return header.version; }
  // Index of the channel whose $PnN equals name (exact, then case-insensitive), or nullopt.
  std::optional<std::size_t> channel_index(std::string_view name) const;
};

DataSet read_fcs(const std::filesystem::path& path, const ReadOptions& options = {});
// Same, decoding into `storage`'s memory when it is large enough (see EventMatrix::recycle).
DataSet read_fcs(const std::filesystem::path& path, const ReadOptions& options, EventMatrix&& storage);
// Same, from bytes already in memory (fuzzing, tests); `name` is used in messages.
DataSet read_fcs_bytes(std::span<const std::byte> bytes, const std::string& name,
                       const ReadOptions& options = {});

// Writes FCS 3.1, float32 little-endian: all required keywords, $PnS, $SPILLOVER and every
// extra keyword of `data.keywords` that is not computed by the writer.
std::string to_fcs_bytes(const DataSet& data);
void write_fcs(const std::filesystem::path& path, const DataSet& data);  // atomic (temp + rename)

}  // namespace mrdflow::fcs
