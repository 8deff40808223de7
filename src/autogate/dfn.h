#pragma once
// Blasts vs normal B-cell precursors by "different-from-normal" (DfN).
//
// The B-lineage events are modelled by a Gaussian mixture in the maturation markers (CD10,
// CD20, CD34, CD38, CD45, CD58, CD81 ... whatever the tube has). The normal maturation pathway
// is the set of mixture components connected, without a density gap, to the most mature
// component (CD20+ CD10- mature B cells): hematogones form a continuum from stage I to mature
// B cells, leukaemic blasts sit in a discrete cluster off it. Rare blasts too few for a
// component of their own are found as events far (Mahalanobis) from every normal component
// that cluster together (density-connected, >= lod events) with a centroid far off the
// pathway. Every B-lineage event is finally assigned to the normal pathway or a blast cluster
// by likelihood.
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "autogate/mask.h"

namespace mrdflow::autogate {

enum class MaturationRole { other, cd10, cd20, cd34, cd45 };

struct DfnFeature {
  std::string marker;
  Column values;                  // transformed
  MaturationRole role = MaturationRole::other;
  // Upper limit of the negative reference (e.g. T cells p99.5) in transformed units, NaN if
  // unknown; used to decide whether a component is positive for this marker.
  double negative_limit = std::numeric_limits<double>::quiet_NaN();
};

struct DfnOptions {
  std::size_t lod_events = 20;        // minimum cluster size
  std::size_t components = 8;         // mixture components for the B lineage
  std::size_t max_fit_events = 10000; // subsample for fitting
  double outlier_p = 1e-4;            // tail probability for "far from the normal pathway"
  double gap_ratio = 0.05;            // density dip between components that breaks the pathway
};

struct DfnResult {
  Mask blasts, normal;
  std::size_t clusters = 0;           // blast clusters found
  bool pathway_anchored = false;      // a mature B-cell component was found
  std::vector<std::string> notes;
};

DfnResult find_blasts(const std::vector<DfnFeature>& features, const Mask& b_lineage,
                      const DfnOptions& options = {});

// Chi-square upper quantile (Wilson-Hilferty), dof degrees of freedom, upper tail p.
double chi2_upper(double dof, double p);

}  // namespace mrdflow::autogate
