#include "autogate/dfn.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <numeric>
#include <optional>
#include <span>

#include "autogate/excess.h"
#include "autogate/gmm.h"
#include "autogate/parallel.h"
#include "autogate/parallel_for.h"
#include "autogate/stats.h"

namespace mrdflow::autogate {
namespace {

double normal_upper_z(double p) {
  // Inverse of the upper normal tail by bisection on erfc (p in (0, 0.5)).
  double lo = 0, hi = 40;
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    if (0.5 * std::erfc(mid / std::sqrt(2.0)) > p) lo = mid; else hi = mid;
  }
  return 0.5 * (lo + hi);
}

struct Standardized {
  std::size_t d = 0;
  std::vector<double> centre, scale;
  // One dimension per feature: centred on the median of its masked values, scaled by their MAD
  // (at least a tenth of their 5-95% spread). Features are independent selections over the
  // whole B lineage, so they run on the thread budget.
  template <class Features>
  Standardized(const Features& features, const Mask& mask)
      : d(features.size()), centre(features.size()), scale(features.size()) {
    parallel_for(d, mask.size() >= 20000, [&](std::size_t a) {
      auto v = gather(features[a].values, mask);
      const auto mm = median_mad(v);  // (works on its own copy)
      const double spread = quantile_inplace(v, 0.95).value_or(1) - quantile_inplace(v, 0.05).value_or(0);
      centre[a] = mm ? mm->median : 0;
      scale[a] = std::max({mm ? mm->mad : 0.0, 0.1 * spread, 1e-6});
    });
  }
  void row(const std::vector<DfnFeature>& f, std::size_t i, double* out) const {
    for (std::size_t a = 0; a < d; ++a) out[a] = (f[a].values[i] - centre[a]) / scale[a];
  }
};

// Concentration steps (as in MCD): refit g to the closest `keep` share of rows (n x d), its
// covariance rescaled so that the median distance of all rows is the chi-square median.
// Nothing is done below min_rows_per_dim rows per dimension.
void concentrate(Gaussian& g, const std::vector<double>& rows, std::size_t d, double keep, double chi2_median,
                 int steps = 3, std::size_t min_rows_per_dim = 10) {
  const std::size_t n = rows.size() / d;
  if (n < min_rows_per_dim * d || !(keep > 0 && keep < 1) || keep * static_cast<double>(n) < static_cast<double>(d + 2)) return;
  std::vector<std::pair<double, std::size_t>> d2(n);
  std::vector<double> all_d2(n);
  for (int step = 0; step < steps; ++step) {
    for (std::size_t j = 0; j < n; ++j) d2[j] = {g.mahalanobis2(&rows[j * d]), j};
    std::sort(d2.begin(), d2.end());
    const auto h = static_cast<std::size_t>(keep * static_cast<double>(n));
    std::vector<double> core(h * d);
    for (std::size_t j = 0; j < h; ++j) std::copy_n(&rows[d2[j].second * d], d, &core[j * d]);
    Gaussian next = fit_gaussian(core, d);
    for (std::size_t j = 0; j < n; ++j) all_d2[j] = next.mahalanobis2(&rows[j * d]);
    const double med = quantile_inplace(all_d2, 0.5).value_or(chi2_median);
    if (!(med > 0)) return;
    for (double& v : next.cov) v *= med / chi2_median;
    next.factor(1e-6);
    next.weight = g.weight;
    g = std::move(next);
  }
}

// The mean of the closest `keep` share of rows (n x d) to g's mean in g's metric (at least
// min_rows of them), iterated from g's mean: concentration steps on the location alone, for
// clusters too small for a covariance of their own. g's mean when n <= min_rows.
std::vector<double> densest_mean(const Gaussian& g, const std::vector<double>& rows, std::size_t d, double keep,
                                 std::size_t min_rows, int steps = 5) {
  const std::size_t n = rows.size() / d;
  Gaussian h = g;
  if (n <= min_rows) return h.mean;
  const auto kept = std::max(min_rows, static_cast<std::size_t>(keep * static_cast<double>(n)));
  std::vector<std::pair<double, std::size_t>> d2(n);
  for (int step = 0; step < steps; ++step) {
    for (std::size_t j = 0; j < n; ++j) d2[j] = {h.mahalanobis2(&rows[j * d]), j};
    std::sort(d2.begin(), d2.end());
    std::fill(h.mean.begin(), h.mean.end(), 0.0);
    for (std::size_t j = 0; j < kept; ++j)
      for (std::size_t a = 0; a < d; ++a) h.mean[a] += rows[d2[j].second * d + a] / static_cast<double>(kept);
  }
  return h.mean;
}

// Precision matrix (cov^-1 = L^T L, L = g.chol_inv), d x d row-major.
std::vector<double> precision_of(const Gaussian& g) {
  const std::size_t d = g.mean.size();
  const auto& L = g.chol_inv;
  std::vector<double> P(d * d, 0.0);
  for (std::size_t p = 0; p < d; ++p)
    for (std::size_t q = 0; q < d; ++q)
      for (std::size_t t = std::max(p, q); t < d; ++t) P[p * d + q] += L[t * d + p] * L[t * d + q];
  return P;
}

// Marker a's deviation of `row` from `mean` given the other markers (conditional Gaussian with
// precision P, d x d): z_a = (P (row - mean))_a / sqrt(P_aa).
double conditional_z(const std::vector<double>& P, std::size_t d, const double* mean, const double* row,
                     std::size_t a) {
  double z = 0;
  for (std::size_t q = 0; q < d; ++q) z += P[a * d + q] * (row[q] - mean[q]);
  return z / std::sqrt(std::max(P[a * d + a], 1e-12));
}

// Direction in which leukaemic precursors deviate from normal ones in a marker: over (+1) for
// CD10, CD34, CD20, CD58 and the template's other over-expressed markers; under (-1) for CD38,
// CD45 and the under-expressed ones; none (0) for the rest.
double aberrant_direction(MaturationRole role) {
  switch (role) {
    case MaturationRole::cd10: case MaturationRole::cd34: case MaturationRole::cd20: case MaturationRole::cd58:
    case MaturationRole::over:
      return 1;
    case MaturationRole::cd38: case MaturationRole::cd45: case MaturationRole::under: return -1;
    default: return 0;
  }
}

// Squared deviation of `row` from a population (mean, precision P) in the directions in which
// leukaemic precursors deviate: each marker's conditional z given the others, counted only
// in its aberrant direction (direction[a]: +1 over, -1 under, 0 not counted).
double directional_deviation2(const std::vector<double>& P, const double* mean, const double* row,
                              const std::vector<double>& direction) {
  const std::size_t d = direction.size();
  double s2 = 0;
  for (std::size_t a = 0; a < d; ++a) {
    if (direction[a] == 0) continue;
    const double z = direction[a] * conditional_z(P, d, mean, row, a);
    if (z > 0) s2 += z * z;
  }
  return s2;
}

// At most m of the rows (n x d), evenly strided (all of them when n <= m).
std::vector<double> strided_rows(const std::vector<double>& rows, std::size_t d, std::size_t m) {
  const std::size_t n = rows.size() / d;
  if (n <= m) return rows;
  std::vector<double> out(m * d);
  for (std::size_t j = 0; j < m; ++j) std::copy_n(&rows[(j * n / m) * d], d, &out[j * d]);
  return out;
}

// "Clearly positive" limit of a marker: its negative limit plus the reference's own spread
// (limit - reference median) `spreads` times more. Every event of a gate selected by that limit
// is above it, so only clearing it by this margin says something about a cluster.
double clear_limit(const DfnFeature& feat, double spreads = 1.0) {
  const double margin = std::isfinite(feat.negative_median) ? std::max(0.0, feat.negative_limit - feat.negative_median) : 0.0;
  return feat.negative_limit + spreads * margin;
}

}  // namespace

double chi2_upper(double dof, double p) {
  const double z = normal_upper_z(p);
  const double k = 2.0 / (9.0 * dof);
  return dof * std::pow(1 - k + z * std::sqrt(k), 3);
}

double f_upper(double dof1, double dof2, double p) {
  // Paulson's normal approximation (the F counterpart of Wilson-Hilferty above): with
  // a = 2/(9 dof1), b = 2/(9 dof2) and y = F^(1/3), z = ((1-b) y - (1-a)) / sqrt(b y^2 + a);
  // solved for y (the larger root of the quadratic). Needs (1-b)^2 > z^2 b (dof2 >= 3 for p >= 1e-4).
  const double z = normal_upper_z(p);
  const double a = 2.0 / (9.0 * dof1), b = 2.0 / (9.0 * dof2);
  const double lead = (1 - b) * (1 - b) - z * z * b;
  if (!(lead > 0)) return INFINITY;
  const double disc = (1 - a) * (1 - a) * b + (1 - b) * (1 - b) * a - z * z * a * b;
  const double y = ((1 - a) * (1 - b) + z * std::sqrt(std::max(0.0, disc))) / lead;
  return y * y * y;
}

double prediction_limit(double dof, double n, double p) {
  if (!(n > dof + 2)) return INFINITY;
  return dof * (n - 1) * (n + 1) / (n * (n - dof)) * f_upper(dof, n - dof, p);
}

