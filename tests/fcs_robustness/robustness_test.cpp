// Broken-file corpus: every damaged variant of real and synthetic FCS files must either be
// rejected with a one-line fcs::FcsError naming the file, or give a self-consistent DataSet.
// Never a crash, an out-of-bounds read (run under ASan+UBSan in CI), a hang, or another
// exception type. Cases are generated here at run time (see corpus.cpp); nothing is copied.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>
#include <typeinfo>
#include <unistd.h>

#include "corpus.h"
#include "fcs/fcs.h"
#include "support/testdata.h"

namespace mrdflow::fcs_robustness {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// A single read slower than this fails the case (a hang guard with room for ASan, not a speed
// test); one slower than kHangLimit aborts the whole process with the case name.
constexpr double kCaseLimitSeconds = 5.0;
constexpr auto kHangLimit = std::chrono::seconds(60);

// Aborts the process, naming the case, if one read never returns.
class HangGuard {
 public:
  HangGuard() : thread_([this] { watch(); }) {}
  ~HangGuard() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  void enter(const std::string& what) {
    std::lock_guard lock(mutex_);
    current_ = what;
    started_ = Clock::now();
    busy_ = true;
  }
  void leave() {
    std::lock_guard lock(mutex_);
    busy_ = false;
  }

 private:
  void watch() {
    std::unique_lock lock(mutex_);
    while (!stop_) {
      wake_.wait_for(lock, std::chrono::milliseconds(200));
      if (busy_ && Clock::now() - started_ > kHangLimit) {
        std::fprintf(stderr, "HANG: %s did not return within %lld s; aborting\n", current_.c_str(),
                     static_cast<long long>(kHangLimit.count()));
        std::fflush(stderr);
        std::_Exit(86);
      }
    }
  }
  std::mutex mutex_;
  std::condition_variable wake_;
  std::string current_;
  Clock::time_point started_;
  bool busy_ = false, stop_ = false;
  std::thread thread_;
};

const std::vector<Base>& bases() {
  static const std::vector<Base> all =
      load_bases(testing::have_testdata() ? testing::testdata_dir().string() : std::string());
  return all;
}

std::string printable(std::string_view s) {
  std::string out;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7F) {
      out += c;
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", u);
      out += buf;
    }
  }
  return out;
}

bool one_line(std::string_view s) {
  return s.find('\n') == std::string_view::npos && s.find('\r') == std::string_view::npos;
}

// What is wrong with an accepted DataSet, or "" when it is self-consistent.
std::string check_dataset(const fcs::DataSet& d, const fcs::ReadOptions& o, bool must_complain) {
  std::ostringstream why;
  for (const auto& ch : d.channels)
    if (std::string_view("IFDA").find(ch.datatype) == std::string_view::npos)
      why << "channel '" << printable(ch.name) << "' has datatype '" << printable({&ch.datatype, 1})
          << "'; ";
  if (d.dataset_index != o.dataset) why << "dataset_index " << d.dataset_index << " != asked " << o.dataset << "; ";
  if (d.dataset_count <= d.dataset_index) why << "dataset_count " << d.dataset_count << " <= index; ";
  if (d.spillover && d.spillover->values.size() != d.spillover->size() * d.spillover->size())
    why << "spillover has " << d.spillover->values.size() << " values for " << d.spillover->size()
        << " channels; ";
  if (!o.read_events) {
    if (!d.events.values().empty()) why << "events decoded although read_events=false; ";
    return why.str();
  }
  if (d.events.events() != d.event_count)
    why << "events.events() " << d.events.events() << " != event_count " << d.event_count << "; ";
  if (d.events.channels() != d.channels.size())
    why << "events.channels() " << d.events.channels() << " != channels " << d.channels.size() << "; ";
  // Touch every value: a matrix smaller than it claims is an ASan report here.
  volatile double sink = 0;
  for (std::size_t c = 0; c < d.events.channels(); ++c) {
    const auto col = d.events.column(c);
    double acc = 0;
    for (double v : col) acc += v;
    sink = sink + acc;
    // Raw integers are finite, non-negative whole numbers that fit the bytes that hold them
    // ($PnB rounded up to whole bytes: odd widths may be stored padded).
    if (o.raw && c < d.channels.size() && d.channels[c].datatype == 'I') {
      const int bits = d.channels[c].bits;
      const int stored = (bits + 7) / 8 * 8;
      const double limit = bits > 0 && stored < 64 ? std::ldexp(1.0, stored) : HUGE_VAL;
      const auto bad = std::find_if(col.begin(), col.end(), [&](double v) {
        return !std::isfinite(v) || v < 0 || v != std::floor(v) || v >= limit;
      });
      if (bad != col.end())
        why << "raw integer channel " << c + 1 << " holds " << *bad << " (PnB " << bits << "); ";
    }
  }
  if (must_complain && d.warnings.empty())
    why << "DATA bytes are missing, yet " << d.event_count << " events were returned without a warning; ";
  return why.str();
}

