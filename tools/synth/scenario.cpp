#include "scenario.h"

namespace mrdflow::synth {

const std::vector<Scenario>& scenarios() {
  static const std::vector<Scenario> all = [] {
    std::vector<Scenario> s;
    auto add = [&s](Scenario sc) { s.push_back(std::move(sc)); };
    Scenario base;
    base.default_events = 200000;

    Scenario a = base;
    a.name = "mrd-5";
    a.description = "MRD 5% of nucleated cells, CD19+ CD22+ blasts";
    a.mrd_fraction = Range{0.05, 0.05};
    add(a);

    a = base;
    a.name = "mrd-0.1";
    a.description = "MRD 0.1% of nucleated cells";
    a.default_events = 500000;
    a.mrd_fraction = Range{0.001, 0.001};
    add(a);

    a = base;
    a.name = "mrd-0.01";
    a.description = "MRD 0.01% of nucleated cells (default 1M events: ~90 blasts)";
    a.default_events = 1000000;
    a.mrd_fraction = Range{0.0001, 0.0001};
    add(a);

    a = base;
    a.name = "mrd-loq";
    a.description = "exactly 50 blast events (the LOQ), default 2M events (~0.003%)";
    a.default_events = 2000000;
    a.blast_events = 50;
    add(a);

    a = base;
    a.name = "negative-regenerating";
    a.description = "MRD-negative regenerating marrow: 5-15% hematogones, no blasts";
    a.default_events = 300000;
    a.blast_events = 0;
    a.hematogone_fraction = {0.05, 0.15};
    add(a);

    a = base;
    a.name = "cd19neg-relapse";
    a.description = "CD19-negative relapse after CD19 CAR-T: 2% CD19- CD22+ blasts, B-cell aplasia";
    a.default_events = 300000;
    a.mrd_fraction = Range{0.02, 0.02};
    a.cd19_positive = {0.0, 0.0};
    a.b_cell_aplasia = true;
    add(a);

    a = base;
    a.name = "cd22-partial";
    a.description = "3% MRD, 80% of blasts CD22+ (not eligible for CD22-directed therapy)";
    a.mrd_fraction = Range{0.03, 0.03};
    a.cd22_positive = {0.80, 0.80};
    add(a);

    a = base;
    a.name = "cd22-dim";
    a.description = "3% MRD, blasts CD22 dim but positive (~1 decade below normal B)";
    a.mrd_fraction = Range{0.03, 0.03};
    a.cd22_dim = true;
    add(a);

    a = base;
    a.name = "cd19-under";
    a.description = "5% MRD, 93-94% of blasts CD19+ (just under a 95% rule)";
    a.mrd_fraction = Range{0.05, 0.05};
    a.cd19_positive = {0.93, 0.938};
    add(a);

    a = base;
    a.name = "cd19-over";
    a.description = "5% MRD, 97-98% of blasts CD19+ (just over a 95% rule)";
    a.mrd_fraction = Range{0.05, 0.05};
    a.cd19_positive = {0.97, 0.98};
    add(a);
    return s;
  }();
  return all;
}

const Scenario* find_scenario(std::string_view name) {
  for (const auto& s : scenarios()) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

}  // namespace mrdflow::synth
