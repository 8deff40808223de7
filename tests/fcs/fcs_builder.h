#pragma once
// Builds FCS files in memory for unit tests: any delimiter, any keywords, raw DATA bytes,
// optional supplemental TEXT, HEADER offsets zeroed or shifted on request.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "fcs/fcs.h"

namespace mrdflow::fcs_test {

struct RawFcs {
  std::string version = "FCS3.1";
  char delimiter = '/';
  std::vector<std::pair<std::string, std::string>> keywords;  // offsets are added by build()
  std::string data;                                           // DATA segment bytes
  std::string supplemental;            // supplemental TEXT incl. its delimiters ("" = none)
  bool header_data_zero = false;       // HEADER DATA offsets written as 0 (TEXT is used)
  std::int64_t header_data_shift = 0;  // HEADER DATA begin disagrees with TEXT by this much
  std::int64_t enddata_adjust = 0;     // added to $ENDDATA and HEADER end (off-by-one files)
  std::size_t padding_before_data = 0; // zero bytes between TEXT and DATA
  bool text_offsets = true;            // write $BEGINDATA/$ENDDATA etc. into TEXT
};

std::string build(const RawFcs& f);
fcs::DataSet read(const std::string& bytes, const fcs::ReadOptions& options = {});
fcs::DataSet read_raw(const std::string& bytes);

// Minimal list-mode keywords for n channels of one type and width.
RawFcs simple(std::size_t channels, std::size_t events, const std::string& datatype, int bits,
              const std::string& byteord, double range = 1024);

// Stores `value` in `bytes` bytes with $BYTEORD significance order (1-based, as in the keyword).
void put_uint(std::string& out, std::uint64_t value, const std::vector<int>& byteord);
void put_f32(std::string& out, float v, bool big);
void put_f64(std::string& out, double v, bool big);
// Packs values of the given bit widths into a bit stream (LSB-first or MSB-first).
std::string pack_bits(const std::vector<std::uint64_t>& values, const std::vector<int>& widths,
                      bool msb_first);

// Replaces a keyword of the builder (or appends it).
void set_kw(RawFcs& f, std::pair<std::string, std::string> kv);
// True when one of the data set's warnings contains `text`.
bool has_warning(const fcs::DataSet& ds, std::string_view text);

}  // namespace mrdflow::fcs_test
