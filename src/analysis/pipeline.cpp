// analyze_sample: read, prepare, run the template's population steps in order, then MRD,
// antigen expression and eligibility. Bad input becomes an error entry, never a crash.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <future>
#include <iomanip>
#include <set>
#include <sstream>
#include <tuple>

#include "analysis/analysis.h"
#include "analysis/markers.h"
#include "analysis/prep.h"
#include "analysis/template_impl.h"
#include "analysis/timing.h"
#include "autogate/beads.h"
#include "autogate/dfn.h"
#include "autogate/leukocytes.h"
#include "autogate/parallel.h"
#include "autogate/parallel_for.h"
#include "autogate/qc.h"
#include "autogate/scatter.h"
#include "autogate/stats.h"
#include "common/error.h"
#include "common/sha256.h"
#include "mrdflow/version.h"

namespace mrdflow::analysis {
namespace ag = autogate;
namespace {

std::string now_iso8601() {
  const auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::ostringstream s;
  s << std::put_time(&tm, "%Y-%m-%dT%H:%M:%SZ");
  return s.str();
}

std::string fmt(double v, int digits = 1) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(digits) << v;
  return s.str();
}

struct Run {
  const Template::Impl& tmpl;
  fcs::DataSet& data;
  const ResolvedPanel& panel;
  const Prepared& prep;
  SampleResult& out;
  std::map<std::string, ag::Mask> pops;
  std::map<std::string, ag::LeukocyteGates> leuko;  // by parent
  std::optional<ag::DfnResult> dfn;
  std::map<std::string, double> splits;             // marker -> bright-mode threshold
  // Member indices of populations, made on first use: a reference population (T cells) or the
  // blasts is read for many markers, and a pass over its members beats one over every event of
  // the sample each time (the same values in the same order).
  mutable std::map<std::string, std::vector<std::size_t>> member_index;
  const std::vector<std::size_t>& members_of(const std::string& name) const {
    auto it = member_index.find(name);
    if (it == member_index.end()) it = member_index.emplace(name, ag::members(pops.at(name))).first;
    return it->second;
  }

  // Quantiles of a marker over a population's members, kept per (marker, population, q)
  // until a step assigns the population: positivity limits and reference medians on the T
  // cells are asked for by the B-lineage, blast and antigen steps alike, and each is a gather
  // and a selection over the members. A kept value is the one a fresh computation would give.
  mutable std::map<std::tuple<std::string, std::string, double>, std::optional<double>> member_quantiles;
  // (m must be a marker of the tube, pop a population.)
  std::optional<double> member_quantile(const std::string& m, const std::string& pop, double q) const {
    const auto key = std::tuple{m, pop, q};
    if (auto it = member_quantiles.find(key); it != member_quantiles.end()) return it->second;
    return member_quantiles.emplace(key, ag::quantile_at(*marker(m), members_of(pop), q)).first->second;
  }
  // Fills member_quantiles for (marker, population) pairs and several quantiles at once: one
  // gather per pair, the pairs spread over the thread budget. Pairs whose marker is not in the
  // tube, or whose quantiles are all kept already, are left out. quantiles_inplace gives the
  // numbers of separate selections, so what is kept does not depend on this.
  void prefetch_member_quantiles(const std::vector<std::pair<std::string, std::string>>& pairs,
                                 const std::vector<double>& qs) const {
    std::vector<std::pair<std::string, std::string>> todo;
    for (const auto& [m, pop] : pairs)
      if (marker(m) && std::any_of(qs.begin(), qs.end(), [&](double q) { return !member_quantiles.count(std::tuple{m, pop, q}); }))
        todo.emplace_back(m, pop);
    std::vector<std::pair<ag::Column, const std::vector<std::size_t>*>> work;
    for (const auto& [m, pop] : todo) work.emplace_back(*marker(m), &members_of(pop));  // caches filled serially
    std::vector<std::vector<std::optional<double>>> found(todo.size());
    ag::parallel_for(todo.size(), true, [&](std::size_t j) {
      auto v = ag::gather_at(work[j].first, *work[j].second);
      found[j] = ag::quantiles_inplace(v, qs);
    });
    for (std::size_t j = 0; j < todo.size(); ++j)
      for (std::size_t k = 0; k < qs.size(); ++k)
        member_quantiles.emplace(std::tuple{todo[j].first, todo[j].second, qs[k]}, found[j][k]);
  }
  // A population that can serve as a reference: present, with enough events.
  bool is_reference(const std::string& r) const {
    return pops.count(r) && members_of(r).size() >= tmpl.min_reference_events;
  }
  // The reference negative_limit would use for a marker: the first with enough events.
  std::optional<std::string> first_reference(const std::vector<std::string>& refs) const {
    for (const auto& r : refs)
      if (is_reference(r)) return r;
    return std::nullopt;
  }

