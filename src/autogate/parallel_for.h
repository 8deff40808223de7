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

}  // namespace mrdflow::autogate
