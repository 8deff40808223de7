// libFuzzer target for the FCS reader: any byte string is a candidate FCS file. The reader must
// either throw fcs::FcsError with a one-line message naming the input, or return a DataSet that
// is self-consistent. Anything else (crash, ASan/UBSan report, other exception, inconsistent
// result) aborts, which libFuzzer records as a crash with the reproducer bytes.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <span>
#include <string>

#include "fcs/fcs.h"

namespace {

using mrdflow::fcs::DataSet;
using mrdflow::fcs::FcsError;
using mrdflow::fcs::ReadOptions;

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_fcs_read: %s: %s\n", what, detail.c_str());
  std::abort();
}

void check(const DataSet& d, const ReadOptions& o) {
  if (d.dataset_index != o.dataset || d.dataset_count <= d.dataset_index)
    fail("dataset index/count inconsistent", std::to_string(d.dataset_index));
  if (d.spillover && d.spillover->values.size() != d.spillover->size() * d.spillover->size())
    fail("spillover size", std::to_string(d.spillover->values.size()));
  if (!o.read_events) {
    if (!d.events.values().empty()) fail("events decoded with read_events=false", "");
    return;
  }
  if (d.events.events() != d.event_count) fail("events() != event_count", std::to_string(d.event_count));
  if (d.events.channels() != d.channels.size()) fail("events.channels() != channels.size()", "");
  volatile double sink = 0;  // touch every value: a short buffer becomes an ASan report
  for (std::size_t c = 0; c < d.events.channels(); ++c) {
    // Raw integers: finite whole numbers that fit $PnB rounded up to whole bytes.
    const bool raw_int = o.raw && d.channels[c].datatype == 'I';
    const int stored = (d.channels[c].bits + 7) / 8 * 8;
    const double limit = stored > 0 && stored < 64 ? std::ldexp(1.0, stored) : HUGE_VAL;
    for (double v : d.events.column(c)) {
      sink = sink + v;
      if (raw_int && (!std::isfinite(v) || v < 0 || v != std::floor(v) || v >= limit))
        fail("raw integer value out of its $PnB range", std::to_string(v));
    }
  }
}

void read_once(std::span<const std::byte> bytes, const ReadOptions& o) {
  static const std::string name = "fuzz-input";
  try {
    check(mrdflow::fcs::read_fcs_bytes(bytes, name, o), o);
  } catch (const FcsError& e) {
    const std::string what = e.what();
    if (what.find(name) == std::string::npos) fail("FcsError message does not name the input", what);
    // Multi-line messages are enforced by tests/fcs_robustness (regression tests); here they
    // only stop the run when asked, so fuzzing time goes to crashes, OOB reads and hangs.
    if (what.find_first_of("\r\n") != std::string::npos) {
      static const bool strict = std::getenv("FUZZ_STRICT_MESSAGES") != nullptr;
      static bool reported = false;
      if (strict) fail("FcsError message is not one line", what);
      if (!reported) std::fprintf(stderr, "fuzz_fcs_read: note: multi-line FcsError message seen (set FUZZ_STRICT_MESSAGES=1 to stop on it)\n");
      reported = true;
    }
  } catch (const std::exception& e) {
    fail("exception other than FcsError", e.what());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
  read_once(bytes, {.raw = false, .dataset = 0, .read_events = false, .threads = 1});
  read_once(bytes, {.raw = false, .dataset = 0, .read_events = true, .threads = 1});
  read_once(bytes, {.raw = true, .dataset = 0, .read_events = true, .threads = 1});
  read_once(bytes, {.raw = false, .dataset = 1, .read_events = true, .threads = 1});
  return 0;
}
