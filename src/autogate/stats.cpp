#include "autogate/stats.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

namespace mrdflow::autogate {

std::vector<std::size_t> subsample(const Mask& m, std::size_t limit) {
  const std::size_t total = count(m);
  if (total <= limit || limit == 0) return members(m);
  std::vector<std::size_t> out;
  out.reserve(limit);
  // Evenly strided in acquisition order: deterministic and spread over the whole run. The
  // member of rank floor(i * step) is taken for i = 0 .. limit-1 (step > 1, so the ranks rise
  // strictly), in one pass without listing every member first.
  const double step = static_cast<double>(total) / static_cast<double>(limit);
  std::size_t rank = 0, next = 0;
  for (std::size_t e = 0; e < m.size() && out.size() < limit; ++e) {
    if (!m[e]) continue;
    if (rank == next) {
      out.push_back(e);
      next = static_cast<std::size_t>(static_cast<double>(out.size()) * step);
    }
    ++rank;
  }
  return out;
}

std::vector<double> gather(Column column, const Mask& mask) {
  std::vector<double> v;
  if (mask.empty()) {
    v.reserve(column.size());
    for (double x : column)
      if (std::isfinite(x)) v.push_back(x);
    return v;
  }
  // Branch-free compaction (masks are often near half full, where branches mispredict): every
  // value is written, the write position advances only for members with finite values.
  const std::size_t n = std::min(column.size(), mask.size());
  v.resize(count(mask) + 1);
  std::size_t j = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double x = column[i];
    v[j] = x;
    j += static_cast<std::size_t>((mask[i] != 0) & std::isfinite(x));
  }
  v.resize(j);
  return v;
}

std::vector<double> gather_at(Column column, std::span<const std::size_t> events) {
  std::vector<double> v(events.size());
  std::size_t j = 0;
  for (const std::size_t i : events) {
    const double x = i < column.size() ? column[i] : NAN;
    v[j] = x;
    j += static_cast<std::size_t>(std::isfinite(x));
  }
  v.resize(j);
  return v;
}

namespace {

constexpr std::size_t kLargeSelection = 1 << 16;  // above this, select through a histogram
// Two doubles as one value (an SSE2 register), for the scans below.
typedef double Lanes2 __attribute__((vector_size(16)));
typedef long long Flags2 __attribute__((vector_size(16)));  // comparison lanes: 0 or -1

// Smallest and largest of finite values (v not empty), in four independent min/max chains: a
// single chain waits on each comparison, and this pass opened every histogram selection. The
// chains are two 2-double vectors (SSE2 registers; as an array they lived on the stack, each
// step a store and a reload); chain l still takes values l, l + 4, ... and the chains combine
// in the same tree.
std::pair<double, double> range_of(std::span<const double> v) {
  Lanes2 lo01 = {v[0], v[0]}, lo23 = lo01, hi01 = lo01, hi23 = lo01;
  const std::size_t n = v.size();
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    Lanes2 x01, x23;
    std::memcpy(&x01, &v[i], sizeof x01);
    std::memcpy(&x23, &v[i + 2], sizeof x23);
    lo01 = x01 < lo01 ? x01 : lo01;  // std::min(lo, x), lane by lane
    lo23 = x23 < lo23 ? x23 : lo23;
    hi01 = hi01 < x01 ? x01 : hi01;  // std::max(hi, x)
    hi23 = hi23 < x23 ? x23 : hi23;
  }
  for (; i < n; ++i) {
    lo01[0] = std::min(lo01[0], v[i]);
    hi01[0] = std::max(hi01[0], v[i]);
  }
  return {std::min(std::min(lo01[0], lo01[1]), std::min(lo23[0], lo23[1])),
          std::max(std::max(hi01[0], hi01[1]), std::max(hi23[0], hi23[1]))};
}

