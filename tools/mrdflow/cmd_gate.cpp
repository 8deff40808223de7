// mrdflow gate: apply a Gating-ML 2.0 strategy to one FCS file. Prints per population the
// event count and percent of parent (table, or JSON with --json); --membership writes one 0/1
// column per population, one row per event in file order. Values gated are the FCS-scaled
// values Gating-ML is defined on (gates/scaling.h).
#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <memory>

#include "command.h"
#include "common/atomic_file.h"
#include "gates/scaling.h"
#include "gatingml/gatingml.h"

namespace mrdflow::cli {
namespace {

struct GateArgs {
  std::string gatingml, fcs_file, membership;
  bool json = false;
};

std::string membership_csv(const gates::GatingResults& r) {
  std::string out;
  const std::size_t cols = r.populations.size();
  out.reserve((r.event_count + 1) * (cols * 2 + 1) + 64);
  for (std::size_t c = 0; c < cols; ++c) {
    if (c) out += ',';
    const std::string& id = r.populations[c].id;
    // Quote ids that would break the CSV (Gating-ML ids may hold commas or quotes).
    if (id.find_first_of(",\"\n\r") != std::string::npos) {
      out += '"';
      for (char ch : id) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
      out += '"';
    } else {
      out += id;
    }
  }
  out += '\n';
  for (std::size_t e = 0; e < r.event_count; ++e) {
    for (std::size_t c = 0; c < cols; ++c) {
      if (c) out += ',';
      out += r.populations[c].events.test(e) ? '1' : '0';
    }
    out += '\n';
  }
  return out;
}

void print_table(const GateArgs& args, const gates::GatingResults& r) {
  std::cout << "file: " << args.fcs_file << "\ngating-ml: " << args.gatingml
            << "\nevents: " << r.event_count << "\n";
  std::size_t width = 10;
  for (const auto& p : r.populations) width = std::max(width, p.id.size());
  std::printf("%-*s  %-*s  %10s  %10s  %9s\n", static_cast<int>(width), "gate", static_cast<int>(width),
              "parent", "count", "of parent", "%parent");
  for (const auto& p : r.populations) {
    std::printf("%-*s  %-*s  %10zu  %10zu  %9.4f\n", static_cast<int>(width), p.id.c_str(),
                static_cast<int>(width), p.parent_id.empty() ? "-" : p.parent_id.c_str(), p.count,
                p.parent_count, p.percent_of_parent());
  }
  std::fflush(stdout);
}

void print_json(const GateArgs& args, const gates::GatingResults& r) {
  nlohmann::json j;
  j["file"] = args.fcs_file;
  j["gatingml"] = args.gatingml;
  j["events"] = r.event_count;
  j["populations"] = nlohmann::json::array();
  for (const auto& p : r.populations) {
    j["populations"].push_back({{"id", p.id},
                                {"parent", p.parent_id.empty() ? nlohmann::json() : nlohmann::json(p.parent_id)},
                                {"count", p.count},
                                {"parent_count", p.parent_count},
                                {"percent_of_parent", p.percent_of_parent()}});
  }
  j["warnings"] = r.warnings;
  std::cout << j.dump(2) << "\n";
}

int run_gate(const GateArgs& args) {
  const auto strategy = gatingml::read_gatingml(args.gatingml);
  const auto data = gates::read_gatingml_scaled(args.fcs_file);
  const auto results = strategy.evaluate(data);
  if (!args.membership.empty()) write_file_atomic(args.membership, membership_csv(results));
  if (args.json) {
    print_json(args, results);
  } else {
    print_table(args, results);
    for (const auto& w : results.warnings) std::cerr << "mrdflow: warning: " << w << "\n";
  }
  return kExitOk;
}

const RegisterCommand kGate(40, [](CLI::App& root, int& exit_code) {
  auto args = std::make_shared<GateArgs>();
  CLI::App* cmd = root.add_subcommand(
      "gate", "Apply a Gating-ML 2.0 file to an FCS file: counts and percent of parent per gate");
  cmd->add_option("--gatingml", args->gatingml, "Gating-ML 2.0 XML file")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("fcs", args->fcs_file, "FCS file")->required()->check(CLI::ExistingFile);
  cmd->add_option("--membership", args->membership,
                  "write CSV: header of gate ids, one 0/1 row per event in file order");
  cmd->add_flag("--json", args->json, "print JSON instead of a table");
  cmd->callback([args, &exit_code] { exit_code = run_gate(*args); });
});

}  // namespace
}  // namespace mrdflow::cli