std::string check_error(const fcs::FcsError& e, const std::string& name) {
  std::ostringstream why;
  const std::string what = e.what();
  if (!one_line(what)) why << "message is not one line: " << printable(what) << "; ";
  if (what.find(name) == std::string::npos) why << "message does not name the file: " << printable(what) << "; ";
  if (e.problem().empty()) why << "empty problem text; ";
  return why.str();
}

struct FamilyStats {
  std::size_t cases = 0, reads = 0, rejected = 0, accepted = 0, failed = 0;
  double slowest = 0;
  std::string slowest_case;
};

// Runs one read, classifying the outcome; returns "" when it behaved.
template <class Read>
std::string run_read(Read&& read, const fcs::ReadOptions& o, const std::string& name, bool must_complain,
                     FamilyStats& stats, double& seconds) {
  const auto t0 = Clock::now();
  std::string problem;
  try {
    const fcs::DataSet d = read();
    seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    problem = check_dataset(d, o, must_complain);
    ++stats.accepted;
  } catch (const fcs::FcsError& e) {
    seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    problem = check_error(e, name);
    ++stats.rejected;
  } catch (const std::exception& e) {
    seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    problem = std::string("threw ") + typeid(e).name() + " instead of FcsError: " + printable(e.what());
  } catch (...) {
    seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    problem = "threw a non-std exception";
  }
  ++stats.reads;
  if (seconds > kCaseLimitSeconds)
    problem += "took " + std::to_string(seconds) + " s (limit " + std::to_string(kCaseLimitSeconds) + " s); ";
  return problem;
}

fs::path scratch_dir() {
  const fs::path dir = testing::binary_dir() / "fcs_robustness_scratch" / std::to_string(::getpid());
  fs::create_directories(dir);
  return dir;
}

std::string file_safe(std::string s) {
  for (char& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') c = '_';
  return s.substr(0, 180);
}

// Keeps the bytes of a failing case so it can be replayed (and given to the reader's author).
void keep_failure(const Case& c) {
  const fs::path dir = testing::binary_dir() / "fcs_robustness_failures";
  fs::create_directories(dir);
  std::ofstream(dir / (file_safe(c.name) + ".fcs"), std::ios::binary) << c.bytes;
}

void run_case(const Case& c, HangGuard& guard, FamilyStats& stats) {
  ++stats.cases;
  // Exact-size heap copy, so reading one byte past the end is an ASan report.
  auto buffer = std::make_unique<std::byte[]>(c.bytes.size());
  if (!c.bytes.empty()) std::memcpy(buffer.get(), c.bytes.data(), c.bytes.size());
  const std::span<const std::byte> bytes(buffer.get(), c.bytes.size());

  const std::string name = "corpus:" + c.name;
  struct Mode {
    const char* label;
    fcs::ReadOptions options;
  };
  const Mode modes[] = {
      {"header+text", {.raw = false, .dataset = c.dataset, .read_events = false, .threads = 0}},
      {"default", {.raw = false, .dataset = c.dataset, .read_events = true, .threads = 0}},
      {"raw,1 thread", {.raw = true, .dataset = c.dataset, .read_events = true, .threads = 1}},
  };
  bool failed = false;
  auto record = [&](const char* label, const std::string& problem, double seconds) {
    if (seconds > stats.slowest) {
      stats.slowest = seconds;
      stats.slowest_case = c.name + " [" + label + "]";
    }
    if (problem.empty()) return;
    failed = true;
    ADD_FAILURE() << printable(c.name) << " [" << label << "]: " << problem;
  };
  // Raw values are checked where the encoding is what was damaged; elsewhere two reads suffice.
  const bool raw_too = c.family == "widths" || c.family == "types" || c.family == "random" ||
                       c.family == "truncate";
  for (const Mode& m : modes) {
    if (m.options.raw && !raw_too) continue;
    guard.enter(c.name + " [" + m.label + "]");
    double seconds = 0;
    const std::string problem = run_read([&] { return fcs::read_fcs_bytes(bytes, name, m.options); },
                                         m.options, name, c.must_complain && m.options.read_events,
                                         stats, seconds);
    guard.leave();
    record(m.label, problem, seconds);
  }
  if (c.also_via_file) {  // the file path (mmap) reader has its own bounds to get right
    const fs::path path = scratch_dir() / "case.fcs";
    std::ofstream(path, std::ios::binary | std::ios::trunc) << c.bytes;
    const fcs::ReadOptions o{.raw = false, .dataset = c.dataset, .read_events = true, .threads = 0};
    guard.enter(c.name + " [read_fcs path]");
    double seconds = 0;
    const std::string problem = run_read([&] { return fcs::read_fcs(path, o); }, o, path.string(),
                                         c.must_complain, stats, seconds);
    guard.leave();
    record("read_fcs path", problem, seconds);
  }
  if (failed) {
    ++stats.failed;
    keep_failure(c);
  }
}

void run_family(const std::string& family) {
  if (testing::running_in_ci()) MRDFLOW_REQUIRE_TESTDATA();
  const auto cases = make_family(family, bases());
  // 11 families x >= 30 cases: the corpus is "a few hundred cases" at the very least (~8000 with
  // the shared data; the synthetic files alone give several hundred).
  ASSERT_GE(cases.size(), 30u) << "family " << family << " generated too few cases";
  HangGuard guard;
  FamilyStats stats;
  const auto t0 = Clock::now();
  for (const Case& c : cases) run_case(c, guard, stats);
  std::printf("[corpus] %-10s %4zu cases, %5zu reads: %5zu rejected (FcsError), %5zu accepted, "
              "%zu failing cases; slowest read %.3f s (%s); family took %.1f s\n",
              family.c_str(), stats.cases, stats.reads, stats.rejected, stats.accepted, stats.failed,
              stats.slowest, printable(stats.slowest_case).c_str(),
              std::chrono::duration<double>(Clock::now() - t0).count());
  std::error_code ignored;
  fs::remove_all(testing::binary_dir() / "fcs_robustness_scratch" / std::to_string(::getpid()), ignored);
}

}  // namespace

