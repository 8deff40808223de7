// FCS read benchmark (plain whole-process timing, prints figures; not a test).
//
// Makes (or reuses) a large FCS 3.1 float32 file (default 5,000,000 events x 14 channels) with
// fcs::write_fcs, then with the page cache warm: times a plain sequential read of the file
// (read() loop, and `dd bs=4M`), times fcs::read_fcs (best of N), and measures the peak RSS of a
// separate process that only reads the file, against the size of the decoded arrays.
//   bench_fcs_read [--events N] [--channels C] [--file PATH] [--repeats N] [--cli PATH]
#include <fcntl.h>
#include <omp.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "fcs/fcs.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using mrdflow::fcs::DataSet;
using Clock = std::chrono::steady_clock;

// Process CPU time (user + system, every thread): less sensitive to other load than wall time.
double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

std::string load_average() {
  FILE* f = std::fopen("/proc/loadavg", "r");
  char buf[128] = "?";
  if (f) {
    if (!std::fgets(buf, sizeof buf, f)) buf[0] = 0;
    std::fclose(f);
  }
  std::string s = buf;
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Cheap deterministic generator (no per-value allocation, same file every time).
struct Rng {
  std::uint64_t s;
  std::uint64_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  double normal() {  // Irwin-Hall approximation: good enough for plausible-looking data
    double a = 0;
    for (int i = 0; i < 4; ++i) a += uniform();
    return (a - 2.0) * 1.7320508;
  }
};

// Scatter and a B-ALL-ish marker panel, float32 values like a cytometer writes.
DataSet make_dataset(std::size_t events, std::size_t channels) {
  static const char* names[] = {"FSC-A", "FSC-H", "SSC-A", "SSC-H", "CD19", "CD22", "CD10",
                                "CD34", "CD20", "CD38", "CD45", "CD58", "CD81", "Time"};
  DataSet d;
  d.file = "bench";
  d.header.version = "FCS3.1";
  d.event_count = events;
  d.channels.resize(channels);
  for (std::size_t c = 0; c < channels; ++c) {
    auto& ch = d.channels[c];
    ch.name = c < 14 ? names[c] : "FL" + std::to_string(c) + "-A";
    if (c == channels - 1) ch.name = "Time";
    ch.marker = c >= 4 && c + 1 < channels ? ch.name + " FITC" : "";
    ch.bits = 32;
    ch.range = 262144;
    ch.max_value = 262144;
    ch.datatype = 'F';
  }
  d.keywords.set("$CYT", "mrdflow bench");
  d.events = mrdflow::fcs::EventMatrix(events, channels);
#pragma omp parallel for schedule(static)
  for (std::size_t c = 0; c < channels; ++c) {
    Rng rng{0x9E3779B97F4A7C15ULL * (c + 1)};
    auto col = d.events.column(c);
    for (std::size_t e = 0; e < events; ++e) {
      double v;
      if (c + 1 == channels) v = static_cast<double>(e) * 0.01;          // time
      else if (c < 4) v = 60000 + 25000 * rng.normal();                  // scatter
      else if (rng.uniform() < 0.7) v = 150 * rng.normal();              // negative population
      else v = std::pow(10.0, 2.5 + 1.5 * rng.uniform());                // positive population
      col[e] = static_cast<double>(static_cast<float>(v));
    }
  }
  return d;
}

struct ChildResult {
  int status = -1;
  double seconds = 0;
  long max_rss_kb = 0;
};

// Runs argv as a child process (fresh address space), returning its time and peak RSS.
ChildResult run_child(const std::vector<std::string>& args, bool quiet) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (quiet) posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  ChildResult r;
  pid_t pid = 0;
  const auto t0 = Clock::now();
  if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) {
    posix_spawn_file_actions_destroy(&actions);
    return r;
  }
  posix_spawn_file_actions_destroy(&actions);
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  r.seconds = seconds_since(t0);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.max_rss_kb = usage.ru_maxrss;
  return r;
}