// Exact quantiles (same definition and numbers as the selection below) of n finite values in
// [lo, hi] (lo < hi, hi - lo finite), visited as often as needed by visit(fn) calling fn(x) for
// each, without reordering or copying them: one pass counting the values per bin of a 4096-bin
// histogram, one collecting the values of the few bins that hold the order statistics needed,
// which are then selected within their bin. Binning is monotone in the value, so the rank of a
// value within its bin plus the counts below give its global rank.
template <class Visit>
std::vector<std::optional<double>> quantiles_by_histogram(std::size_t n, double lo, double hi,
                                                          const std::vector<double>& qs, const Visit& visit) {
  std::vector<std::optional<double>> out(qs.size());
  constexpr std::size_t kBins = 4096;
  const double scale = static_cast<double>(kBins) / (hi - lo);
  const auto bin_of = [&](double x) {
    return std::min(kBins - 1, static_cast<std::size_t>(static_cast<std::uint32_t>((x - lo) * scale)));  // in [0, kBins]
  };
  std::vector<std::size_t> below(kBins + 1, 0);  // below[b]: values in bins < b
  visit([&](double x) { ++below[bin_of(x) + 1]; });
  for (std::size_t b = 0; b < kBins; ++b) below[b + 1] += below[b];
  const auto bin_of_rank = [&](std::size_t r) {
    return static_cast<std::size_t>(std::upper_bound(below.begin(), below.end(), r) - below.begin()) - 1;
  };
  // Ranks needed: floor(pos) and the next one, per quantile.
  std::vector<std::size_t> ranks;
  for (double q : qs) {
    const double pos = std::clamp(q, 0.0, 1.0) * static_cast<double>(n - 1);
    const auto k = static_cast<std::size_t>(std::floor(pos));
    ranks.push_back(k);
    if (k + 1 < n) ranks.push_back(k + 1);
  }
  std::vector<std::size_t> wanted;
  for (auto r : ranks) wanted.push_back(bin_of_rank(r));
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  std::vector<int> slot(kBins, -1);
  for (std::size_t j = 0; j < wanted.size(); ++j) slot[wanted[j]] = static_cast<int>(j);
  std::vector<std::vector<double>> members(wanted.size());
  for (std::size_t j = 0; j < wanted.size(); ++j) members[j].reserve(below[wanted[j] + 1] - below[wanted[j]]);
  visit([&](double x) {
    if (const int j = slot[bin_of(x)]; j >= 0) members[static_cast<std::size_t>(j)].push_back(x);
  });
  const auto order_statistic = [&](std::size_t r) {
    const std::size_t b = bin_of_rank(r);
    auto& m = members[static_cast<std::size_t>(slot[b])];
    const auto within = static_cast<std::ptrdiff_t>(r - below[b]);
    std::nth_element(m.begin(), m.begin() + within, m.end());
    return m[static_cast<std::size_t>(within)];
  };
  for (std::size_t j = 0; j < qs.size(); ++j) {
    const double pos = std::clamp(qs[j], 0.0, 1.0) * static_cast<double>(n - 1);
    const auto k = static_cast<std::size_t>(std::floor(pos));
    const double a = order_statistic(k);
    if (k + 1 >= n) { out[j] = a; continue; }
    const double b = order_statistic(k + 1);
    out[j] = a + (pos - static_cast<double>(k)) * (b - a);
  }
  return out;
}

// The same of a large array of finite values (its range found first). Nothing when the range
// is wider than a double holds (finite values near +-1.8e308, as a hostile float64 FCS file may
// carry): no bin scale; the caller selects instead.
std::optional<std::vector<std::optional<double>>> quantiles_by_histogram(std::span<const double> v,
                                                                         const std::vector<double>& qs) {
  const auto [lo, hi] = range_of(v);
  if (!(hi > lo)) return std::vector<std::optional<double>>(qs.size(), lo);
  if (!std::isfinite(hi - lo)) return std::nullopt;
  return quantiles_by_histogram(v.size(), lo, hi, qs, [&](const auto& fn) {
    for (double x : v) fn(x);
  });
}

bool all_finite(std::span<const double> v) {
  for (double x : v)
    if (!std::isfinite(x)) return false;
  return true;
}

}  // namespace

std::optional<double> quantile_inplace(std::vector<double>& v, double q) {
  return quantile_inplace(std::span<double>(v), q);
}

std::optional<double> quantile_inplace(std::span<double> v, double q) {
  if (v.empty()) return std::nullopt;
  if (v.size() > kLargeSelection && all_finite(v))
    if (auto h = quantiles_by_histogram(v, {q})) return (*h)[0];
  q = std::clamp(q, 0.0, 1.0);
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto k = static_cast<std::size_t>(std::floor(pos));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  const double lo = v[k];
  if (k + 1 >= v.size()) return lo;
  const double hi = *std::min_element(v.begin() + static_cast<std::ptrdiff_t>(k) + 1, v.end());
  return lo + (pos - static_cast<double>(k)) * (hi - lo);
}