TEST(FcsRobustness, Truncations) { run_family("truncate"); }
TEST(FcsRobustness, HeaderOffsetGarbage) { run_family("header"); }
TEST(FcsRobustness, TextOffsetGarbage) { run_family("offsets"); }
TEST(FcsRobustness, AbsurdTotAndPar) { run_family("counts"); }
TEST(FcsRobustness, OddZeroHugePnB) { run_family("widths"); }
TEST(FcsRobustness, BadDatatypeByteordMode) { run_family("types"); }
TEST(FcsRobustness, BadScalesAndSpillover) { run_family("scales"); }
TEST(FcsRobustness, RequiredKeywordsRemoved) { run_family("missing"); }
TEST(FcsRobustness, BadDelimitersAndTextBounds) { run_family("delimiters"); }
TEST(FcsRobustness, NextdataChainsAndLoops) { run_family("datasets"); }
TEST(FcsRobustness, RandomByteMutationsFixedSeeds) { run_family("random"); }

// The harness's own layout must be faithful, or keyword damage would start from a broken file:
// synthetic bases decode to the values they were built from, and every real file that reads
// cleanly still reads to the same values after being taken apart and put back together.
TEST(FcsRobustness, HarnessLayoutIsFaithful) {
  std::size_t compared = 0;
  for (const Base& b : bases()) {
    if (!b.parts) continue;
    const fcs::ReadOptions raw{.raw = true};
    auto read = [&](const std::string& bytes, const std::string& name) {
      return fcs::read_fcs_bytes(std::as_bytes(std::span(bytes.data(), bytes.size())), name, raw);
    };
    if (!b.expected_raw.empty()) {
      fcs::DataSet d;
      ASSERT_NO_THROW(d = read(b.bytes, b.name)) << b.name;
      ASSERT_EQ(d.events.events() * d.events.channels(), b.expected_raw.size()) << b.name;
      for (std::size_t e = 0; e < d.events.events(); ++e)
        for (std::size_t c = 0; c < d.events.channels(); ++c)
          ASSERT_EQ(d.events(e, c), b.expected_raw[e * d.events.channels() + c])
              << b.name << " event " << e << " channel " << c;
      ++compared;
      continue;
    }
    fcs::DataSet original;
    try {
      original = read(b.bytes, b.name);
    } catch (const fcs::FcsError&) {
      continue;  // unreadable originals are the reader tests' business
    }
    if (!original.warnings.empty() || original.dataset_count != 1) continue;
    fcs::DataSet relaid;
    ASSERT_NO_THROW(relaid = read(assemble(*b.parts), b.name + " (re-laid)")) << b.name;
    ASSERT_EQ(relaid.event_count, original.event_count) << b.name;
    ASSERT_EQ(relaid.channels.size(), original.channels.size()) << b.name;
    const auto x = original.events.values(), y = relaid.events.values();
    ASSERT_EQ(x.size(), y.size()) << b.name;
    EXPECT_EQ(std::memcmp(x.data(), y.data(), x.size_bytes()), 0) << b.name << ": values differ";
    ++compared;
  }
  EXPECT_GE(compared, 8u);
}

}  // namespace mrdflow::fcs_robustness
