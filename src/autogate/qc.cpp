#include "autogate/qc.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "autogate/parallel.h"
#include "autogate/stats.h"

namespace mrdflow::autogate {
namespace {

// Robust z-scores of a per-bin statistic; bins with too few events carry NaN and are skipped.
std::vector<bool> outlying(const std::vector<double>& stat, double limit, double mad_floor) {
  std::vector<double> finite;
  for (double v : stat)
    if (std::isfinite(v)) finite.push_back(v);
  std::vector<bool> out(stat.size(), false);
  auto mm = median_mad(finite);
  if (!mm) return out;
  const double mad = std::max(mm->mad, mad_floor);
  for (std::size_t b = 0; b < stat.size(); ++b)
    if (std::isfinite(stat[b]) && std::abs(stat[b] - mm->median) > limit * mad) out[b] = true;
  return out;
}

// Windows expected to hold a channel's 95th and 5th percentiles (of its finite values among
// the n events of `in`): the 94th-96th and 4th-6th percentiles of a strided sample of about
// 10,000 values, i.e. about 4.5 sampling SDs of the rank either way (at least 1 point of
// percentile). Too small a sample gives no windows, and the quantiles come from the full passes.
WindowedQuantiles central_windows(Column sig, const Mask& in, std::size_t n) {
  const std::vector<double> qs{0.95, 0.05};
  std::vector<double> sample;
  const std::size_t stride = std::max<std::size_t>(1, sig.size() / 10000);
  for (std::size_t i = 0; i < sig.size() && i < in.size(); i += stride)
    if (in[i] && std::isfinite(sig[i])) sample.push_back(sig[i]);
  if (sample.size() < 2000) return {qs, {}, 0};
  const double margin = std::max(0.01, 4.5 * std::sqrt(0.95 * 0.05 / static_cast<double>(sample.size())));
  const auto e = quantiles_inplace(sample, {0.95 + margin, 0.95 - margin, 0.05 + margin, 0.05 - margin});
  return {qs, {{*e[1], *e[0]}, {*e[3], *e[2]}}, n / 4 + 1024};
}

}  // namespace

TimeQcResult time_qc(Column time, const std::vector<Column>& signals,
                     const std::vector<std::string>& names, const Mask& in,
                     const TimeQcOptions& opt) {
  TimeQcResult r;
  r.keep = in;
  const std::size_t n = count(in);
  // A corrupt timestamp far outside the acquisition (the time channel is read untruncated)
  // would stretch the equal-time bins until one held every event and nothing could be judged.
  // Times beyond the central 99.8% of a strided sample by more than that whole span are such
  // glitches: left out of the bin range (their events fall into the end bins) and reported.
  double lo = -INFINITY, hi = INFINITY;
  {
    std::vector<double> sample;
    const std::size_t stride = std::max<std::size_t>(1, time.size() / 10000);
    for (std::size_t i = 0; i < time.size(); i += stride)
      if (in[i] && std::isfinite(time[i])) sample.push_back(time[i]);
    const auto q = quantiles_inplace(sample, {0.001, 0.999});
    if (q[0] && q[1] && *q[1] > *q[0]) {
      lo = *q[0] - (*q[1] - *q[0]);
      hi = *q[1] + (*q[1] - *q[0]);
    }
  }
  double tmin = INFINITY, tmax = -INFINITY;
  std::size_t glitches = 0;
  for (std::size_t i = 0; i < time.size(); ++i) {
    if (!in[i] || !std::isfinite(time[i])) continue;
    if (time[i] < lo || time[i] > hi) { ++glitches; continue; }
    tmin = std::min(tmin, time[i]);
    tmax = std::max(tmax, time[i]);
  }
  if (glitches > 0)
    r.flags.push_back(std::to_string(glitches) + " timestamps far outside the acquisition (left out of the time bins)");
  if (n < 2 * opt.min_events_per_bin || !(tmax > tmin)) {
    r.flags.push_back("time QC skipped: too few events or no time span");
    return r;
  }
  // Equal-time bins, so a flow-rate change shows as a change of events per bin.
  std::size_t bins = std::clamp<std::size_t>(n / opt.target_events_per_bin, 10, opt.max_bins);
  const double width = (tmax - tmin) / static_cast<double>(bins);
  std::vector<std::uint32_t> bin_of(time.size(), 0);
  std::vector<std::size_t> counts(bins, 0);
  for (std::size_t i = 0; i < time.size(); ++i) {
    if (!in[i]) continue;
    const double f = std::isfinite(time[i]) ? (time[i] - tmin) / width : 0.0;
    const auto b = std::min(bins - 1, static_cast<std::size_t>(std::max(0.0, f)));
    bin_of[i] = static_cast<std::uint32_t>(b);
    ++counts[b];
  }
  r.bins = bins;
  std::vector<bool> bad(bins, false);
  // Flow rate: events per bin; Poisson noise sets the floor of the spread.
  {
    // Empty bins are pauses (a clog, a stopped acquisition): they hold no events to remove and
    // must not set the reference rate, or a long pause would make every acquiring bin an outlier.
    std::vector<double> stat(bins, NAN), c;
    for (std::size_t b = 0; b < bins; ++b)
      if (counts[b] > 0) {
        stat[b] = static_cast<double>(counts[b]);
        c.push_back(stat[b]);
      }
    const double med = quantile_inplace(c, 0.5).value_or(0);
    auto o = outlying(stat, opt.mad_limit, std::sqrt(std::max(med, 1.0)));
    for (std::size_t b = 0; b < bins; ++b)
      if (o[b] && counts[b] > 0) { bad[b] = true; ++r.rate_bins_removed; }
  }
  // Signal stability: per-bin 10%-trimmed mean of each channel. Not the median: on a channel
  // with two populations of about equal size (CD24 on B lineage and granulocytes) the median
  // jumps between the two modes from bin to bin with sampling noise alone, and those jumps read
  // as signal shifts (mrd-0.01/262: 89 bins of a run without an anomaly, 18% of its cells,
  // removed). The trimmed mean moves smoothly with the mix and still follows a real shift.
  // Events are ordered by bin once (counting sort, acquisition order within a bin); each
  // channel then fills one contiguous buffer bin by bin, whose trimmed means are taken by
  // bucket counting (trimmed_mean_of: a few passes in cache, no selection). Channels run in
  // parallel; their findings are merged in channel order, so nothing depends on the thread
  // count.
  std::vector<std::size_t> start(bins + 1, 0);
  for (std::size_t b = 0; b < bins; ++b) start[b + 1] = start[b] + counts[b];
  std::vector<std::uint32_t> order(start[bins]);
  {
    std::vector<std::size_t> next(start.begin(), start.end() - 1);
    for (std::size_t i = 0; i < time.size(); ++i)
      if (in[i]) order[next[bin_of[i]]++] = static_cast<std::uint32_t>(i);
  }
  std::vector<std::vector<bool>> signal_outlying(signals.size());
  const std::ptrdiff_t n_signals = static_cast<std::ptrdiff_t>(signals.size());
#pragma omp parallel num_threads(std::max(1, thread_budget()))
  {
    std::vector<double> bin_values;
    SelectionScratch selection;
#pragma omp for schedule(dynamic, 1)
    for (std::ptrdiff_t si = 0; si < n_signals; ++si) {
      const Column sig = signals[static_cast<std::size_t>(si)];
      // Bin by bin: its values gathered into a small buffer that stays in cache while its
      // trimmed mean is taken (the whole channel gathered first was written to memory and read
      // back; on this 2-core VM the channel loop is bound by memory traffic).
      std::vector<double> stat(bins, NAN);
      ValueRange finite;
      // Floor of the spread below: the channel's exact 95th and 5th percentiles. The values near
      // them are collected during this pass (windows from a strided sample), which spares two
      // more passes over the whole channel; a window that misses falls back to those passes.
      WindowedQuantiles central = central_windows(sig, in, n);
      for (std::size_t b = 0; b < bins; ++b) {
        bin_values.clear();
        for (std::size_t j = start[b]; j < start[b + 1]; ++j) {
          const double x = sig[order[j]];
          if (std::isfinite(x)) bin_values.push_back(x);
        }
        const ValueRange range = value_range(bin_values);
        finite += range;
        central.add(bin_values);
        if (bin_values.size() >= opt.min_events_per_bin)
          stat[b] = *trimmed_mean_of(bin_values, 0.1, selection, range);
      }
      // Floor: 1% of the channel's central spread, so quantised or constant channels do not
      // turn sampling noise into outliers.
      auto windowed = central.quantiles();
      const auto q = windowed ? *windowed : quantiles_of(sig, in, {0.95, 0.05}, finite);
      const double spread = q[0].value_or(0) - q[1].value_or(0);
      signal_outlying[static_cast<std::size_t>(si)] = outlying(stat, opt.mad_limit, std::max(0.01 * spread, 1e-12));
    }
  }
  for (std::size_t s = 0; s < signals.size(); ++s) {
    const auto& o = signal_outlying[s];
    std::size_t hits = 0;
    for (std::size_t b = 0; b < bins; ++b)
      if (o[b]) { if (!bad[b]) ++r.signal_bins_removed; bad[b] = true; ++hits; }
    if (hits > 0 && s < names.size())
      r.flags.push_back("signal shift in " + names[s] + ": " + std::to_string(hits) + " time bins");
  }
  std::size_t removed = 0;
  for (std::size_t i = 0; i < time.size(); ++i)
    if (in[i] && bad[bin_of[i]]) { r.keep[i] = 0; ++removed; }
  for (std::size_t b = 0; b < bins; ++b) r.bins_removed += bad[b];
  if (r.rate_bins_removed > 0)
    r.flags.push_back("flow rate anomaly: " + std::to_string(r.rate_bins_removed) + " of " +
                      std::to_string(bins) + " time bins");
  if (removed > 0) r.flags.push_back("time QC removed " + std::to_string(removed) + " events");
  return r;
}

Mask margin_events(const std::vector<Column>& channels, const std::vector<double>& top,
                   const Mask& in) {
  Mask out(in.size(), 0);
  for (std::size_t c = 0; c < channels.size(); ++c) {
    if (!(top[c] > 0)) continue;
    const double limit = top[c] * (1 - 1e-9);
    const auto col = channels[c];
    for (std::size_t i = 0; i < col.size(); ++i) out[i] |= static_cast<std::uint8_t>(in[i] && col[i] >= limit);
  }
  return out;
}

}  // namespace mrdflow::autogate