  ag::Column col(std::size_t c) const { return data.events.column(c); }
  std::optional<ag::Column> marker(const std::string& m) const {
    auto it = panel.markers.find(m);
    if (it == panel.markers.end()) return std::nullopt;
    return col(it->second);
  }
  std::size_t n() const { return data.events.events(); }

  // Upper limit of a marker's negative reference: the first reference population with enough
  // events, at the template's percentile. Returns {threshold, source}.
  std::optional<std::pair<double, std::string>> negative_limit(const std::string& m,
                                                               const std::vector<std::string>& refs) const {
    auto c = marker(m);
    if (!c) return std::nullopt;
    if (tmpl.positivity_method == "fixed" || tmpl.fixed_thresholds.count(m)) {
      auto it = tmpl.fixed_thresholds.find(m);
      if (it != tmpl.fixed_thresholds.end()) return std::pair{it->second, std::string("template")};
    }
    for (const auto& r : refs) {
      if (!is_reference(r)) continue;
      auto q = member_quantile(m, r, tmpl.positivity_percentile / 100.0);
      if (q) return std::pair{*q, r + " p" + fmt(tmpl.positivity_percentile, 1)};
    }
    return std::nullopt;
  }

  ag::Mask exclude_populations(ag::Mask m, const PopulationStep& s) const {
    auto it = s.lists.find("exclude_population");
    if (it == s.lists.end()) return m;
    for (const auto& name : it->second) {
      auto p = pops.find(name);
      if (p != pops.end()) m = ag::mask_and_not(m, p->second);
    }
    return m;
  }

  // Lineage threshold of a marker: the highest upper limit over the given reference
  // populations (every one of them is negative for a B-cell marker), so that the
  // autofluorescent tails of monocytes do not enter the B lineage.
  std::optional<double> lineage_limit(const std::string& m, const std::vector<std::string>& refs,
                                      double percentile) const {
    auto c = marker(m);
    if (!c) return std::nullopt;
    std::optional<double> best;
    for (const auto& r : refs) {
      if (!is_reference(r)) continue;
      auto q = member_quantile(m, r, percentile / 100.0);
      if (q && (!best || *q > *best)) best = q;
    }
    return best;
  }