// Best-of-N plain sequential read() of the whole file, 4 MiB at a time.
double plain_read_seconds(const fs::path& file, int repeats) {
  std::vector<char> buffer(4 << 20);
  double best = HUGE_VAL;
  for (int r = 0; r < repeats; ++r) {
    const int fd = ::open(file.c_str(), O_RDONLY);
    if (fd < 0) return HUGE_VAL;
    const auto t0 = Clock::now();
    std::uint64_t checksum = 0;
    for (;;) {
      const ssize_t n = ::read(fd, buffer.data(), buffer.size());
      if (n <= 0) break;
      checksum += static_cast<unsigned char>(buffer[static_cast<std::size_t>(n) - 1]);
    }
    best = std::min(best, seconds_since(t0));
    ::close(fd);
    if (checksum == 1) std::puts("");  // keep the loop observable
  }
  return best;
}

// `dd if=FILE of=/dev/null bs=4M`: the GB/s figure dd prints (decimal GB), best of N.
double dd_gb_per_s(const fs::path& file, int repeats) {
  double best = 0;
  for (int r = 0; r < repeats; ++r) {
    const std::string cmd = "dd if='" + file.string() + "' of=/dev/null bs=4M 2>&1";
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return 0;
    char line[512];
    double bytes = 0, secs = 0;
    while (std::fgets(line, sizeof line, p)) {
      // "N bytes (...) copied, S s, R GB/s"
      double b = 0, s = 0;
      const char* copied = std::strstr(line, "copied, ");
      if (std::sscanf(line, "%lf bytes", &b) == 1 && copied && std::sscanf(copied, "copied, %lf", &s) == 1) {
        bytes = b;
        secs = s;
      }
    }
    ::pclose(p);
    if (secs > 0) best = std::max(best, bytes / secs / 1e9);
  }
  return best;
}

// /proc/self/status field in KiB ("VmHWM", "VmRSS"), or -1.
long status_kib(const char* field) {
  FILE* f = std::fopen("/proc/self/status", "r");
  if (!f) return -1;
  char line[256];
  long v = -1;
  const std::size_t n = std::strlen(field);
  while (std::fgets(line, sizeof line, f))
    if (std::strncmp(line, field, n) == 0 && line[n] == ':') v = std::strtol(line + n + 1, nullptr, 10);
  std::fclose(f);
  return v;
}