std::vector<std::optional<double>> quantiles_inplace(std::span<double> v, std::vector<double> qs) {
  std::vector<std::optional<double>> out(qs.size());
  if (v.empty()) return out;
  if (v.size() > kLargeSelection && all_finite(v))
    if (auto h = quantiles_by_histogram(v, qs)) return *h;
  std::vector<std::size_t> order(qs.size());
  for (std::size_t j = 0; j < qs.size(); ++j) order[j] = j;
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return qs[a] > qs[b]; });
  // After selecting order statistic k, everything at or beyond k is >= v[k]: the next (lower)
  // quantile only needs a selection within [0, k], and its upper neighbour is the smaller of
  // the minimum of that prefix and v[k].
  std::size_t end = v.size();  // position selected last (v.size(): none yet)
  double end_hi = 0;           // upper neighbour found for that position
  const auto first = v.begin();
  for (auto j : order) {
    const double q = std::clamp(qs[j], 0.0, 1.0);
    const double pos = q * static_cast<double>(v.size() - 1);
    const auto k = std::min(static_cast<std::size_t>(std::floor(pos)), v.size() - 1);
    double hi;
    if (k == end) {
      hi = end_hi;  // same order statistic as the previous quantile
    } else {
      std::nth_element(first, first + static_cast<std::ptrdiff_t>(k), first + static_cast<std::ptrdiff_t>(end));
      if (k + 1 >= v.size()) hi = v[k];
      else if (k + 1 == end) hi = v[end];
      else {
        hi = *std::min_element(first + static_cast<std::ptrdiff_t>(k) + 1, first + static_cast<std::ptrdiff_t>(end));
        if (end < v.size()) hi = std::min(hi, v[end]);
      }
    }
    const double lo = v[k];
    out[j] = k + 1 >= v.size() ? lo : lo + (pos - static_cast<double>(k)) * (hi - lo);
    end = k;
    end_hi = hi;
  }
  return out;
}

ValueRange value_range(std::span<const double> v) {
  if (v.empty()) return {};
  const auto [lo, hi] = range_of(v);
  return {v.size(), lo, hi};
}

ValueRange& ValueRange::operator+=(const ValueRange& o) {
  if (o.n == 0) return *this;
  lo = n == 0 ? o.lo : std::min(lo, o.lo);
  hi = n == 0 ? o.hi : std::max(hi, o.hi);
  n += o.n;
  return *this;
}

std::vector<std::optional<double>> quantiles_of(Column column, const Mask& mask, std::vector<double> qs,
                                                const ValueRange& values) {
  if (values.n <= kLargeSelection || !(values.hi > values.lo) || !std::isfinite(values.hi - values.lo)) {
    auto v = gather(column, mask);
    return quantiles_inplace(v, std::move(qs));
  }
  const std::size_t n = mask.empty() ? column.size() : std::min(column.size(), mask.size());
  return quantiles_by_histogram(values.n, values.lo, values.hi, qs, [&](const auto& fn) {
    for (std::size_t i = 0; i < n; ++i)
      if ((mask.empty() || mask[i]) && std::isfinite(column[i])) fn(column[i]);
  });
}

std::optional<double> trimmed_mean_of(std::span<const double> v, double trim, SelectionScratch& scratch) {
  if (v.empty()) return std::nullopt;
  return trimmed_mean_of(v, trim, scratch, value_range(v));
}

