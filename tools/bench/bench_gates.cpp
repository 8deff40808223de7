// Gating throughput on a synthetic 12-colour tube (default 5,000,000 events x 12 channels):
//   1. compensation (compensation::Compensator, the team's engine) of all 12 channels,
//   2. logicle (transforms::apply) of the 10 fluorescence channels,
//   3. a gate tree evaluated by gates::GatingStrategy on those values: polygon (FSC/SSC) ->
//      ellipse (CD19/CD10) -> rectangles -> boolean and/or/not, plus a quadrant gate,
//   4. the same tree with compensation-ref + transformation-ref, so the strategy does steps
//      1-2 itself for just the dimensions it needs (the `mrdflow gate` path).
// Prints wall times (best of N) and event-gate tests per second (events x populations / s).
// Plain timing, not Google Benchmark: one figure per stage is what docs/performance.md needs.
//   bench_gates [--events N] [--repeats N]
#include <omp.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>

#include "compensation/compensation.h"
#include "gates/strategy.h"
#include "transforms/transforms.h"

namespace {

using namespace mrdflow;
using Clock = std::chrono::steady_clock;
constexpr std::size_t kChannels = 12;
const char* const kNames[kChannels] = {"FSC-A", "SSC-A", "CD19", "CD10", "CD34", "CD38",
                                       "CD20",  "CD45",  "CD58", "CD81", "CD22", "CD3"};

compensation::SpilloverMatrix spillover() {
  compensation::SpilloverMatrix m;
  m.source = "bench";
  for (std::size_t i = 2; i < kChannels; ++i) {
    m.fluorochromes.push_back(kNames[i]);
    m.detectors.push_back(kNames[i]);
  }
  const std::size_t n = m.detectors.size();
  m.values.assign(n * n, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    m.values[i * n + i] = 1.0;
    if (i + 1 < n) m.values[i * n + i + 1] = 0.15;
    if (i + 2 < n) m.values[i * n + i + 2] = 0.03;
  }
  return m;
}

fcs::DataSet synthetic(std::size_t events) {
  fcs::DataSet data;
  data.file = "synthetic";
  for (const char* name : kNames) {
    fcs::Channel c;
    c.name = name;
    c.range = 262144;
    data.channels.push_back(c);
  }
  data.event_count = events;
  data.events = fcs::EventMatrix(events, kChannels);
#pragma omp parallel
  {
    // Per-thread generators over a static split: deterministic for a given thread count.
    const int t = omp_get_thread_num(), nt = omp_get_num_threads();
    std::mt19937_64 rng(1234 + t);
    std::normal_distribution<double> unit(0, 1);
    std::uniform_real_distribution<double> pick(0, 1);
    const std::size_t begin = events * t / nt, end = events * (t + 1) / nt;
    for (std::size_t e = begin; e < end; ++e) {
      const bool blast = pick(rng) < 0.1, lymph = pick(rng) < 0.4;
      data.events(e, 0) = 60000 + 20000 * unit(rng) + (blast ? 20000 : 0);
      data.events(e, 1) = 30000 + 15000 * unit(rng) + (lymph ? 0 : 40000);
      for (std::size_t c = 2; c < kChannels; ++c) {
        const double level = ((c + (blast ? 1 : 0) + (lymph ? 2 : 0)) % 3 == 0) ? 20000 : 200;
        data.events(e, c) = level * std::exp(0.5 * unit(rng)) + 100 * unit(rng);
      }
    }
  }
  return data;
}

gates::Dimension dim(const std::string& name, const std::string& comp = gates::kUncompensated,
                     const std::string& xform = "") {
  return {gates::Dimension::Kind::kChannel, name, comp, xform};
}

// The tree; `comp`/`xform` empty = the values are already compensated and transformed.
gates::GatingStrategy tree(const std::string& comp, const std::string& xform) {
  gates::GatingStrategy s;
  const std::string c = comp.empty() ? gates::kUncompensated : comp;
  if (!xform.empty()) s.add_transform(xform, transforms::Logicle{262144, 0.5, 4.5, 0});
  if (!comp.empty()) s.add_matrix(comp, spillover());
  s.add_gate({"cells", "", gates::PolygonGate{{dim("FSC-A"), dim("SSC-A")},
                                              {{20000, 5000}, {120000, 5000}, {140000, 60000},
                                               {100000, 110000}, {40000, 90000}, {15000, 40000}}}});
  s.add_gate({"bcells", "cells", gates::EllipsoidGate{{dim("CD19", c, xform), dim("CD10", c, xform)},
                                                      {0.6, 0.55}, {0.02, 0.005, 0.005, 0.03}, 4.0}});
  s.add_gate({"cd34pos", "bcells", gates::RectangleGate{{dim("CD34", c, xform)}, {{0.55, std::nullopt}}}});
  s.add_gate({"cd38dim", "bcells", gates::RectangleGate{{dim("CD38", c, xform), dim("CD45", c, xform)},
                                                        {{std::nullopt, 0.5}, {0.2, 0.9}}}});
  s.add_gate({"cd20", "bcells", gates::PolygonGate{{dim("CD20", c, xform), dim("CD58", c, xform)},
                                                   {{0.1, 0.1}, {0.9, 0.1}, {0.9, 0.5}, {0.5, 0.9}, {0.1, 0.7}}}});
  s.add_gate({"quad", "cells", gates::QuadrantGate{{{"x", dim("CD22", c, xform), {0.5}}, {"y", dim("CD3", c, xform), {0.5}}},
                                                   {{"q_pp", {{"x", 1}, {"y", 1}}}, {"q_pn", {{"x", 1}, {"y", 0}}},
                                                    {"q_np", {{"x", 0}, {"y", 1}}}, {"q_nn", {{"x", 0}, {"y", 0}}}}}});
  s.add_gate({"aberrant", "bcells", gates::BooleanGate{gates::BooleanGate::Op::kAnd,
                                                       {{"cd34pos", false}, {"cd38dim", false}}}});
  s.add_gate({"either", "", gates::BooleanGate{gates::BooleanGate::Op::kOr, {{"aberrant", false}, {"cd20", false}}}});
  s.add_gate({"not_b", "cells", gates::BooleanGate{gates::BooleanGate::Op::kNot, {{"bcells", false}}}});
  return s;
}

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// CPU seconds (all threads) of the fastest wall-clock run of the last best_of call: on a
// shared, loaded machine wall time mostly measures the other jobs; CPU time does not.
double g_cpu = 0;

double best_of(int repeats, const std::function<void()>& f) {
  double best = 1e300;
  for (int r = 0; r < repeats; ++r) {
    const double c0 = cpu_seconds();
    const auto t0 = Clock::now();
    f();
    const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
    if (wall < best) {
      best = wall;
      g_cpu = cpu_seconds() - c0;
    }
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t events = 5'000'000;
  int repeats = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--events")) events = std::strtoull(argv[i + 1], nullptr, 10);
    if (!std::strcmp(argv[i], "--repeats")) repeats = std::max(1, std::atoi(argv[i + 1]));
  }
  std::printf("bench_gates: %zu events x %zu channels, %d OpenMP threads, best of %d\n", events,
              kChannels, omp_get_max_threads(), repeats);
  const fcs::DataSet raw = synthetic(events);

  // 1-2: compensation and logicle with the team's engines, on a copy.
  fcs::DataSet scaled = raw;
  const compensation::Compensator compensator(spillover(), raw.channels);
  const transforms::Transform logicle = transforms::Logicle{262144, 0.5, 4.5, 0};
  const double t_comp = best_of(repeats, [&] {
    scaled.events = raw.events;
    compensator.apply(scaled.events);
  });
  const double t_copy = best_of(repeats, [&] { scaled.events = raw.events; });
  compensator.apply(scaled.events);
  fcs::EventMatrix compensated = scaled.events;
  const double t_logicle = best_of(repeats, [&] {
    for (std::size_t c = 2; c < kChannels; ++c) {
      const auto in = compensated.column(c);
      auto out = scaled.events.column(c);
      constexpr std::size_t kChunk = 1 << 15;
      const std::size_t chunks = (events + kChunk - 1) / kChunk;
#pragma omp parallel for schedule(static)
      for (std::size_t k = 0; k < chunks; ++k) {
        const std::size_t b = k * kChunk, n = std::min(kChunk, events - b);
        transforms::apply(logicle, in.subspan(b, n), out.subspan(b, n));
      }
    }
  });

  // 3: the gate tree alone.
  const gates::GatingStrategy gates_only = tree("", "");
  const std::size_t populations = gates_only.population_ids().size();
  gates::GatingResults result;
  const double t_gates = best_of(repeats, [&] { result = gates_only.evaluate(scaled); });
  const double cpu_gates = g_cpu;
  // 4: everything inside the strategy.
  const gates::GatingStrategy full = tree("spill", "logicle");
  gates::GatingResults full_result;
  const double t_full = best_of(repeats, [&] { full_result = full.evaluate(raw); });
  const double cpu_full = g_cpu;

  const double tests = static_cast<double>(events) * static_cast<double>(populations);
  std::printf("compensation (12x12 spill on 10 channels, incl. %.3f s matrix copy): %.3f s, %.1f M events/s\n",
              t_copy, t_comp, events / t_comp / 1e6);
  std::printf("logicle (10 channels): %.3f s, %.1f M values/s\n", t_logicle,
              events * 10.0 / t_logicle / 1e6);
  std::printf("gate tree (%zu populations: 2 polygon, 1 ellipse, 2 rectangle, 4 quadrants, 3 boolean): "
              "%.3f s wall, %.1f M event-gate tests/s; %.3f CPU-s, %.1f M tests per CPU-second\n",
              populations, t_gates, tests / t_gates / 1e6, cpu_gates, tests / cpu_gates / 1e6);
  std::printf("strategy incl. its own compensation + logicle of the 10 gated dimensions: %.3f s wall, "
              "%.1f M event-gate tests/s; %.3f CPU-s, %.1f M tests per CPU-second\n",
              t_full, tests / t_full / 1e6, cpu_full, tests / cpu_full / 1e6);
  for (const auto& p : result.populations) {
    const auto& q = full_result.at(p.id);
    std::printf("  %-9s parent %-7s %9zu events (%6.2f %% of parent)%s\n", p.id.c_str(),
                p.parent_id.empty() ? "-" : p.parent_id.c_str(), p.count, p.percent_of_parent(),
                q.count == p.count ? "" : "  [differs in full pipeline]");
  }
  return 0;
}