  ag::Mask step(const PopulationStep& s, const ag::Mask& parent) {
    const auto num = [&](const char* k, double d) {
      auto it = s.numbers.find(k);
      return it == s.numbers.end() ? d : it->second;
    };
    if (s.method == "time_qc") {
      ag::Mask keep = parent;
      if (panel.time) {
        std::vector<ag::Column> signals;
        std::vector<std::string> names;
        for (auto c : panel.fluorescence) { signals.push_back(col(c)); names.push_back(data.channels[c].name); }
        for (auto o : {panel.fsc_a, panel.ssc_a})
          if (o) { signals.push_back(col(*o)); names.push_back(data.channels[*o].name); }
        ag::TimeQcOptions o;
        o.mad_limit = num("mad_limit", o.mad_limit);
        o.min_events_per_bin = static_cast<std::size_t>(num("min_events_per_bin", 150));
        o.max_bins = static_cast<std::size_t>(num("max_bins", 500));
        o.target_events_per_bin = static_cast<std::size_t>(num("events_per_bin", 1000));
        auto r = ag::time_qc(col(*panel.time), signals, names, parent, o);
        keep = std::move(r.keep);
        for (auto& f : r.flags) out.qc.flags.push_back(f);
      } else {
        out.qc.flags.push_back("no Time channel: flow-rate/time QC not possible");
        out.qc.status = "warn";
      }
      if (num("margins", 1) != 0) {
        std::vector<ag::Column> sc;
        std::vector<double> top;
        for (auto o : {panel.fsc_a, panel.ssc_a})
          if (o) { sc.push_back(col(*o)); top.push_back(1.0); }  // scatter scaled to its range
        ag::Mask margin = ag::margin_events(sc, top, keep);
        const auto m = ag::count(margin);
        if (m > 0) {
          keep = ag::mask_and_not(keep, margin);
          out.qc.flags.push_back("margin events removed: " + std::to_string(m));
        }
      }
      const auto before = ag::count(parent), after = ag::count(keep);
      out.qc.events_removed = before - after;
      const double share = before ? static_cast<double>(before - after) / static_cast<double>(before) : 0;
      if (share > 0.3) out.qc.status = "fail";
      else if (share > 0.05 && out.qc.status == "pass") out.qc.status = "warn";
      return keep;
    }
    if (s.method == "debris_valley") {
      if (!panel.fsc_a) return parent;
      return ag::gate_debris(col(*panel.fsc_a), parent).cells;
    }
    if (s.method == "singlet_ratio") {
      const double lo = num("mad_low", 4), hi = num("mad_high", 6);
      if (panel.fsc_a && panel.fsc_h) return ag::gate_singlets(col(*panel.fsc_a), col(*panel.fsc_h), parent, lo, hi).singlets;
      if (panel.ssc_a && panel.ssc_h) return ag::gate_singlets(col(*panel.ssc_a), col(*panel.ssc_h), parent, lo, hi).singlets;
      out.warnings.push_back("no area/height scatter pair: doublets not excluded");
      return parent;
    }
    if (s.method == "nucleated") {
      ag::Mask keep = parent;
      auto it = s.lists.find("dye");
      if (it != s.lists.end())
        for (const auto& m : it->second)
          if (auto c = marker(m))
            if (auto r = ag::bright_mode(*c, parent)) { keep = r->positive; break; }
      return exclude_populations(keep, s);
    }
    if (s.method == "counting_beads") {
      std::vector<ag::Column> fl;
      for (auto c : panel.fluorescence) fl.push_back(col(c));
      ag::BeadOptions o;
      o.min_channels = static_cast<std::size_t>(num("min_channels", 4));
      o.channel_share = num("channel_share", 0.75);
      return ag::find_counting_beads(fl, parent, o).beads;
    }
    if (s.method == "cd45_ssc") {
      const std::string m = s.words.count("marker") ? s.words.at("marker") : "CD45";
      auto c = marker(m);
      if (!c || !panel.ssc_a) {
        out.warnings.push_back(s.name + ": needs " + m + " and SSC");
        return ag::Mask(n(), 0);
      }
      auto it = leuko.find(s.parent);
      if (it == leuko.end()) {
        it = leuko.emplace(s.parent, ag::gate_leukocytes(*c, col(*panel.ssc_a), parent)).first;
        for (auto& note : it->second.notes) out.warnings.push_back(note);
      }
      const std::string sub = s.words.count("subset") ? s.words.at("subset") : "lymphocytes";
      if (sub == "monocytes") return it->second.monocytes;
      if (sub == "granulocytes") return it->second.granulocytes;
      if (sub == "low_ssc") return it->second.low_ssc;
      return it->second.lymphocytes;
    }
    if (s.method == "bright_mode") {
      const auto& m = s.words.at("marker");
      auto c = marker(m);
      if (!c) { out.warnings.push_back(s.name + ": marker " + m + " not in the tube"); return ag::Mask(n(), 0); }
      auto r = ag::bright_mode(*c, parent);
      if (!r) { out.warnings.push_back(s.name + ": no " + m + "-bright population found"); return ag::Mask(n(), 0); }
      splits[m] = r->threshold;
      return r->positive;
    }
    if (s.method == "below_split") {
      // The parent's events at or below each listed marker's cut (a marker the tube lacks
      // excludes nothing): the lymphocytes negative for CD19 and CD22 are the T and NK cells,
      // the negative reference a tube without CD3 still has (EuroFlow's BCP-ALL MRD tube
      // carries no CD3). The cut is the bimodal split, and at most the negative mode's median
      // + 4 SDs of its lower half: in B-cell aplasia a few hundred mature B cells among 30,000
      // lymphocytes make no second mode, yet at 0.5% they would set the reference's 99.5th
      // percentile (fresh cd19neg-relapse/865: CD20 limit 0.58 for 0.38, the clone called 0).
      ag::Mask keep = parent;
      const auto& members = members_of(s.parent);  // (read through the parent's members only)
      for (const auto& m : s.lists.count("markers") ? s.lists.at("markers") : std::vector<std::string>{}) {
        auto c = marker(m);
        if (!c) continue;
        std::vector<double> values = ag::gather_at(*c, members);
        const auto split = ag::bimodal_split(values);
        const auto q = ag::quantiles_inplace(values, {0.1587, 0.5});
        if (!q[0] || !q[1]) continue;
        const double t = std::min(split.value_or(INFINITY), *q[1] + 4 * (*q[1] - *q[0]));
        const ag::Column v = *c;
        for (const auto i : members) keep[i] &= static_cast<std::uint8_t>(v[i] <= t);
      }
      return keep;
    }
    if (s.method == "b_lineage") {
      std::vector<std::string> refs = tmpl.positivity_references;
      if (s.words.count("negative_reference")) refs.insert(refs.begin(), s.words.at("negative_reference"));
      std::vector<ag::Column> cols;
      std::vector<double> thr, clear_thr;
      const double pct = num("percentile", tmpl.positivity_percentile);
      {
        // The limits and medians below, in parallel (then found kept).
        std::vector<std::string> sources = s.lists.count("lineage_references") ? s.lists.at("lineage_references")
                                                                              : std::vector<std::string>{};
        if (auto r = first_reference(refs)) sources.push_back(*r);
        if (!refs.empty()) sources.push_back(refs.front());
        std::sort(sources.begin(), sources.end());
        sources.erase(std::unique(sources.begin(), sources.end()), sources.end());
        std::vector<std::pair<std::string, std::string>> pairs;
        for (const auto& m : s.lists.count("any_of") ? s.lists.at("any_of") : std::vector<std::string>{})
          for (const auto& r : sources)
            if (is_reference(r)) pairs.emplace_back(m, r);
        prefetch_member_quantiles(pairs, {pct / 100.0, 0.5});
      }
      for (const auto& m : s.lists.count("any_of") ? s.lists.at("any_of") : std::vector<std::string>{}) {
        auto c = marker(m);
        if (!c) continue;
        std::optional<double> t;
        if (s.lists.count("lineage_references")) t = lineage_limit(m, s.lists.at("lineage_references"), pct);
        if (!t) if (auto lim = negative_limit(m, refs)) t = lim->first;
        if (!t) { out.warnings.push_back("b_lineage: no negative reference for " + m); continue; }
        cols.push_back(*c);
        thr.push_back(*t);
        // Clearly positive: beyond the limit by the first reference's spread (limit - median).
        double spread = 0;
        if (auto p = refs.empty() ? pops.end() : pops.find(refs.front()); p != pops.end())
          if (auto med = member_quantile(m, p->first, 0.5)) spread = std::max(0.0, *t - *med);
        clear_thr.push_back(*t + spread);
      }
      if (cols.empty()) { out.warnings.push_back("b_lineage: no B-lineage marker could be thresholded"); return ag::Mask(n(), 0); }
      ag::Mask b = ag::any_above(cols, thr, parent);
      const ag::Mask clearly_b = ag::any_above(cols, clear_thr, parent);
      // Bright events of another lineage's marker leave the B lineage; with `exclude_unless_b`
      // not when they are clearly B: leukaemic precursors often co-express myeloid antigens
      // (CD13, CD33), and those are the blasts, not myeloid cells.
      // Each marker's split first (in parallel: a gather of the parent and a histogram each),
      // then the exclusions in the template's order.
      struct Exclusion {
        ag::Column values;
        bool spare_b = false;
        std::optional<double> split;
      };
      std::vector<Exclusion> exclusions;
      for (const auto& [key, spare_b] : {std::pair{"exclude", false}, std::pair{"exclude_unless_b", true}})
        for (const auto& m : s.lists.count(key) ? s.lists.at(key) : std::vector<std::string>{})
          if (auto c = marker(m)) exclusions.push_back({*c, spare_b, splits.count(m) ? std::optional(splits.at(m)) : std::nullopt});
      ag::parallel_for(exclusions.size(), true, [&](std::size_t j) {
        if (!exclusions[j].split) exclusions[j].split = ag::bimodal_split(ag::gather(exclusions[j].values, parent));
      });
      for (const auto& e : exclusions) {
        if (!e.split) continue;
        const double t = *e.split;
        for (std::size_t i = 0; i < n(); ++i)
          b[i] &= static_cast<std::uint8_t>(e.values[i] <= t || (e.spare_b && clearly_b[i]));
      }
      return exclude_populations(std::move(b), s);
    }
    if (s.method == "dfn_blasts") {
      std::vector<ag::DfnFeature> feats;
      auto listed = [&](const char* key, const std::string& m) {
        auto it = s.lists.find(key);
        return it != s.lists.end() && std::find(it->second.begin(), it->second.end(), m) != it->second.end();
      };
      // Every modelled and lineage marker's positivity limit and median on its reference, in
      // parallel (the loops below then find them kept).
      if (const auto ref = first_reference(tmpl.positivity_references)) {
        std::vector<std::pair<std::string, std::string>> pairs;
        for (const char* key : {"markers", "lineage_markers"})
          if (s.lists.count(key))
            for (const auto& m : s.lists.at(key))
              if (!tmpl.fixed_thresholds.count(m)) pairs.emplace_back(m, *ref);
        prefetch_member_quantiles(pairs, {tmpl.positivity_percentile / 100.0, 0.5});
      }
      // One dimension per channel: a shared channel ("CD66c/CD123") names two template markers.
      std::set<std::size_t> modelled_channels;
      for (const auto& m : s.lists.count("markers") ? s.lists.at("markers") : std::vector<std::string>{}) {
        auto c = marker(m);
        if (!c || !modelled_channels.insert(panel.markers.at(m)).second) continue;
        ag::DfnFeature f;
        f.marker = m;
        f.values = *c;
        const auto cm = canonical_marker(m);
        f.role = cm == "CD10" ? ag::MaturationRole::cd10 : cm == "CD20" ? ag::MaturationRole::cd20
               : cm == "CD34" ? ag::MaturationRole::cd34 : cm == "CD45" ? ag::MaturationRole::cd45
               : cm == "CD38" ? ag::MaturationRole::cd38 : cm == "CD58" ? ag::MaturationRole::cd58
               : listed("over_expressed", m) ? ag::MaturationRole::over
               : listed("under_expressed", m) ? ag::MaturationRole::under
               : ag::MaturationRole::other;
        if (auto lim = negative_limit(m, tmpl.positivity_references)) {
          f.negative_limit = lim->first;
          const auto ref = pops.find(lim->second.substr(0, lim->second.find(' ')));
          if (ref != pops.end()) f.negative_median = member_quantile(m, ref->first, 0.5).value_or(f.negative_median);
        }
        feats.push_back(f);
      }
      // Lineage markers only confirm each blast cluster (not modelled; see dfn.h).
      for (const auto& m : s.lists.count("lineage_markers") ? s.lists.at("lineage_markers") : std::vector<std::string>{}) {
        auto c = marker(m);
        if (!c) continue;
        ag::DfnFeature f{m, *c, ag::MaturationRole::lineage};
        if (auto lim = negative_limit(m, tmpl.positivity_references)) {
          f.negative_limit = lim->first;
          const auto ref = pops.find(lim->second.substr(0, lim->second.find(' ')));
          if (ref != pops.end()) f.negative_median = member_quantile(m, ref->first, 0.5).value_or(f.negative_median);
        }
        feats.push_back(f);
      }
      // Scatter separates dead cells and plasma cells from lymphoid-scatter precursors.
      if (num("scatter", 0) != 0)
        for (auto [o, name] : {std::pair{panel.fsc_a, "FSC"}, std::pair{panel.ssc_a, "SSC"}})
          if (o) feats.push_back(ag::DfnFeature{name, col(*o), ag::MaturationRole::scatter});
      ag::DfnOptions o;
      o.lod_events = tmpl.lod_events;
      o.components = static_cast<std::size_t>(num("components", 8));
      o.outlier_p = num("outlier_p", 1e-4);
      o.cluster_p = num("cluster_p", o.cluster_p);
      o.step_limit = num("step_limit", o.step_limit);
      o.relation_margin = num("relation_margin", o.relation_margin);
      o.max_fit_events = static_cast<std::size_t>(num("max_fit_events", 20000));
      o.robust_core = num("robust_core", o.robust_core);
      o.earliest_core = num("earliest_core", o.earliest_core);
      o.earliest_share = num("earliest_share", o.earliest_share);
      o.rare_core = num("rare_core", o.rare_core);
      o.density_excess = num("density_excess", o.density_excess);
      o.core_aberrant_p = num("core_aberrant_p", o.core_aberrant_p);
      o.member_p = num("member_p", o.member_p);
      o.rare_spread_ratio = num("rare_spread_ratio", o.rare_spread_ratio);
      o.single_marker_margin = num("single_marker_margin", o.single_marker_margin);
      o.arrest_ratio = num("arrest_ratio", o.arrest_ratio);
      o.stage_one_cd45_margin = num("stage_one_cd45_margin", o.stage_one_cd45_margin);
      // Scatter limits from a reference population the template names (when the channel is in
      // the file and the population holds enough events).
      auto scatter_reference = [&](const char* key, const std::optional<std::size_t>& channel)
          -> const std::vector<std::size_t>* {
        if (!s.words.count(key) || !channel || !is_reference(s.words.at(key))) return nullptr;
        return &members_of(s.words.at(key));
      };
      if (const auto* ref = scatter_reference("side_scatter_below", panel.ssc_a))
        o.max_side_scatter = ag::median_at(col(*panel.ssc_a), *ref).value_or(o.max_side_scatter);
      // Blasts are not smaller than lymphocytes: dead cells (shrunken, binding antibodies
      // non-specifically) are, and they would otherwise pass as rare CD19+ CD34+ events.
      if (const auto* ref = scatter_reference("forward_scatter_above", panel.fsc_a))
        o.min_forward_scatter = ag::quantile_at(col(*panel.fsc_a), *ref, 0.05).value_or(o.min_forward_scatter);
      o.diagnostics = std::getenv("MRDFLOW_DFN_DEBUG") != nullptr;  // developer diagnostics (analysis-eval)
      dfn = ag::find_blasts(feats, parent, o);
      for (auto& note : dfn->notes) out.warnings.push_back(note);
      if (std::getenv("MRDFLOW_DFN_DEBUG"))  // developer diagnostics (analysis-eval)
        for (std::size_t ci = 0; ci < dfn->components.size(); ++ci) {
          const auto& c = dfn->components[ci];
          out.warnings.push_back("dfn component " + std::to_string(ci) + " w=" + fmt(c.weight, 4) + " normal=" + std::to_string(c.normal) +
                                 " blast=" + std::to_string(c.blast) + " off=" + fmt(c.off, 2) + " mean=" +
                                 [&] { std::string t; for (double v : c.mean) t += fmt(v, 2) + " "; return t; }());
        }
      return ag::mask_and(dfn->blasts, parent);
    }
    if (s.method == "dfn_normal") {
      if (!dfn) return ag::Mask(n(), 0);
      return ag::mask_and(dfn->normal, parent);
    }
    throw Error("template", "unknown method " + s.method);
  }
};

}  // namespace

