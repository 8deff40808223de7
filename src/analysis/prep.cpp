#include "analysis/prep.h"

#include <algorithm>
#include <cmath>

#include "autogate/stats.h"
#include "compensation/compensation.h"

namespace mrdflow::analysis {

double Prepared::to_linear(std::size_t c, double y) const {
  auto it = logicle.find(c);
  if (it == logicle.end()) return y;
  return transforms::inverse(transforms::Transform{it->second}, y);
}

namespace {
// Below the library's own parallel threshold (1 << 16), so each block runs serially.
constexpr std::size_t kBlock = 1 << 15;  // events per parallel block (256 KB of doubles)
}

void logicle_in_place(const transforms::Logicle& t, std::span<double> values, int threads) {
  const transforms::PreparedTransform tr{transforms::Transform{t}};
  const auto blocks = static_cast<std::ptrdiff_t>((values.size() + kBlock - 1) / kBlock);
  // Inside this parallel region the library's own bulk apply runs serially per block.
#pragma omp parallel for num_threads(std::max(1, threads)) schedule(static)
  for (std::ptrdiff_t b = 0; b < blocks; ++b) {
    const std::size_t lo = static_cast<std::size_t>(b) * kBlock;
    auto part = values.subspan(lo, std::min(kBlock, values.size() - lo));
    tr.apply(part, part);
  }
}

Prepared prepare_events(fcs::DataSet& data, const ResolvedPanel& panel, int threads, PhaseTimer* timer) {
  Prepared p;
  p.compensation = "none";
  if (auto matrix = compensation::from_fcs(data)) {
    try {
      compensation::Compensator comp(*matrix, data.channels);
      comp.apply(data.events);
      p.compensation = matrix->source;
    } catch (const std::exception& e) {
      p.notes.push_back(std::string("compensation not applied: ") + e.what());
    }
  } else {
    p.notes.push_back("no spillover matrix in the file: data left uncompensated");
  }
  if (timer) timer->mark("compensate");
  const std::size_t n = data.events.events();
  // One fluorescence channel per thread at a time: parameter estimation (a selection over the
  // channel's negatives) and the transform are independent per channel. Notes are collected
  // per channel and merged in channel order, so nothing depends on the thread count.
  const auto& fl = panel.fluorescence;
  std::vector<transforms::Logicle> chosen(fl.size());
  std::vector<std::string> failed(fl.size());
#pragma omp parallel for num_threads(std::max(1, threads)) schedule(dynamic, 1)
  for (std::ptrdiff_t j = 0; j < static_cast<std::ptrdiff_t>(fl.size()); ++j) {
    const auto c = fl[static_cast<std::size_t>(j)];
    auto col = data.events.column(c);
    double top = data.channels[c].max_value > 0 ? data.channels[c].max_value : data.channels[c].range;
    if (!(top > 0)) {
      top = 1;
      for (double v : col) if (std::isfinite(v)) top = std::max(top, v);
    }
    transforms::Logicle t;
    try {
      t = transforms::estimate_logicle(std::span<const double>(col.data(), n), top);
      transforms::validate(transforms::Transform{t});
    } catch (const std::exception& e) {
      t = transforms::Logicle{top, 0.5, 4.5, 0};
      failed[static_cast<std::size_t>(j)] = e.what();
    }
    logicle_in_place(t, col, 1);
    chosen[static_cast<std::size_t>(j)] = t;
  }
  for (std::size_t j = 0; j < fl.size(); ++j) {
    if (!failed[j].empty())
      p.notes.push_back(data.channels[fl[j]].name + ": logicle estimate failed (" + failed[j] + "), default W=0.5");
    p.logicle[fl[j]] = chosen[j];
  }
  if (timer) timer->mark("logicle");
  for (auto opt : {panel.fsc_a, panel.fsc_h, panel.ssc_a, panel.ssc_h}) {
    if (!opt || p.scatter_scale.count(*opt)) continue;
    const auto c = *opt;
    double top = data.channels[c].max_value > 0 ? data.channels[c].max_value : data.channels[c].range;
    if (!(top > 0)) top = autogate::quantile(data.events.column(c), {}, 1.0).value_or(1.0);
    if (!(top > 0)) top = 1;
    for (double& v : data.events.column(c)) v /= top;
    p.scatter_scale[c] = top;
  }
  if (timer) timer->mark("scatter_scale");
  return p;
}

}  // namespace mrdflow::analysis
