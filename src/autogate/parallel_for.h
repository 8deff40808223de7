#pragma once
// OpenMP loop on the thread budget, for the autogate sources (compiled with OpenMP; kept out of
// parallel.h, which targets without OpenMP include too).
#include <algorithm>
#include <cstddef>

#include "autogate/parallel.h"

namespace mrdflow::autogate {

// Runs fn(i) for i in [0, n) in an OpenMP loop on the thread budget, when `threaded` and the
// budget allows. Callers give each i work of its own, so the result does not depend on the
// thread count.
template <class Fn>
void parallel_for(std::size_t n, bool threaded, const Fn& fn) {
  const auto count = static_cast<std::ptrdiff_t>(n);
#pragma omp parallel for schedule(dynamic, 1) num_threads(std::max(1, thread_budget())) if (threaded && thread_budget() > 1)
  for (std::ptrdiff_t i = 0; i < count; ++i) fn(static_cast<std::size_t>(i));
}

// Runs fn(begin, end) over [0, n) in blocks of 65,536 events, the blocks on the thread budget
// when there are several: for per-event passes (each event's result its own), which then do not
// depend on the thread count.
template <class Fn>
void for_each_block(std::size_t n, const Fn& fn) {
  constexpr std::size_t kBlock = std::size_t{1} << 16;
  const std::size_t blocks = (n + kBlock - 1) / kBlock;
  parallel_for(blocks, blocks > 1, [&](std::size_t b) { fn(b * kBlock, std::min(n, (b + 1) * kBlock)); });
}

}  // namespace mrdflow::autogate
