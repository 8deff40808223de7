#include "report/html_report.h"

#include "mrdflow/version.h"
#include "report/text_format.h"

namespace mrdflow::report {
namespace {

using namespace mrdflow::analysis;

constexpr const char* kStyle = R"(<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:70em;color:#222;padding:0 1em}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left}
th{background:#f3f3f3}td.n{text-align:right;font-variant-numeric:tabular-nums}
.banner{padding:.8em 1em;border-radius:6px;margin:1em 0;font-size:1.1em}
.ok{background:#e6f4ea;border:1px solid #7bbf8e}.warn{background:#fff4e0;border:1px solid #e0a84c}
.bad{background:#fde8e8;border:1px solid #d77}.info{background:#eef3fb;border:1px solid #8aa8d8}
.meta{color:#555}.mono{font-family:ui-monospace,monospace;font-size:.9em;word-break:break-all}
footer{margin-top:2em;color:#555;font-size:.9em}
</style>)";

std::string esc(std::string_view s) { return html_escape(s); }
std::string pct(double p) { return format_percent(p) + " %"; }
std::string ci(const Interval& i) { return format_percent(i.lo) + "–" + format_percent(i.hi) + " %"; }
std::string num(std::uint64_t n) { return std::to_string(n); }
std::string opt_text(const std::optional<std::string>& s) { return s ? esc(*s) : "—"; }

bool failed(const SampleResult& r) { return r.error_kind || r.error_message; }

std::string page_head(const std::string& title) {
  return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>" +
         esc(title) + "</title>\n" + kStyle + "</head><body>\n";
}

std::string td(const std::string& html, bool numeric = false) {
  return numeric ? "<td class=\"n\">" + html + "</td>" : "<td>" + html + "</td>";
}

std::string mrd_banner_class(const MrdResult& m) {
  if (m.denominator_events == 0) return "warn";
  if (m.status == "detected") return "bad";
  if (m.status == "below_loq") return "warn";
  return "ok";
}

std::string sample_header(const SampleResult& r) {
  std::string h = "<h1>" + esc(r.sample_id.empty() ? r.file : r.sample_id) + "</h1>\n";
  h += "<p class=\"meta\">File <b>" + esc(r.file) + "</b> · patient " + opt_text(r.patient_id) +
       " · specimen " + opt_text(r.specimen) + " · day " +
       (r.timepoint_day ? esc(format_number(*r.timepoint_day)) : std::string("—")) +
       " · template " + (r.template_name.empty() ? "—" : esc(r.template_name)) + "</p>\n";
  return h;
}

std::string banners(const SampleResult& r) {
  std::string b;
  if (failed(r)) {
    return "<div class=\"banner bad\"><b>Analysis failed</b> (" + esc(r.error_kind.value_or("error")) +
           "): " + esc(r.error_message.value_or("")) + "</div>\n";
  }
  if (r.mrd)
    b += "<div class=\"banner " + mrd_banner_class(*r.mrd) + "\"><b>" + esc(mrd_statement(*r.mrd)) +
         "</b></div>\n";
  if (r.eligibility) {
    const auto& e = *r.eligibility;
    const std::string cls = e.verdict == "eligible" ? "ok" : e.verdict == "not_eligible" ? "bad" : "warn";
    b += "<div class=\"banner " + cls + "\">CAR-T target eligibility: <b>" + esc(e.verdict) +
         "</b> — " + esc(e.reason) + "</div>\n";
  }
  if (r.car_t) {
    const auto& c = *r.car_t;
    b += "<div class=\"banner info\">CAR-T cells: <b>" + pct(c.percent_of_t_cells) +
         "</b> of T cells (95 % CI " + ci(c.ci95) + "; " + num(c.car_events) + " / " +
         num(c.t_cell_events) + " events)" +
         (c.cells_per_ul ? ", " + format_fixed(*c.cells_per_ul, 1) + " cells/µL" : std::string()) +
         "</div>\n";
  }
  if (r.qc.status != "pass")
    b += "<div class=\"banner " + std::string(r.qc.status == "fail" ? "bad" : "warn") +
         "\">QC " + esc(r.qc.status) + ": see the QC section.</div>\n";
  return b;
}

std::string mrd_section(const MrdResult& m) {
  std::string s = "<h2>Measurable residual disease</h2>\n<table>\n";
  s += "<tr><th>Blast events</th>" + td(num(m.blast_events), true) + "</tr>\n";
  s += "<tr><th>Denominator</th>" + td(esc(m.denominator) + " (" + num(m.denominator_events) + " events)") + "</tr>\n";
  const bool defined = m.denominator_events > 0;  // no denominator: no percentages
  s += "<tr><th>MRD</th>" + td(defined ? pct(m.percent) + " (95 % CI " + ci(m.ci95) + ")" : "n/a") + "</tr>\n";
  s += "<tr><th>LOD</th>" + td(num(m.lod_events) + " events" + (defined ? " = " + pct(m.lod_percent) : "")) + "</tr>\n";
  s += "<tr><th>LOQ</th>" + td(num(m.loq_events) + " events" + (defined ? " = " + pct(m.loq_percent) : "")) + "</tr>\n";
  s += "<tr><th>Status</th>" + td(esc(m.status)) + "</tr>\n</table>\n";
  return s;
}

std::string antigen_section(const SampleResult& r) {
  if (r.antigens.empty()) return {};
  std::string s =
      "<h2>Antigen expression</h2>\n<table>\n<tr><th>Marker</th><th>Population</th><th>Events</th>"
      "<th>Positive</th><th>% positive (95 % CI)</th><th>Threshold</th><th>Median intensity</th>"
      "<th>MFI ratio</th><th>Dim</th></tr>\n";
  for (const auto& [marker, a] : r.antigens) {
    s += "<tr>" + td("<b>" + esc(marker) + "</b>") + td(esc(a.population)) + td(num(a.events), true) +
         td(num(a.positive_events), true) + td(pct(a.percent_positive) + " (" + ci(a.ci95) + ")", true) +
         td(esc(format_fixed(a.threshold, 3)) +
            (a.threshold_source.empty() ? "" : " <span class=\"meta\">(" + esc(a.threshold_source) + ")</span>")) +
         td(esc(format_fixed(a.median_intensity, 1)), true) +
         td(a.mfi_ratio ? esc(format_fixed(*a.mfi_ratio, 2)) : "—", true) + td(a.dim ? "dim" : "no") +
         "</tr>\n";
  }
  s += "</table>\n";
  if (r.eligibility && !r.eligibility->rules.empty()) {
    s += "<table>\n<tr><th>Eligibility rule</th><th>Required</th><th>Value</th><th>Pass</th></tr>\n";
    for (const auto& rule : r.eligibility->rules)
      s += "<tr>" + td(esc(rule.marker) + " % positive") + td("&gt; " + esc(format_number(rule.threshold_percent)) + " %") +
           td(rule.value ? pct(*rule.value) : "—", true) +
           td(rule.pass ? (*rule.pass ? "yes" : "no") : "—") + "</tr>\n";
    s += "</table>\n";
  }
  return s;
}

std::string b_cell_section(const BCellResult& b) {
  return "<h2>B cells</h2>\n<table>\n<tr><th>Marker</th>" + td(esc(b.marker)) + "</tr>\n" +
         "<tr><th>Events</th>" + td(num(b.events), true) + "</tr>\n" +
         "<tr><th>% of lymphocytes</th>" + td(pct(b.percent_of_lymphocytes), true) + "</tr>\n" +
         "<tr><th>Cells/µL</th>" + td(b.cells_per_ul ? format_fixed(*b.cells_per_ul, 1) : "—", true) + "</tr>\n" +
         "<tr><th>B-cell aplasia</th>" + td(b.aplasia ? (*b.aplasia ? "yes" : "no") : "—") + "</tr>\n</table>\n";
}

std::string population_section(const SampleResult& r) {
  if (r.populations.empty()) return {};
  std::string s = "<h2>Populations</h2>\n<table>\n<tr><th>Population</th><th>Parent</th><th>Events</th><th>% of parent</th></tr>\n";
  for (const auto& p : r.populations)
    s += "<tr>" + td(esc(p.name)) + td(opt_text(p.parent)) + td(num(p.count), true) +
         td(pct(p.percent_of_parent), true) + "</tr>\n";
  return s + "</table>\n";
}

std::string qc_section(const SampleResult& r) {
  std::string s = "<h2>Quality control</h2>\n<p>Status <b>" + esc(r.qc.status) + "</b>; " +
                  num(r.qc.events_removed) + " events removed.</p>\n";
  if (!r.qc.flags.empty()) {
    s += "<ul>\n";
    for (const auto& f : r.qc.flags) s += "<li>" + esc(f) + "</li>\n";
    s += "</ul>\n";
  }
  return s;
}

std::string warnings_section(const SampleResult& r) {
  if (r.warnings.empty()) return {};
  std::string s = "<h2>Notes</h2>\n<ul>\n";
  for (const auto& w : r.warnings) s += "<li>" + esc(w) + "</li>\n";
  return s + "</ul>\n";
}

std::string footer(const SampleResult& r, const std::string& json_name) {
  return "<footer><p>mrdflow " +
         esc(r.software_version.empty() ? std::string(kVersion) : r.software_version) +
         " · analysed " + esc(r.started) + " · <a href=\"" + esc(json_name) +
         "\">JSON report</a> · <a href=\"index.html\">all samples</a></p>\n"
         "<p>Input SHA-256 <span class=\"mono\">" + esc(r.sha256.empty() ? "—" : r.sha256) +
         "</span><br>Template SHA-256 <span class=\"mono\">" +
         esc(r.template_sha256.empty() ? "—" : r.template_sha256) + "</span></p></footer>\n";
}

}  // namespace

std::string mrd_statement(const MrdResult& m) {
  const std::string of = " of " + m.denominator + " cells";
  if (m.denominator_events == 0)
    return "MRD not assessable: no " + m.denominator + " cells were found (denominator 0 events; " +
           num(m.blast_events) + " blast events)";
  if (m.status == "not_detected")
    return "MRD not detected at " + pct(m.lod_percent) + " sensitivity (LOD " + num(m.lod_events) +
           " events in " + num(m.denominator_events) + " " + m.denominator + " cells; " +
           num(m.blast_events) + " blast events)";
  if (m.status == "below_loq")
    return "MRD positive, not quantifiable: " + num(m.blast_events) + " blast events (" +
           pct(m.percent) + of + ", below the LOQ of " + pct(m.loq_percent) + ")";
  return "MRD detected: " + pct(m.percent) + of + " (95 % CI " + ci(m.ci95) + "; " +
         num(m.blast_events) + " / " + num(m.denominator_events) + " events)";
}

std::string render_sample_html(const SampleResult& r, const std::string& json_name) {
  std::string h = page_head("mrdflow — " + r.file);
  h += sample_header(r);
  h += banners(r);
  if (!failed(r)) {
    if (r.mrd) h += mrd_section(*r.mrd);
    h += antigen_section(r);
    if (r.b_cells) h += b_cell_section(*r.b_cells);
    h += population_section(r);
    h += qc_section(r);
  }
  h += warnings_section(r);
  h += footer(r, json_name);
  return h + "</body></html>\n";
}

std::string render_index_html(std::span<const IndexEntry> entries) {
  std::size_t failures = 0;
  for (const auto& e : entries) failures += failed(*e.result) ? 1 : 0;
  std::string h = page_head("mrdflow report");
  h += "<h1>mrdflow report</h1>\n<p class=\"meta\">" + num(entries.size()) + " samples, " +
       num(failures) + " failed · mrdflow " + esc(kVersion) + " · <a href=\"summary.csv\">summary.csv</a></p>\n";
  h += "<table>\n<tr><th>Sample</th><th>Patient</th><th>Day</th><th>Template</th><th>QC</th>"
       "<th>MRD</th><th>MRD status</th><th>Eligibility</th><th>CAR-T % of T</th><th>JSON</th></tr>\n";
  for (const auto& e : entries) {
    const SampleResult& r = *e.result;
    h += "<tr>" + td("<a href=\"" + esc(e.html_name) + "\">" + esc(r.file) + "</a>") +
         td(opt_text(r.patient_id)) +
         td(r.timepoint_day ? esc(format_number(*r.timepoint_day)) : "—", true) +
         td(r.template_name.empty() ? "—" : esc(r.template_name));
    if (failed(r)) {
      h += "<td colspan=\"5\" class=\"bad\">error (" + esc(r.error_kind.value_or("error")) + "): " +
           esc(r.error_message.value_or("")) + "</td>";
    } else {
      h += td(esc(r.qc.status));
      h += r.mrd ? td(pct(r.mrd->percent) + " (" + ci(r.mrd->ci95) + ")", true) + td(esc(r.mrd->status))
                 : td("—") + td("—");
      h += td(r.eligibility ? "<b>" + esc(r.eligibility->verdict) + "</b>" : "—");
      h += td(r.car_t ? pct(r.car_t->percent_of_t_cells) : "—", true);
    }
    h += td("<a href=\"" + esc(e.json_name) + "\">json</a>") + "</tr>\n";
  }
  return h + "</table>\n</body></html>\n";
}

}  // namespace mrdflow::report
