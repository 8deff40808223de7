#pragma once
// The broken-file corpus: damaged variants of real FCS files (from the shared test data, read in
// place) and of small synthetic files built here, generated at run time, deterministically.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fcs_surgery.h"

namespace mrdflow::fcs_robustness {

// An intact file that damaged variants are made from.
struct Base {
  std::string name;                // e.g. "shared/flowio/G11.fcs" or "synthetic/i16_be"
  std::string bytes;
  std::optional<FcsParts> parts;   // nullopt when the harness cannot take it apart
  bool small = true;               // small enough for the many-variant families
  bool representative = true;      // first of its kind (version, $DATATYPE, $BYTEORD)
  // Synthetic bases: the raw values (as encoded, integers masked by $PnR), row-major.
  std::vector<double> expected_raw;
};

struct Case {
  std::string family;
  std::string name;                // "<base>#<what was done>", unique
  std::string bytes;
  std::size_t dataset = 0;         // ReadOptions::dataset to ask for
  bool also_via_file = false;      // read through read_fcs(path) as well (mmap path)
  bool must_complain = false;      // data are missing: accept only with a warning, or reject
};

// Small synthetic files, one per DATA encoding (synthetic.cpp).
std::vector<Base> synthetic_bases();

// Synthetic bases always; plus every file of `shared_dir` that has a "<file>.truth.json".
std::vector<Base> load_bases(const std::string& shared_dir);

// Names of the families, and the cases of one family over all bases.
const std::vector<std::string>& family_names();
std::vector<Case> make_family(std::string_view family, const std::vector<Base>& bases);

}  // namespace mrdflow::fcs_robustness