std::optional<double> trimmed_mean_of(std::span<const double> v, double trim, SelectionScratch& scratch,
                                      const ValueRange& range) {
  const std::size_t n = v.size();
  if (n == 0) return std::nullopt;
  const std::size_t cut = std::min(static_cast<std::size_t>(std::clamp(trim, 0.0, 0.5) * static_cast<double>(n)), (n - 1) / 2);
  const std::size_t first = cut, last = n - cut - 1;  // kept ranks, inclusive
  const double kept = static_cast<double>(last - first + 1);
  auto& picked = scratch.picked;
  const auto sort_a_copy = [&] {
    picked.assign(v.begin(), v.end());
    std::sort(picked.begin(), picked.end());
    double sum = 0;
    for (std::size_t r = first; r <= last; ++r) sum += picked[r];
    return sum / kept;
  };
  constexpr std::size_t kDirect = 64;  // below this, sort a copy
  if (n <= kDirect) return sort_a_copy();
  const double lo = range.lo, hi = range.hi;
  if (!(hi > lo)) return lo;  // all equal
  // A range wider than a double holds (finite values near +-1.8e308, as a hostile float64 FCS
  // file may carry) has no bucket scale: sort instead.
  if (!std::isfinite(hi - lo)) return sort_a_copy();
  // About 8 values per bucket; the binning is monotone in the value, so the counts below a
  // bucket give the ranks of its values.
  const std::size_t buckets = std::clamp<std::size_t>(n / 8, 16, 4096);
  const double scale = static_cast<double>(buckets) / (hi - lo);
  const auto bucket_of = [&](double x) {
    return std::min(buckets - 1, static_cast<std::size_t>(static_cast<std::uint32_t>((x - lo) * scale)));
  };
  auto& counts = scratch.counts;
  counts.assign(buckets, 0);
  for (double x : v) ++counts[bucket_of(x)];
  std::size_t below = 0, b = 0;
  while (below + counts[b] <= first) below += counts[b++];
  const std::size_t first_bucket = b, first_below = below;
  while (below + counts[b] <= last) below += counts[b++];
  const std::size_t last_bucket = b, last_below = below;
  // Buckets strictly between hold kept ranks only; the two boundary buckets are sorted.
  double sum = 0;
  picked.clear();
  for (double x : v) {
    const std::size_t bx = bucket_of(x);
    // Without a branch (which of the kept, trimmed and boundary values comes next is random):
    // x or -0.0 chosen through a bit mask, and adding -0.0 leaves any sum exactly as it is, +0.0
    // and -0.0 included. (A plain `? x : -0.0` is compiled back into a branch.)
    const auto keep = std::uint64_t{0} - static_cast<std::uint64_t>(bx > first_bucket && bx < last_bucket);
    sum += std::bit_cast<double>((std::bit_cast<std::uint64_t>(x) & keep) | (std::uint64_t{1} << 63 & ~keep));
    if (bx == first_bucket || bx == last_bucket) picked.push_back(x);
  }
  std::sort(picked.begin(), picked.end());
  const std::size_t in_first = counts[first_bucket];
  for (std::size_t j = 0; j < picked.size(); ++j) {
    const std::size_t rank = (first_bucket == last_bucket || j < in_first) ? first_below + j : last_below + (j - in_first);
    if (rank >= first && rank <= last) sum += picked[j];
  }
  return sum / kept;
}

WindowedQuantiles::WindowedQuantiles(std::vector<double> qs, std::vector<Window> windows, std::size_t max_collected)
    : qs_(std::move(qs)), max_collected_(max_collected) {
  for (const auto& w : windows) collected_.push_back({w, 0, {}});
  if (collected_.size() != qs_.size()) overflowed_ = true;  // no window for some quantile
}

void WindowedQuantiles::add(std::span<const double> v) {
  n_ += v.size();
  if (overflowed_) return;
  for (auto& c : collected_) {
    // The count below a window is a sum of comparisons, two values per step; the few values
    // inside (a window holds about 2% of them) are taken on a branch that is almost never taken.
    const double lo = c.window.lo, hi = c.window.hi;
    Flags2 minus_below = {0, 0};
    std::size_t i = 0;
    for (; i + 4 <= v.size(); i += 4) {
      Lanes2 x01, x23;
      std::memcpy(&x01, &v[i], sizeof x01);
      std::memcpy(&x23, &v[i + 2], sizeof x23);
      minus_below += (x01 < lo) + (x23 < lo);
      const Flags2 in01 = (x01 >= lo) & (x01 <= hi), in23 = (x23 >= lo) & (x23 <= hi);
      const Flags2 any = in01 | in23;
      if ((any[0] | any[1]) != 0) [[unlikely]] {
        for (std::size_t e = i; e < i + 4; ++e)
          if ((v[e] >= lo) & (v[e] <= hi)) c.inside.push_back(v[e]);
      }
    }
    std::size_t below = static_cast<std::size_t>(-(minus_below[0] + minus_below[1]));
    for (; i < v.size(); ++i) {
      below += static_cast<std::size_t>(v[i] < lo);
      if ((v[i] >= lo) & (v[i] <= hi)) c.inside.push_back(v[i]);
    }
    c.below += below;
    if (c.inside.size() > max_collected_) {
      overflowed_ = true;
      for (auto& d : collected_) d.inside = {};
      return;
    }
  }
}

