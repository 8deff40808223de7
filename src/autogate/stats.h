#pragma once
// Robust one-dimensional statistics used by the gates: quantiles by selection (O(n), no sort),
// median/MAD, smoothed histograms with peak and valley search, binomial confidence intervals.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "autogate/mask.h"

namespace mrdflow::autogate {

// Values of `column` at the members of `mask` (all events when mask is empty), finite only.
std::vector<double> gather(Column column, const Mask& mask);
// The same values in the same order from a population's member indices (ascending, e.g.
// members(mask)): reads only the members, not every event of the sample, so a small reference
// population (T cells, blasts) used for many markers costs its own size per marker.
std::vector<double> gather_at(Column column, std::span<const std::size_t> events);

// q in [0,1]; linear interpolation between order statistics. Empty input -> nullopt.
// Reorders `values` (selection, not a full sort).
std::optional<double> quantile_inplace(std::vector<double>& values, double q);
std::optional<double> quantile_inplace(std::span<double> values, double q);
// Several quantiles of the same values with one shrinking selection each (highest q first):
// the same numbers as separate quantile_inplace calls, at a fraction of the cost.
std::vector<std::optional<double>> quantiles_inplace(std::span<double> values, std::vector<double> qs);
// Reusable buffers of trimmed_mean_of (one per thread), so repeated calls do not allocate.
struct SelectionScratch {
  std::vector<std::uint32_t> counts;
  std::vector<double> picked;
};
// Mean of order statistics floor(trim n) .. n - floor(trim n) - 1 of `values` (all finite),
// without reordering them. Unlike a median it moves smoothly when the mass shifts between two
// modes. Counts values per bucket of their range, sums the buckets wholly inside the kept ranks
// and sorts only the two boundary buckets: a few passes over a time-QC bin, no full selection.
// Empty input -> nullopt.
std::optional<double> trimmed_mean_of(std::span<const double> values, double trim, SelectionScratch& scratch);
// Count and range of some finite values; ranges of parts combine with +=.
struct ValueRange {
  std::size_t n = 0;
  double lo = 0, hi = 0;
  ValueRange& operator+=(const ValueRange& other);
};
ValueRange value_range(std::span<const double> finite_values);
// The same with the values' range already taken (`range` = value_range(values)).
std::optional<double> trimmed_mean_of(std::span<const double> values, double trim, SelectionScratch& scratch,
                                      const ValueRange& range);
// quantiles_inplace(gather(column, mask), qs) without copying the values: `values` must be the
// count and range of exactly those values (e.g. from a pass the caller makes over them anyway).
// Large sets are selected through a histogram in two passes over the column; small ones, and
// ranges no double holds, are gathered and selected.
std::vector<std::optional<double>> quantiles_of(Column column, const Mask& mask, std::vector<double> qs,
                                                const ValueRange& values);
// Exact quantiles of finite values that arrive in parts (e.g. bin by bin), without keeping
// them all: each quantile's order statistics are expected inside a window of values (an
// estimate from a sample, widened), and each part's values below a window are counted and
// those inside collected. quantiles() then gives exactly quantiles_inplace of all the values
// added, or nullopt when an order statistic fell outside its window or a window collected more
// than `max_collected` values (the caller then selects another way).
class WindowedQuantiles {
 public:
  struct Window {
    double lo = 0, hi = 0;  // values in [lo, hi] are collected
  };
  WindowedQuantiles(std::vector<double> qs, std::vector<Window> windows, std::size_t max_collected);
  void add(std::span<const double> finite_values);
  std::optional<std::vector<std::optional<double>>> quantiles();

 private:
  struct Collected {
    Window window;
    std::size_t below = 0;
    std::vector<double> inside;
  };
  std::vector<double> qs_;
  std::vector<Collected> collected_;
  std::size_t max_collected_ = 0, n_ = 0;
  bool overflowed_ = false;
};
std::optional<double> quantile(Column column, const Mask& mask, double q);
std::optional<double> median(Column column, const Mask& mask);
std::optional<double> quantile_at(Column column, std::span<const std::size_t> events, double q);
std::optional<double> median_at(Column column, std::span<const std::size_t> events);

struct MedianMad {
  double median = 0, mad = 0;  // mad scaled by 1.4826 (consistent with the SD under normality)
};
std::optional<MedianMad> median_mad(std::vector<double> values);

// Histogram of the members on [lo, hi) in `bins` equal bins (values outside are clamped out).
struct Histogram {
  double lo = 0, hi = 1;
  std::vector<double> counts;
  double width() const { return (hi - lo) / static_cast<double>(counts.size()); }
  double center(std::size_t b) const { return lo + (static_cast<double>(b) + 0.5) * width(); }
  std::size_t bin_of(double x) const;
};
Histogram histogram(Column column, const Mask& mask, double lo, double hi, std::size_t bins);
Histogram histogram(const std::vector<double>& values, double lo, double hi, std::size_t bins);
// Gaussian kernel smoothing in place, sigma in bins.
void smooth(Histogram& h, double sigma_bins);

// Local maxima whose height is at least `min_fraction` of the global maximum and which stand
// out from the valleys on both sides by `min_prominence` (fraction of their own height).
std::vector<std::size_t> peaks(const Histogram& h, double min_fraction = 0.05,
                               double min_prominence = 0.3);
// Bin of the lowest (smoothed) count strictly between bins a < b.
std::size_t valley_between(const Histogram& h, std::size_t a, std::size_t b);

// Split of a bimodal distribution: the deepest valley between the two highest prominent peaks,
// as a data value. nullopt when the distribution is not bimodal.
std::optional<double> bimodal_split(const std::vector<double>& values, std::size_t bins = 256,
                                    double sigma_bins = 2.0);

// Upper limit of a population's own negative spread, for a population whose mode is negative:
// the mode (peak of a smoothed histogram) plus the distance from the mode down to the lower
// (1 - q) tail of the events below it, mirrored. Below its mode a negative population holds only
// spread (nothing is "less than negative"), so the mirrored limit is where the same spread ends
// above the mode, whatever widened it (spillover spreading from the blasts' own bright markers).
// nullopt with fewer than 40 events below the mode.
struct MirroredLimit {
  double mode = 0, limit = 0;
};
std::optional<MirroredLimit> mirrored_upper_limit(std::vector<double> values, double q);

// Wilson score 95% interval for k successes of n, in percent (0-100). n == 0 -> {0, 100}.
std::pair<double, double> wilson95_percent(std::size_t k, std::size_t n);

}  // namespace mrdflow::autogate
