// Compensation + logicle throughput on a synthetic 12-colour tube: 5 million events, realistic
// ranges (a negative/dim population spread around zero by compensation, positive populations
// up to ~2e5, a few saturated events). Figures: values/s (items_per_second) with real time.
//
//   build-XX/tools/bench/bench_transforms [--benchmark_filter=...]
//   MRDFLOW_BENCH_EVENTS=1000000 to use fewer events.
#include <benchmark/benchmark.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "compensation/compensation.h"
#include "transforms/transforms.h"

namespace {

using namespace mrdflow;
constexpr std::size_t kChannels = 12;

std::size_t event_count() {
  if (const char* env = std::getenv("MRDFLOW_BENCH_EVENTS")) return std::strtoull(env, nullptr, 10);
  return 5'000'000;
}

// A plausible 12-colour spillover: diagonal 1, spill to the next detectors decaying 0.25..0.01.
compensation::SpilloverMatrix spillover() {
  compensation::SpilloverMatrix m;
  m.source = "synthetic";
  for (std::size_t i = 0; i < kChannels; ++i) m.detectors.push_back("FL" + std::to_string(i + 1) + "-A");
  m.fluorochromes = m.detectors;
  m.values.assign(kChannels * kChannels, 0.0);
  for (std::size_t r = 0; r < kChannels; ++r)
    for (std::size_t c = 0; c < kChannels; ++c) {
      const int gap = int(c) - int(r);
      m.values[r * kChannels + c] = gap == 0 ? 1.0 : gap > 0 ? 0.25 / (gap * gap) : 0.02 / (gap * gap);
    }
  return m;
}

// The spillover's inverse written as a "spillover": compensating with it re-applies the
// spillover, so benchmark iterations can alternate between the two without drifting.
compensation::SpilloverMatrix respill(const compensation::SpilloverMatrix& s, const std::vector<fcs::Channel>& ch) {
  fcs::EventMatrix unit(kChannels, kChannels);
  for (std::size_t r = 0; r < kChannels; ++r)
    for (std::size_t c = 0; c < kChannels; ++c) unit(r, c) = r == c ? 1.0 : 0.0;
  compensation::Compensator(s, ch).apply(unit);  // rows of unit become rows of inv(S)
  compensation::SpilloverMatrix inv = s;
  inv.source = "synthetic-inverse";
  for (std::size_t r = 0; r < kChannels; ++r)
    for (std::size_t c = 0; c < kChannels; ++c) inv.values[r * kChannels + c] = unit(r, c);
  return inv;
}

struct Tube {
  std::vector<fcs::Channel> channels;
  compensation::SpilloverMatrix matrix;
  fcs::EventMatrix observed;  // uncompensated
  fcs::EventMatrix compensated;
};

const Tube& tube() {
  static const Tube t = [] {
    Tube t;
    t.matrix = spillover();
    for (const auto& name : t.matrix.detectors) {
      fcs::Channel c;
      c.name = name;
      c.range = 262144;
      t.channels.push_back(c);
    }
    const std::size_t n = event_count();
    fcs::EventMatrix truth(n, kChannels);
    std::mt19937_64 rng(2024);
    std::normal_distribution<double> noise(0, 1);
    std::uniform_real_distribution<double> unit(0, 1);
    for (std::size_t c = 0; c < kChannels; ++c) {
      double* col = truth.column(c).data();
      for (std::size_t e = 0; e < n; ++e) {
        const double u = unit(rng);
        if (u < 0.55) col[e] = 150 * noise(rng);                              // negative population
        else if (u < 0.85) col[e] = std::exp(7.5 + 0.6 * noise(rng));         // dim ~1.8e3
        else if (u < 0.999) col[e] = std::exp(10.5 + 0.5 * noise(rng));       // bright ~3.6e4
        else col[e] = 262143;                                                 // saturated
      }
    }
    t.observed = fcs::EventMatrix(n, kChannels);
    // observed = truth * S (detector j collects sum_k truth_k S(k, j)).
    for (std::size_t j = 0; j < kChannels; ++j) {
      double* out = t.observed.column(j).data();
      for (std::size_t e = 0; e < n; ++e) out[e] = 0;
      for (std::size_t k = 0; k < kChannels; ++k) {
        const double s = t.matrix.values[k * kChannels + j];
        const double* in = truth.column(k).data();
        for (std::size_t e = 0; e < n; ++e) out[e] += in[e] * s;
      }
    }
    t.compensated = t.observed;
    compensation::Compensator(t.matrix, t.channels).apply(t.compensated);
    return t;
  }();
  return t;
}

void set_threads(benchmark::State& state) { omp_set_num_threads(static_cast<int>(state.range(0))); }

void BM_Compensate12(benchmark::State& state) {
  set_threads(state);
  const Tube& t = tube();
  fcs::EventMatrix work = t.observed;
  const compensation::Compensator comp(t.matrix, t.channels);
  const compensation::Compensator back(respill(t.matrix, t.channels), t.channels);
  bool forward = true;
  for (auto _ : state) {
    (forward ? comp : back).apply(work);
    forward = !forward;
    benchmark::DoNotOptimize(work.values().data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(work.events()));
  state.counters["values/s"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * double(work.events() * kChannels), benchmark::Counter::kIsRate);
}

void BM_Logicle12(benchmark::State& state) {
  set_threads(state);
  const Tube& t = tube();
  fcs::EventMatrix out(t.compensated.events(), kChannels);
  std::fill(out.values().begin(), out.values().end(), 0.0);  // fault the pages in before timing
  const transforms::PreparedTransform logicle(transforms::Logicle{262144, 0.5, 4.5, 0});
  for (auto _ : state) {
    for (std::size_t c = 0; c < kChannels; ++c) logicle.apply(t.compensated.column(c), out.column(c));
    benchmark::DoNotOptimize(out.values().data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(out.values().size()));
}

// The same through the exact root finder (what a table-free implementation costs); on 1/10
// of the events to keep the run short.
void BM_LogicleExactSolver(benchmark::State& state) {
  const Tube& t = tube();
  const auto in = t.compensated.column(0).subspan(0, t.compensated.events() / 10);
  std::vector<double> out(in.size());
  const transforms::PreparedTransform logicle(transforms::Logicle{262144, 0.5, 4.5, 0});
  for (auto _ : state) {
    for (std::size_t i = 0; i < in.size(); ++i) out[i] = logicle.apply(in[i]);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(in.size()));
}

void BM_CompensateThenLogicle12(benchmark::State& state) {
  set_threads(state);
  const Tube& t = tube();
  fcs::EventMatrix work(t.observed.events(), kChannels);
  const compensation::Compensator comp(t.matrix, t.channels);
  const transforms::PreparedTransform logicle(transforms::Logicle{262144, 0.5, 4.5, 0});
  for (auto _ : state) {
    state.PauseTiming();
    std::copy(t.observed.values().begin(), t.observed.values().end(), work.values().begin());
    state.ResumeTiming();
    comp.apply(work);
    for (std::size_t c = 0; c < kChannels; ++c) logicle.apply(work.column(c), work.column(c));
    benchmark::DoNotOptimize(work.values().data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(work.values().size()));
}

BENCHMARK(BM_Compensate12)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond)->MinTime(2);
BENCHMARK(BM_Logicle12)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond)->MinTime(2);
BENCHMARK(BM_LogicleExactSolver)->UseRealTime()->Unit(benchmark::kMillisecond)->MinTime(1);
BENCHMARK(BM_CompensateThenLogicle12)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond)->MinTime(2);

}  // namespace

BENCHMARK_MAIN();