std::optional<std::vector<std::optional<double>>> WindowedQuantiles::quantiles() {
  std::vector<std::optional<double>> out(qs_.size());
  if (overflowed_) return std::nullopt;
  if (n_ == 0) return out;
  for (std::size_t j = 0; j < qs_.size(); ++j) {
    auto& c = collected_[j];
    // Order statistics k and k + 1 (as quantiles_inplace), ranks within the window from 0.
    const double pos = std::clamp(qs_[j], 0.0, 1.0) * static_cast<double>(n_ - 1);
    const auto k = static_cast<std::size_t>(std::floor(pos));
    const std::size_t last = k + 1 < n_ ? k + 1 : k;
    if (k < c.below || last >= c.below + c.inside.size()) return std::nullopt;
    const auto first = c.inside.begin();
    const auto at = first + static_cast<std::ptrdiff_t>(k - c.below);
    std::nth_element(first, at, c.inside.end());
    const double a = *at;
    if (last == k) { out[j] = a; continue; }
    const double b = *std::min_element(at + 1, c.inside.end());
    out[j] = a + (pos - static_cast<double>(k)) * (b - a);
  }
  return out;
}

std::optional<double> quantile(Column column, const Mask& mask, double q) {
  auto v = gather(column, mask);
  return quantile_inplace(v, q);
}

std::optional<double> median(Column column, const Mask& mask) { return quantile(column, mask, 0.5); }

std::optional<double> quantile_at(Column column, std::span<const std::size_t> events, double q) {
  auto v = gather_at(column, events);
  return quantile_inplace(v, q);
}

std::optional<double> median_at(Column column, std::span<const std::size_t> events) {
  return quantile_at(column, events, 0.5);
}

std::optional<MedianMad> median_mad(std::vector<double> values) {
  auto med = quantile_inplace(values, 0.5);
  if (!med) return std::nullopt;
  for (double& x : values) x = std::abs(x - *med);
  auto mad = quantile_inplace(values, 0.5);
  return MedianMad{*med, 1.4826 * *mad};
}

std::size_t Histogram::bin_of(double x) const {
  const double f = (x - lo) / width();
  if (!(f > 0)) return 0;
  return std::min(counts.size() - 1, static_cast<std::size_t>(f));
}

Histogram histogram(Column column, const Mask& mask, double lo, double hi, std::size_t bins) {
  Histogram h{lo, hi > lo ? hi : lo + 1, std::vector<double>(std::max<std::size_t>(bins, 1), 0.0)};
  const double scale = static_cast<double>(h.counts.size()) / (h.hi - h.lo);
  for (std::size_t i = 0; i < column.size(); ++i) {
    if (!mask.empty() && !mask[i]) continue;
    const double f = (column[i] - h.lo) * scale;
    if (!(f >= 0) || f >= static_cast<double>(h.counts.size())) continue;
    h.counts[static_cast<std::size_t>(f)] += 1;
  }
  return h;
}

Histogram histogram(const std::vector<double>& values, double lo, double hi, std::size_t bins) {
  return histogram(Column(values), Mask{}, lo, hi, bins);
}

void smooth(Histogram& h, double sigma) {
  if (sigma <= 0 || h.counts.size() < 3) return;
  const int radius = static_cast<int>(std::ceil(3 * sigma));
  std::vector<double> kernel(2 * radius + 1);
  for (int k = -radius; k <= radius; ++k) kernel[k + radius] = std::exp(-0.5 * k * k / (sigma * sigma));
  const int n = static_cast<int>(h.counts.size());
  std::vector<double> out(h.counts.size(), 0.0);
  for (int i = 0; i < n; ++i) {
    double s = 0, w = 0;
    for (int k = -radius; k <= radius; ++k) {
      const int j = i + k;
      if (j < 0 || j >= n) continue;  // no mass invented beyond the edges
      s += kernel[k + radius] * h.counts[j];
      w += kernel[k + radius];
    }
    out[i] = s / w;
  }
  h.counts = std::move(out);
}

