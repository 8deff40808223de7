#pragma once
// Blasts vs normal B-cell precursors by "different-from-normal" (DfN).
//
// The B-lineage events are modelled by a Gaussian mixture in the maturation markers (CD10,
// CD20, CD34, CD38, CD45, CD58, CD81 ... whatever the tube has). The normal maturation pathway
// is grown from the most mature component (CD20+ CD10- mature B cells) through components that
// continue it: hematogones form one continuum from stage I to mature B cells, so each piece of
// it lies along the elongation of a normal neighbour (its principal axis), while a leukaemic
// clone is a compact cluster displaced across that direction. A candidate joins the pathway
// only when (a) it is within `step_limit` (Mahalanobis, the neighbour's own spread as unit)
// of a normal component, (b) its displacement across the neighbour's pathway direction is at
// most `relation_margin` of that spread, and (c) it obeys the stage rules of normal
// maturation (CD34 only while CD20 is negative; CD38 stays bright and CD58 does not rise
// among precursors). Rare blasts too few for a component of their own are found as events far
// from every normal component that cluster together (>= lod events) off the pathway. Every
// B-lineage event is finally assigned to the normal pathway or a blast cluster by likelihood.
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "autogate/mask.h"

namespace mrdflow::autogate {

// `lineage` features (CD19, CD22) are not modelled: they only confirm, per cluster, that a
// blast candidate is B lineage (cluster median above the negative limit), so that the % of
// blasts positive for them is not biased by the blast gate itself.
// `over` and `under` are further aberrancy markers the template names (CD66c, CD123, CD73,
// CD304 over-expressed; CD81 under-expressed by leukaemic precursors): normal precursors keep
// them level, so they count in the aberrant directions and in the precursor levels as CD58 does.
enum class MaturationRole { other, cd10, cd20, cd34, cd45, cd38, cd58, over, under, lineage, scatter };

struct DfnFeature {
  std::string marker;
  Column values;                  // transformed
  MaturationRole role = MaturationRole::other;
  // Upper limit of the negative reference (e.g. T cells p99.5) in transformed units, NaN if
  // unknown; used to decide whether a component is positive for this marker.
  double negative_limit = std::numeric_limits<double>::quiet_NaN();
  double negative_median = std::numeric_limits<double>::quiet_NaN();  // same reference
};

struct DfnOptions {
  std::size_t lod_events = 20;        // minimum cluster size
  std::size_t components = 8;         // mixture components for the B lineage
  std::size_t max_fit_events = 10000; // subsample for fitting
  double outlier_p = 1e-4;            // tail probability for "far from the normal pathway"
  double cluster_p = 1e-5;            // the same for a rare cluster's centroid
  double step_limit = 5.0;            // max Mahalanobis distance to a normal neighbour
  double relation_margin = 3.0;       // max displacement across the pathway (neighbour SDs)
  // A piece displaced across the pathway by more than relation_margin still continues it when
  // its deviation in the aberrant directions (given its other markers) is at most this.
  double directional_margin = 2.0;
  // ... or when the mixture density on the segment between the two means never falls below
  // this fraction of the lower end (no valley: pieces of one continuum).
  double ridge_ratio = 0.1;
  // When no precursor stage continues the mature B cells, let the nearest CD34-negative
  // precursor piece whose displacement is of normal maturation only bridge the gap.
  bool bridge_gap = true;
  // Maturation arrest: when the clearly CD34+ pieces of the pathway outweigh the other
  // precursor pieces (CD10+ or CD34-dim) by more than this, they leave the pathway (normal
  // CD34+ precursors are the smallest stage). A large value switches it off.
  double arrest_ratio = 2.0;
  // CD45 under-expression beside stage I: a substantial clearly CD34+ piece within this many of
  // stage I's SDs in CD10 but CD45-dimmer than stage I by more leaves the pathway (see
  // dfn.cpp). Infinity switches it off.
  double stage_one_cd45_margin = std::numeric_limits<double>::infinity();
  // A rare cluster under-expressing CD58 (given its other markers) beyond directional_margin
  // is not leukaemic: B-ALL over-expresses CD58; dimming of it with the other antigens marks
  // damaged cells and the dim tails of a normal stage.
  bool reject_cd58_dim = true;
  // Share of its events to which each substantial normal piece is refitted (concentration
  // steps, MCD-like) before outliers are sought: a clone absorbed by a hematogone stage would
  // otherwise widen that stage and hide inside it. 1 = no refit.
  double robust_core = 0.75;
  // The same share for a small clearly CD34+ piece (stage I, weight below earliest_share of
  // the B lineage), when smaller than robust_core: a clone near the LOD is a large part of
  // such a piece (see dfn.cpp). 1 = as robust_core.
  double earliest_core = 1.0;
  double earliest_share = 0.03;
  // Share of its events to which each rare cluster is refitted (its densest part: the clone
  // rather than the stragglers the small mixture merged with it). 1 = no refit.
  double rare_core = 0.5;
  // After that refit, the cluster's centroid must still deviate in the aberrant directions
  // beyond this upper-tail probability (chi-square in the aberrant markers; 0.5: beyond the
  // median normal event's deviation): a cluster of a normal stage's tails, refitted to its
  // densest part, falls back to the stage's edge and deviates in none of them.
  double core_aberrant_p = 0.5;
  // A rare cluster's counted event beyond the prediction region of the cluster's own robust
  // core (its closest three quarters) at this upper-tail probability is another cell taken
  // through the model's tail, and does not count. 1 (or 0) = no such test.
  double member_p = 1.0;
  // After that refit, a rare cluster's spread (geometric mean SD over its dimensions) may
  // exceed that of the widest substantial normal stage by at most this factor: a clone is one
  // population, a wider cluster is stragglers of several. >= 1; a large value switches it off.
  double rare_spread_ratio = 1.5;
  // A cluster positive for one lineage marker only (CD19 or CD22; the other at or below its
  // negative limit) must clear that marker's limit by this many reference spreads
  // (limit - reference median; two-marker clusters by one). >= 1.
  double single_marker_margin = 1.3;
  // Where no blast cluster is confirmed, search for a compact group of precursor events far
  // denser than the B-lineage mixture predicts (autogate/excess.h): density_excess is the
  // smoothed log ratio of observed to predicted density a seed needs.
  bool density_excess_search = true;
  double density_excess = 4.0;
  // When that finds none either: the rare-blast search once more, among the candidates that
  // could count as blasts themselves (clearly B, blast scatter) only.
  bool blast_like_search = true;
  bool diagnostics = false;           // add per-model/cluster notes (developer tool)
  // Upper limit of a blast cluster's median side scatter (feature named "SSC"), e.g. the
  // monocytes' median; infinite when unknown.
  double max_side_scatter = std::numeric_limits<double>::infinity();
  // Lower limit of a blast cluster's median forward scatter (feature "FSC"), e.g. the
  // lymphocytes' 5th percentile; -infinity when unknown.
  double min_forward_scatter = -std::numeric_limits<double>::infinity();
};

struct DfnResult {
  Mask blasts, normal;
  std::size_t clusters = 0;           // blast clusters found
  bool pathway_anchored = false;      // a mature B-cell component was found
  std::vector<std::string> notes;
  // Per mixture component (diagnostics): weight, normal?, blast model?, off-pathway distance.
  struct ComponentInfo {
    double weight = 0;
    bool normal = false, blast = false;
    double off = 0;
    std::vector<double> mean;  // per modelled feature, transformed units
  };
  std::vector<ComponentInfo> components;
  // Diagnostics only: events handed to the rare-blast search, and (value m + 1) the blast
  // model each event was finally assigned to.
  Mask rare_candidates;
  std::vector<std::uint8_t> model_of;
  // Diagnostics only: (value c + 1) the mixture component most likely for each event.
  std::vector<std::uint8_t> component_of;
};

DfnResult find_blasts(const std::vector<DfnFeature>& features, const Mask& b_lineage,
                      const DfnOptions& options = {});

// Chi-square upper quantile (Wilson-Hilferty), dof degrees of freedom, upper tail p.
double chi2_upper(double dof, double p);
// F(dof1, dof2) upper quantile (Paulson's approximation); infinity where it does not hold.
double f_upper(double dof1, double dof2, double p);
// Hotelling's prediction limit: squared Mahalanobis distance that a new event of a Gaussian
// population exceeds with probability p when mean and covariance are estimated from n events.
double prediction_limit(double dof, double n, double p);

}  // namespace mrdflow::autogate
