// Loading and validating gating templates (YAML). Every error names the file and line.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "analysis/markers.h"
#include "analysis/template_impl.h"
#include "common/error.h"
#include "common/sha256.h"

namespace mrdflow::analysis {
namespace {

// Method -> accepted parameters (n = number, w = word, l = list of words).
const std::map<std::string, std::map<std::string, char>>& method_params() {
  static const std::map<std::string, std::map<std::string, char>> m{
      {"time_qc", {{"mad_limit", 'n'}, {"min_events_per_bin", 'n'}, {"max_bins", 'n'},
                   {"events_per_bin", 'n'}, {"margins", 'n'}}},
      {"debris_valley", {}},
      {"singlet_ratio", {{"mad_low", 'n'}, {"mad_high", 'n'}}},
      {"nucleated", {{"dye", 'l'}, {"exclude_population", 'l'}}},
      {"counting_beads", {{"min_channels", 'n'}, {"channel_share", 'n'}}},
      {"cd45_ssc", {{"marker", 'w'}, {"subset", 'w'}}},
      {"bright_mode", {{"marker", 'w'}}},
      {"below_split", {{"markers", 'l'}}},
      {"b_lineage", {{"any_of", 'l'}, {"exclude", 'l'}, {"exclude_unless_b", 'l'}, {"exclude_population", 'l'},
                     {"negative_reference", 'w'}, {"lineage_references", 'l'}, {"percentile", 'n'}}},
      {"dfn_blasts", {{"markers", 'l'}, {"components", 'n'}, {"outlier_p", 'n'}, {"cluster_p", 'n'}, {"step_limit", 'n'},
                      {"relation_margin", 'n'}, {"max_fit_events", 'n'}, {"robust_core", 'n'}, {"earliest_core", 'n'}, {"earliest_share", 'n'}, {"rare_core", 'n'}, {"core_aberrant_p", 'n'}, {"member_p", 'n'}, {"rare_spread_ratio", 'n'}, {"single_marker_margin", 'n'}, {"arrest_ratio", 'n'}, {"stage_one_cd45_margin", 'n'}, {"density_excess", 'n'},
                      {"lineage_markers", 'l'}, {"over_expressed", 'l'}, {"under_expressed", 'l'},
                      {"scatter", 'n'}, {"side_scatter_below", 'w'}, {"forward_scatter_above", 'w'}}},
      {"dfn_normal", {}},
  };
  return m;
}

[[noreturn]] void fail(const std::filesystem::path& file, const YAML::Node& node, const std::string& what) {
  std::ostringstream s;
  s << file.string();
  if (node.IsDefined() && node.Mark().line >= 0) s << ": line " << node.Mark().line + 1;
  s << ": " << what;
  throw Error("template", s.str());
}

std::vector<std::string> words(const std::filesystem::path& file, const YAML::Node& node,
                               const std::string& what) {
  std::vector<std::string> out;
  if (node.IsScalar()) { out.push_back(node.as<std::string>()); return out; }
  if (!node.IsSequence()) fail(file, node, what + " must be a word or a list of words");
  for (const auto& item : node) {
    if (!item.IsScalar()) fail(file, item, what + " must be a list of words");
    out.push_back(item.as<std::string>());
  }
  return out;
}

double number(const std::filesystem::path& file, const YAML::Node& node, const std::string& what) {
  try {
    return node.as<double>();
  } catch (const YAML::Exception&) {
    fail(file, node, what + " must be a number, got '" + (node.IsScalar() ? node.Scalar() : "?") + "'");
  }
}

}  // namespace

Template::Template() = default;
Template::Template(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
const std::string& Template::name() const { return impl_->name; }
const std::string& Template::sha256() const { return impl_->sha256; }
const std::filesystem::path& Template::path() const { return impl_->path; }

bool Template::suits_markers(const std::vector<std::string>& file_markers) const {
  for (const auto& any : impl_->required) {
    bool found = false;
    for (const auto& m : any) {
      std::vector<std::string> spellings = impl_->aliases.at(m);
      spellings.push_back(m);
      for (const auto& label : file_markers)
        for (const auto& s : spellings) found |= label_names_marker(label, s);
    }
    if (!found) return false;
  }
  return true;
}

Template load_template(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("template", path.string() + ": cannot open template file");
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string text = buf.str();
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw Error("template", path.string() + ": line " + std::to_string(e.mark.line + 1) +
                                ": YAML syntax error: " + e.msg);
  }
  auto impl = std::make_shared<Template::Impl>();
  impl->path = path;
  impl->sha256 = sha256_hex(std::string_view(text));
  if (!root.IsMap()) fail(path, root, "template must be a YAML mapping");
  static const std::set<std::string> top{"name", "version", "description", "markers",
                                         "required_markers", "populations", "analysis"};
  for (const auto& kv : root)
    if (!top.count(kv.first.as<std::string>()))
      fail(path, kv.first, "unknown top-level key '" + kv.first.as<std::string>() + "'");
  if (!root["name"] || !root["name"].IsScalar()) fail(path, root, "missing 'name'");
  impl->name = root["name"].as<std::string>();

  // markers: NAME: [spellings...]
  const YAML::Node markers = root["markers"];
  if (!markers || !markers.IsMap()) fail(path, root, "missing 'markers' mapping");
  for (const auto& kv : markers) {
    const std::string m = kv.first.as<std::string>();
    impl->aliases[m] = kv.second.IsNull() ? std::vector<std::string>{} : words(path, kv.second, "marker " + m);
  }
  auto known_marker = [&](const YAML::Node& node, const std::string& m) {
    if (!impl->aliases.count(m)) fail(path, node, "unknown marker '" + m + "' (not under 'markers')");
  };
  if (const auto req = root["required_markers"]) {
    if (!req.IsSequence()) fail(path, req, "'required_markers' must be a list");
    for (const auto& item : req) {
      auto any = words(path, item, "required marker");
      for (const auto& m : any) known_marker(item, m);
      impl->required.push_back(any);
    }
  }

  // populations, in order; each parent must be defined earlier ('all' is the root).
  const YAML::Node pops = root["populations"];
  if (!pops || !pops.IsSequence()) fail(path, root, "missing 'populations' list");
  std::set<std::string> defined{"all"};
  for (const auto& p : pops) {
    PopulationStep step;
    step.line = p.Mark().line + 1;
    if (!p.IsMap()) fail(path, p, "population must be a mapping");
    for (const auto& kv : p) {
      const auto key = kv.first.as<std::string>();
      if (key != "name" && key != "parent" && key != "method" && key != "params")
        fail(path, kv.first, "unknown population key '" + key + "'");
    }
    if (!p["name"]) fail(path, p, "population without 'name'");
    if (!p["parent"]) fail(path, p, "population '" + p["name"].as<std::string>() + "' without 'parent'");
    if (!p["method"]) fail(path, p, "population '" + p["name"].as<std::string>() + "' without 'method'");
    step.name = p["name"].as<std::string>();
    step.parent = p["parent"].as<std::string>();
    step.method = p["method"].as<std::string>();
    if (defined.count(step.name)) fail(path, p["name"], "population '" + step.name + "' defined twice");
    if (!defined.count(step.parent))
      fail(path, p["parent"], "unknown parent '" + step.parent + "' of population '" + step.name +
                                  "' (parents must be defined above)");
    auto mit = method_params().find(step.method);
    if (mit == method_params().end()) fail(path, p["method"], "unknown method '" + step.method + "'");
    if (const auto params = p["params"]) {
      if (!params.IsMap()) fail(path, params, "'params' must be a mapping");
      for (const auto& kv : params) {
        const auto key = kv.first.as<std::string>();
        auto kind = mit->second.find(key);
        if (kind == mit->second.end())
          fail(path, kv.first, "unknown parameter '" + key + "' for method '" + step.method + "'");
        if (kind->second == 'n') {
          step.numbers[key] = number(path, kv.second, key);
          // Shares of events and tail probabilities: a value outside (0, 1] would silently
          // switch the step off or make it meaningless.
          static const std::map<std::string, bool> unit_interval{
              {"robust_core", true}, {"earliest_core", true}, {"earliest_share", true}, {"rare_core", true},
              {"channel_share", true}, {"member_p", true},  // (0, 1]
              {"outlier_p", false}, {"cluster_p", false}, {"core_aberrant_p", false}};  // (0, 1)
          if ((key == "rare_spread_ratio" || key == "single_marker_margin" || key == "arrest_ratio") &&
              !(step.numbers[key] >= 1))
            fail(path, kv.second, key + " must be >= 1, got " + kv.second.Scalar());
          if (key == "density_excess" && !(step.numbers[key] > 0))
            fail(path, kv.second, key + " must be > 0 (a log density ratio), got " + kv.second.Scalar());
          if (key == "stage_one_cd45_margin" && !(step.numbers[key] > 0))
            fail(path, kv.second, key + " must be > 0 (SDs of stage I), got " + kv.second.Scalar());
          if (auto u = unit_interval.find(key); u != unit_interval.end()) {
            const double v = step.numbers[key];
            if (!(v > 0 && (u->second ? v <= 1 : v < 1)))
              fail(path, kv.second, key + " must be in (0, 1" + (u->second ? "]" : ")") + ", got " + kv.second.Scalar());
          }
        }
        else if (kind->second == 'w') step.words[key] = kv.second.as<std::string>();
        else step.lists[key] = words(path, kv.second, key);
        // Marker-valued parameters must name template markers; population-valued ones earlier populations.
        if (key == "marker") known_marker(kv.second, step.words[key]);
        if (key == "any_of" || key == "exclude" || key == "exclude_unless_b" || key == "markers" || key == "dye" ||
            key == "lineage_markers" || key == "over_expressed" || key == "under_expressed")
          for (const auto& m : step.lists[key]) known_marker(kv.second, m);
        if ((key == "negative_reference" || key == "side_scatter_below" || key == "forward_scatter_above") && !defined.count(step.words[key]))
          fail(path, kv.second, "unknown population '" + step.words[key] + "' in parameter '" + key + "'");
        if (key == "exclude_population" || key == "lineage_references")
          for (const auto& pop : step.lists[key])
            if (!defined.count(pop))
              fail(path, kv.second, "unknown population '" + pop + "' in parameter '" + key + "'");
        if (key == "subset") {
          const auto& s = step.words[key];
          if (s != "lymphocytes" && s != "monocytes" && s != "granulocytes" && s != "low_ssc")
            fail(path, kv.second, "unknown subset '" + s + "' (lymphocytes, monocytes, granulocytes, low_ssc)");
        }
      }
    }
    // An aberrancy direction is given to a modelled marker only.
    for (const char* key : {"over_expressed", "under_expressed"}) {
      if (!step.lists.count(key)) continue;
      const auto& modelled = step.lists.count("markers") ? step.lists.at("markers") : std::vector<std::string>{};
      for (const auto& m : step.lists.at(key))
        if (std::find(modelled.begin(), modelled.end(), m) == modelled.end())
          fail(path, p["params"][key], "'" + m + "' in '" + key + "' is not among the step's 'markers'");
    }
    defined.insert(step.name);
    impl->steps.push_back(std::move(step));
  }

  // analysis settings
  if (const auto a = root["analysis"]) {
    if (!a.IsMap()) fail(path, a, "'analysis' must be a mapping");
    static const std::set<std::string> keys{"denominator", "lod_events", "loq_events", "positivity",
                                            "dim", "eligibility", "antigens"};
    for (const auto& kv : a)
      if (!keys.count(kv.first.as<std::string>()))
        fail(path, kv.first, "unknown analysis key '" + kv.first.as<std::string>() + "'");
    if (a["denominator"]) {
      impl->denominator = a["denominator"].as<std::string>();
      if (!defined.count(impl->denominator))
        fail(path, a["denominator"], "unknown denominator population '" + impl->denominator + "'");
    }
    if (a["lod_events"]) impl->lod_events = static_cast<std::size_t>(number(path, a["lod_events"], "lod_events"));
    if (a["loq_events"]) impl->loq_events = static_cast<std::size_t>(number(path, a["loq_events"], "loq_events"));
    if (impl->loq_events < impl->lod_events) fail(path, a, "loq_events must be >= lod_events");
    if (a["antigens"]) {
      impl->antigens = words(path, a["antigens"], "antigens");
      for (const auto& m : impl->antigens) known_marker(a["antigens"], m);
    }
    if (const auto pos = a["positivity"]) {
      static const std::set<std::string> pk{"method", "references", "percentile", "fixed", "min_reference_events"};
      for (const auto& kv : pos)
        if (!pk.count(kv.first.as<std::string>()))
          fail(path, kv.first, "unknown positivity key '" + kv.first.as<std::string>() + "'");
      if (pos["method"]) {
        impl->positivity_method = pos["method"].as<std::string>();
        if (impl->positivity_method != "negative_population" && impl->positivity_method != "fixed")
          fail(path, pos["method"], "unknown positivity method '" + impl->positivity_method +
                                        "' (negative_population or fixed)");
      }
      if (pos["references"]) {
        impl->positivity_references = words(path, pos["references"], "references");
        for (const auto& r : impl->positivity_references)
          if (!defined.count(r)) fail(path, pos["references"], "unknown reference population '" + r + "'");
      }
      if (pos["percentile"]) {
        impl->positivity_percentile = number(path, pos["percentile"], "percentile");
        if (!(impl->positivity_percentile > 50 && impl->positivity_percentile < 100))
          fail(path, pos["percentile"], "percentile must be between 50 and 100");
      }
      if (pos["min_reference_events"])
        impl->min_reference_events = static_cast<std::size_t>(number(path, pos["min_reference_events"], "min_reference_events"));
      if (const auto fixed = pos["fixed"]) {
        if (!fixed.IsMap()) fail(path, fixed, "'fixed' must map markers to thresholds");
        for (const auto& kv : fixed) {
          known_marker(kv.first, kv.first.as<std::string>());
          impl->fixed_thresholds[kv.first.as<std::string>()] = number(path, kv.second, "threshold");
        }
      }
      if (impl->positivity_method == "fixed")
        for (const auto& m : impl->antigens)
          if (!impl->fixed_thresholds.count(m)) fail(path, pos, "fixed positivity needs a threshold for " + m);
    }
    if (const auto dim = a["dim"]) {
      if (!dim.IsMap() || !dim["mfi_ratio_below"]) fail(path, dim, "'dim' needs 'mfi_ratio_below'");
      for (const auto& kv : dim)
        if (kv.first.as<std::string>() != "mfi_ratio_below")
          fail(path, kv.first, "unknown dim key '" + kv.first.as<std::string>() + "'");
      impl->dim_mfi_ratio = number(path, dim["mfi_ratio_below"], "mfi_ratio_below");
    }
    if (const auto el = a["eligibility"]) {
      if (!el.IsSequence()) fail(path, el, "'eligibility' must be a list of rules");
      for (const auto& rule : el) {
        if (!rule.IsMap() || !rule["marker"]) fail(path, rule, "eligibility rule needs 'marker'");
        for (const auto& kv : rule) {
          const auto k = kv.first.as<std::string>();
          if (k != "marker" && k != "threshold_percent") fail(path, kv.first, "unknown eligibility key '" + k + "'");
        }
        Template::Impl::Rule r;
        r.marker = rule["marker"].as<std::string>();
        known_marker(rule["marker"], r.marker);
        if (rule["threshold_percent"]) r.threshold_percent = number(path, rule["threshold_percent"], "threshold_percent");
        impl->eligibility.push_back(r);
      }
    }
  }
  return Template(impl);
}

}  // namespace mrdflow::analysis
