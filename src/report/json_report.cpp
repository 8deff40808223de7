#include "report/json_report.h"

#include <cmath>

#include "mrdflow/version.h"

namespace mrdflow::report {
namespace {

using Json = nlohmann::ordered_json;
using namespace mrdflow::analysis;

// Non-finite numbers cannot be written as JSON numbers: they become null ("no figure"),
// never a made-up value.
Json number(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

template <class T>
Json optional_value(const std::optional<T>& v) {
  if (!v) return nullptr;
  if constexpr (std::is_same_v<T, double>) return number(*v);
  else return Json(*v);
}

Json text_or_null(const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); }

Json interval(const Interval& ci) { return Json::array({number(ci.lo), number(ci.hi)}); }

Json input_block(const SampleResult& r) {
  // Header unreadable (e.g. not an FCS file): version, counts and channels are unknown.
  const bool header_known = !r.fcs_version.empty();
  Json channels = Json::array();
  for (const auto& c : r.channels)
    channels.push_back(Json{{"name", c.name}, {"marker", optional_value(c.marker)}});
  return Json{{"file", r.file},
              {"sha256", text_or_null(r.sha256)},
              {"fcs_version", text_or_null(r.fcs_version)},
              {"events_total", header_known ? Json(r.events_total) : Json(nullptr)},
              {"channels", header_known ? channels : Json(nullptr)}};
}

Json qc_block(const QcResult& qc) {
  return Json{{"status", qc.status}, {"events_removed", qc.events_removed}, {"flags", qc.flags}};
}

Json populations_block(const std::vector<PopulationCount>& pops) {
  Json out = Json::array();
  for (const auto& p : pops)
    out.push_back(Json{{"name", p.name},
                       {"parent", optional_value(p.parent)},
                       {"count", p.count},
                       {"percent_of_parent", number(p.percent_of_parent)}});
  return out;
}

Json mrd_block(const MrdResult& m) {
  // No denominator events: every percentage is undefined (null), not 0.
  const bool defined = m.denominator_events > 0;
  return Json{{"blast_events", m.blast_events},
              {"denominator", m.denominator},
              {"denominator_events", m.denominator_events},
              {"percent", defined ? number(m.percent) : Json(nullptr)},
              {"ci95", defined ? interval(m.ci95) : Json(nullptr)},
              {"lod_events", m.lod_events},
              {"loq_events", m.loq_events},
              {"lod_percent", defined ? number(m.lod_percent) : Json(nullptr)},
              {"loq_percent", defined ? number(m.loq_percent) : Json(nullptr)},
              {"status", m.status}};
}

Json antigen_block(const AntigenResult& a) {
  return Json{{"population", a.population},
              {"events", a.events},
              {"positive_events", a.positive_events},
              {"percent_positive", number(a.percent_positive)},
              {"ci95", interval(a.ci95)},
              {"threshold", number(a.threshold)},
              {"median_intensity", number(a.median_intensity)},
              {"mfi_ratio", optional_value(a.mfi_ratio)},
              {"dim", a.dim},
              {"threshold_source", text_or_null(a.threshold_source)}};
}

Json eligibility_block(const Eligibility& e) {
  Json rules = Json::array();
  for (const auto& rule : e.rules)
    rules.push_back(Json{{"marker", rule.marker},
                         {"threshold_percent", number(rule.threshold_percent)},
                         {"value", optional_value(rule.value)},
                         {"pass", optional_value(rule.pass)}});
  return Json{{"rules", rules}, {"verdict", e.verdict}, {"reason", e.reason}};
}

Json car_t_block(const CarTResult& c) {
  return Json{{"t_cell_events", c.t_cell_events},
              {"car_events", c.car_events},
              {"percent_of_t_cells", number(c.percent_of_t_cells)},
              {"ci95", interval(c.ci95)},
              {"cells_per_ul", optional_value(c.cells_per_ul)}};
}

Json b_cells_block(const BCellResult& b) {
  return Json{{"marker", b.marker},
              {"events", b.events},
              {"percent_of_lymphocytes", number(b.percent_of_lymphocytes)},
              {"cells_per_ul", optional_value(b.cells_per_ul)},
              {"aplasia", optional_value(b.aplasia)}};
}

}  // namespace

nlohmann::ordered_json sample_report_json(const SampleResult& r) {
  const bool failed = r.error_kind.has_value() || r.error_message.has_value();
  Json j;
  j["schema"] = kSampleReportSchema;
  j["software"] = Json{{"name", "mrdflow"},
                       {"version", r.software_version.empty() ? std::string(kVersion)
                                                              : r.software_version}};
  j["run"] = Json{{"started", r.started}, {"seconds", number(r.seconds)}};
  j["error"] = failed ? Json{{"kind", r.error_kind.value_or("error")},
                             {"message", r.error_message.value_or("")}}
                      : Json(nullptr);
  j["input"] = input_block(r);
  j["template"] = r.template_name.empty() && r.template_sha256.empty()
                      ? Json(nullptr)
                      : Json{{"name", r.template_name}, {"sha256", text_or_null(r.template_sha256)}};
  j["sample"] = Json{{"id", r.sample_id},
                     {"patient_id", optional_value(r.patient_id)},
                     {"specimen", optional_value(r.specimen)},
                     {"timepoint_day", optional_value(r.timepoint_day)}};
  j["events_total"] = j["input"]["events_total"];
  // A failed sample has no results: every result block is null rather than a default value.
  j["qc"] = failed ? Json(nullptr) : qc_block(r.qc);
  j["populations"] = failed ? Json(nullptr) : populations_block(r.populations);
  j["mrd"] = !failed && r.mrd ? mrd_block(*r.mrd) : Json(nullptr);
  // No antigen step (e.g. a persistence tube): null. A marker an eligibility rule needs but the
  // tube lacks: present as null, so the reader sees why the verdict is indeterminate.
  if (failed || (r.antigens.empty() && !r.eligibility)) {
    j["antigens"] = nullptr;
  } else {
    Json antigens = Json::object();
    for (const auto& [marker, a] : r.antigens) antigens[marker] = antigen_block(a);
    if (r.eligibility)
      for (const auto& rule : r.eligibility->rules)
        if (!antigens.contains(rule.marker)) antigens[rule.marker] = nullptr;
    j["antigens"] = antigens;
  }
  j["eligibility"] = !failed && r.eligibility ? eligibility_block(*r.eligibility) : Json(nullptr);
  j["car_t"] = !failed && r.car_t ? car_t_block(*r.car_t) : Json(nullptr);
  j["b_cells"] = !failed && r.b_cells ? b_cells_block(*r.b_cells) : Json(nullptr);
  j["warnings"] = r.warnings;
  return j;
}

std::string render_sample_report(const SampleResult& result) {
  // FCS TEXT may carry Latin-1 bytes: replace invalid UTF-8 instead of failing the sample.
  return sample_report_json(result).dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) +
         "\n";
}

}  // namespace mrdflow::report
