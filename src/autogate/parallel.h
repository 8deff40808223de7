#pragma once
// Thread budget of the autogate methods. The pipeline sets it for the sample being analysed
// (AnalyzeOptions::threads) with a ThreadBudget on the calling thread; the methods read it
// before opening their OpenMP regions. Every parallel loop splits work so that results do not
// depend on the number of threads (per-event or per-channel work, reductions in fixed order).
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

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

// Runs fn(i, worker) for every i in [0, n) on up to `threads` workers (the calling thread is
// worker 0, helpers 1..threads-1), handing out indices one at a time; `worker` indexes per-worker
// scratch. For short loops repeated many times (EM iterations): waiting for the helpers is a
// join, which sleeps, where an OpenMP barrier spins and burns the other core when a helper has
// been descheduled by another process. fn must do work of its own per index, so that results
// do not depend on the thread count.
template <class Fn>
void for_each_index(std::size_t n, int threads, const Fn& fn) {
  const std::size_t workers = std::min<std::size_t>(n, static_cast<std::size_t>(std::max(1, threads)));
  if (workers <= 1) {
    for (std::size_t i = 0; i < n; ++i) fn(i, std::size_t{0});
    return;
  }
  std::atomic<std::size_t> next{0};
  auto work = [&](std::size_t worker) {
    for (std::size_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < n;) fn(i, worker);
  };
  std::vector<std::jthread> helpers;
  helpers.reserve(workers - 1);
  for (std::size_t w = 1; w < workers; ++w) helpers.emplace_back(work, w);
  work(0);
}  // the helpers join here

}  // namespace mrdflow::autogate