namespace {

// Rows 0..n-1 (row_of(j, out) writes row j's d values) in blocks of kRowBlock, each handed to
// fn(begin, len, columns) as d columns of stride kRowBlock, for passes that compute distances
// across events (blocks on the thread budget when `threaded`; each block on its own).
constexpr std::size_t kRowBlock = 256;
template <class RowOf, class Fn>
void for_each_row_block(std::size_t n, std::size_t d, bool threaded, const RowOf& row_of, const Fn& fn) {
  parallel_for((n + kRowBlock - 1) / kRowBlock, threaded, [&](std::size_t blk) {
    const std::size_t begin = blk * kRowBlock, len = std::min(kRowBlock, n - begin);
    std::vector<double> row(d), columns(d * kRowBlock);
    for (std::size_t e = 0; e < len; ++e) {
      row_of(begin + e, row.data());
      for (std::size_t a = 0; a < d; ++a) columns[a * kRowBlock + e] = row[a];
    }
    fn(begin, len, columns.data());
  });
}

// mix.classify of rows 0..n-1, classified across events (Mixture::classify_columns: the same
// results).
template <class RowOf>
std::vector<std::size_t> classify_each(const Mixture& mix, std::size_t n, std::size_t d, bool threaded,
                                       const RowOf& row_of) {
  std::vector<std::size_t> owner(n);
  for_each_row_block(n, d, threaded, row_of, [&](std::size_t begin, std::size_t len, const double* columns) {
    mix.classify_columns(columns, kRowBlock, len, &owner[begin]);
  });
  return owner;
}

// DfN on features whose values hold the B-lineage events only (b_lineage: all of them, in
// acquisition order); event_number[j] is event j's index in the sample (developer dump).
DfnResult find_blasts_among(const std::vector<DfnFeature>& features, const Mask& b_lineage,
                            std::span<const std::size_t> event_number, const DfnOptions& opt) {
  DfnResult r;
  std::vector<DfnFeature> f, lineage;  // modelled features; lineage confirmation only
  for (const auto& feat : features) (feat.role == MaturationRole::lineage ? lineage : f).push_back(feat);
  const std::size_t n_all = b_lineage.size();
  r.blasts.assign(n_all, 0);
  r.normal = b_lineage;
  const std::size_t d = f.size();
  const std::vector<std::size_t> idx = members(b_lineage);
  if (d == 0 || idx.size() < opt.lod_events) {
    r.notes.push_back("DfN: too few B-lineage events or no maturation markers");
    return r;
  }
  if (opt.diagnostics) {
    std::string t = "DfN limits (negative, clear):";
    for (const auto& feat : features)
      t += " " + feat.marker + " " + std::to_string(feat.negative_limit) + " " + std::to_string(clear_limit(feat));
    r.notes.push_back(std::move(t));
  }
  // Robust standardisation over the B lineage.
  const Standardized st(f, b_lineage);
  // Runs fn(event, row buffer) for every B-lineage event; per-event work only, so the result
  // does not depend on the thread count (threads only for large B lineages).
  auto for_each_event = [&](const auto& fn) {
    // In blocks of 256 events, each with its own row buffer.
    const std::size_t blocks = (idx.size() + 255) / 256;
    parallel_for(blocks, idx.size() >= 20000, [&](std::size_t blk) {
      std::vector<double> row(d);
      for (std::size_t j = blk * 256; j < std::min(idx.size(), blk * 256 + 256); ++j) fn(idx[j], row.data());
    });
  };
  // Fit on a strided subsample.
  const auto fit_idx = subsample(b_lineage, opt.max_fit_events);
  std::vector<double> rows(fit_idx.size() * d);
  for (std::size_t j = 0; j < fit_idx.size(); ++j) st.row(f, fit_idx[j], &rows[j * d]);
  Mixture mix = fit_mixture(rows, d, opt.components, 50, 1e-3);
  // Divisive refinement: EM gives components by mass, so a small clone merges with whatever
  // population is nearest (plasma cells, dead cells). A component may be split in two on the
  // fitting events it holds, when the BIC prefers two and both halves could hold a cluster.
  const double min_part = std::max<double>(static_cast<double>(d) + 2,
      static_cast<double>(opt.lod_events) * static_cast<double>(fit_idx.size()) / static_cast<double>(idx.size()));
  // fit_owner: the component each fitting event belongs to (mix.classify), computed once.
  // Splits rows (n x d, strided to 3000) in two when the BIC prefers two clusters and each half
  // holds at least min_part rows (of those given when `of_given`, else of the strided ones); the
  // halves' weights are their shares. With `shared_fallback`, two halves sharing one covariance
  // are tried when two full-covariance halves are rejected: d + 1 parameters instead of
  // d(d+3)/2 + 1, for a small clone that is a mean shift inside a population of a few hundred
  // rows, which cannot pay for a second full covariance.
  auto bic_split_dim = [&](std::vector<double> own, std::size_t d, double min_part, bool of_given,
                           std::size_t cap = 3000, bool shared_fallback = false) -> std::vector<Gaussian> {
    const std::size_t given = own.size() / d;
    own = strided_rows(own, d, cap);  // a strided sample is enough to see two clusters
    const std::size_t nc = own.size() / d;
    if (of_given)
      min_part = std::max(min_part * static_cast<double>(nc) / static_cast<double>(std::max<std::size_t>(given, 1)),
                          static_cast<double>(d) + 2);
    if (static_cast<double>(nc) < 2 * min_part) return {};
    const Gaussian one = fit_gaussian(own, d, 1e-3);
    double ll1 = 0;
    for (std::size_t j = 0; j < nc; ++j) ll1 += one.log_density(&own[j * d]);
    auto halves = [&](bool shared) -> std::vector<Gaussian> {
      Mixture two = fit_mixture(own, d, 2, 60, 1e-3, shared);
      if (two.components.size() != 2) return {};
      double ll2 = 0;
      for (std::size_t j = 0; j < nc; ++j) ll2 += two.log_density(&own[j * d]);
      const double params = static_cast<double>(shared ? d + 1 : d + d * (d + 1) / 2 + 1);
      if (2 * (ll2 - ll1) - params * std::log(static_cast<double>(nc)) <= 0) return {};
      for (auto& g : two.components)
        if (g.weight * static_cast<double>(nc) < min_part) return {};
      return two.components;
    };
    auto two = halves(false);
    if (two.empty() && shared_fallback) two = halves(true);
    return two;
  };
  auto bic_split_in = [&](const std::vector<double>& own, std::size_t dim, double min_events,
                          bool shared_fallback = false) {
    // 1500 rows: enough for a clone of 50 events in a piece of 5000 to hold >= 15 of them.
    return bic_split_dim(own, dim, min_events, true, 1500, shared_fallback);
  };
  auto split_in_two = [&](std::size_t c, const std::vector<std::size_t>& fit_owner) -> std::vector<Gaussian> {
    std::vector<double> own;
    for (std::size_t j = 0; j < fit_idx.size(); ++j)
      if (fit_owner[j] == c) own.insert(own.end(), &rows[j * d], &rows[j * d] + d);
    auto two = bic_split_dim(std::move(own), d, min_part, false);
    for (auto& g : two) g.weight *= mix.components[c].weight;
    return two;
  };
  // The component each fitting event belongs to (per event: same result with any threads).
  auto classify_fit_rows = [&] {
    return classify_each(mix, fit_idx.size(), d, true,
                         [&](std::size_t j, double* out) { std::copy_n(&rows[j * d], d, out); });
  };
  std::size_t k = mix.components.size();
  if (k == 0) return r;
  // A substantial piece holds >= 1% of the B lineage: only such pieces anchor and carry the
  // pathway, are refitted robustly and bound the plasma-cell CD38; tiny ones have unreliable
  // covariances.
  // (The anchor below counts as substantial whatever its share, and in B-cell aplasia so does
  // every piece as large as a tiny anchor.)
  double substantial_share = 0.01;
  std::size_t anchor = k;
  auto substantial = [&](std::size_t c) { return mix.components[c].weight >= substantial_share || c == anchor; };

  // Anchor: the most mature component (CD20 and CD45 high, CD10 and CD34 low), which must be
  // CD20-positive and CD10-negative relative to the negative reference when those are known.
  // A substantial one; else, in B-cell aplasia (after CD19-directed therapy the mature B cells
  // can be under 1% of the B-lineage gate: fresh cd19neg-relapse/850, 181 of them, in two
  // pieces of 0.7% and 1.0%), one of at least lod events: without an anchor every B-lineage
  // cluster counts as abnormal, the mature B cells too (850: CD19 2.6% of blasts for 0%).
  double best = -INFINITY;
  for (const bool tiny_ok : {false, true}) {
    if (anchor < k) break;
    for (std::size_t c = 0; c < k; ++c) {
      if (tiny_ok ? mix.components[c].weight * static_cast<double>(idx.size()) < static_cast<double>(opt.lod_events)
                  : !substantial(c))
        continue;
      double score = 0;
      bool mature = true;
      for (std::size_t a = 0; a < d; ++a) {
        const double m = mix.components[c].mean[a];
        const double raw = m * st.scale[a] + st.centre[a];
        switch (f[a].role) {
          case MaturationRole::cd20:
            score += m;
            if (std::isfinite(f[a].negative_limit) && raw <= f[a].negative_limit) mature = false;
            break;
          case MaturationRole::cd45: score += m; break;
          case MaturationRole::cd10:
            score -= m;
            if (std::isfinite(f[a].negative_limit) && raw > f[a].negative_limit) mature = false;
            break;
          case MaturationRole::cd34:
            score -= m;
            // Mature B cells are CD34-negative.
            if (std::isfinite(f[a].negative_limit) && raw > f[a].negative_limit) mature = false;
            break;
          default: break;
        }
      }
      if (mature && score > best) { best = score; anchor = c; }
    }
  }
  // In B-cell aplasia the gate is the clone's and other cells': a normal piece as large as the
  // tiny anchor is as reliable as it (cd19neg-relapse 1008 bd: 70 hematogones in a piece of
  // 0.97%, beside 72 mature B cells in one of 0.91%, were called blasts: CD19 2.4% for 0%).
  if (anchor < k) substantial_share = std::min(substantial_share, mix.components[anchor].weight);
  // Raw-unit helpers: component mean and SD of feature a (undoing the standardisation).
  auto raw_mean = [&](const Gaussian& g, std::size_t a) { return g.mean[a] * st.scale[a] + st.centre[a]; };
  // (diagnostics) " MARKER value" of each feature's raw mean.
  auto raw_means_text = [&](const Gaussian& g) {
    std::string t;
    for (std::size_t a = 0; a < d; ++a) t += " " + f[a].marker + " " + std::to_string(raw_mean(g, a));
    return t;
  };
  // The feature of a maturation role (the last one named, as a template may alias a marker), d
  // when the panel lacks it.
  auto dim_of = [&](MaturationRole role) {
    std::size_t dim = d;
    for (std::size_t a = 0; a < d; ++a)
      if (f[a].role == role) dim = a;
    return dim;
  };
  // Above the negative reference in some marker of the given roles, value_of(a) giving the raw
  // value of feature a (of a cluster or an event)? Empty when none of them has a known limit.
  auto expresses_any = [&](const auto& value_of, std::initializer_list<MaturationRole> roles) -> std::optional<bool> {
    std::optional<bool> above;
    for (std::size_t a = 0; a < d; ++a) {
      if (std::find(roles.begin(), roles.end(), f[a].role) == roles.end() || !std::isfinite(f[a].negative_limit))
        continue;
      above = above.value_or(false) || value_of(a) > f[a].negative_limit;
    }
    return above;
  };
  // CD10+ or CD34+ against the negative reference?
  auto precursor_by = [&](const auto& value_of) {
    return expresses_any(value_of, {MaturationRole::cd10, MaturationRole::cd34});
  };
  auto precursor_mean = [&](const auto& mean) {  // (standardised; a vector or a row pointer)
    return precursor_by([&](std::size_t a) { return mean[a] * st.scale[a] + st.centre[a]; });
  };
  auto precursor_event = [&](std::size_t i) { return precursor_by([&](std::size_t a) { return f[a].values[i]; }); };
  auto positive = [&](const Gaussian& g, MaturationRole role) {
    for (std::size_t a = 0; a < d; ++a)
      if (f[a].role == role && std::isfinite(f[a].negative_limit)) return raw_mean(g, a) > f[a].negative_limit;
    return false;
  };
  auto precursor = [&](const Gaussian& g) {
    return positive(g, MaturationRole::cd10) || positive(g, MaturationRole::cd34);
  };
  // Stage rules of normal maturation, candidate b against its normal neighbour a, in a's own
  // SDs: CD34 is lost before CD20 appears (CD34+ CD20+ is asynchronous); among precursors
  // CD38 stays bright and CD58 does not rise.
  auto clearly_positive_by = [&](const auto& value_of, MaturationRole role) {  // (raw units)
    for (std::size_t a = 0; a < d; ++a)
      if (f[a].role == role && std::isfinite(f[a].negative_limit) && std::isfinite(f[a].negative_median))
        return value_of(a) > clear_limit(f[a]);
    return false;
  };
  auto clearly_positive = [&](const Gaussian& g, MaturationRole role) {
    return clearly_positive_by([&](std::size_t a) { return raw_mean(g, a); }, role);
  };
  // Shift of b's mean from a's in feature q, in a's SDs.
  auto shift_in_sds = [&](const Gaussian& b, const Gaussian& a, std::size_t q) {
    return (b.mean[q] - a.mean[q]) / std::sqrt(std::max(a.cov[q * d + q], 1e-12));
  };
  // Every B-cell maturation stage expresses CD34, CD10 or CD20 (CD20 rises while CD10 is still
  // on); a piece negative for all three (against the negative reference) is another kind of
  // cell in the B-lineage gate, whatever its distance to a stage: plasma cells, basophils
  // (fresh cd19neg-relapse/825: B-cell aplasia after CD19 CAR-T, 72 mature B cells the only
  // stage; the basophils and plasma cells joined the pathway as stages). Unjudged when none
  // of the three has a limit.
  auto b_stage_phenotype = [&](const Gaussian& g) {
    return expresses_any([&](std::size_t a) { return raw_mean(g, a); },
                         {MaturationRole::cd34, MaturationRole::cd10, MaturationRole::cd20})
        .value_or(true);
  };
  // Among precursors CD38 (and any under-expressed marker) stays bright and CD58 (and any
  // over-expressed marker) does not rise: b against a, by more than the
  // stage margin in a's SDs (whether b and a are precursors is the caller's to judge).
  auto breaks_levels = [&](const Gaussian& b, const Gaussian& a) {
    for (std::size_t q = 0; q < d; ++q) {
      const double delta = shift_in_sds(b, a, q);
      const double way = aberrant_direction(f[q].role);
      const bool level_marker = f[q].role == MaturationRole::cd38 || f[q].role == MaturationRole::cd58 ||
                                f[q].role == MaturationRole::over || f[q].role == MaturationRole::under;
      if (level_marker && way * delta > opt.relation_margin) return true;
    }
    return false;
  };
  // ... between clear precursors (clearly CD10+ or CD34+).
  auto clear_precursor = [&](const Gaussian& g) {
    return clearly_positive(g, MaturationRole::cd10) || clearly_positive(g, MaturationRole::cd34);
  };
  auto breaks_precursor_levels = [&](const Gaussian& b, const Gaussian& a) {
    return clear_precursor(b) && clear_precursor(a) && breaks_levels(b, a);
  };
  auto breaks_stage_rules = [&](const Gaussian& b, const Gaussian& a) {
    if (!b_stage_phenotype(b)) return true;
    // A piece clearly CD34+ and clearly CD20+ at once is asynchronous whatever its neighbour:
    // normal precursors lose CD34 before CD20 appears.
    if (clearly_positive(b, MaturationRole::cd34) && clearly_positive(b, MaturationRole::cd20)) return true;
    if (precursor(b) && precursor(a) && breaks_levels(b, a)) return true;
    for (std::size_t q = 0; q < d; ++q) {
      // CD20 rising by more than the margin while CD34 stays (does not fall by even one SD):
      // asynchronous. Judged against the neighbour rather than a CD20 limit from T cells,
      // whose spillover spread may hide a moderate CD20 gain.
      if (f[q].role != MaturationRole::cd20 || !positive(b, MaturationRole::cd34) ||
          !(shift_in_sds(b, a, q) > opt.relation_margin))
        continue;
      bool cd34_falls = false;
      for (std::size_t p = 0; p < d; ++p)
        if (f[p].role == MaturationRole::cd34) cd34_falls = shift_in_sds(b, a, p) < -1.0;
      if (!cd34_falls) return true;
    }
    return false;
  };
  // Displacement of b from a: total Mahalanobis distance and the part across a's principal
  // axis (the local direction of the maturation pathway).
  struct Offset { double total = 0, across = 0; };
  auto offset = [&](const Gaussian& b, const Gaussian& a) {
    const std::size_t d = a.mean.size();  // marker dimensions only (see `pathway_view`)
    std::vector<double> z(d, 0.0), axis(d, 0.0), w(d, 0.0);
    const double d2 = a.mahalanobis2(b.mean.data());
    // Principal axis of a (power iteration, fixed start: deterministic).
    for (std::size_t q = 0; q < d; ++q) axis[q] = 1.0 / std::sqrt(static_cast<double>(d));
    double lambda = 0;
    for (int it = 0; it < 60; ++it) {
      for (std::size_t q = 0; q < d; ++q) {
        w[q] = 0;
        for (std::size_t r2 = 0; r2 < d; ++r2) w[q] += a.cov[q * d + r2] * axis[r2];
      }
      double norm = 0;
      for (double v : w) norm += v * v;
      norm = std::sqrt(norm);
      if (!(norm > 0)) break;
      lambda = norm;
      for (std::size_t q = 0; q < d; ++q) axis[q] = w[q] / norm;
    }
    double along = 0;
    for (std::size_t q = 0; q < d; ++q) along += (b.mean[q] - a.mean[q]) * axis[q];
    const double along2 = lambda > 0 ? along * along / lambda : 0;
    return Offset{std::sqrt(d2), std::sqrt(std::max(0.0, d2 - along2))};
  };

  // The pathway is traced in the marker dimensions only: scatter (role scatter) helps to
  // separate other cells but is not part of the maturation relations.
  std::vector<std::size_t> marker_dims;
  for (std::size_t a = 0; a < d; ++a)
    if (f[a].role != MaturationRole::scatter) marker_dims.push_back(a);
  std::vector<Gaussian> pathway_view;
  // Per piece: the population it belongs to (a representative piece) and that population's
  // mean in the pathway view (see build_populations).
  std::vector<std::size_t> population_of;
  std::vector<std::vector<double>> population_mean;
  // ... and that population's mean in every modelled dimension, as a Gaussian with the
  // piece's own covariance (what the stage rules judge: see `continues`).
  std::vector<Gaussian> population_piece;
  auto build_views = [&] {
  pathway_view.clear();
  for (const auto& g : mix.components) {
    Gaussian m;
    const std::size_t dm = marker_dims.size();
    m.mean.resize(dm);
    m.cov.resize(dm * dm);
    for (std::size_t p = 0; p < dm; ++p) {
      m.mean[p] = g.mean[marker_dims[p]];
      for (std::size_t q = 0; q < dm; ++q) m.cov[p * dm + q] = g.cov[marker_dims[p] * d + marker_dims[q]];
    }
    m.factor(1e-6);
    pathway_view.push_back(std::move(m));
  }
  };
  // Conditional deviation of b's mean from a, marker by marker given the others
  // (z_m = (P (b - a))_m / sqrt(P_mm), P a's precision), counted only in the aberrant
  // directions (CD10, CD34, CD20, CD58 over; CD38, CD45 under); root of the sum of squares.
  std::vector<double> view_direction;  // aberrant direction of each pathway-view dimension
  for (auto a : marker_dims) view_direction.push_back(aberrant_direction(f[a].role));
  auto directional_offset_of = [&](const std::vector<double>& b_mean, const Gaussian& a) {
    return std::sqrt(directional_deviation2(precision_of(a), a.mean.data(), b_mean.data(), view_direction));
  };
  auto directional_offset = [&](const Gaussian& b, const Gaussian& a) { return directional_offset_of(b.mean, a); };
  // Density ridge between two components: the lowest mixture density on the segment joining
  // their means, relative to the lower of the two end densities. Pieces of one continuum have
  // no valley between them (ratio near 1); a separate cluster sits across a valley.
  auto ridge = [&](std::size_t a, std::size_t b) {
    std::vector<double> p(d);
    double lowest = INFINITY, ends = INFINITY;
    for (int s = 0; s <= 20; ++s) {
      const double t = s / 20.0;
      for (std::size_t q = 0; q < d; ++q)
        p[q] = (1 - t) * mix.components[a].mean[q] + t * mix.components[b].mean[q];
      const double dens = std::exp(mix.log_density(p.data()));
      lowest = std::min(lowest, dens);
      if (s == 0 || s == 20) ends = std::min(ends, dens);
    }
    return ends > 0 ? lowest / ends : 0.0;
  };
  // Either piece's own elongation may carry the pathway (coarse pieces of a curved continuum):
  // the better of the two views.
  auto pathway_offset = [&](std::size_t b, std::size_t a) {
    const Offset o = offset(pathway_view[b], pathway_view[a]);
    const Offset o2 = offset(pathway_view[a], pathway_view[b]);
    return o2.across < o.across ? o2 : o;
  };
  // The mixture splits one large population into several pieces (a clone of 5% of the
  // sample: six pieces), and the piece of it nearest a stage may pass that stage's tests where
  // the population as a whole does not; the others then join through it (fresh
  // cd19-under/802: a CD34+ clone, 53% of the B lineage, joined stage I through its one piece
  // at directional 3.7 of 3.75, the whole clone at about 4: 0 called for 7962). Pieces of one
  // population: each mean within kSamePopulationSd of the other's (in its SDs), no density
  // valley between them (ridge >= kSamePopulationRidge; 2.5 SDs rather than 2: the slices of
  // a population widened by spillover spread lie further apart, and with 5% more detector
  // noise than the generator's a mature B slice 2.0-2.3 SDs from its neighbours was called
  // blasts, 3991 for 88; no unperturbed tube moved but cd19neg-relapse/825, 4764 -> 4906 for
  // 4919); populations are their transitive closure, and each piece knows its population's
  // event-weighted mean.
  auto build_populations = [&] {
    constexpr double kSamePopulationSd = 2.5, kSamePopulationRidge = 0.9;
    std::vector<std::size_t> root(k);
    std::iota(root.begin(), root.end(), std::size_t{0});
    auto find = [&](std::size_t c) {
      while (root[c] != c) c = root[c] = root[root[c]];
      return c;
    };
    for (std::size_t a = 0; a < k; ++a)
      for (std::size_t b = a + 1; b < k; ++b)
        if (pathway_view[a].mahalanobis2(pathway_view[b].mean.data()) <= kSamePopulationSd * kSamePopulationSd &&
            pathway_view[b].mahalanobis2(pathway_view[a].mean.data()) <= kSamePopulationSd * kSamePopulationSd &&
            ridge(a, b) >= kSamePopulationRidge)
          root[find(b)] = find(a);
    const std::size_t dm = marker_dims.size();
    std::vector<std::vector<double>> sum(k, std::vector<double>(d, 0.0));
    std::vector<double> weight(k, 0.0);
    for (std::size_t c = 0; c < k; ++c) {
      const std::size_t g = find(c);
      const double w = mix.components[c].weight;
      weight[g] += w;
      for (std::size_t q = 0; q < d; ++q) sum[g][q] += w * mix.components[c].mean[q];
    }
    population_of.resize(k);
    population_mean.assign(k, std::vector<double>(dm, 0.0));
    population_piece = mix.components;
    for (std::size_t c = 0; c < k; ++c) {
      const std::size_t g = population_of[c] = find(c);
      for (std::size_t q = 0; q < d; ++q) population_piece[c].mean[q] = sum[g][q] / weight[g];
      for (std::size_t q = 0; q < dm; ++q) population_mean[c][q] = population_piece[c].mean[marker_dims[q]];  // (the pathway view)
    }
  };
  build_views();
  build_populations();
  // Does piece b continue the pathway from its normal neighbour a (offset o of b from a)?
  // A piece displaced across the neighbour's axis may still continue it (a coarse piece of a
  // curved continuum) when it deviates in none of the directions in which leukaemic
  // precursors deviate, given its other markers, or when no density valley separates the two
  // (one continuum, sparsely populated between its pieces); and it keeps the stage rules.
  std::vector<bool> normal(k, false);  // on the normal pathway, per piece
  auto continues = [&](std::size_t b, std::size_t a, const Offset& o) {
    // A tiny piece (< 1%) small across the neighbour's axis is not thereby on the pathway: a
    // compact clone next to a stage lies along that stage's long axis as often as across it.
    const bool tiny = !substantial(b);
    // Stage I (CD34+) is the least mature normal stage: nothing normal lies beyond it. A CD34+
    // piece beside a CD34+ stage that deviates from it in the aberrant directions (given its
    // other markers) by more than the stage margin is not its continuation, however little
    // density separates them (mrd-0.1/268: 401 blasts, CD45 under- and CD58 over-expressed, a
    // piece of 1.5% next to stage I with across 3.59, ridge 0.38, directional 4.86: 0 called;
    // 409 for 406 with the rule; limits 3-4 give the same tuning result, 5 none).
    if (positive(mix.components[a], MaturationRole::cd34) && positive(mix.components[b], MaturationRole::cd34)) {
      // (b's population too: see build_populations; a's own population is its continuation.)
      if (directional_offset(pathway_view[b], pathway_view[a]) > opt.relation_margin ||
          (population_of[b] != population_of[a] &&
           directional_offset_of(population_mean[b], pathway_view[a]) > opt.relation_margin))
        return false;
    }
    if (o.total > opt.step_limit ||
        ((tiny || o.across > opt.relation_margin) &&
         directional_offset(pathway_view[b], pathway_view[a]) > opt.directional_margin &&
         ridge(a, b) < opt.ridge_ratio))
      return false;
    // The stage rules hold against b and against b's population both: EM cuts one wide
    // population into slices along its spread, and an edge slice's mean lies in the
    // population's tail (mature B cells sliced along the CD34 or CD10 spillover spread from
    // the bright CD19/CD20 stains: an edge slice "clearly CD34+ and CD20+", or a "clear
    // precursor" whose CD38 is a mature B cell's; with 3% more detector noise than the
    // generator's, a negative regenerating marrow was called 0.8% so). Only when both break
    // them is b off (judged by the population alone, another regenerating marrow was called
    // 0.9%; docs/analysis.md, twenty-first session).
    const Gaussian& bp = population_piece[b];
    auto breaks_as_piece_and_population = [&](const auto& rule, const Gaussian& other) {
      return rule(mix.components[b], other) && rule(bp, other);
    };
    if (breaks_as_piece_and_population(breaks_stage_rules, mix.components[a])) return false;
    // The precursor levels (CD38, CD58: breaks_precursor_levels) hold between any two normal
    // precursor stages, not only between a piece and the one it continues: a piece that breaks
    // them against another substantial stage within a step of it is not a stage either,
    // however wide the stage it continues
    // (fresh cd19-under/807: a CD58-bright clone, 48% of the B lineage, breaks them against
    // stage I and the main stage II piece, and joined through a small, wide stage II piece at
    // across 3.3-3.7 of 3.75).
    // (Substantial pieces only: a tiny piece's mean says little, and one admitted on shaky
    // grounds is set aside below, its events judged one by one.)
    if (tiny) return true;
    for (std::size_t c = 0; c < k; ++c) {
      if (c == a || c == b || !normal[c] || !substantial(c)) continue;
      if (breaks_as_piece_and_population(breaks_precursor_levels, mix.components[c]) && pathway_offset(b, c).total <= opt.step_limit)
        return false;
    }
    return true;
  };
  std::vector<double> off(k, INFINITY);
  // Tiny pieces set aside from the mixture (see below): neither normal stage nor cluster.
  std::vector<bool> set_aside;
  // Clearly CD34+ pieces that left the pathway as CD45-dimmer than stage I (see below).
  std::vector<bool> beyond_stage_one;
  std::vector<double> x(d);
  if (anchor < k) {
    r.pathway_anchored = true;
    normal[anchor] = true;
    off[anchor] = 0;
    std::vector<bool> barred;  // pieces kept off the pathway whatever their neighbours (see below)
    std::size_t bridged = k;   // the piece that bridged a sparse immature-B gap (k: none)
    // Grow the pathway: repeatedly admit the candidate with the smallest displacement that
    // continues some normal component within the limits (deterministic order).
    auto grow = [&] {
    for (bool grown = true; grown;) {
      grown = false;
      std::size_t pick = k;
      double pick_off = INFINITY;
      for (std::size_t b = 0; b < k; ++b) {
        if (normal[b] || (b < barred.size() && barred[b])) continue;
        for (std::size_t a = 0; a < k; ++a) {
          // Only substantial pieces (>= 1% of the B lineage, as for the anchor) carry the
          // pathway on: tiny components have unreliable covariances and would let a chain of
          // them bridge to a separate cluster.
          if (!normal[a] || !substantial(a)) continue;
          const Offset o = pathway_offset(b, a);
          off[b] = std::min(off[b], o.across);
          if (!continues(b, a, o)) continue;
          if (o.across < pick_off) { pick_off = o.across; pick = b; }
        }
      }
      if (pick < k) { normal[pick] = true; grown = true; }
    }
    };
    grow();
    // Replaces the mixture's pieces (and their normal flags), then grows the pathway again.
    auto regrow = [&](std::vector<Gaussian> pieces, std::vector<bool> on_pathway) {
      mix.components = std::move(pieces);
      normal = std::move(on_pathway);
      k = mix.components.size();
      off.assign(k, INFINITY);
      for (std::size_t c = 0; c < k; ++c)
        if (normal[c]) off[c] = 0;
      build_views();
      build_populations();
      grow();
    };
    {
      // Off-pathway components may hide a clone merged with other cells (plasma cells, dead
      // cells): split them where the BIC says so, and let the halves continue the pathway or
      // not. So may a substantial precursor stage (CD10+ or CD34+) when the clone is a large
      // share of it (mrd-0.1/205: 420 blasts and 428 stage I cells in one piece): it is offered
      // the same split, its halves are judged again, and it stays whole when both rejoin.
      auto precursor_stage = [&](std::size_t c) {
        return normal[c] && c != anchor && substantial(c) && precursor_mean(mix.components[c].mean).value_or(false);
      };
      const std::vector<std::size_t> fit_owner = classify_fit_rows();
      std::vector<std::vector<Gaussian>> split_of(k);
      parallel_for(k, true, [&](std::size_t c) {
        if (!normal[c] || precursor_stage(c)) split_of[c] = split_in_two(c, fit_owner);
      });
      const std::vector<Gaussian> whole = mix.components;
      const std::size_t k_whole = k;
      std::vector<Gaussian> next;
      std::vector<bool> next_normal;
      std::vector<std::size_t> stage_of;  // the split stage each piece came from (k_whole: none)
      std::size_t next_anchor = k_whole;  // the anchor's index among the pieces (never split)
      for (std::size_t c = 0; c < k; ++c) {
        const bool split_stage = normal[c] && !split_of[c].empty();
        if (split_of[c].empty()) split_of[c] = {mix.components[c]};
        if (c == anchor) next_anchor = next.size();
        for (auto& g : split_of[c]) {
          next.push_back(std::move(g));
          next_normal.push_back(normal[c] && !split_stage);
          stage_of.push_back(split_stage ? c : k_whole);
        }
      }
      if (next.size() > k) {
        anchor = next_anchor;
        regrow(std::move(next), std::move(next_normal));
        std::vector<bool> rejoined(k_whole, true);
        for (std::size_t c = 0; c < k; ++c)
          if (stage_of[c] < k_whole && !normal[c]) rejoined[stage_of[c]] = false;
        // A stage that splits into a clearly CD34+ half and a CD34-dim one, both substantial,
        // was stage I merged with the start of stage II: it stays split, so that stage I is a
        // piece of its own against which the other CD34+ pieces are judged (the CD34 relation
        // in `continues`, maturation arrest and the CD45 rule below; mrd-0.1/267: stage I
        // merged with stage II, and a CD45-dim clone beside it was taken for stage I).
        for (std::size_t c = 0; c + 1 < k; ++c)
          if (stage_of[c] < k_whole && stage_of[c + 1] == stage_of[c] && substantial(c) && substantial(c + 1) &&
              clearly_positive(mix.components[c], MaturationRole::cd34) !=
                  clearly_positive(mix.components[c + 1], MaturationRole::cd34))
            rejoined[stage_of[c]] = false;
        if (opt.diagnostics)
          for (std::size_t c = 0; c < k; ++c) {
            if (stage_of[c] == k_whole) continue;
            r.notes.push_back("DfN stage split " + std::to_string(stage_of[c]) + " half " + std::to_string(c) +
                              (normal[c] ? " normal" : " off") + " w " + std::to_string(mix.components[c].weight) +
                              " mean" + raw_means_text(mix.components[c]));
          }
        std::vector<Gaussian> kept;
        std::vector<bool> kept_normal;
        std::size_t kept_anchor = k;
        for (std::size_t c = 0; c < k; ++c) {
          if (c == anchor) kept_anchor = kept.size();
          const std::size_t s0 = stage_of[c];
          if (s0 < k_whole && rejoined[s0]) {
            if (c == 0 || stage_of[c - 1] != s0) {  // the halves are adjacent: one whole piece
              kept.push_back(whole[s0]);
              kept_normal.push_back(true);
            }
            continue;
          }
          kept.push_back(mix.components[c]);
          kept_normal.push_back(normal[c]);
        }
        if (kept.size() < k) {
          anchor = kept_anchor;
          regrow(std::move(kept), std::move(kept_normal));
        }
      }
    }
    // A sparse immature-B gap: when few hematogones sit among many mature B cells, the immature
    // B cells between them are absorbed by the mature pieces and no stage continues the
    // pathway, so the whole precursor compartment would be called blasts (mrd-0.01/248: 3193
    // for 75). If no precursor stage joined, the nearest substantial CD34-negative precursor
    // piece (pre-B, the stage next to immature B) bridges the gap when its displacement from a
    // mature piece is of normal maturation only: CD38 bright (hematogones are CD38++ throughout;
    // leukaemic precursors are often CD38 dim), CD58 not raised, CD45 not fallen by more than
    // twice the stage margin (pre-B is CD45 dimmer than mature B: 2.7-3.1 SD measured), and
    // the stage rules kept. The further stages then join by the usual rules, so a clone still
    // has to continue that stage to be called normal.
    // A joined piece as CD20-bright as the brightest normal piece is mature B, even when its
    // CD10 or CD34 mean lies above the T cells' limit (fresh seed loq/515: the mature B cells'
    // CD10 sat above the T cells' p99.5, four mature pieces counted as precursor stages, the
    // gap was not bridged and the whole precursor compartment was called: 7140 for 50; 46 with
    // this rule). Only a piece CD20-dimmer than that by more than the stage margin (in the
    // bright piece's SD) shows that a precursor stage joined.
    if (opt.bridge_gap) {
      const std::size_t cd20_dim = dim_of(MaturationRole::cd20);
      std::size_t cd20_brightest = k;
      for (std::size_t c = 0; c < k && cd20_dim < d; ++c)
        if (normal[c] && substantial(c) &&
            (cd20_brightest == k || mix.components[c].mean[cd20_dim] > mix.components[cd20_brightest].mean[cd20_dim]))
          cd20_brightest = c;
      auto dimmer_than_mature = [&](const Gaussian& g) {
        if (cd20_brightest == k) return true;  // no CD20: judged by CD10/CD34 alone
        const Gaussian& m = mix.components[cd20_brightest];
        return g.mean[cd20_dim] < m.mean[cd20_dim] - opt.relation_margin * std::sqrt(m.cov[cd20_dim * d + cd20_dim]);
      };
      bool precursor_joined = false;
      for (std::size_t c = 0; c < k; ++c)
        precursor_joined = precursor_joined || (normal[c] && substantial(c) && precursor(mix.components[c]) &&
                                                dimmer_than_mature(mix.components[c]));
      std::size_t pick = k;
      double pick_total = 2 * opt.step_limit;
      for (std::size_t b = 0; b < k && !precursor_joined; ++b) {
        const Gaussian& gb = mix.components[b];
        if (normal[b] || !substantial(b) || !precursor(gb) || positive(gb, MaturationRole::cd34)) continue;
        for (std::size_t a = 0; a < k; ++a) {
          const Gaussian& ga = mix.components[a];
          if (!normal[a] || !substantial(a) || precursor(ga)) continue;
          const Offset o = pathway_offset(b, a);
          if (o.total > pick_total || breaks_stage_rules(gb, ga)) continue;
          bool maturation_only = true;
          for (std::size_t q = 0; q < d && maturation_only; ++q) {
            const double delta = shift_in_sds(gb, ga, q);
            if (f[q].role == MaturationRole::cd38) maturation_only = delta >= 0;
            else if (f[q].role == MaturationRole::cd58 || f[q].role == MaturationRole::over) maturation_only = delta <= 1.0;
            else if (f[q].role == MaturationRole::under) maturation_only = delta >= -1.0;
            else if (f[q].role == MaturationRole::cd45) maturation_only = delta >= -2 * opt.relation_margin;
          }
          if (maturation_only) { pick_total = o.total; pick = b; }
        }
      }
      if (pick < k) {
        normal[pick] = true;
        bridged = pick;
        if (opt.diagnostics) {
          r.notes.push_back("DfN gap bridged by piece " + std::to_string(pick) + " mean" + raw_means_text(mix.components[pick]));
        }
        grow();
      }
    }
    // Maturation arrest at the earliest stage: in normal and regenerating marrow the CD34+
    // precursors are the smallest stage, outnumbered by the CD34-negative precursors after
    // them (Rimsza 2000, hematogone-rich marrows: CD10+ intermediates predominate, CD34+ TdT+
    // cells the smallest subset). A clone beside stage I that no density valley separates from
    // it joins the pathway there and can outweigh the whole precursor compartment (fresh
    // cd22-dim/819: 4492 blasts with 172 stage I cells, the clone only CD45-dimmer; fresh
    // cd19neg-relapse/825, B-cell aplasia: 4919 blasts, no stage II at all; both 0 called).
    // When the clearly CD34+ pieces of the pathway (and the pieces beyond them, below)
    // outweigh the other precursor pieces by more than arrest_ratio, they leave it: the normal
    // stage I cells among them are few next to such a clone, and the blast models still need
    // confirmation as B-lineage precursors.
    // (Measured on the 545 evaluation tubes, pieces beyond stage I counted, before the guard
    // below, which can only lower it: 0.63 at most in the 80 negative tubes, 1.07 at most where
    // no arrest was called; 819 2.24, 868 3.27, 872 3.69, 898 4.00; in 825 and the other
    // aplastic relapses no precursor piece is left on the pathway by now.)
    {
      double earliest = 0, later_precursors = 0;
      std::vector<bool> cd34_stage(k, false);  // the clearly CD34+ pieces of the pathway
      for (std::size_t c = 0; c < k; ++c)
        cd34_stage[c] = normal[c] && clearly_positive(mix.components[c], MaturationRole::cd34);
      // Maturation lowers CD10 and raises CD45. A CD34-negative precursor piece brighter in
      // CD10 and dimmer in CD45 than the most mature CD34+ piece (normal stage I, when a clone
      // lies beyond it) is no later stage: it is the CD34-negative part of such a clone and
      // counts with the arrested mass (fresh cd19-over/868 and 898: 5% clones, CD34 from bright
      // to negative, whose CD34-negative pieces counted as later precursors: 1.87 and 1.16,
      // 25 and 0 called for 8342 and 8285). Unless it is more mature in both than some CD34+
      // piece: with more detector noise a stage II piece's CD34 spread can make it the most
      // mature "CD34+" piece, and every other stage II piece then lay beyond it (noisy5
      // mrd-0.01/247: the whole precursor compartment called, 22712 for 90).
      const std::size_t d10 = dim_of(MaturationRole::cd10), d45 = dim_of(MaturationRole::cd45);
      auto maturity = [&](std::size_t c) { return mix.components[c].mean[d45] - mix.components[c].mean[d10]; };
      std::size_t stage_one = k;
      if (d10 < d && d45 < d)
        for (std::size_t c = 0; c < k; ++c)
          if (cd34_stage[c] && (stage_one == k || maturity(c) > maturity(stage_one))) stage_one = c;
      // x more mature than y in both markers (CD10 lower, CD45 higher).
      auto more_mature = [&](const Gaussian& x, const Gaussian& y) {
        return x.mean[d10] < y.mean[d10] && x.mean[d45] > y.mean[d45];
      };
      std::vector<bool> beyond(k, false);
      for (std::size_t c = 0; c < k; ++c) {
        if (!normal[c]) continue;
        const Gaussian& g = mix.components[c];
        beyond[c] = stage_one < k && !cd34_stage[c] && precursor(g) && more_mature(mix.components[stage_one], g);
        for (std::size_t a = 0; a < k && beyond[c]; ++a)
          beyond[c] = !(cd34_stage[a] && more_mature(g, mix.components[a]));
        if (cd34_stage[c] || beyond[c]) earliest += g.weight;
        else if (precursor(g)) later_precursors += g.weight;
        if (opt.diagnostics && stage_one < k && (beyond[c] || cd34_stage[c])) {
          char buf[200];
          const Gaussian& s1 = mix.components[stage_one];
          std::snprintf(buf, sizeof buf, "DfN arrest piece %zu (%s) w %.4f cd10 %+.2f cd45 %+.2f SDs of %zu", c,
                        beyond[c] ? "beyond" : "cd34", g.weight, shift_in_sds(g, s1, d10), shift_in_sds(g, s1, d45),
                        stage_one);
          r.notes.push_back(buf);
        }
      }
      const bool arrest = earliest > opt.arrest_ratio * later_precursors &&
                          earliest * static_cast<double>(idx.size()) >= static_cast<double>(opt.lod_events);
      if (opt.diagnostics) {
        char buf[160];
        std::snprintf(buf, sizeof buf, "DfN CD34+ stage %.4f, later precursors %.4f%s", earliest, later_precursors,
                      arrest ? ": maturation arrest" : "");
        r.notes.push_back(buf);
      }
      // The pathway grown again from the anchor (and the gap's bridge) without the barred pieces.
      auto regrow_without_barred = [&] {
        normal.assign(k, false);
        normal[anchor] = true;
        if (bridged < k && !barred[bridged]) normal[bridged] = true;
        off.assign(k, INFINITY);
        off[anchor] = 0;
        grow();
      };
      if (arrest) {
        // The pathway is grown again from the anchor without them, so that the pieces that
        // joined through them (the rest of such a clone: 825's CD34-dimmer pieces) leave too.
        // (With them, the other pieces of their populations: see build_populations.)
        barred.assign(k, false);
        std::vector<bool> arrested_population(k, false);
        for (std::size_t c = 0; c < k; ++c)
          if (cd34_stage[c] || beyond[c]) barred[c] = arrested_population[population_of[c]] = true;
        for (std::size_t c = 0; c < k; ++c)
          barred[c] = barred[c] || (normal[c] && c != anchor && arrested_population[population_of[c]]);
        regrow_without_barred();
      } else if (stage_one < k && std::isfinite(opt.stage_one_cd45_margin)) {
        // CD45 under-expression beside stage I: CD45 rises with maturation, so no normal
        // piece at stage I's CD10 level is much CD45-dimmer than stage I. A substantial clearly
        // CD34+ piece within the margin of stage I in CD10 but CD45-dimmer than it by more than
        // the margin (in stage I's SDs) is a clone arrested at stage I, however little density
        // separates the two (mrd-0.1/267: 402 blasts, CD45-dim, in a piece of 2.4% beside
        // stage I, 3.1 SDs dimmer: 0 called). It leaves the pathway; its model then counts only
        // off-pathway events (EM merged it with the stage I cells beside it).
        // (Measured, 385 tubes: a CD34+ piece at most 1.2 SDs CD45-dimmer than stage I in the 80
        // negative tubes; with 5% more detector noise a stage II slice can be the most mature
        // CD34+ piece, and real stage I lies beyond it, 4.6-7.4 SDs CD45-dimmer but 9 SDs
        // CD10-brighter: hence the CD10 condition; tiny pieces are judged one by one anyway.)
        const Gaussian& s1 = mix.components[stage_one];
        const double margin = opt.stage_one_cd45_margin;
        std::vector<bool> cd45_dim(k, false);
        bool any = false;
        for (std::size_t c = 0; c < k; ++c)
          if (cd34_stage[c] && c != stage_one && substantial(c) &&
              std::abs(shift_in_sds(mix.components[c], s1, d10)) <= margin &&
              shift_in_sds(mix.components[c], s1, d45) < -margin)
            cd45_dim[c] = any = true;
        if (any) {
          if (opt.diagnostics) r.notes.push_back("DfN CD45-dimmer than stage I: pieces leave the pathway");
          barred = beyond_stage_one = cd45_dim;
          regrow_without_barred();
        }
      }
    }
    // A tiny piece admitted only because no density valley separates it from a stage is not
    // evidence of normal cells: beside a large stage the stage's own tail fills any valley.
    // Such a piece can hold a compact clone with about as many stage I cells (their mean then
    // continues the pathway). Unless it also deviates in no aberrant direction from some
    // substantial stage, it is set aside: neither a normal region nor a cluster, so its events
    // are judged one by one against the substantial stages.
    set_aside.assign(k, false);
    for (std::size_t b = 0; b < k; ++b) {
      if (!normal[b] || substantial(b)) continue;
      bool plain = false;
      for (std::size_t a = 0; a < k && !plain; ++a)
        plain = normal[a] && substantial(a) && pathway_offset(b, a).total <= opt.step_limit &&
                directional_offset(pathway_view[b], pathway_view[a]) <= opt.directional_margin;
      set_aside[b] = !plain;
    }
    for (std::size_t b = 0; b < k; ++b)
      if (set_aside[b]) normal[b] = false;
    if (opt.diagnostics)  // how each piece relates to its normal neighbours (why it joined or stayed off)
      for (std::size_t b = 0; b < k; ++b) {
        if (b == anchor) continue;
        const char* kind = normal[b] ? (substantial(b) ? "DfN stage " : "DfN tiny ")
                                     : set_aside[b] ? "DfN set aside " : "DfN off ";
        std::string t = kind + std::to_string(b) + ":";
        for (std::size_t a = 0; a < k; ++a) {
          if (a == b || !normal[a] || !substantial(a)) continue;
          const Offset o = pathway_offset(b, a);
          if (o.total > 2 * opt.step_limit) continue;
          char buf[160];
          std::snprintf(buf, sizeof buf, " [%zu tot %.1f acr %.1f dir %.1f stage %d ridge %.3f]", a, o.total, o.across,
                        directional_offset(pathway_view[b], pathway_view[a]),
                        int(breaks_stage_rules(mix.components[b], mix.components[a])), ridge(a, b));
          t += buf;
        }
        r.notes.push_back(t);
      }
  } else {
    r.notes.push_back("DfN: no mature B-cell component (CD20+ CD10-): normal pathway absent, "
                      "every B-lineage cluster is treated as abnormal");
  }

  const double chi2_median = chi2_upper(static_cast<double>(d), 0.5);
  // The B-lineage events each piece holds: normal pieces' standardised rows (for their robust
  // refit), and off-pathway pieces' rows with the lineage markers (CD19, CD22), standardised
  // likewise, as further dimensions (d + lineage.size() per row) for their split below.
  const Standardized lineage_st(lineage, b_lineage);
  const std::size_t de = d + lineage.size();
  // Clearly B lineage: some lineage marker (CD19 or CD22) beyond its clear limit (true when no
  // lineage marker has a limit).
  auto clearly_b = [&](std::size_t i) {
    bool judged = false;
    for (const auto& lf : lineage) {
      if (!std::isfinite(lf.negative_limit)) continue;
      judged = true;
      if (lf.values[i] > clear_limit(lf)) return true;
    }
    return !judged;
  };
  set_aside.resize(k, false);  // (none without a pathway)
  std::vector<std::vector<double>> own_rows(k), off_rows(k);
  std::vector<std::size_t> clearly_b_events(k, 0);  // per off-pathway piece
  {
    const std::vector<std::size_t> owner = classify_each(mix, idx.size(), d, idx.size() >= 20000,
                                                         [&](std::size_t j, double* out) { st.row(f, idx[j], out); });
    for (std::size_t j = 0; j < idx.size(); ++j) {
      const std::size_t i = idx[j], c = owner[j];
      if (set_aside[c]) continue;
      auto& to = normal[c] ? own_rows[c] : off_rows[c];
      st.row(f, i, x.data());
      to.insert(to.end(), x.begin(), x.end());
      if (normal[c]) continue;
      to.resize(to.size() + lineage.size());
      lineage_st.row(lineage, i, &to[to.size() - lineage.size()]);
      clearly_b_events[c] += clearly_b(i);
    }
  }
  // The pieces are final from here (the robust refit below keeps their weights): their log
  // weights, taken once rather than per event.
  std::vector<double> mix_log_weight(k);
  for (std::size_t c = 0; c < k; ++c) mix_log_weight[c] = std::log(mix.components[c].weight);
  // Of the mixture components `ids`, the one most likely to hold `row` (k when there is none).
  auto most_likely_of = [&](const std::vector<std::size_t>& ids, const double* row) {
    std::size_t best = k;
    double best_l = -INFINITY;
    for (auto c : ids) {
      const double l = mix_log_weight[c] + mix.components[c].log_density(row);
      if (l > best_l) { best_l = l; best = c; }
    }
    return best;
  };
  // Aberrant direction of each modelled feature (see aberrant_direction) and how many have one.
  std::vector<double> direction(d, 0.0);
  std::size_t aberrant_markers = 0;
  for (std::size_t a = 0; a < d; ++a) {
    direction[a] = aberrant_direction(f[a].role);
    aberrant_markers += direction[a] != 0;
  }
  // A tiny normal piece is judged by its mean, and a clone merged with cells of another kind can
  // average out to a plain stage (mrd-0.01/254: 83 blasts, CD38 dim, with 100 CD38-bright plasma
  // cells in a piece of 0.7% whose mean continued stage II; 0 called). Such a piece, two
  // populations by the BIC on all its events (each >= LOD events), is set aside like the
  // ridge-only pieces above, so its events are judged one by one against the substantial stages.
  {
    std::vector<char> two(k, 0);
    parallel_for(k, true, [&](std::size_t c) {
      if (normal[c] && !substantial(c) && own_rows[c].size() >= 2 * opt.lod_events * d)
        two[c] = !bic_split_in(own_rows[c], d, static_cast<double>(opt.lod_events)).empty();
    });
    // The BIC needs a large gain to pay for a second full covariance on a few hundred rows, and
    // misses a clone that is a third of such a piece (fresh 0.01/511: 84 blasts with 149 stage I
    // cells, gain 211 against a penalty of 243; 0 called). The piece is set aside also when at
    // least lod of its events deviate, each on its own, from the substantial stages in the
    // aberrant directions beyond chi-square(1e-3, #aberrant markers) (511: exactly its 84
    // blasts; no tuning or check tube has such a piece).
    std::vector<std::size_t> stages;
    std::vector<std::vector<double>> stage_precision(k);
    for (std::size_t c = 0; c < k; ++c)
      if (normal[c] && substantial(c)) {
        stages.push_back(c);
        stage_precision[c] = precision_of(mix.components[c]);
      }
    const double event_limit = aberrant_markers ? chi2_upper(static_cast<double>(aberrant_markers), 1e-3) : INFINITY;
    parallel_for(k, true, [&](std::size_t c) {
      if (two[c] || !normal[c] || substantial(c) || stages.empty() || !aberrant_markers) return;
      std::size_t aberrant_events = 0;
      for (std::size_t j = 0; j < own_rows[c].size() / d; ++j) {
        const double* row = &own_rows[c][j * d];
        const std::size_t best = most_likely_of(stages, row);
        aberrant_events += best < k && directional_deviation2(stage_precision[best], mix.components[best].mean.data(),
                                                              row, direction) > event_limit;
      }
      two[c] = aberrant_events >= opt.lod_events;
    });
    for (std::size_t c = 0; c < k; ++c)
      if (two[c]) {
        normal[c] = false;
        set_aside[c] = true;
        own_rows[c].clear();
        if (opt.diagnostics) r.notes.push_back("DfN tiny " + std::to_string(c) + " holds two populations: set aside");
      }
  }
  if (opt.robust_core < 1.0 || opt.earliest_core < 1.0) {
    // A small clone close to a hematogone stage is absorbed by that stage's component, whose
    // covariance then stretches over it and hides it. Refit every substantial normal piece to
    // the core of the events it holds (all its B-lineage events), so the clone stands out of
    // it again.
    // A small clearly CD34+ piece (stage I, below earliest_share of the B lineage) gets the
    // tighter earliest_core: a clone of LOD to 0.01% size is a large share of it, and a
    // three-quarter core still holds much of the clone (BD-set 0.01/1007 and 1016: 83 and 78
    // blasts in stage I pieces of 2.0% and 1.0%, 0 called). A large stage I piece keeps
    // robust_core: its core barely moves for a few dozen blasts, and a tighter one turns its
    // tails and its neighbours' into a cluster of normal cells (tuning 0.01/235, all stage I
    // pieces at 0.5: 35 hematogones and mature B cells called with the clone).
    parallel_for(k, true, [&](std::size_t c) {
      if (!normal[c] || !substantial(c)) return;
      const bool small_earliest = mix.components[c].weight < opt.earliest_share &&
                                  clearly_positive(mix.components[c], MaturationRole::cd34);
      const double core = small_earliest ? std::min(opt.robust_core, opt.earliest_core) : opt.robust_core;
      if (core < 1.0) concentrate(mix.components[c], own_rows[c], d, core, chi2_median);
    });
  }
  // Blasts are B-cell precursors: a candidate cluster must be CD10+ or CD34+ against the
  // negative reference (when those markers and limits are known). Off-pathway clusters without
  // either are other cells in the B-lineage gate (plasma cells, basophils), not DfN blasts.
  // Plasma cells (CD38 brighter than any normal B-lineage stage, CD10-negative) are not
  // precursors even when CD34 spillover spreading lifts part of them above its limit.
  double plasma_cd38 = INFINITY;  // standardised units
  const std::size_t cd38_dim = dim_of(MaturationRole::cd38);
  std::size_t cd10_dim = d;  // (only with a negative limit)
  for (std::size_t a = 0; a < d; ++a)
    if (f[a].role == MaturationRole::cd10 && std::isfinite(f[a].negative_limit)) cd10_dim = a;
  if (cd38_dim < d && cd10_dim < d) {
    double brightest = -INFINITY;
    for (std::size_t c = 0; c < k; ++c)
      if (normal[c] && substantial(c))
        brightest = std::max(brightest, mix.components[c].mean[cd38_dim] +
                                            1.5 * std::sqrt(mix.components[c].cov[cd38_dim * d + cd38_dim]));
    if (std::isfinite(brightest)) plasma_cd38 = brightest;
  }
  auto plasma_like = [&](const auto& mean) {  // (a vector or a row pointer)
    return cd38_dim < d && cd10_dim < d && mean[cd38_dim] > plasma_cd38 &&
           mean[cd10_dim] * st.scale[cd10_dim] + st.centre[cd10_dim] <= f[cd10_dim].negative_limit;
  };
  // A population's mean clearly CD34+ (beyond the limit by the reference's spread) is not
  // plasma cells, whose CD34 is raised by spreading on part of the events only: without a
  // precursor stage on the pathway (B-cell aplasia after CAR-T) a CD10-negative CD34+ clone is
  // brighter in CD38 than the only normal stage, the mature B cells.
  auto plasma_like_mean = [&](const std::vector<double>& mean) {
    return plasma_like(mean) &&
           !clearly_positive_by([&](std::size_t a) { return mean[a] * st.scale[a] + st.centre[a]; }, MaturationRole::cd34);
  };
  auto precursor_like = [&](const std::vector<double>& mean) {
    return !plasma_like_mean(mean) && precursor_mean(mean).value_or(true);  // unjudged: precursor-like
  };
  // A cluster clearly positive for every lineage marker (two at least), CD20-negative and no
  // brighter in CD38 than the normal stages is a B cell neither mature nor plasma cell: a
  // precursor whatever its CD10 and CD34 (CD10-negative pro-B ALL, CD34 partly lost). Basophils
  // and myeloid progenitors lack CD19, plasma cells CD22 and CD20-negative mature B cells do not
  // exist. CD20 must sit at the negative reference's level (no more than halfway from its
  // median to its limit): a mix of normal stages (stage II, immature and a few mature B cells)
  // has its CD20 median just under the limit (noisy tuning 0.01/237: 0.44-0.47 for a limit of
  // 0.50, 32 normal cells called; the CD10-negative clone of fresh7 loq/703: 0.21 for 0.42).
  // `lineage_medians` per lineage marker, CD20 raw, CD38 standardised.
  const std::size_t cd20_dim = dim_of(MaturationRole::cd20);
  double cd20_negative = -INFINITY;
  if (cd20_dim < d && std::isfinite(f[cd20_dim].negative_limit))
    cd20_negative = std::isfinite(f[cd20_dim].negative_median)
                        ? 0.5 * (f[cd20_dim].negative_limit + std::min(f[cd20_dim].negative_median, f[cd20_dim].negative_limit))
                        : f[cd20_dim].negative_limit;
  // Medians (per lineage marker, raw) clearly positive for every lineage marker with a limit,
  // two at least: B cells, neither basophils and myeloid progenitors nor plasma cells.
  auto clearly_b_by_every_lineage = [&](const std::vector<double>& lineage_medians) {
    std::size_t clear = 0;
    for (std::size_t m = 0; m < lineage.size(); ++m) {
      if (!std::isfinite(lineage[m].negative_limit)) continue;
      if (!(lineage_medians[m] > clear_limit(lineage[m]))) return false;
      ++clear;
    }
    return clear >= 2;
  };
  auto b_precursor_by_lineage = [&](const std::vector<double>& lineage_medians, double cd20, double cd38) {
    if (!std::isfinite(cd20_negative) || cd38_dim == d || !std::isfinite(plasma_cd38)) return false;
    return clearly_b_by_every_lineage(lineage_medians) && cd20 <= cd20_negative && cd38 <= plasma_cd38;
  };
  // Blast models: off-pathway components, then rare outlier clusters.
  // Off-pathway components that are not precursor-like (dead cells, plasma cells, basophils,
  // myeloid progenitors leaking into the B-lineage gate) are kept as "other" models: they
  // compete in the final assignment so that their events are not handed to a blast model.
  std::vector<Gaussian> blast_models, other_models;
  // Where each mixture blast model came from (rare and density-excess models, added later, have
  // no entry): a leaf split from an off-pathway piece; a piece that left the pathway as
  // CD45-dimmer than stage I.
  struct MixtureOrigin {
    bool split_leaf = false;
    bool beside_stage_one = false;
  };
  std::vector<MixtureOrigin> origin;
  std::size_t rare_from = static_cast<std::size_t>(-1);  // first blast model from rare events
  std::size_t excess_from = static_cast<std::size_t>(-1);  // first blast model from a density excess
  std::vector<double> blast_weight, other_weight;
  const double nb = static_cast<double>(idx.size());
  // A non-precursor off-pathway piece may hold a clone merged with the cells of other lineages
  // that share its place in the modelled markers (basophils, NK cells, erythroid precursors,
  // dead cells): the mixture was fitted to a subsample, where a clone of 50-100 events leaves
  // too few rows to split it off. Its own events (all of them, with CD19 and CD22 as further
  // dimensions, in which those cells are negative) are bisected while the BIC prefers two
  // clusters of >= lod events, to depth 3 (on at most 1500 strided rows per split). A leaf is
  // clone-like when it is precursor-like, clearly B lineage (median CD19 or CD22 beyond its
  // clear limit), not CD38-bright (a CD10-spread tail of plasma cells is otherwise "CD10+") and
  // has blast scatter.
  // Blast scatter: side scatter below the monocytes' (leaked granulocytes carry CD10) and
  // forward scatter not below the lymphocytes' (dead cells are smaller); value_of(a) gives a
  // cluster's typical raw value of feature a.
  std::size_t ssc_dim = d, fsc_dim = d;
  for (std::size_t a = 0; a < d; ++a) {
    if (f[a].marker == "SSC" && std::isfinite(opt.max_side_scatter)) ssc_dim = a;
    if (f[a].marker == "FSC" && std::isfinite(opt.min_forward_scatter)) fsc_dim = a;
  }
  auto blast_scatter = [&](const auto& value_of) {
    return (ssc_dim == d || value_of(ssc_dim) < opt.max_side_scatter) &&
           (fsc_dim == d || value_of(fsc_dim) >= opt.min_forward_scatter);
  };
  // Per event: its own scatter, and whether it could count as a blast itself (clearly B lineage,
  // blast scatter), the filter of the density-excess pool and of the second rare search.
  auto event_blast_scatter = [&](std::size_t i) { return blast_scatter([&](std::size_t a) { return f[a].values[i]; }); };
  auto could_count = [&](std::size_t i) { return clearly_b(i) && event_blast_scatter(i); };
  struct Leaf { Gaussian g; bool clone_like = false; };
  auto split_off_pathway_piece = [&](std::size_t c, std::string& note) {
    std::vector<Leaf> leaves;
    // A piece with fewer than lod clearly-B events cannot hide a clone (whose events must be
    // clearly B to count): not split (most dead-cell, basophil and myeloid pieces).
    if (off_rows[c].size() < 2 * opt.lod_events * de || clearly_b_events[c] < opt.lod_events) return leaves;
    const double events = static_cast<double>(off_rows[c].size() / de);
    auto leaf = [&](const std::vector<double>& ext, double share) {
      const std::size_t n = ext.size() / de;
      std::vector<double> modelled;
      for (std::size_t j = 0; j < n; ++j) modelled.insert(modelled.end(), &ext[j * de], &ext[j * de] + d);
      Leaf l{fit_gaussian(modelled, d, 1e-3)};
      l.g.weight = share * events / nb;
      bool b_like = lineage.empty();
      std::vector<double> lineage_medians(lineage.size(), -INFINITY);
      for (std::size_t m = 0; m < lineage.size(); ++m) {
        if (!std::isfinite(lineage[m].negative_limit)) { b_like = true; continue; }
        std::vector<double> v(n);
        for (std::size_t j = 0; j < n; ++j) v[j] = ext[j * de + d + m] * lineage_st.scale[m] + lineage_st.centre[m];
        lineage_medians[m] = quantile_inplace(v, 0.5).value_or(-INFINITY);
        b_like |= lineage_medians[m] > clear_limit(lineage[m]);
      }
      const bool scatter_ok = blast_scatter([&](std::size_t a) { return raw_mean(l.g, a); });
      const bool cd38_bright = cd38_dim < d && l.g.mean[cd38_dim] > plasma_cd38;
      // A clone partly CD34+ and CD10-negative has its mean under both limits though most of
      // its events are above one (loq/603: 24 of 45): precursor-like too when at least half
      // of the leaf's events are CD10+ or CD34+ on their own.
      auto mostly_precursors = [&] {
        std::size_t precursor_events = 0;
        for (std::size_t j = 0; j < n; ++j) precursor_events += precursor_mean(&ext[j * de]).value_or(false);
        return !plasma_like_mean(l.g.mean) && 2 * precursor_events >= n;
      };
      const bool b_precursor = cd20_dim < d && cd38_dim < d &&
                               b_precursor_by_lineage(lineage_medians, raw_mean(l.g, cd20_dim), l.g.mean[cd38_dim]);
      l.clone_like = (precursor_like(l.g.mean) || mostly_precursors() || b_precursor) && b_like && !cd38_bright && scatter_ok &&
                     l.g.weight * nb >= static_cast<double>(opt.lod_events);
      leaves.push_back(std::move(l));
    };
    // Below the first split, a part is small and already known to come from a mixture, so the
    // shared-covariance halves are tried as well (loq/210: 50 blasts among 873 basophils; the
    // first split leaves them with 73 basophils, gain 282 against a full-covariance penalty of
    // 318 on 123 rows, 0 called; the shared halves pass, 171 against 53, and the 51-event leaf
    // is the clone). Not on whole pieces: there it changed many tubes, fixed none more, and
    // made a plasma-cell leaf a blast model on fresh 0.01/508 (eleventh session).
    auto bisect = [&](auto&& self, const std::vector<double>& rows_in, int depth, double share) -> void {
      const auto two = depth < 3 ? bic_split_in(rows_in, de, static_cast<double>(opt.lod_events), depth >= 1)
                                 : std::vector<Gaussian>{};
      if (two.size() != 2) return leaf(rows_in, share);
      std::vector<double> part[2];
      for (std::size_t j = 0; j < rows_in.size() / de; ++j) {
        const double* row = &rows_in[j * de];
        const int h = std::log(two[1].weight) + two[1].log_density(row) > std::log(two[0].weight) + two[0].log_density(row);
        part[h].insert(part[h].end(), row, row + de);
      }
      for (const auto& rows_h : part) {
        const double sh = share * static_cast<double>(rows_h.size()) / static_cast<double>(rows_in.size());
        if (rows_h.size() / de >= opt.lod_events) self(self, rows_h, depth + 1, sh);
        else if (rows_h.size() / de > de + 2) leaf(rows_h, sh);  // too few to split further
      }
    };
    bisect(bisect, off_rows[c], 0, 1.0);
    if (opt.diagnostics && leaves.size() > 1) {
      std::string t = "DfN off split " + std::to_string(c) + ":";
      for (const auto& l : leaves) t += " " + std::to_string(std::lround(l.g.weight * nb)) + (l.clone_like ? "C" : "-");
      note = std::move(t);
    }
    if (std::none_of(leaves.begin(), leaves.end(), [](const Leaf& l) { return l.clone_like; })) leaves.clear();
    return leaves;
  };
  auto plain_blast_piece = [&](std::size_t c) {
    return mix.components[c].weight * nb >= static_cast<double>(opt.lod_events) && precursor_like(mix.components[c].mean);
  };
  // Each piece split on its own (threads give the same result); notes and models in piece order.
  std::vector<std::vector<Leaf>> leaves_of(k);
  std::vector<std::string> split_note(k);
  // A small precursor-like piece (< 1%) may be a clone merged with cells of another lineage
  // that leak into the B-lineage gate: CD34+ myeloid progenitors (loq/251: 49 blasts and 51 of
  // them in one piece of 100, whose CD19/CD22 medians then fail confirmation, 0 called), or
  // dead cells binding the lineage antibodies non-specifically, clearly B themselves (loq/606:
  // 50 blasts and 117 dead cells, called together). Every such piece is offered the same split
  // on all its events, with CD19 and CD22 as dimensions, and its leaves replace it when it
  // comes apart (a single leaf: the piece is confirmed as a whole, as before).
  auto mixed_blast_piece = [&](std::size_t c) { return plain_blast_piece(c) && !substantial(c); };
  parallel_for(k, true, [&](std::size_t c) {
    if (!normal[c] && !set_aside[c] && (!plain_blast_piece(c) || mixed_blast_piece(c))) {
      leaves_of[c] = split_off_pathway_piece(c, split_note[c]);
      if (plain_blast_piece(c) && leaves_of[c].size() < 2) leaves_of[c].clear();
    }
  });
  for (std::size_t c = 0; c < k; ++c) {
    if (normal[c] || set_aside[c]) continue;
    if (plain_blast_piece(c) && leaves_of[c].empty()) {
      blast_models.push_back(mix.components[c]);
      blast_weight.push_back(mix.components[c].weight);
      origin.push_back({false, c < beyond_stage_one.size() && beyond_stage_one[c]});
      continue;
    }
    if (!split_note[c].empty()) r.notes.push_back(split_note[c]);
    auto& leaves = leaves_of[c];
    if (leaves.empty()) leaves.push_back({mix.components[c]});
    for (auto& l : leaves) {
      (l.clone_like ? blast_weight : other_weight).push_back(l.g.weight);
      (l.clone_like ? blast_models : other_models).push_back(std::move(l.g));
      if (l.clone_like) origin.push_back({true, c < beyond_stage_one.size() && beyond_stage_one[c]});
    }
  }
  std::vector<std::size_t> normal_ids;
  for (std::size_t c = 0; c < k; ++c)
    if (normal[c]) normal_ids.push_back(c);
  const double limit = chi2_upper(static_cast<double>(d), opt.outlier_p);
  // Against the normal pieces, from one distance each: the smallest squared distance, and the
  // piece most likely to hold `row` (as most_likely_of; k when there is none).
  struct NormalFit {
    double nearest_d2;
    std::size_t likeliest;
  };
  auto normal_fit = [&](const double* row) {
    NormalFit fit{INFINITY, k};
    double best_l = -INFINITY;
    for (auto c : normal_ids) {
      const Gaussian& g = mix.components[c];
      const double d2 = g.mahalanobis2(row);
      fit.nearest_d2 = std::min(fit.nearest_d2, d2);
      if (const double l = mix_log_weight[c] + (g.log_norm - 0.5 * d2); l > best_l) { best_l = l; fit.likeliest = c; }
    }
    return fit;
  };
  auto normal_d2 = [&](const double* row) { return normal_fit(row).nearest_d2; };
  // Aberrancy of an event against the normal pathway: at its most likely normal component,
  // each marker's deviation from what the other markers predict (conditional Gaussian:
  // z_m = (P (x - mu))_m / sqrt(P_mm), P the precision), counted only in the directions in
  // which leukaemic precursors deviate (CD10, CD34, CD20, CD58 over; CD38, CD45 under).
  std::vector<std::vector<double>> precision(k);
  for (auto c : normal_ids) precision[c] = precision_of(mix.components[c]);
  const double aberrancy_limit =
      aberrant_markers ? chi2_upper(static_cast<double>(aberrant_markers), opt.outlier_p) : INFINITY;
  // A rare cluster is off the pathway as a whole when its centroid is beyond the stricter
  // cluster_p region: tails of normal stages scatter around the edge of the outlier_p region,
  // and the centroid of a cluster of them lies just beyond it.
  const double cluster_limit = chi2_upper(static_cast<double>(d), opt.cluster_p);
  const double cluster_aberrancy_limit =
      aberrant_markers ? chi2_upper(static_cast<double>(aberrant_markers), opt.cluster_p) : INFINITY;
  // The normal component most likely to hold `row` (k when there is none).
  auto nearest_normal = [&](const double* row) { return normal_fit(row).likeliest; };
  // Marker a's deviation at normal component c from what the other markers predict.
  auto z_at = [&](const double* row, std::size_t c, std::size_t a) {
    return conditional_z(precision[c], d, mix.components[c].mean.data(), row, a);
  };
  // The aberrancy (above) judged at normal component `best` (k: none), or at the most likely.
  auto aberrancy2_at = [&](const double* row, std::size_t best) {
    if (best == k) return 0.0;
    return directional_deviation2(precision[best], mix.components[best].mean.data(), row, direction);
  };
  auto aberrancy2 = [&](const double* row) { return aberrancy2_at(row, nearest_normal(row)); };
  // Leukaemic precursors over-express CD58 (or keep the normal level); a cluster
  // under-expressing it given its other markers is, in the tuning tubes, dim in CD20 and CD38
  // too: damaged cells and the dim tails of a normal stage (mrd-0.01/273: 42 stage II and dead
  // cells, CD58 z -4.5, called with the clone; 4 of 4 such kept clusters held no blasts, the
  // lowest of 45 blast clusters was -0.7). So is a cluster whose CD58 lies below every
  // substantial normal stage's by more than the margin (in that stage's SD): judged only at
  // the likeliest normal piece, a refitted cluster can move next to a CD58-dim piece and pass
  // (fresh loq/505: mature, stage II and immature B cells with CD58 near 0, z -6.7 before the
  // refit, -1.8 at the dim piece after it, called as 124 blasts while the clone went unfound).
  const std::size_t cd58_dim = dim_of(MaturationRole::cd58);
  auto cd58_under = [&](const double* row) {
    if (!opt.reject_cd58_dim || cd58_dim == d) return false;
    const std::size_t best = nearest_normal(row);
    if (best != k && z_at(row, best, cd58_dim) < -opt.directional_margin) return true;
    bool below_every_stage = false;
    for (auto c : normal_ids) {
      if (!substantial(c)) continue;
      const Gaussian& g = mix.components[c];
      if (row[cd58_dim] >= g.mean[cd58_dim] - opt.directional_margin * std::sqrt(g.cov[cd58_dim * d + cd58_dim]))
        return false;
      below_every_stage = true;
    }
    return below_every_stage;
  };
  // Final assignment of every B-lineage event: the most likely of normal components, other
  // clusters and blast models; a blast must also lie within the blast model's own core.
  const double core_limit = chi2_upper(static_cast<double>(d), 1e-3);
  // Core of another (non-precursor) cluster: its events are neither rare-blast candidates nor
  // density-excess candidates.
  const double other_core = chi2_upper(static_cast<double>(d), 1e-2);
  const double core_aberrancy_limit =
      aberrant_markers ? chi2_upper(static_cast<double>(aberrant_markers), 1e-3) : INFINITY;
  std::vector<std::size_t> per_model;
  std::vector<std::uint32_t> assigned;
  std::vector<std::uint8_t> is_candidate;  // rare-blast candidates (off the normal pathway)
  std::vector<double> distance_to_normal;   // per event: normal_d2 (with the candidates)
  std::vector<bool> keep;
  // Standardised rows of the events the last assignment gave to blast model `value - 1`.
  auto rows_assigned_to = [&](std::uint32_t value) {
    std::vector<double> own;
    for (auto i : idx)
      if (assigned[i] == value) {
        st.row(f, i, x.data());
        own.insert(own.end(), x.begin(), x.end());
      }
    return own;
  };
  bool rare_refitted = false;
  // Log covariance volume (log det + d log 2 pi) of the widest substantial normal stage, and
  // how far a rare cluster may exceed it: rare_spread_ratio per dimension (geometric mean SD).
  double widest_stage_log_volume = -INFINITY;
  for (auto c : normal_ids)
    if (substantial(c)) widest_stage_log_volume = std::max(widest_stage_log_volume, -2 * mix.components[c].log_norm);
  if (!std::isfinite(widest_stage_log_volume)) widest_stage_log_volume = INFINITY;  // no stage to compare with
  const double max_spread_log_excess = 2 * static_cast<double>(d) * std::log(opt.rare_spread_ratio);
  const double refit_aberrancy_limit =
      aberrant_markers ? chi2_upper(static_cast<double>(aberrant_markers), opt.core_aberrant_p) : 0.0;
  // A blast model's core: the region its own population fills but for 1e-3 of its events. A
  // model estimated from n events predicts a new event of that population less tightly than
  // its chi-square region says (Hotelling's prediction region: about 44 instead of 26 at n = 41
  // in 8 dimensions), and a clone near the LOQ is such a model; with the chi-square core its
  // outer events went to the neighbouring stage (LOQ tubes counted 34-49 of 50).
  std::vector<double> model_core;
  std::vector<bool> withdrawn;  // unconfirmed blast models left out of the final assignment
  // Log of weight x density of the most likely normal component or other (non-blast) model.
  auto best_other_log = [&](const double* x) {
    double best = -INFINITY;
    for (auto c : normal_ids) best = std::max(best, mix_log_weight[c] + mix.components[c].log_density(x));
    for (std::size_t o = 0; o < other_models.size(); ++o)
      best = std::max(best, std::log(other_weight[o]) + other_models[o].log_density(x));
    return best;
  };
  // Assigns every B-lineage event to the most likely model (blast models not withdrawn, within
  // their cores); per_model counts each blast model's events.
  auto assign = [&] {
  model_core.clear();
  for (std::size_t b = 0; b < blast_models.size(); ++b) {
    const double n_fit = std::max({blast_weight[b] * nb, static_cast<double>(opt.lod_events), 2.0 * static_cast<double>(d) + 2});
    model_core.push_back(std::max(core_limit, prediction_limit(static_cast<double>(d), n_fit, 1e-3)));
  }
  per_model.assign(blast_models.size(), 0);
  assigned.assign(n_all, 0);
  std::vector<double> blast_log_weight(blast_models.size()), other_log_weight(other_models.size());
  for (std::size_t b = 0; b < blast_models.size(); ++b) blast_log_weight[b] = std::log(blast_weight[b]);
  for (std::size_t o = 0; o < other_models.size(); ++o) other_log_weight[o] = std::log(other_weight[o]);
  // Each event on its own (per event what best_other_log and the blast models' cores give,
  // with the distances computed across a block of events): threads (large B lineages only)
  // give the same result.
  for_each_row_block(idx.size(), d, idx.size() >= 20000, [&](std::size_t j, double* out) { st.row(f, idx[j], out); },
                     [&](std::size_t begin, std::size_t len, const double* columns) {
    std::vector<double> d2(len), best_other(len, -INFINITY), best_blast(len, -INFINITY), scratch;
    std::vector<std::size_t> which(len, 0);
    auto other_log = [&](const Gaussian& g, double log_weight) {
      mahalanobis2_columns(g, columns, kRowBlock, len, d2.data(), scratch);
      for (std::size_t e = 0; e < len; ++e) best_other[e] = std::max(best_other[e], log_weight + (g.log_norm - 0.5 * d2[e]));
    };
    for (auto c : normal_ids) other_log(mix.components[c], mix_log_weight[c]);
    for (std::size_t o = 0; o < other_models.size(); ++o) other_log(other_models[o], other_log_weight[o]);
    for (std::size_t b = 0; b < blast_models.size(); ++b) {
      if (b < withdrawn.size() && withdrawn[b]) continue;
      mahalanobis2_columns(blast_models[b], columns, kRowBlock, len, d2.data(), scratch);
      for (std::size_t e = 0; e < len; ++e) {
        if (d2[e] > model_core[b]) continue;
        const double l = blast_log_weight[b] + blast_models[b].log_norm - 0.5 * d2[e];
        if (l > best_blast[e]) { best_blast[e] = l; which[e] = b; }
      }
    }
    for (std::size_t e = 0; e < len; ++e)
      if (best_blast[e] > best_other[e]) assigned[idx[begin + e]] = static_cast<std::uint32_t>(which[e] + 1);
  });
  for (auto i : idx)
    if (assigned[i]) ++per_model[assigned[i] - 1];
  };
  // Cluster-level confirmation on the events each blast model finally holds (medians, so no
  // event is selected by its own CD19/CD22 value): a blast cluster is B lineage (median of some
  // lineage marker above its negative limit) and a precursor (median CD10 or CD34 above its
  // negative limit), and holds at least lod events (DfN needs a cluster).
  // A blast model's mean inside the normal pathway: normal d2 under `d2_limit` and no
  // deviation in the aberrant directions beyond chi-square(core_aberrant_p).
  auto core_inside_pathway = [&](const Gaussian& g, double d2_limit) {
    return normal_d2(g.mean.data()) < d2_limit && aberrancy2(g.mean.data()) < refit_aberrancy_limit;
  };
  auto confirm = [&] {
  keep.assign(blast_models.size(), false);
  for (std::size_t b = 0; b < blast_models.size(); ++b) {
    if (per_model[b] < opt.lod_events) continue;
    // Why a model is dropped before its medians are judged (diagnostics only).
    auto drop = [&](const std::string& why) {
      if (opt.diagnostics)
        r.notes.push_back("DfN model " + std::to_string(b) + " events " + std::to_string(per_model[b]) + " dropped: " + why +
                          " d2 " + std::to_string(normal_d2(blast_models[b].mean.data())) + " aberr " +
                          std::to_string(aberrancy2(blast_models[b].mean.data())));
    };
    if (b >= excess_from) {
      if (cd58_under(blast_models[b].mean.data())) { drop("CD58 under"); continue; }
      // A density excess finds a clone inside a stage's tails, not at its centre: a model whose
      // mean lies where half the normal events do (under the chi-square median) and deviates in
      // no aberrant direction is that stage's own core (fresh12 loq/1132: 217 events at d2 5.5,
      // 156 of them stage II; every model kept in the tuning set lies at d2 15.9 or beyond).
      if (core_inside_pathway(blast_models[b], chi2_median)) {
        drop("core inside the pathway");
        continue;
      }
    } else if (b >= rare_from && !is_candidate.empty()) {
      // A rare cluster is off the pathway as a cluster of off-pathway events: at least lod of
      // the events it holds must be candidates themselves (not normal events in its core).
      std::size_t off_events = 0;
      for (auto i : idx) off_events += assigned[i] == b + 1 && is_candidate[i];
      if (off_events < opt.lod_events) { drop("too few off-pathway events"); continue; }
      // Refitted to its densest part, a cluster of tails of a normal stage moves back to the
      // edge of that stage, where it is neither far off the pathway nor deviates in the
      // aberrant directions; a clone's core stays off or aberrant.
      if (rare_refitted && core_inside_pathway(blast_models[b], cluster_limit)) {
        drop("core inside the pathway");
        continue;
      }
      // A clone has the spread of one population; a cluster much wider than every normal
      // stage, even after its densest-part refit, is a cloud of stragglers of several
      // populations (tails of stages II and III, granulocytes, dead cells).
      if (rare_refitted && -2 * blast_models[b].log_norm > widest_stage_log_volume + max_spread_log_excess) {
        drop("wider than any stage (log volume " + std::to_string(-2 * blast_models[b].log_norm) + ", widest stage " +
             std::to_string(widest_stage_log_volume) + ")");
        continue;
      }
      if (rare_refitted && cd58_under(blast_models[b].mean.data())) { drop("CD58 under"); continue; }
    }
    // A density-excess model counts only events that could count as blasts themselves (clearly
    // B, blast scatter; see counts_as_blast), and is judged on those: the CD34+ myeloid
    // progenitors and dead cells beside a clone inside a stage's tails, which it also holds,
    // must not veto the population it reports (loq/245: the model held 140 events whose CD19
    // and CD22 medians were below the limits, 0 called for 50; judged on its countable events,
    // 38 called, 24 of them blasts).
    // Rare clusters keep the test on all their events: judged on their countable events only,
    // mixed clusters of stage tails and myeloid progenitors were confirmed (tuning 197 -> 191).
    const bool countable_only = b >= excess_from;
    std::vector<std::size_t> judged;  // the events the medians below are taken over
    judged.reserve(per_model[b]);
    for (auto i : idx)
      if (assigned[i] == b + 1 && (!countable_only || could_count(i))) judged.push_back(i);
    if (judged.size() < opt.lod_events) { drop("too few countable events"); continue; }
    auto median_of = [&](Column values) {
      std::vector<double> v;
      v.reserve(judged.size());
      for (auto i : judged)
        if (std::isfinite(values[i])) v.push_back(values[i]);
      if (v.empty()) return -std::numeric_limits<double>::infinity();
      std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
      return v[v.size() / 2];
    };
    // Clearly positive: every B-lineage event is above the limit for CD19 or CD22 by
    // selection, so a cluster's median must clear the limit by the reference's spread
    // (limit - reference median). A cluster with one lineage marker only (the other's median
    // at or below its negative limit) has no second marker to corroborate it, and must clear
    // the limit by `single_marker_margin` spreads: CD34+ myeloid progenitors, whose CD19 sits
    // just above the limit as an offset on one instrument setting, were confirmed as a second
    // blast cluster at 1.07-1.25 spreads (loq/237, loq/271, check 0.01/402 and, with nothing
    // else to call, negative-regenerating/402), while CD19-negative relapse clusters and every
    // other confirmed single-marker cluster stand at 1.33-2.28 (all 325 tuning, check and
    // fresh tubes).
    bool lineage_judged = false, lineage_ok = false;
    std::size_t judged_markers = 0, negative_markers = 0;
    std::vector<double> lineage_median(lineage.size(), -INFINITY);
    for (std::size_t m = 0; m < lineage.size(); ++m) {
      if (!std::isfinite(lineage[m].negative_limit)) continue;
      lineage_median[m] = median_of(lineage[m].values);
      ++judged_markers;
      negative_markers += lineage_median[m] <= lineage[m].negative_limit;
    }
    // (A cluster clearly CD10+ is not one of those CD10-negative myeloid progenitors: its one
    // lineage marker needs no more than a two-marker cluster's (fresh cd19neg-relapse/885: a
    // CD19-negative clone of 4320 events, CD10 bright, CD22 at 1.20-1.25 spreads: 0 called.)
    // Nor is a cluster clearly CD20+: CD20 is a second B marker, which myeloid progenitors,
    // basophils and plasma cells lack (BD-set cd19neg-relapse/1004: a CD19-negative clone of
    // 4611 events, CD20+ and CD34+, CD22 at 1.25 spreads: 18 called).
    bool clearly_cd10 = false, clearly_cd20 = false;
    if (cd10_dim < d) clearly_cd10 = median_of(f[cd10_dim].values) > clear_limit(f[cd10_dim]);
    if (cd20_dim < d) clearly_cd20 = median_of(f[cd20_dim].values) > clear_limit(f[cd20_dim]);
    const bool single_marker =
        judged_markers >= 2 && negative_markers + 1 == judged_markers && !clearly_cd10 && !clearly_cd20;
    for (std::size_t m = 0; m < lineage.size(); ++m) {
      const auto& lf = lineage[m];
      if (!std::isfinite(lf.negative_limit)) continue;
      lineage_judged = true;
      lineage_ok |= lineage_median[m] > clear_limit(lf, single_marker ? opt.single_marker_margin : 1.0);
    }
    // A leaf split off a piece with CD19 and CD22 as dimensions is a clone by its own medians
    // there, but assigned in the modelled markers alone it takes back the cells of other
    // lineages that overlap it (fresh12 loq/1103: a CD10-negative clone split off with 64
    // events, then 110 assigned with CD34+ myeloid progenitors, CD22 median below the limit: 0
    // called for 50). It is judged once more on its events that could count themselves (clearly
    // B, blast scatter), which must then be clearly positive for every lineage marker (two at
    // least): judged so with one marker enough, split leaves of plasma cells and mature B cells
    // were confirmed (tuning loq/271, check loq/404, fresh 0.01/508: CD22 37-68% of 76-232).
    if (lineage_judged && !lineage_ok && b < origin.size() && origin[b].split_leaf) {
      std::vector<std::size_t> countable;
      for (auto i : judged)
        if (could_count(i)) countable.push_back(i);
      if (countable.size() >= opt.lod_events) {
        judged.swap(countable);
        std::vector<double> countable_median(lineage.size(), -INFINITY);
        for (std::size_t m = 0; m < lineage.size(); ++m)
          if (std::isfinite(lineage[m].negative_limit)) countable_median[m] = median_of(lineage[m].values);
        lineage_ok = clearly_b_by_every_lineage(countable_median);
        if (lineage_ok) lineage_median = std::move(countable_median);
        else judged.swap(countable);  // judged on all its events, as before
      }
    }
    bool precursor_judged = false, precursor_ok = false;
    for (const auto& pf : f) {
      if ((pf.role != MaturationRole::cd10 && pf.role != MaturationRole::cd34) || !std::isfinite(pf.negative_limit))
        continue;
      precursor_judged = true;
      // Rare clusters were gathered from precursor events, so (as for lineage above) their
      // median must clear the limit clearly.
      // So must every cluster when no pathway was found (B-cell aplasia): with nothing normal to
      // compare with, a cloud of the few normal B cells left, mature to stage I, passes as a
      // cluster whose median is just above the limits (fresh cd19neg-relapse/885: 110 normal B
      // cells with the CD19-negative clone, CD19 2.5% of blasts for 0%).
      const bool clear_needed = b >= rare_from || normal_ids.empty();
      precursor_ok |= median_of(pf.values) > (clear_needed ? clear_limit(pf) : pf.negative_limit);
    }
    if (precursor_judged && !precursor_ok && cd20_dim < d && cd38_dim < d)
      precursor_ok = b_precursor_by_lineage(lineage_median, median_of(f[cd20_dim].values),
                                            (median_of(f[cd38_dim].values) - st.centre[cd38_dim]) / st.scale[cd38_dim]);
    // The cluster's median scatter is a blast's (see blast_scatter).
    const bool scatter_ok = blast_scatter([&](std::size_t a) { return median_of(f[a].values); });
    keep[b] = (!lineage_judged || lineage_ok) && (!precursor_judged || precursor_ok) && scatter_ok;
    auto feature_medians = [&] {  // (diagnostics) every modelled feature's median, raw
      std::string t = " medians";
      for (const auto& pf : f) t += " " + pf.marker + " " + std::to_string(median_of(pf.values));
      return t;
    };
    std::string spreads;  // (diagnostics) each lineage median in reference spreads above the limit
    for (std::size_t m = 0; m < lineage.size() && opt.diagnostics; ++m) {
      const auto& lf = lineage[m];
      if (!std::isfinite(lf.negative_limit) || !std::isfinite(lf.negative_median)) continue;
      const double spread = clear_limit(lf) - lf.negative_limit;
      spreads += " " + lf.marker + " " + std::to_string(spread > 0 ? (lineage_median[m] - lf.negative_limit) / spread : 0.0);
    }
    if (opt.diagnostics)
      r.notes.push_back("DfN model " + std::to_string(b) + spreads + " events " + std::to_string(per_model[b]) + " rare " +
                        std::to_string(b >= rare_from) + " lineage " + std::to_string(lineage_ok) + " precursor " +
                        std::to_string(precursor_ok) + " scatter " + std::to_string(scatter_ok) + " d2 " +
                        std::to_string(normal_d2(blast_models[b].mean.data())) + " aberr " +
                        std::to_string(aberrancy2(blast_models[b].mean.data())) + " logdet " +
                        std::to_string(-2 * blast_models[b].log_norm) + feature_medians());
  }
  // A rare cluster beyond the cluster_p region accounts for the leukaemic events near the
  // LOQ; a second rare cluster kept beside it with its refitted mean inside that region is the
  // edge of a normal stage, not a second clone (fresh12 loq/1127: a clone at d2 57 and 35
  // stage I cells of its CD45-dim tail at d2 15, 85 called for 50). Alone, such a cluster
  // stands (most clones near the LOQ lie at d2 15-42; docs/analysis.md).
  // (Rare clusters only: not the density-excess models, which start at excess_from.)
  if (rare_refitted && rare_from < blast_models.size()) {
    const std::size_t rare_end = std::min(excess_from, blast_models.size());
    std::vector<double> kept_d2(blast_models.size(), INFINITY);  // normal d2 of each kept rare cluster
    bool one_beyond = false;
    for (std::size_t b = rare_from; b < rare_end; ++b) {
      if (!keep[b]) continue;
      kept_d2[b] = normal_d2(blast_models[b].mean.data());
      one_beyond |= kept_d2[b] >= cluster_limit;
    }
    for (std::size_t b = rare_from; b < rare_end && one_beyond; ++b)
      if (kept_d2[b] < cluster_limit) {
        keep[b] = false;
        if (opt.diagnostics)
          r.notes.push_back("DfN model " + std::to_string(b) + " events " + std::to_string(per_model[b]) +
                            " dropped: inside the pathway beside a rare cluster beyond it d2 " + std::to_string(kept_d2[b]));
      }
  }
  };
  auto assign_and_confirm = [&] {
    assign();
    confirm();
  };
  // GMM blast candidates that fail confirmation (mixed clusters) become other models, so that
  // the rare-event search below may still find a compact blast cluster among their events.
  const std::size_t plain_others = other_models.size();  // before demoted blast candidates
  if (!blast_models.empty()) {
    assign_and_confirm();
    std::vector<Gaussian> confirmed;
    std::vector<double> confirmed_weight;
    std::vector<std::uint32_t> confirmed_from;  // assignment value (b + 1) each came from
    std::vector<MixtureOrigin> confirmed_origin;
    for (std::size_t b = 0; b < blast_models.size(); ++b) {
      if (keep[b]) {
        confirmed_from.push_back(static_cast<std::uint32_t>(b + 1));
        confirmed_origin.push_back(origin[b]);
      }
      auto& to = keep[b] ? confirmed : other_models;
      auto& tw = keep[b] ? confirmed_weight : other_weight;
      to.push_back(std::move(blast_models[b]));
      tw.push_back(blast_weight[b]);
    }
    blast_models = std::move(confirmed);
    blast_weight = std::move(confirmed_weight);
    origin = std::move(confirmed_origin);
    // A mixture component stretches its covariance over the nearest tail of a neighbouring
    // population (stage I hematogones next to a clone): refit each confirmed blast model to
    // the core of its own events (concentration steps: the closest 90%, covariance rescaled
    // so the median distance of all its events is the chi-square median), so that the final
    // assignment leaves those neighbours to their own population. (Its events: those it held
    // in the assignment above.)
    for (std::size_t b = 0; b < blast_models.size(); ++b) {
      const std::vector<double> own = rows_assigned_to(confirmed_from[b]);
      concentrate(blast_models[b], own, d, 0.9, chi2_median);
    }
  }
  // Clusters among a pool of off-pathway precursor events (rows): small mixtures fitted to them
  // alone (rare blasts are too few for a component of the B-lineage mixture, but dominate
  // here), added as blast or other models; budget_events sets the number of components.
  auto add_rare_clusters = [&](const std::vector<double>& pool_rows, std::size_t budget_events) {
  const std::size_t pool_events = pool_rows.size() / d;
  const std::size_t m = std::min<std::size_t>(pool_events, 8000);
  const std::size_t mb = std::min<std::size_t>(budget_events, 8000);
  if (m >= opt.lod_events) {
    const std::vector<double> sub = strided_rows(pool_rows, d, m);
    const double scale_up = static_cast<double>(pool_events) / static_cast<double>(m);
    // Two fits: a coarse one (a component per 4 x LOD candidates, at most 6) and a finer one
    // (per 2 x LOD, at most 12). Dead cells, granulocytes and myeloid progenitors outnumber a
    // clone near the LOQ among the candidates, and the coarse fit often merges it with them
    // (its cluster then fails confirmation); the finer fit adds the clusters the coarse one
    // did not already have (same population: each mean inside the other's 1e-3 core).
    const std::size_t coarse = std::clamp<std::size_t>(mb / (4 * opt.lod_events), 1, 6);
    const std::size_t fine = std::clamp<std::size_t>(mb / (2 * opt.lod_events), 1, 12);
    std::vector<Gaussian> coarse_models;
    for (const bool is_coarse : {true, false}) {
      if (!is_coarse && fine <= coarse) break;
      Mixture rare = fit_mixture(sub, d, is_coarse ? coarse : fine, 60, 1e-3);
      // The component of this fit each candidate (all of them, not the subsample) belongs
      // to, classified once while the fit is whole (its components are moved out below).
      std::vector<std::size_t> owner(pool_events);
      for (std::size_t j = 0; j < pool_events; ++j) owner[j] = rare.classify(&pool_rows[j * d]);
      auto rows_of_component = [&](std::size_t c) {
        std::vector<double> own;
        for (std::size_t j = 0; j < pool_events; ++j)
          if (owner[j] == c) own.insert(own.end(), &pool_rows[j * d], &pool_rows[j * d] + d);
        return own;
      };
      for (auto& g : rare.components) {
        const double size = g.weight * static_cast<double>(m) * scale_up;
        if (opt.diagnostics) {
          std::string t = "DfN rare cluster size " + std::to_string(static_cast<long>(size)) + " normal_d2 " +
                          std::to_string(normal_d2(g.mean.data())) + " aberr " + std::to_string(aberrancy2(g.mean.data())) + " mean";
          for (std::size_t a = 0; a < d; ++a) t += " " + std::to_string(g.mean[a] * st.scale[a] + st.centre[a]).substr(0, 5);
          r.notes.push_back(t);
        }
        if (size < static_cast<double>(opt.lod_events)) continue;
        // A real cluster sits off the pathway as a whole; tail events of the normal
        // populations scatter around the pathway's edge and their centroid falls inside.
        // Its centroid or that of its densest part: the fit often dilutes a clone near the
        // LOQ with the stage tails around it, which pull its centroid back inside (loq/241:
        // 36 events, 25 of them blasts, d2 35.0, its densest half 39.6; judging by the
        // densest part alone loses clusters whose stragglers are the off-pathway side).
        auto inside = [&](const double* mean) {
          return normal_d2(mean) < cluster_limit && aberrancy2(mean) <= cluster_aberrancy_limit;
        };
        if (inside(g.mean.data())) {
          if (opt.rare_core >= 1.0) continue;
          const std::size_t which = static_cast<std::size_t>(&g - rare.components.data());
          const auto own = rows_of_component(which);
          if (inside(densest_mean(g, own, d, opt.rare_core, opt.lod_events).data())) continue;
        }
        if (is_coarse) {
          coarse_models.push_back(g);
        } else if (std::any_of(coarse_models.begin(), coarse_models.end(), [&](const Gaussian& c) {
                     return c.mahalanobis2(g.mean.data()) <= core_limit && g.mahalanobis2(c.mean.data()) <= core_limit;
                   })) {
          continue;
        }
        const bool candidate = precursor_like(g.mean);
        if (candidate) rare_from = std::min(rare_from, blast_models.size());
        (candidate ? blast_weight : other_weight).push_back(size / nb);
        (candidate ? blast_models : other_models).push_back(std::move(g));
      }
    }
  }
  };
  // The rare-blast candidates (events and rows), kept for the second rare search below.
  std::vector<double> out_rows;
  std::vector<std::size_t> out_idx;
  if (!normal_ids.empty()) {
    // Outliers of the normal pathway (not already in a disconnected component).
    is_candidate.assign(n_all, 0);
    distance_to_normal.assign(n_all, 0.0);
    for_each_event([&](std::size_t i, double* xl) {
      st.row(f, i, xl);
      const NormalFit fit = normal_fit(xl);
      distance_to_normal[i] = fit.nearest_d2;
      if (distance_to_normal[i] <= limit && aberrancy2_at(xl, fit.likeliest) <= aberrancy_limit) return;
      bool in_blast = false;
      for (const auto& g : blast_models) in_blast |= g.mahalanobis2(xl) <= limit;
      // Rare-blast candidates are precursor events (CD10+ or CD34+ against the negative
      // reference): dead cells, plasma cells and basophils off the pathway are not.
      in_blast |= !precursor_event(i).value_or(true);
      // ... nor events in the core of another (non-precursor) cluster.
      // (Demoted blast candidates may hold a rare blast cluster: not these.)
      for (std::size_t o = 0; o < plain_others; ++o) in_blast |= other_models[o].mahalanobis2(xl) <= other_core;
      is_candidate[i] = !in_blast;
    });
    for (auto i : idx) {
      if (!is_candidate[i]) continue;
      st.row(f, i, x.data());
      out_idx.push_back(i);
      out_rows.insert(out_rows.end(), x.begin(), x.end());
    }
    if (opt.diagnostics) r.rare_candidates = is_candidate;
    add_rare_clusters(out_rows, out_idx.size());
  }
  // Local density excess (autogate/excess.h): a clone near the LOQ inside the tails of a
  // hematogone stage is not off the pathway by distance (loq/207: its events' normal d2 median
  // 33, the outlier limit 33.7), so it is not among the rare candidates, but it is a compact
  // population far denser there than the B-lineage mixture predicts. Pool: clearly-B precursor
  // events with blast scatter beyond the normal model's 5% region, not plasma-like and not in
  // another cluster's core; reference for the observed density: the B-lineage events beyond
  // its 50% region. A group becomes a blast model when its seeds deviate from the pathway in
  // the aberrant directions (median aberrancy beyond chi-square(0.05, #aberrant markers)) and
  // its mean is precursor-like.
  auto excess_models = [&] {
    std::vector<Gaussian> found;
    if (!opt.density_excess_search || distance_to_normal.empty() || !aberrant_markers) return found;
    const double pool_d2 = chi2_upper(static_cast<double>(d), 0.05), reference_d2 = chi2_upper(static_cast<double>(d), 0.5);
    // Per event: 1 reference, 2 candidate (may belong to a group), 4 pool (may seed one).
    std::vector<std::uint8_t> role(n_all, 0);
    std::vector<double> log_model(n_all, 0.0);  // of the whole B-lineage mixture
    for_each_event([&](std::size_t i, double* xl) {
      const double nd2 = distance_to_normal[i];
      std::uint8_t r8 = nd2 > reference_d2 ? 1 : 0;
      // (Unlike the rare candidates, no event qualifies when neither CD10 nor CD34 has a limit.)
      bool candidate = could_count(i) && precursor_event(i).value_or(false);
      if (candidate) {
        st.row(f, i, xl);
        candidate = !plasma_like(xl);
        for (std::size_t o = 0; o < plain_others && candidate; ++o) candidate = other_models[o].mahalanobis2(xl) > other_core;
      }
      if (candidate) {
        r8 |= 2;
        if (nd2 > pool_d2) r8 |= 4;
        log_model[i] = mix.log_density(xl);
      }
      role[i] = r8;
    });
    std::vector<double> reference, pool, pool_log, candidates, candidate_log;
    for (auto i : idx) {
      if (!role[i]) continue;
      st.row(f, i, x.data());
      if (role[i] & 1) reference.insert(reference.end(), x.begin(), x.end());
      if (role[i] & 2) {
        candidates.insert(candidates.end(), x.begin(), x.end());
        candidate_log.push_back(log_model[i]);
      }
      if (role[i] & 4) {
        pool.insert(pool.end(), x.begin(), x.end());
        pool_log.push_back(log_model[i]);
      }
    }
    ExcessOptions eo;
    eo.log_excess = opt.density_excess;
    const auto groups = excess_seed_groups(reference, pool, pool_log, d, nb, eo);
    for (const auto& g : groups) {
      std::vector<double> seeds, ab;
      for (auto j : g) {
        seeds.insert(seeds.end(), &pool[j * d], &pool[j * d] + d);
        ab.push_back(aberrancy2(&pool[j * d]));
      }
      const double median_aberrancy = quantile_inplace(ab, 0.5).value_or(0.0);
      Gaussian model = fit_excess_component(seeds, candidates, candidate_log, d, nb, core_limit);
      const bool ok = median_aberrancy > chi2_upper(static_cast<double>(aberrant_markers), 0.05) && precursor_like(model.mean);
      if (opt.diagnostics) {
        std::string t = "DfN excess group seeds " + std::to_string(g.size()) + " aberrancy " + std::to_string(median_aberrancy) +
                        " events " + std::to_string(model.weight * nb) + (ok ? " kept" : " not kept") + " mean";
        for (std::size_t a = 0; a < d; ++a) t += " " + std::to_string(model.mean[a] * st.scale[a] + st.centre[a]).substr(0, 5);
        r.notes.push_back(t);
      }
      if (ok) found.push_back(std::move(model));
    }
    return found;
  };
  auto add_excess_models = [&](std::vector<Gaussian> models) {
    if (models.empty()) return;
    excess_from = blast_models.size();
    rare_from = std::min(rare_from, excess_from);
    for (auto& g : models) {
      blast_weight.push_back(g.weight);
      blast_models.push_back(std::move(g));
    }
  };
  for (std::size_t c = 0; c < k; ++c) {
    DfnResult::ComponentInfo info;
    info.weight = mix.components[c].weight;
    info.normal = normal[c];
    info.off = off[c];
    info.blast = !normal[c] && !set_aside[c] && mix.components[c].weight * nb >= static_cast<double>(opt.lod_events) &&
                 precursor_like(mix.components[c].mean);
    for (std::size_t a = 0; a < d; ++a) info.mean.push_back(raw_mean(mix.components[c], a));
    r.components.push_back(info);
  }
  // Developer dump (MRDFLOW_DFN_DUMP=path, diagnostics only): per B-lineage event its index,
  // normal d2, log density of the B-lineage mixture, aberrancy, flags, candidate flag and
  // standardised row, then (after the blast-model fields) the raw lineage-marker values.
  auto dump = [&] {
    const char* path = std::getenv("MRDFLOW_DFN_DUMP");
    if (!opt.diagnostics || !path) return;
    std::FILE* out = std::fopen(path, "wb");
    if (!out) return;
    std::vector<double> rec(9 + d + lineage.size());
    for (auto i : idx) {
      st.row(f, i, x.data());
      int flags = 0;
      flags |= clearly_b(i) ? 1 : 0;
      flags |= precursor_event(i).value_or(false) ? 2 : 0;
      flags |= plasma_like(x) ? 4 : 0;
      bool oc = false;
      for (std::size_t o = 0; o < other_models.size(); ++o) oc |= other_models[o].mahalanobis2(x.data()) <= other_core;
      flags |= oc ? 8 : 0;
      flags |= event_blast_scatter(i) ? 16 : 0;
      flags |= (!r.blasts.empty() && r.blasts[i]) ? 32 : 0;
      rec[0] = static_cast<double>(event_number[i]);
      rec[1] = normal_ids.empty() ? 0 : normal_d2(x.data());
      rec[2] = mix.log_density(x.data());
      rec[3] = normal_ids.empty() ? 0 : aberrancy2(x.data());
      rec[4] = flags;
      rec[5] = is_candidate.empty() ? -1 : is_candidate[i];
      std::copy(x.begin(), x.end(), rec.begin() + 6);
      // The blast models: the least distance to a kept one, and the best blast log likelihood
      // (no core limit) over the best normal or other one; the model finally assigned.
      double nearest_kept = INFINITY, best_blast = -INFINITY;
      for (std::size_t b = 0; b < blast_models.size(); ++b) {
        const double d2 = blast_models[b].mahalanobis2(x.data());
        if (b < keep.size() && keep[b]) nearest_kept = std::min(nearest_kept, d2);
        best_blast = std::max(best_blast, std::log(blast_weight[b]) + blast_models[b].log_norm - 0.5 * d2);
      }
      rec[6 + d] = nearest_kept;
      rec[7 + d] = best_blast - best_other_log(x.data());
      rec[8 + d] = assigned.empty() ? 0 : assigned[i];
      for (std::size_t m = 0; m < lineage.size(); ++m) rec[9 + d + m] = lineage[m].values[i];
      std::fwrite(rec.data(), sizeof(double), rec.size(), out);
    }
    std::fclose(out);
  };
  r.clusters = blast_models.size();
  // The density-excess search, only where no blast cluster was confirmed: beside a confirmed
  // clone it finds that clone's own tails and the stage events next to it as a second group
  // (run for every tube, with the confirmed clusters' cores excluded: 179-188 of the 210
  // tuning tubes; as a fallback: 189; docs/analysis.md, ninth session).
  // Before a fallback search adds its models: the unconfirmed blast models are dropped (they
  // were judged not to be clusters of blasts).
  auto drop_blast_models = [&] {
    blast_models.clear();
    blast_weight.clear();
    origin.clear();
    rare_from = static_cast<std::size_t>(-1);
    excess_from = static_cast<std::size_t>(-1);
    rare_refitted = false;
  };
  auto excess_fallback = [&] {
    auto models = excess_models();
    if (models.empty()) return false;
    drop_blast_models();
    add_excess_models(std::move(models));
    assign_and_confirm();
    return true;
  };
  auto any_kept = [&] { return std::any_of(keep.begin(), keep.end(), [](bool b) { return b; }); };
  // A rare cluster's small mixture fit is widened by the stragglers that share the
  // off-pathway set with it (tails of hematogone stages, myeloid progenitors): each is refitted
  // to the densest share of the events it holds (the clone), and the events are assigned
  // again. That is one concentration step (as in MCD) on the cluster's members; the members
  // change with the assignment, so the step is repeated on the new members until the
  // assignment no longer changes (at most kConcentrationRounds): after one step a cluster
  // that first held nearly as many stragglers as clone events still took the stage cells beside
  // it (0.01/727: 147 events, 83 of them the clone's; 120 called after one step, 79 after
  // three). A cluster dropped after a step stays dropped: refitted again, a cloud of stragglers
  // dropped as wider than any stage narrowed enough to pass and took 45 stage cells (loq/243).
  auto refit_rare = [&] {
    if (opt.rare_core >= 1.0 || rare_from >= blast_models.size()) return;
    constexpr int kConcentrationRounds = 8;
    std::vector<bool> confirmed;  // after the previous round
    for (int round = 0; round < kConcentrationRounds; ++round) {
      const std::vector<std::uint32_t> members_before = assigned;
      for (std::size_t b = rare_from; b < blast_models.size(); ++b) {
        if (round > 0 && !confirmed[b]) continue;
        const std::vector<double> own = rows_assigned_to(b + 1);
        concentrate(blast_models[b], own, d, opt.rare_core, chi2_median, 5);
        // Too few events for a covariance of their own (most clones near the LOQ; concentrate
        // leaves those as they are): the location alone (loq/260: 79 -> 47 for 50).
        if (own.size() / d < 10 * d)
          blast_models[b].mean = densest_mean(blast_models[b], own, d, opt.rare_core, opt.lod_events);
      }
      rare_refitted = true;
      assign_and_confirm();
      if (round > 0)
        for (std::size_t b = 0; b < keep.size(); ++b) keep[b] = keep[b] && confirmed[b];
      if (assigned == members_before) break;
      confirmed = keep;
    }
  };
  // The rare-blast search once more, on the candidates that could count as blasts themselves
  // (clearly B, blast scatter): dead cells, granulocytes and myeloid progenitors, which cannot
  // count, outnumber a clone near the LOQ among all candidates, and the mixture fitted to them
  // spends its components on them (fresh loq/508: 5897 dead cells among 6609 candidates, the
  // clone's 48 in a cluster with 150 others, too wide to be one population: 0 called). With
  // the same number of components as the first search (a finer view of the same region), on
  // about a tenth of the events. Only a fallback, after the density excess (which finds the
  // clones inside a stage's tails): in the place of the first search, on every tube, it gained
  // 7 of the 325 tuning, check and fresh tubes and lost 9 (docs/analysis.md).
  auto blast_like_fallback = [&] {
    if (!opt.blast_like_search) return false;
    std::vector<double> pool;
    for (std::size_t j = 0; j < out_idx.size(); ++j) {
      const std::size_t i = out_idx[j];
      if (could_count(i))
        pool.insert(pool.end(), &out_rows[j * d], &out_rows[j * d] + d);
    }
    if (pool.size() / d < opt.lod_events) return false;
    drop_blast_models();
    add_rare_clusters(pool, out_idx.size());
    if (blast_models.empty()) return false;
    assign_and_confirm();
    refit_rare();
    return any_kept();
  };
  // The fallbacks, in turn, while no blast cluster is confirmed.
  auto fall_back = [&] {
    if (excess_fallback() && any_kept()) return;
    blast_like_fallback();
  };
  if (blast_models.empty()) {
    fall_back();
    if (blast_models.empty()) { dump(); return r; }
  } else {
    assign_and_confirm();
    refit_rare();
    if (!any_kept()) fall_back();
  }
  // Blast models that failed confirmation were judged not to be blast clusters; competing in
  // the assignment they still took the outer events of a confirmed clone beside them (loq/265:
  // 16 of its 50 blasts went to a broad CD19-negative rare cluster). They are withdrawn and the
  // events assigned once more; the confirmation stands (re-judged on the new members, a
  // confirmed clone could fail over a few events: loq/208, 52 -> 0).
  // (Withdrawn from here on, also for the re-estimation below.)
  withdrawn.assign(keep.size(), false);
  for (std::size_t b = 0; b < keep.size(); ++b) withdrawn[b] = !keep[b];
  if (std::any_of(keep.begin(), keep.end(), [](bool b) { return b; }) &&
      std::any_of(keep.begin(), keep.end(), [](bool b) { return !b; }))
    assign();
  // Which kept models count only events that qualify themselves (fixed before their weights
  // are re-estimated below).
  std::vector<bool> judged_per_event(blast_models.size()), off_pathway_only(blast_models.size());
  for (std::size_t b = 0; b < blast_models.size(); ++b) {
    // Rare clusters, leaves split from off-pathway pieces and small mixture models (< 1% of the
    // B lineage) are found or fitted among cells of other lineages that leaked into the
    // B-lineage gate (CD34+ myeloid progenitors, basophils, granulocytes, dead cells), which
    // weigh as much as the blasts there: their events must themselves be clearly B (either
    // lineage marker, so a blast negative for one antigen still counts) and not plasma cells
    // (small mixture models too: 0.01/258 counted 18 granulocytes with its 78 blasts, CD22 94%).
    judged_per_event[b] = b >= rare_from || origin[b].split_leaf || blast_weight[b] < substantial_share;
    // A small mixture blast model (< 1% of the B lineage) is a cluster EM may have merged with
    // the stage I cells beside it; like a rare cluster it counts only events that are off the
    // pathway themselves: beyond every normal region at its own core's p (1e-3), or aberrant
    // beyond chi-square(1e-3, #aberrant markers).
    // So does a model of a piece that left the pathway as CD45-dimmer than stage I.
    off_pathway_only[b] = b < rare_from && (blast_weight[b] < substantial_share || origin[b].beside_stage_one);
  }
  // Per kept model: are its plasma-like events (CD38 beyond every stage, CD10-negative), as a
  // group, clearly positive for every lineage marker (two at least)? Plasma cells lack CD22;
  // such a group is the clone's CD38-bright side and counts (BD-set 0.01/1009 and 1019: 27 and
  // 23 clone events, CD22 0.56-0.70 for a clear limit of 0.53, left out as plasma cells: 52 and
  // 65 counted for 79 and 88). Judged on the group's medians, so no event counts over its own
  // CD19/CD22 value; a few plasma cells in a clone's core (loq/208: 4) stay out.
  std::vector<bool> plasma_zone_is_clone(blast_models.size(), false);
  std::vector<std::vector<std::size_t>> plasma_zone(blast_models.size());  // per kept model
  for (auto i : idx) {
    if (assigned[i] == 0 || !keep[assigned[i] - 1]) continue;
    st.row(f, i, x.data());
    if (plasma_like(x.data())) plasma_zone[assigned[i] - 1].push_back(i);
  }
  for (std::size_t b = 0; b < blast_models.size(); ++b) {
    const auto& zone = plasma_zone[b];
    if (zone.size() < opt.lod_events) continue;
    std::vector<double> zone_medians(lineage.size(), -INFINITY), v;
    for (std::size_t m = 0; m < lineage.size(); ++m) {
      if (!std::isfinite(lineage[m].negative_limit)) continue;
      v.clear();
      for (auto i : zone) v.push_back(lineage[m].values[i]);
      zone_medians[m] = quantile_inplace(v, 0.5).value_or(-INFINITY);
    }
    plasma_zone_is_clone[b] = clearly_b_by_every_lineage(zone_medians);
    if (opt.diagnostics && plasma_zone_is_clone[b])
      r.notes.push_back("DfN model " + std::to_string(b) + ": its " + std::to_string(zone.size()) +
                        " plasma-like events are clearly B (every lineage marker), counted");
  }
  // Is event i, assigned to a kept blast model, a blast? (xl: a row buffer.)
  auto counts_as_blast = [&](std::size_t i, double* xl) {
    if (assigned[i] == 0 || !keep[assigned[i] - 1]) return false;
    const std::size_t b = assigned[i] - 1;
    if (!judged_per_event[b] && !off_pathway_only[b]) return true;
    st.row(f, i, xl);
    if (judged_per_event[b]) {
      if (!clearly_b(i)) return false;
      // Plasma cells (CD38 brighter than every normal stage, CD10-negative) are never blasts,
      // also when a few of them lie in a rare clone's core (loq/208: 4 of 50 events).
      if (plasma_like(xl) && !plasma_zone_is_clone[b]) return false;
    }
    if (off_pathway_only[b] && normal_d2(xl) <= core_limit && aberrancy2(xl) <= core_aberrancy_limit) return false;
    return true;
  };
  // Between a blast model and another cell population in the B-lineage gate (plasma cells,
  // basophils, dead cells: the plain other models) the modelled markers can be close to even
  // (plasma cells in a clone's core, CD22-negative, one per LOQ tube: CD22 97.6% of 41 for
  // 100%); CD19 and CD22, in which those cells differ from the clone, decide there too. Each
  // side's lineage values are a Gaussian over its own events (the blast model's assigned events;
  // the other model's core events not assigned to a blast model). Against the normal stages
  // the lineage markers do not weigh (both sides B lineage), so no event leaves or joins the
  // blasts over its own CD19/CD22 value but between a blast model and an other population
  // (leaving: to a plain other model that fits it better; joining: see below). (An
  // assigned event's blast model already beats every normal stage in the modelled markers, and
  // both would carry the blast's lineage density: the normal stages need no second look.)
  auto arbitrate_with_lineage = [&] {
    const std::size_t dl = lineage.size();
    if (dl == 0 || other_models.empty()) return;
    const std::size_t min_rows = 2 * dl + 2;  // (as for any covariance fitted here)
    std::vector<double> lrow(dl);
    auto lineage_row = [&](std::size_t i) {
      bool finite = true;
      for (std::size_t m = 0; m < dl; ++m) finite &= std::isfinite(lrow[m] = lineage[m].values[i]);
      return finite;
    };
    auto kept_model_of = [&](std::size_t i) -> std::optional<std::size_t> {
      if (assigned[i] == 0 || !keep[assigned[i] - 1]) return std::nullopt;
      return assigned[i] - 1;
    };
    std::vector<std::vector<double>> blast_rows(blast_models.size()), other_rows(other_models.size());
    for (auto i : idx) {
      if (!lineage_row(i)) continue;
      if (assigned[i]) {
        if (auto b = kept_model_of(i)) blast_rows[*b].insert(blast_rows[*b].end(), lrow.begin(), lrow.end());
        continue;
      }
      st.row(f, i, x.data());
      for (std::size_t o = 0; o < other_models.size(); ++o)
        if (other_models[o].mahalanobis2(x.data()) <= other_core) other_rows[o].insert(other_rows[o].end(), lrow.begin(), lrow.end());
    }
    auto lineage_gaussian = [&](const std::vector<double>& rows) {
      return rows.size() / dl >= min_rows ? std::optional<Gaussian>(fit_gaussian(rows, dl)) : std::nullopt;
    };
    std::vector<std::optional<Gaussian>> blast_lineage, other_lineage;
    for (const auto& rows : blast_rows) blast_lineage.push_back(lineage_gaussian(rows));
    for (const auto& rows : other_rows) other_lineage.push_back(lineage_gaussian(rows));
    // Log weights, taken once for both passes (the second looks at nearly every event).
    std::vector<double> blast_log_weight(blast_models.size()), other_log_weight(other_models.size());
    for (std::size_t b = 0; b < blast_models.size(); ++b) blast_log_weight[b] = std::log(blast_weight[b]);
    for (std::size_t o = 0; o < other_models.size(); ++o) other_log_weight[o] = std::log(other_weight[o]);
    std::size_t moved = 0;
    for (auto i : idx) {
      const auto b = kept_model_of(i);
      if (!b || !blast_lineage[*b] || !lineage_row(i)) continue;
      st.row(f, i, x.data());
      const double as_blast = blast_log_weight[*b] + blast_models[*b].log_density(x.data()) +
                              blast_lineage[*b]->log_density(lrow.data());
      for (std::size_t o = 0; o < plain_others; ++o) {
        if (!other_lineage[o]) continue;
        const double as_other = other_log_weight[o] + other_models[o].log_density(x.data()) +
                                other_lineage[o]->log_density(lrow.data());
        if (as_other > as_blast) {
          assigned[i] = 0;
          ++moved;
          break;
        }
      }
    }
    // The other way, between a kept blast model and the other populations only (plain or
    // demoted mixed clusters, not the normal stages): an event no model gave to the blasts, lost
    // to another population in the modelled markers though its blast model, within whose core
    // it lies, beats every normal stage there, joins that blast model when CD19 and CD22 as well
    // make it likelier there than in every other population. A CD10-negative CD34+ clone beside
    // CD34+ myeloid progenitors differs from them in CD19/CD22 most (fresh13 0.01/1174: 51 of
    // 85 counted, the others in the progenitors' pieces); so do clone events in the cores of
    // plasma-cell leaves (tuning 0.01/260). Against the normal stages the lineage markers still
    // do not weigh.
    // Only a model whose events are, as a group, clearly positive for every lineage marker (two
    // at least) takes events so: a kept model of plasma cells (CD22-negative; with 5% more
    // detector noise their CD10 is lifted above its limit) would take more of them.
    std::vector<bool> may_take(blast_models.size(), false);
    for (std::size_t b = 0; b < blast_models.size(); ++b) {
      if (!blast_lineage[b]) continue;
      std::vector<double> medians(dl), v;
      for (std::size_t m = 0; m < dl; ++m) {
        v.clear();
        for (std::size_t j = m; j < blast_rows[b].size(); j += dl) v.push_back(blast_rows[b][j]);
        medians[m] = quantile_inplace(v, 0.5).value_or(-INFINITY);
      }
      may_take[b] = clearly_b_by_every_lineage(medians);
    }
    // Nor does an event join that is negative (at or below the negative limit) for some lineage
    // marker: plasma cells (CD22-negative) and myeloid progenitors (CD19-negative) in the clone's
    // core joined otherwise (tuning 0.01/207: a plasma cell, CD22 94.4% for 100%). This leaves out
    // the clone's own antigen-negative events among those it takes this way (0-40 events taken
    // per tube over the tuning, antigen and thirteenth sets, 0-7 in the antigen scenarios; their
    // CD22 percentages moved by 0.1 point at most).
    auto positive_for_every_lineage_marker = [&](const std::vector<double>& lineage_values) {
      for (std::size_t m = 0; m < dl; ++m)
        if (std::isfinite(lineage[m].negative_limit) && !(lineage_values[m] > lineage[m].negative_limit)) return false;
      return true;
    };
    std::size_t pulled = 0;
    for (auto i : idx) {
      if (assigned[i] || !lineage_row(i) || !positive_for_every_lineage_marker(lrow)) continue;
      st.row(f, i, x.data());
      std::size_t best_b = blast_models.size();
      double as_blast = -INFINITY;
      for (std::size_t b = 0; b < blast_models.size(); ++b) {
        if (!keep[b] || !may_take[b]) continue;
        const double d2b = blast_models[b].mahalanobis2(x.data());
        if (d2b > model_core[b]) continue;
        const double l = blast_log_weight[b] + blast_models[b].log_norm - 0.5 * d2b;
        if (l > as_blast) { as_blast = l; best_b = b; }
      }
      if (best_b == blast_models.size()) continue;
      bool beats_stages = true;
      for (auto c : normal_ids)
        if (mix_log_weight[c] + mix.components[c].log_density(x.data()) >= as_blast) { beats_stages = false; break; }
      if (!beats_stages) continue;
      const double with_lineage = as_blast + blast_lineage[best_b]->log_density(lrow.data());
      bool joins = true;
      for (std::size_t o = 0; o < other_models.size() && joins; ++o) {
        const double l = other_log_weight[o] + other_models[o].log_density(x.data());
        if (!other_lineage[o]) { joins = l < as_blast; continue; }
        joins = l + other_lineage[o]->log_density(lrow.data()) < with_lineage;
      }
      if (joins) {
        assigned[i] = static_cast<std::uint32_t>(best_b + 1);
        ++pulled;
      }
    }
    if (opt.diagnostics)
      r.notes.push_back("DfN lineage arbitration: " + std::to_string(moved) + " events to other populations, " +
                        std::to_string(pulled) + " from them");
  };
  // A small mixture blast model was fitted on the handful of its events in the subsample
  // (loq/243: 0.09% of the B lineage, 9 rows of 10000 in 8 dimensions), too few for a
  // covariance (concentrate above needs 10 per dimension): its shape is the EM's guess, and
  // the clone's events beyond that shape go to no model (loq/243: 21 of 50 blasts, all far off
  // the pathway). Such a model is re-estimated on all the events it holds and the events
  // assigned again, until the assignment no longer changes. One that has not settled after
  // kSettleRounds is creeping into a neighbouring stage's tail (0.01/207: 27 -> 152 events,
  // still growing) and stays as first fitted.
  {
    constexpr int kSettleRounds = 8;
    std::vector<bool> settle(blast_models.size(), false);
    for (std::size_t b = 0; b < blast_models.size(); ++b)
      settle[b] = keep[b] && b < rare_from && !origin[b].split_leaf &&  // (excess models come after rare_from)
                  blast_weight[b] * static_cast<double>(fit_idx.size()) < 10.0 * static_cast<double>(d);
    if (std::any_of(settle.begin(), settle.end(), [](bool s) { return s; })) {
      const auto first_models = blast_models;
      const auto first_weight = blast_weight;
      const auto first_assigned = assigned;
      const auto first_per_model = per_model;
      bool settled = false;
      for (int round = 0; round < kSettleRounds && !settled; ++round) {
        for (std::size_t b = 0; b < blast_models.size(); ++b) {
          if (!settle[b]) continue;
          const std::vector<double> own = rows_assigned_to(static_cast<std::uint32_t>(b + 1));
          if (own.size() / d < 2 * d + 2) continue;
          blast_weight[b] = static_cast<double>(own.size() / d) / static_cast<double>(nb);
          blast_models[b] = fit_gaussian(own, d);
          blast_models[b].weight = blast_weight[b];
        }
        const auto before = assigned;
        assign();
        settled = before == assigned;
      }
      if (!settled) {
        blast_models = first_models;
        blast_weight = first_weight;
        assigned = first_assigned;
        per_model = first_per_model;
      }
      if (opt.diagnostics) r.notes.push_back(std::string("DfN small models re-estimated: ") + (settled ? "settled" : "not settled, kept as fitted"));
    }
  }
  arbitrate_with_lineage();
  // A rare cluster's counted events are a compact population: the clone. Other cells that
  // leaked into the B-lineage gate (dead cells, basophils, myeloid progenitors), which the
  // model, fitted with them, takes through its broad tail, lie far outside the cluster's own
  // robust core (tuning loq/262: 5 dead cells at robust d2 243-396, the clone's events at 35
  // at most, CD19 93.5% for 100%; loq/234: 2 CD22-negative myeloid progenitors at 126-128).
  // So each kept model judged per event is refitted to the closest three quarters of its
  // counted events (concentration steps, rescaled to the chi-square median), and an event
  // beyond that fit's prediction limit at member_p does not count. The lineage markers do not
  // enter, so a blast negative for CD19 or CD22 stays.
  if (opt.member_p > 0 && opt.member_p < 1) {
    constexpr double kMemberCore = 0.75;  // share of the counted events the core is fitted to
    // The counted events of every such model, gathered in one pass over the B lineage (an
    // event leaving one model changes no other model's count).
    std::vector<std::vector<std::size_t>> counted(blast_models.size());
    std::vector<std::vector<double>> rows(blast_models.size());
    for (auto i : idx) {
      if (assigned[i] == 0) continue;
      const std::size_t b = assigned[i] - 1;
      if (!keep[b] || !judged_per_event[b] || !counts_as_blast(i, x.data())) continue;
      st.row(f, i, x.data());
      counted[b].push_back(i);
      rows[b].insert(rows[b].end(), x.begin(), x.end());
    }
    for (std::size_t b = 0; b < blast_models.size(); ++b) {
      const double core_events = kMemberCore * static_cast<double>(counted[b].size());
      if (counted[b].size() < 2 * d + 2 || core_events < static_cast<double>(d + 2)) continue;
      Gaussian core = fit_gaussian(rows[b], d);
      concentrate(core, rows[b], d, kMemberCore, chi2_median, 3, 2);
      const double member_limit = prediction_limit(static_cast<double>(d), core_events, opt.member_p);
      std::size_t left = 0;
      for (std::size_t j = 0; j < counted[b].size(); ++j)
        if (core.mahalanobis2(&rows[b][j * d]) > member_limit) {
          assigned[counted[b][j]] = 0;
          ++left;
        }
      if (opt.diagnostics && left)
        r.notes.push_back("DfN model " + std::to_string(b) + ": " + std::to_string(left) + " of " +
                          std::to_string(counted[b].size()) + " counted events beyond its core's prediction limit " +
                          std::to_string(member_limit) + ", not counted");
    }
  }
  std::size_t kept = 0;
  for (auto i : idx) {
    if (!counts_as_blast(i, x.data())) continue;
    r.blasts[i] = 1;
    r.normal[i] = 0;
  }
  if (opt.diagnostics) {
    r.component_of.assign(n_all, 0);
    for (auto i : idx) {
      st.row(f, i, x.data());
      r.component_of[i] = static_cast<std::uint8_t>(std::min<std::size_t>(mix.classify(x.data()) + 1, 255));
    }
    r.model_of.assign(n_all, 0);
    for (auto i : idx) r.model_of[i] = static_cast<std::uint8_t>(std::min<std::uint32_t>(assigned[i], 255));
  }
  for (bool k2 : keep) kept += k2;
  if (opt.diagnostics)
    for (std::size_t b = 0; b < blast_models.size(); ++b)
      if (keep[b]) r.notes.push_back("DfN kept model " + std::to_string(b));
  r.clusters = kept;
  dump();
  return r;
}

// A per-event mask of the B-lineage events (compact order) spread back over the sample.
template <class T>
std::vector<T> spread(const std::vector<T>& compact, std::span<const std::size_t> event_number, std::size_t n_all) {
  if (compact.empty()) return {};
  std::vector<T> out(n_all, 0);
  for (std::size_t j = 0; j < event_number.size(); ++j) out[event_number[j]] = compact[j];
  return out;
}

}  // namespace

