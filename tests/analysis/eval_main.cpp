// analysis-eval: developer tool (not a test) that analyses synthetic tubes written by
// mrdflow-synth and compares with their truth/labels sidecars: per gated population, how many
// events of each truth label it holds; MRD, CD19/CD22 % positive and verdict vs truth.
// Usage: [MRDFLOW_EVAL_TEMPLATE=other.yaml] analysis-eval [--threads N] FILE.fcs...
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "analysis/analysis.h"
#include "analysis/markers.h"
#include "analysis/prep.h"
#include "analysis/template_impl.h"
#include "autogate/stats.h"
#include "fcs/fcs.h"
#include "support/testdata.h"

using namespace mrdflow;

int main(int argc, char** argv) {
  int threads = 1;
  bool phenotypes = false;
  // MRDFLOW_EVAL_TEMPLATE: another template to evaluate (a tuning experiment), else the shipped one.
  const char* other = std::getenv("MRDFLOW_EVAL_TEMPLATE");
  const auto tmpl = analysis::load_template(other != nullptr && *other != '\0'
                                                ? std::filesystem::path(other)
                                                : mrdflow::testing::source_dir() / "gating" / "bcp-all-mrd.yaml");
  for (int a = 1; a < argc; ++a) {
    std::string arg = argv[a];
    if (arg == "--threads" && a + 1 < argc) { threads = std::stoi(argv[++a]); continue; }
    if (arg == "--phenotypes") { phenotypes = true; continue; }
    std::filesystem::path fcs = arg;
    auto stem = fcs;
    stem.replace_extension();
    std::ifstream lf(stem.string() + ".labels", std::ios::binary);
    std::vector<std::uint8_t> labels((std::istreambuf_iterator<char>(lf)), {});
    nlohmann::json truth = nlohmann::json::parse(std::ifstream(stem.string() + ".truth.json"));
    if (phenotypes) {
      // Median (MAD) of every resolved marker per truth label, after compensation + logicle.
      auto data = fcs::read_fcs(fcs);
      const auto panel = analysis::resolve_panel(data.channels, tmpl.impl().aliases);
      analysis::prepare_events(data, panel, threads);
      std::printf("== %s phenotypes (median/MAD, transformed)\n%-6s %6s", fcs.filename().c_str(), "label", "n");
      for (auto& [m, c] : panel.markers) std::printf(" %11s", m.c_str());
      std::printf(" %11s %11s\n", "FSC", "SSC");
      for (int code = 0; code <= 20; ++code) {
        autogate::Mask mk(labels.size());
        for (std::size_t i = 0; i < labels.size(); ++i) mk[i] = labels[i] == code;
        const auto n = autogate::count(mk);
        if (n == 0) continue;
        std::printf("%-6d %6zu", code, n);
        auto show = [&](std::size_t c) {
          auto mm = autogate::median_mad(autogate::gather(data.events.column(c), mk));
          std::printf("  %.3f/%.3f", mm->median, mm->mad);
        };
        for (auto& [m, c] : panel.markers) show(c);
        show(*panel.fsc_a);
        show(*panel.ssc_a);
        std::printf("\n");
      }
      continue;
    }
    std::vector<std::pair<std::string, std::map<int, std::size_t>>> table;
    analysis::AnalyzeOptions opt;
    opt.threads = threads;
    opt.on_population = [&](const std::string& name, const std::vector<std::uint8_t>& m) {
      std::map<int, std::size_t> by;
      for (std::size_t i = 0; i < m.size() && i < labels.size(); ++i)
        if (m[i]) ++by[labels[i]];
      table.emplace_back(name, by);
    };
    const auto t0 = std::chrono::steady_clock::now();
    auto r = analysis::analyze_sample(fcs, tmpl, {}, opt);
    const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("== %s  (%s seed %d style %s, %.3f s)\n", fcs.filename().c_str(),
                truth["scenario"].get<std::string>().c_str(), truth["seed"].get<int>(),
                truth["style"].get<std::string>().c_str(), sec);
    if (r.error_kind) { std::printf("ERROR %s: %s\n", r.error_kind->c_str(), r.error_message->c_str()); continue; }
    std::printf("%-14s", "label:");
    for (int c = 0; c <= 20; ++c) std::printf("%7d", c);
    std::printf("\n");
    for (auto& [name, by] : table) {
      std::printf("%-14s", name.c_str());
      for (int c = 0; c <= 20; ++c) std::printf("%7zu", by.count(c) ? by.at(c) : 0);
      std::printf("\n");
    }
    std::printf("qc %s removed %llu;", r.qc.status.c_str(), (unsigned long long)r.qc.events_removed);
    for (auto& f : r.qc.flags) std::printf(" [%s]", f.c_str());
    std::printf("\n");
    const auto& tb = truth["blasts"];
    if (r.mrd)
      std::printf("MRD: measured %llu / %llu = %.5f%% (%s) | truth %d / %d = %.5f%% (%s)\n",
                  (unsigned long long)r.mrd->blast_events, (unsigned long long)r.mrd->denominator_events,
                  r.mrd->percent, r.mrd->status.c_str(), truth["blast_events"].get<int>(),
                  truth["nucleated_events"].get<int>(), truth["mrd_percent"].get<double>(),
                  truth["expected_mrd_status"].get<std::string>().c_str());
    for (const char* m : {"CD19", "CD22"}) {
      std::string key = std::string(m == std::string("CD19") ? "cd19" : "cd22") + "_percent_positive";
      double tv = tb.is_object() && tb.contains(key) && !tb[key].is_null() ? tb[key].get<double>() : -1;
      if (r.antigens.count(m)) {
        const auto& x = r.antigens.at(m);
        std::printf("%s: %.2f%% pos (thr %.3f %s, mfi %.2f, dim %d) | truth %.2f\n", m, x.percent_positive,
                    x.threshold, x.threshold_source.c_str(), x.mfi_ratio.value_or(-1), int(x.dim), tv);
      } else {
        std::printf("%s: n/a | truth %.2f\n", m, tv);
      }
    }
    if (r.eligibility)
      std::printf("verdict %s (%s) | truth %s\n", r.eligibility->verdict.c_str(), r.eligibility->reason.c_str(),
                  truth["eligibility"]["verdict"].get<std::string>().c_str());
    for (auto& w : r.warnings) std::printf("  warning: %s\n", w.c_str());
  }
}
