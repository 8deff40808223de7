// `mrdflow analyze` end-to-end benchmark (whole-process timing; prints figures, not a test).
//
// Generates once (in /tmp/mrdflow-bench-analyze) a 1,000,000-event 10-colour MRD tube with
// mrdflow-synth, then times:
//   1. `mrdflow analyze` on that one file (--threads 1 and --threads 2), best and median of N;
//   2. a batch of 20 such samples (hard links of the one file under 20 names: same work per
//      sample, no 1.2 GB of copies) with --threads 1 vs --threads 2, and the speed-up.
// Wall time and the child's CPU time (user + system) are printed with the load average, since
// the machine may be shared.
//   bench_analyze [--repeats N] [--batch N] [--mrdflow PATH] [--synth PATH] [--work DIR]
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace {

namespace fs = std::filesystem;

struct Timing {
  double wall = 0, cpu = 0;
  int exit_code = -1;
};

// Runs argv as a child process (stdout/stderr to `log`), returning wall and CPU seconds.
Timing run(const std::vector<std::string>& args, const fs::path& log) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  Timing t;
  const auto start = std::chrono::steady_clock::now();
  pid_t pid = 0;
  if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) {
    posix_spawn_file_actions_destroy(&actions);
    return t;
  }
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  t.wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  t.cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
          static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6;
  t.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  posix_spawn_file_actions_destroy(&actions);
  return t;
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown CPU";
}

struct Stats {
  double best_wall, median_wall, median_cpu;
};

Stats summarise(std::vector<Timing> runs) {
  std::sort(runs.begin(), runs.end(), [](const Timing& a, const Timing& b) { return a.wall < b.wall; });
  return {runs.front().wall, runs[runs.size() / 2].wall, runs[runs.size() / 2].cpu};
}

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "bench_analyze: %s\n", what.c_str());
  std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  const fs::path tools = fs::read_symlink("/proc/self/exe").parent_path().parent_path();
  fs::path mrdflow = tools / "mrdflow", synth = tools / "synth" / "mrdflow-synth";
  fs::path work = "/tmp/mrdflow-bench-analyze";
  int repeats = 5, batch = 20;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--repeats") repeats = std::max(1, std::atoi(v.c_str()));
    else if (k == "--batch") batch = std::max(1, std::atoi(v.c_str()));
    else if (k == "--mrdflow") mrdflow = v;
    else if (k == "--synth") synth = v;
    else if (k == "--work") work = v;
    else die("unknown option " + k);
  }
  if (!fs::exists(mrdflow)) die("mrdflow not found at " + mrdflow.string() + " (build target mrdflow)");
  fs::create_directories(work);
  const fs::path sample = work / "mrd-1M.fcs";
  if (!fs::exists(sample)) {
    if (!fs::exists(synth)) die("mrdflow-synth not found at " + synth.string() + " (build target mrdflow-synth)");
    const auto g = run({synth.string(), "--scenario", "mrd-0.01", "--events", "1000000", "--seed", "7",
                        "--anomaly", "no", "--out", sample.string()},
                       work / "synth.log");
    if (g.exit_code != 0) die("mrdflow-synth failed; see " + (work / "synth.log").string());
    std::printf("generated %s (1,000,000 events, 10 colours) in %.2f s\n", sample.c_str(), g.wall);
  }
  const auto size_mb = static_cast<double>(fs::file_size(sample)) / 1e6;

  std::printf("machine: %s, %u hardware threads; load average %s\n", cpu_model().c_str(),
              std::thread::hardware_concurrency(), load_average().c_str());
  std::printf("sample: %s (%.1f MB)\n\n", sample.c_str(), size_mb);

  // Warm the page cache and check the run works.
  const fs::path out1 = work / "report-single";
  const auto warm = run({mrdflow.string(), "analyze", "--threads", "1", "--out", out1.string(), sample.string()},
                        work / "analyze.log");
  if (warm.exit_code != 0) die("mrdflow analyze failed (exit " + std::to_string(warm.exit_code) + "); see " +
                               (work / "analyze.log").string());

  std::printf("1. one 1M-event sample, `mrdflow analyze` end to end (%d runs)\n", repeats);
  for (const int threads : {1, 2}) {
    std::vector<Timing> runs;
    for (int r = 0; r < repeats; ++r)
      runs.push_back(run({mrdflow.string(), "analyze", "--threads", std::to_string(threads), "--out", out1.string(),
                          sample.string()},
                         work / "analyze.log"));
    const auto s = summarise(runs);
    std::printf("   --threads %d: best %.3f s, median %.3f s wall; median CPU %.3f s  (%.1f M events/s)\n", threads,
                s.best_wall, s.median_wall, s.median_cpu, 1.0 / s.best_wall);
  }

  // Batch: hard links of the same file (distinct paths, so each is analysed and reported).
  const fs::path batch_dir = work / "batch";
  fs::remove_all(batch_dir);
  fs::create_directories(batch_dir);
  for (int i = 0; i < batch; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "S%02d.fcs", i + 1);
    std::error_code ec;
    fs::create_hard_link(sample, batch_dir / name, ec);
    if (ec) fs::copy_file(sample, batch_dir / name);
  }
  std::printf("\n2. batch of %d samples of 1M events (%d runs each)\n", batch, std::max(1, repeats / 2));
  double wall[3] = {0, 0, 0};
  for (const int threads : {1, 2}) {
    std::vector<Timing> runs;
    for (int r = 0; r < std::max(1, repeats / 2); ++r) {
      const fs::path out = work / ("report-batch-t" + std::to_string(threads));
      runs.push_back(run({mrdflow.string(), "analyze", "--threads", std::to_string(threads), "--out", out.string(),
                          batch_dir.string()},
                         work / "batch.log"));
      if (runs.back().exit_code != 0) die("batch run failed; see " + (work / "batch.log").string());
    }
    const auto s = summarise(runs);
    wall[threads] = s.best_wall;
    std::printf("   --threads %d: best %.2f s, median %.2f s wall (%.3f s/sample); median CPU %.2f s\n", threads,
                s.best_wall, s.median_wall, s.best_wall / batch, s.median_cpu);
  }
  std::printf("   speed-up 2 threads vs 1: %.2fx (ideal 2.00x on 2 idle cores)\n", wall[1] / wall[2]);
  std::printf("\nload average after: %s\n", load_average().c_str());
  return 0;
}