SampleResult analyze_sample(const std::filesystem::path& fcs_path, const Template& tmpl_handle,
                            const SampleContext& context, const AnalyzeOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  SampleResult out;
  out.software_version = mrdflow::kVersion;
  out.started = now_iso8601();
  out.file = fcs_path.filename().string();
  out.path = fcs_path.string();
  out.sample_id = fcs_path.stem().string();
  out.patient_id = context.patient_id;
  out.specimen = context.specimen;
  out.timepoint_day = context.timepoint_day;
  const auto& tmpl = tmpl_handle.impl();
  out.template_name = tmpl.name;
  out.template_sha256 = tmpl.sha256;
  auto finish = [&] {
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return out;
  };
  PhaseTimer timer(out.file);  // MRDFLOW_TIMING=1: phase times to stderr
  const ag::ThreadBudget thread_budget(options.threads);  // for the autogate methods
  try {
    // With a thread to spare, the input's SHA-256 is computed while the file is decoded.
    std::future<std::string> digest;
    if (options.threads > 1) {
      digest = std::async(std::launch::async, [&fcs_path] { return sha256_file_hex(fcs_path); });
    } else {
      out.sha256 = sha256_file_hex(fcs_path);
      timer.mark("sha256");
    }
    fcs::ReadOptions ro;
    ro.threads = std::max(1, options.threads);
    ro.keep_above_range = is_time_channel;  // acquisition times for the time QC
    fcs::DataSet data = fcs::read_fcs(fcs_path, ro);
    if (digest.valid()) out.sha256 = digest.get();
    timer.mark("read");
    out.fcs_version = data.header.version.rfind("FCS", 0) == 0 ? data.header.version.substr(3) : data.header.version;
    out.events_total = data.events.events();
    for (const auto& ch : data.channels)
      out.channels.push_back({ch.name, ch.marker.empty() ? std::nullopt : std::optional<std::string>(ch.marker)});
    for (const auto& w : data.warnings) out.warnings.push_back(w);

    const ResolvedPanel panel = resolve_panel(data.channels, tmpl.aliases);
    for (auto& note : panel.notes) out.warnings.push_back(note);
    std::vector<std::string> missing;
    for (const auto& any : tmpl.required) {
      bool found = false;
      for (const auto& m : any) found |= panel.markers.count(m) > 0;
      if (!found) {
        std::string s;
        for (const auto& m : any) s += (s.empty() ? "" : " or ") + m;
        missing.push_back(s);
      }
    }
    if (!panel.fsc_a) missing.push_back("forward scatter");
    if (!panel.ssc_a) missing.push_back("side scatter");
    if (!missing.empty()) {
      std::string s;
      for (const auto& m : missing) s += (s.empty() ? "" : ", ") + m;
      out.error_kind = "missing_markers";
      out.error_message = out.file + ": not an MRD tube for template '" + tmpl.name + "': missing " + s;
      return finish();
    }
    if (out.events_total == 0) {
      out.error_kind = "no_events";
      out.error_message = out.file + ": the data set holds no events";
      return finish();
    }

    timer.mark("panel");
    const Prepared prep = prepare_events(data, panel, options.threads, &timer);
    for (auto& note : prep.notes) out.warnings.push_back(note);

    Run run{tmpl, data, panel, prep, out, {}, {}, {}, {}, {}, {}};
    run.pops["all"] = ag::Mask(data.events.events(), 1);
    out.populations.push_back({"all", std::nullopt, out.events_total, 100.0});
    for (const auto& step : tmpl.steps) {
      const ag::Mask& parent = run.pops.at(step.parent);
      ag::Mask m = ag::mask_and(run.step(step, parent), parent);
      const auto c = ag::count(m), pc = ag::count(parent);
      out.populations.push_back({step.name, step.parent, c, pc ? 100.0 * static_cast<double>(c) / static_cast<double>(pc) : 0.0});
      if (options.on_population) options.on_population(step.name, m);
      if (options.on_population && step.method == "dfn_blasts" && run.dfn) {  // diagnostics (analysis-eval)
        if (!run.dfn->rare_candidates.empty()) options.on_population("  rare_cand", run.dfn->rare_candidates);
        // One row per value v (1..most) of a per-event index: the events holding v.
        auto rows_by_value = [&](const std::string& prefix, const std::vector<std::uint8_t>& value, int most) {
          for (int v = 1; v <= most && !value.empty(); ++v) {
            ag::Mask mk(value.size());
            for (std::size_t i = 0; i < mk.size(); ++i) mk[i] = value[i] == v;
            if (ag::count(mk)) options.on_population("  " + prefix + std::to_string(v - 1), mk);
          }
        };
        rows_by_value("model", run.dfn->model_of, 19);
        rows_by_value("comp", run.dfn->component_of, 64);
      }
      run.pops[step.name] = std::move(m);
      run.member_index.erase(step.name);
      std::erase_if(run.member_quantiles, [&](const auto& kept) { return std::get<1>(kept.first) == step.name; });
      timer.mark(step.name);
    }

    // MRD
    if (run.pops.count("blasts") && run.pops.count(tmpl.denominator)) {
      MrdResult mrd;
      mrd.blast_events = ag::count(run.pops.at("blasts"));
      mrd.denominator = tmpl.denominator;
      mrd.denominator_events = ag::count(run.pops.at(tmpl.denominator));
      mrd.lod_events = tmpl.lod_events;
      mrd.loq_events = tmpl.loq_events;
      const double den = static_cast<double>(mrd.denominator_events);
      if (den > 0) {
        mrd.percent = 100.0 * static_cast<double>(mrd.blast_events) / den;
        auto [lo, hi] = ag::wilson95_percent(mrd.blast_events, mrd.denominator_events);
        mrd.ci95 = {lo, hi};
        mrd.lod_percent = 100.0 * static_cast<double>(mrd.lod_events) / den;
        mrd.loq_percent = 100.0 * static_cast<double>(mrd.loq_events) / den;
      }
      mrd.status = mrd.blast_events >= mrd.loq_events ? "detected"
                 : mrd.blast_events >= mrd.lod_events ? "below_loq" : "not_detected";
      out.mrd = mrd;
    }

    // Antigen expression on the blasts.
    const std::vector<std::size_t>* blasts = run.pops.count("blasts") ? &run.members_of("blasts") : nullptr;
    const std::size_t n_blasts = blasts ? blasts->size() : 0;
    for (const auto& m : tmpl.antigens) {
      auto c = run.marker(m);
      if (!c || !blasts || n_blasts == 0) continue;
      auto lim = run.negative_limit(m, tmpl.positivity_references);
      if (!lim) { out.warnings.push_back(m + ": no negative reference population: positivity not assessed"); continue; }
      AntigenResult a;
      a.population = "blasts";
      a.events = n_blasts;
      a.threshold = lim->first;
      a.threshold_source = lim->second;
      // A blast population whose own mode lies below the reference limit is a negative
      // population; bright markers on the blasts spread into this channel after compensation
      // more than they do on the reference cells, so its own mirrored spread bounds the
      // negatives too (a partly positive population keeps its positives above that).
      if (auto mir = ag::mirrored_upper_limit(ag::gather_at(*c, *blasts), tmpl.positivity_percentile / 100.0);
          mir && mir->mode < a.threshold && mir->limit > a.threshold) {
        a.threshold = mir->limit;
        a.threshold_source = lim->second + "; blasts' own negative spread (mirrored p" +
                             fmt(tmpl.positivity_percentile, 1) + ")";
      }
      for (const std::size_t i : *blasts) a.positive_events += i < c->size() && (*c)[i] > a.threshold;
      a.percent_positive = 100.0 * static_cast<double>(a.positive_events) / static_cast<double>(a.events);
      auto [lo, hi] = ag::wilson95_percent(a.positive_events, a.events);
      a.ci95 = {lo, hi};
      const std::size_t col = panel.markers.at(m);
      const double med_t = ag::median_at(*c, *blasts).value_or(0);
      a.median_intensity = prep.to_linear(col, med_t);
      // Reference median for the MFI ratio: the population the threshold came from.
      std::string ref_name = lim->second.substr(0, lim->second.find(' '));
      if (run.pops.count(ref_name)) {
        const double ref_lin = prep.to_linear(col, run.member_quantile(m, ref_name, 0.5).value_or(0));
        if (ref_lin > 0) a.mfi_ratio = a.median_intensity / ref_lin;
      }
      a.dim = a.percent_positive >= 50.0 && a.mfi_ratio && *a.mfi_ratio < tmpl.dim_mfi_ratio;
      out.antigens[m] = a;
    }

    // Eligibility.
    if (!tmpl.eligibility.empty()) {
      Eligibility e;
      std::string missing_marker, failing;
      for (const auto& r : tmpl.eligibility) {
        EligibilityRule rule;
        rule.marker = r.marker;
        rule.threshold_percent = r.threshold_percent;
        auto it = out.antigens.find(r.marker);
        if (it != out.antigens.end()) {
          rule.value = it->second.percent_positive;
          rule.pass = it->second.percent_positive > r.threshold_percent;
          if (!*rule.pass && failing.empty())
            failing = r.marker + " is positive on " + fmt(*rule.value) + "% of blasts (rule: > " +
                      fmt(r.threshold_percent, 0) + "%)";
        } else if (!panel.markers.count(r.marker) && missing_marker.empty()) {
          missing_marker = r.marker;
        }
        e.rules.push_back(rule);
      }
      const std::size_t loq = tmpl.loq_events;
      if (!missing_marker.empty()) {
        e.verdict = "indeterminate";
        e.reason = "The tube lacks " + missing_marker + ", which an eligibility rule needs.";
      } else if (n_blasts < loq) {
        e.verdict = "indeterminate";
        e.reason = "Only " + std::to_string(n_blasts) + " blast events (below the LOQ of " +
                   std::to_string(loq) + "): too few to judge antigen expression.";
      } else if (std::any_of(e.rules.begin(), e.rules.end(), [](auto& r) { return !r.value; })) {
        e.verdict = "indeterminate";
        e.reason = "Antigen positivity could not be assessed (no negative reference population).";
      } else if (!failing.empty()) {
        e.verdict = "not_eligible";
        e.reason = failing + ".";
      } else {
        e.verdict = "eligible";
        std::string s;
        for (const auto& r : e.rules) s += (s.empty() ? "" : " and ") + r.marker + " " + fmt(*r.value) + "%";
        e.reason = s + " of " + std::to_string(n_blasts) + " blasts are positive, above every rule's threshold.";
      }
      out.eligibility = e;
    }
    // B cells (persistence context): lymphocytes positive for the first B marker present.
    if (run.pops.count("lymphocytes") && run.pops.count("b_lineage")) {
      for (const std::string m : {"CD19", "CD22", "CD20"}) {
        if (!panel.markers.count(m)) continue;
        auto lim = run.negative_limit(m, tmpl.positivity_references);
        if (!lim) continue;
        const auto& lym = run.pops.at("lymphocytes");
        auto c = *run.marker(m);
        BCellResult b;
        b.marker = m;
        for (std::size_t i = 0; i < c.size(); ++i) b.events += lym[i] && c[i] > lim->first;
        const auto nl = ag::count(lym);
        b.percent_of_lymphocytes = nl ? 100.0 * static_cast<double>(b.events) / static_cast<double>(nl) : 0;
        if (context.wbc_per_ul && run.pops.count("nucleated") && ag::count(run.pops.at("nucleated")) > 0)
          b.cells_per_ul = *context.wbc_per_ul * static_cast<double>(b.events) /
                           static_cast<double>(ag::count(run.pops.at("nucleated")));
        b.aplasia = b.percent_of_lymphocytes < 1.0;  // < 1% B cells of lymphocytes (docs/analysis.md)
        out.b_cells = b;
        break;
      }
    }
    timer.mark("results");
  } catch (const Error& e) {
    out.error_kind = e.kind();
    out.error_message = e.what();
  } catch (const std::exception& e) {
    out.error_kind = "internal";
    out.error_message = out.file + ": " + e.what();
  }
  return finish();
}

}  // namespace mrdflow::analysis