// Child for the peak-RSS measurement: a fresh process that only reads the file, then prints
// "<VmHWM before> <VmHWM after>" in KiB.
int read_once_mode(const char* file) {
  try {
    const long before = status_kib("VmHWM");
    const DataSet d = mrdflow::fcs::read_fcs(file);
    volatile double sink = d.events.values().empty() ? 0 : d.events.values().back();
    (void)sink;
    std::printf("%ld %ld\n", before, status_kib("VmHWM"));
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
}

std::string self_path(const char* argv0) {
  std::error_code ec;
  const auto p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(argv0) : p.string();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "--read-once") == 0) return read_once_mode(argv[2]);
  if (argc == 5 && std::strcmp(argv[1], "--generate") == 0) {
    const auto t0 = Clock::now();
    const DataSet d = make_dataset(std::stoull(argv[3]), std::stoull(argv[4]));
    const double made = seconds_since(t0);
    mrdflow::fcs::write_fcs(argv[2], d);
    std::printf("wrote %s in %.2f s (values generated in %.2f s)\n", argv[2], seconds_since(t0), made);
    return 0;
  }

  std::size_t events = 5'000'000, channels = 14;
  int repeats = 5;
  fs::path file;
  std::string cli;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--events") events = std::stoull(argv[i + 1]);
    else if (a == "--channels") channels = std::stoull(argv[i + 1]);
    else if (a == "--file") file = argv[i + 1];
    else if (a == "--repeats") repeats = std::stoi(argv[i + 1]);
    else if (a == "--cli") cli = argv[i + 1];
    else {
      std::fprintf(stderr, "unknown option %s\n", a.c_str());
      return 2;
    }
  }
  if (file.empty())
    file = fs::temp_directory_path() /
           ("mrdflow_bench_" + std::to_string(events) + "x" + std::to_string(channels) + "_f32.fcs");
  const std::string self = self_path(argv[0]);
  if (cli.empty()) {
    const fs::path guess = fs::path(self).parent_path().parent_path() / "mrdflow" / "mrdflow";
    if (fs::exists(guess)) cli = guess.string();
  }

  // ---- the file: reuse when it already holds the right shape -----------------------------
  bool reuse = false;
  if (fs::exists(file)) {
    try {
      const DataSet h = mrdflow::fcs::read_fcs(file, {.read_events = false});
      reuse = h.event_count == events && h.channels.size() == channels;
    } catch (const std::exception&) {
    }
  }
  if (!reuse) {  // in a child, so this process's peak RSS stays small for the child figures
    const ChildResult gen = run_child({self, "--generate", file.string(), std::to_string(events),
                                       std::to_string(channels)}, false);
    if (gen.status != 0) {
      std::fprintf(stderr, "generating %s failed\n", file.c_str());
      return 1;
    }
  }
  const DataSet meta = mrdflow::fcs::read_fcs(file, {.read_events = false});
  const double file_bytes = static_cast<double>(fs::file_size(file));
  const double data_bytes = static_cast<double>(meta.header.data_end >= meta.header.data_begin && meta.header.data_begin > 0
                                                    ? meta.header.data_end - meta.header.data_begin + 1
                                                    : static_cast<std::int64_t>(events * channels * 4));
  const double decoded_bytes = static_cast<double>(events) * static_cast<double>(channels) * 8.0;
  std::printf("machine: %d CPUs online, load average %s (figures are wall-clock; other load slows them)\n",
              static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN)), load_average().c_str());
  std::printf("file: %s (%s), %.1f MB, DATA %.1f MB, %zu events x %zu channels float32, %d OpenMP threads\n",
              file.c_str(), meta.version().c_str(), file_bytes / 1e6, data_bytes / 1e6, events, channels,
              omp_get_max_threads());

  // ---- peak RSS of a process that only reads the file --------------------------------------
  long before_kib = -1, after_kib = -1;
  {
    const std::string cmd = "'" + self + "' --read-once '" + file.string() + "'";
    FILE* p = ::popen(cmd.c_str(), "r");
    if (p) {
      if (std::fscanf(p, "%ld %ld", &before_kib, &after_kib) != 2) before_kib = after_kib = -1;
      ::pclose(p);
    }
  }
  const double peak = static_cast<double>(after_kib) * 1024.0;
  std::printf("peak RSS of read_fcs alone (fresh child process, VmHWM): %.1f MiB (%.1f MiB before the "
              "read); decoded arrays (events x channels x 8 B) %.1f MiB; ratio %.3f%s\n",
              peak / 1048576.0, static_cast<double>(before_kib) / 1024.0, decoded_bytes / 1048576.0,
              peak / decoded_bytes, after_kib > 0 ? "" : "  [child FAILED]");

  // ---- the command line, as a whole process --------------------------------------------
  if (!cli.empty()) {
    const ChildResult info = run_child({cli, "info", "--stats", file.string()}, true);
    std::printf("%s info --stats FILE: %.3f s wall, peak RSS %.1f MiB, exit %d\n", cli.c_str(), info.seconds,
                static_cast<double>(info.max_rss_kb) / 1024.0, info.status);
  } else {
    std::printf("mrdflow CLI not found (pass --cli PATH): info --stats not timed\n");
  }

  // ---- plain sequential read (page cache warm: the first pass warms it) -------------------
  plain_read_seconds(file, 1);
  const double plain = plain_read_seconds(file, repeats);
  const double dd = dd_gb_per_s(file, std::min(repeats, 3));
  std::printf("plain read() loop, 4 MiB buffer: best %.4f s = %.2f GB/s\n", plain, file_bytes / plain / 1e9);
  std::printf("dd if=FILE of=/dev/null bs=4M:   %.2f GB/s\n", dd);

  // ---- fcs::read_fcs, best of N ------------------------------------------------------------
  double best = HUGE_VAL, total = 0, best_cpu = HUGE_VAL;
  for (int r = 0; r < repeats; ++r) {
    const double c0 = cpu_seconds();
    const auto t0 = Clock::now();
    const DataSet d = mrdflow::fcs::read_fcs(file);
    const double s = seconds_since(t0);
    best_cpu = std::min(best_cpu, cpu_seconds() - c0);
    if (d.events.events() != events || d.events.channels() != channels) {
      std::fprintf(stderr, "read_fcs returned %zu x %zu\n", d.events.events(), d.events.channels());
      return 1;
    }
    best = std::min(best, s);
    total += s;
  }
  const double decode_rate = data_bytes / best / 1e9;
  // The reference is `dd` to /dev/null from page cache; the read() loop is shown too.
  const double dd_seconds = dd > 0 ? file_bytes / (dd * 1e9) : plain;
  const double ratio = dd_seconds / best;
  std::printf("fcs::read_fcs: best of %d %.4f s wall (mean %.4f s) = %.2f GB/s of DATA decoded, "
              "%.0f%% of the dd rate; best CPU time (all threads, user+sys) %.4f s = %.2f GB "
              "per CPU-second\n",
              repeats, best, total / repeats, decode_rate, 100 * ratio, best_cpu, data_bytes / best_cpu / 1e9);

  // ---- batch reading: each read decodes into the previous file's arrays -----------------------
  // (what a batch run does per thread: no fresh pages to provide, so this is the decoder itself)
  double best_recycled = HUGE_VAL, total_recycled = 0;
  {
    mrdflow::fcs::EventMatrix storage = mrdflow::fcs::read_fcs(file).events;
    for (int r = 0; r < repeats; ++r) {
      const auto t0 = Clock::now();
      DataSet d = mrdflow::fcs::read_fcs(file, {}, std::move(storage));
      const double s = seconds_since(t0);
      if (d.events.events() != events || d.events.channels() != channels) {
        std::fprintf(stderr, "recycled read_fcs returned %zu x %zu\n", d.events.events(), d.events.channels());
        return 1;
      }
      storage = std::move(d.events);
      best_recycled = std::min(best_recycled, s);
      total_recycled += s;
    }
  }
  const double recycled_rate = data_bytes / best_recycled / 1e9;
  const double recycled_ratio = dd_seconds / best_recycled;
  std::printf("fcs::read_fcs into recycled arrays (batch): best of %d %.4f s wall (mean %.4f s) = %.2f GB/s "
              "of DATA decoded, %.0f%% of the dd rate\n",
              repeats, best_recycled, total_recycled / repeats, recycled_rate, 100 * recycled_ratio);

  std::printf("load average at the end: %s\n", load_average().c_str());
  std::printf("targets, fresh process: DATA decoded >= 2 GB/s: %s; >= 40%% of dd: %s; "
              "peak RSS <= 1.1x arrays: %s\n",
              decode_rate >= 2.0 ? "met" : "MISSED", ratio >= 0.4 ? "met" : "MISSED",
              peak <= 1.1 * decoded_bytes ? "met" : "MISSED");
  std::printf("targets, batch (recycled arrays): DATA decoded >= 2 GB/s: %s; >= 40%% of dd: %s\n",
              recycled_rate >= 2.0 ? "met" : "MISSED", recycled_ratio >= 0.4 ? "met" : "MISSED");
  return 0;
}
