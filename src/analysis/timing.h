#pragma once
// Developer phase timing for analyze_sample: with MRDFLOW_TIMING=1 in the environment, one line
// per sample goes to stderr listing wall seconds per phase with the process CPU seconds spent
// in it (all threads; on a busy machine CPU time is the steadier figure), e.g.
//   [timing] s1m.fcs total=0.812 cpu=1.41 | sha256=0.031/0.030 read=0.102/0.180 ...
// Off by default and never part of the JSON report (only run.seconds is).
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace mrdflow::analysis {

class PhaseTimer {
 public:
  explicit PhaseTimer(std::string label) : label_(std::move(label)) {
    const char* env = std::getenv("MRDFLOW_TIMING");
    enabled_ = env && *env && std::string(env) != "0";
    start_ = last_ = Clock::now();
    cpu_start_ = last_cpu_ = cpu_seconds();
  }
  PhaseTimer(const PhaseTimer&) = delete;
  PhaseTimer& operator=(const PhaseTimer&) = delete;
  ~PhaseTimer() {
    if (!enabled_) return;
    std::string line = "[timing] " + label_ + " total=" + fmt(seconds(start_, Clock::now())) +
                       " cpu=" + fmt(cpu_seconds() - cpu_start_) + " |";
    for (const auto& p : phases_) line += " " + p.name + "=" + fmt(p.wall) + "/" + fmt(p.cpu);
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  // Closes the phase that began at the previous mark (or construction).
  void mark(const std::string& phase) {
    if (!enabled_) return;
    const auto now = Clock::now();
    const double cpu = cpu_seconds();
    phases_.push_back({phase, seconds(last_, now), cpu - last_cpu_});
    last_ = now;
    last_cpu_ = cpu;
  }

 private:
  using Clock = std::chrono::steady_clock;
  static double seconds(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
  }
  static double cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
  }
  static std::string fmt(double s) {
    char b[32];
    std::snprintf(b, sizeof b, "%.3f", s);
    return b;
  }
  std::string label_;
  bool enabled_ = false;
  Clock::time_point start_, last_;
  double cpu_start_ = 0, last_cpu_ = 0;
  struct Phase {
    std::string name;
    double wall = 0, cpu = 0;
  };
  std::vector<Phase> phases_;
};

}  // namespace mrdflow::analysis