// The B-lineage events are a few percent of the sample and every pass below visits them many
// times, reading all modelled markers per event: gathered once into contiguous columns, those
// passes read memory in order instead of one cache line (and TLB entry) per marker per event
// across the whole sample (the blast step on the 1M-event bench sample: 0.61-0.63 s wall at 2
// threads before, 0.45-0.53 s after). Same numbers: subsampling and robust statistics work on
// the members' rank order.
DfnResult find_blasts(const std::vector<DfnFeature>& features, const Mask& b_lineage,
                      const DfnOptions& opt) {
  const std::vector<std::size_t> event_number = members(b_lineage);
  const std::size_t nb = event_number.size();
  std::vector<std::vector<double>> columns(features.size(), std::vector<double>(nb));
  std::vector<DfnFeature> compact = features;
  parallel_for(features.size(), nb >= 20000, [&](std::size_t k) {
    const Column from = features[k].values;
    for (std::size_t j = 0; j < nb; ++j) columns[k][j] = from[event_number[j]];
  });
  for (std::size_t k = 0; k < features.size(); ++k) compact[k].values = columns[k];
  DfnResult r = find_blasts_among(compact, Mask(nb, 1), event_number, opt);
  const std::size_t n_all = b_lineage.size();
  r.blasts = spread(r.blasts, event_number, n_all);
  r.normal = spread(r.normal, event_number, n_all);
  r.rare_candidates = spread(r.rare_candidates, event_number, n_all);
  r.model_of = spread(r.model_of, event_number, n_all);
  r.component_of = spread(r.component_of, event_number, n_all);
  return r;
}

}  // namespace mrdflow::autogate