std::optional<MirroredLimit> mirrored_upper_limit(std::vector<double> values, double q) {
  std::erase_if(values, [](double v) { return !std::isfinite(v); });
  if (values.size() < 80) return std::nullopt;
  std::sort(values.begin(), values.end());
  auto at = [&](double f) { return values[static_cast<std::size_t>(f * static_cast<double>(values.size() - 1))]; };
  const double lo = at(0.005), hi = at(0.995);
  if (!(hi > lo)) return std::nullopt;
  Histogram h = histogram(values, lo, hi, 128);
  smooth(h, 2.0);
  const auto top = static_cast<std::size_t>(std::max_element(h.counts.begin(), h.counts.end()) - h.counts.begin());
  MirroredLimit r;
  r.mode = h.center(top);
  const auto below = static_cast<std::size_t>(std::lower_bound(values.begin(), values.end(), r.mode) - values.begin());
  if (below < 40) return std::nullopt;
  // Events below the mode are half of the negatives: the lower tail holding (1 - q) of the
  // negatives is (1 - q) * 2 * below events long.
  const double tail = (1.0 - q) * 2.0 * static_cast<double>(below);
  const auto k = std::min(below - 1, static_cast<std::size_t>(std::floor(tail)));
  r.limit = r.mode + (r.mode - values[k]);
  return r;
}

std::vector<std::size_t> peaks(const Histogram& h, double min_fraction, double min_prominence) {
  const auto& c = h.counts;
  std::vector<std::size_t> out;
  if (c.empty()) return out;
  const double top = *std::max_element(c.begin(), c.end());
  if (top <= 0) return out;
  for (std::size_t i = 0; i < c.size(); ++i) {
    const double left = i > 0 ? c[i - 1] : -1.0;
    const double right = i + 1 < c.size() ? c[i + 1] : -1.0;
    if (!(c[i] > left && c[i] >= right) || c[i] < min_fraction * top) continue;
    // Prominence (topographic): height above the higher of the two bases, a base being the
    // lowest point on that side before a higher bin or the edge.
    double lmin = c[i], rmin = c[i];
    for (std::size_t j = i; j-- > 0;) {
      if (c[j] > c[i]) break;
      lmin = std::min(lmin, c[j]);
    }
    for (std::size_t j = i + 1; j < c.size(); ++j) {
      if (c[j] > c[i]) break;
      rmin = std::min(rmin, c[j]);
    }
    if (i == 0) lmin = rmin;  // no bins on that side: judge by the other side
    if (i + 1 == c.size()) rmin = lmin;
    if (c[i] - std::max(lmin, rmin) >= min_prominence * c[i]) out.push_back(i);
  }
  return out;
}

std::size_t valley_between(const Histogram& h, std::size_t a, std::size_t b) {
  if (a > b) std::swap(a, b);
  std::size_t best = a;
  double low = h.counts[a];
  for (std::size_t i = a + 1; i < b; ++i)
    if (h.counts[i] < low) { low = h.counts[i]; best = i; }
  return best;
}

std::optional<double> bimodal_split(const std::vector<double>& values, std::size_t bins,
                                    double sigma_bins) {
  if (values.size() < 20) return std::nullopt;
  std::vector<double> copy = values;
  const double lo = *quantile_inplace(copy, 0.001), hi = *quantile_inplace(copy, 0.999);
  if (!(hi > lo)) return std::nullopt;
  const double pad = 0.05 * (hi - lo);
  Histogram h = histogram(values, lo - pad, hi + pad, bins);
  smooth(h, sigma_bins);
  auto p = peaks(h, 0.01, 0.5);
  if (p.size() < 2) return std::nullopt;
  // Two highest peaks, in order along the axis.
  std::sort(p.begin(), p.end(), [&](auto x, auto y) { return h.counts[x] > h.counts[y]; });
  const std::size_t a = std::min(p[0], p[1]), b = std::max(p[0], p[1]);
  return h.center(valley_between(h, a, b));
}

std::pair<double, double> wilson95_percent(std::size_t k, std::size_t n) {
  if (n == 0) return {0.0, 100.0};
  const double z = 1.959963984540054;
  const double nn = static_cast<double>(n), p = static_cast<double>(k) / nn;
  const double denom = 1 + z * z / nn;
  const double centre = (p + z * z / (2 * nn)) / denom;
  const double half = z * std::sqrt(p * (1 - p) / nn + z * z / (4 * nn * nn)) / denom;
  return {100.0 * std::max(0.0, centre - half), 100.0 * std::min(1.0, centre + half)};
}

}  // namespace mrdflow::autogate
