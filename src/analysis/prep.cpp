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

void logicle_in_place(const transforms::Logicle& t, std::span<double> values, int threads) {
  const transforms::Transform tr{t};
  constexpr int kPoints = 8192;
  const double y_lo = -0.3, y_hi = 1.1;
  std::vector<double> xs(kPoints), ys(kPoints);
  for (int i = 0; i < kPoints; ++i) {
    ys[i] = y_lo + (y_hi - y_lo) * i / (kPoints - 1);
    xs[i] = transforms::inverse(tr, ys[i]);
  }
  const std::ptrdiff_t n = static_cast<std::ptrdiff_t>(values.size());
#pragma omp parallel for num_threads(std::max(1, threads)) schedule(static)
  for (std::ptrdiff_t i = 0; i < n; ++i) {
    const double x = values[i];
    if (!(x > xs.front() && x < xs.back())) {
      values[i] = std::isfinite(x) ? transforms::apply(tr, x) : x;
      continue;
    }
    const auto it = std::upper_bound(xs.begin(), xs.end(), x);
    const std::size_t hi = static_cast<std::size_t>(it - xs.begin()), lo = hi - 1;
    const double f = (x - xs[lo]) / (xs[hi] - xs[lo]);
    values[i] = ys[lo] + f * (ys[hi] - ys[lo]);
  }
}

Prepared prepare_events(fcs::DataSet& data, const ResolvedPanel& panel, int threads) {
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
  const std::size_t n = data.events.events();
  for (auto c : panel.fluorescence) {
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
      p.notes.push_back(data.channels[c].name + ": logicle estimate failed (" + e.what() + "), default W=0.5");
    }
    logicle_in_place(t, col, threads);
    p.logicle[c] = t;
  }
  for (auto opt : {panel.fsc_a, panel.fsc_h, panel.ssc_a, panel.ssc_h}) {
    if (!opt || p.scatter_scale.count(*opt)) continue;
    const auto c = *opt;
    double top = data.channels[c].max_value > 0 ? data.channels[c].max_value : data.channels[c].range;
    if (!(top > 0)) top = autogate::quantile(data.events.column(c), {}, 1.0).value_or(1.0);
    if (!(top > 0)) top = 1;
    for (double& v : data.events.column(c)) v /= top;
    p.scatter_scale[c] = top;
  }
  return p;
}

}  // namespace mrdflow::analysis
