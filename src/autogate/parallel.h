#pragma once
// Thread budget of the autogate methods. The pipeline sets it for the sample being analysed
// (AnalyzeOptions::threads) with a ThreadBudget on the calling thread; the methods read it
// before opening their OpenMP regions. Every parallel loop splits work so that results do not
// depend on the number of threads (per-event or per-channel work, reductions in fixed order).
#include <algorithm>

namespace mrdflow::autogate {

inline int& thread_budget() {
  thread_local int threads = 1;
  return threads;
}

// Scoped setting of the calling thread's budget (restored on exit).
class ThreadBudget {
 public:
  explicit ThreadBudget(int threads) : previous_(thread_budget()) { thread_budget() = std::max(1, threads); }
  ~ThreadBudget() { thread_budget() = previous_; }
  ThreadBudget(const ThreadBudget&) = delete;
  ThreadBudget& operator=(const ThreadBudget&) = delete;

 private:
  int previous_;
};

}  // namespace mrdflow::autogate
