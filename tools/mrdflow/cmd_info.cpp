// mrdflow info FILE... [--json] [--keywords] [--stats]: what an FCS file holds. One bad file
// prints its one-line error and the others still print; exit 1 if any failed.
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <limits>
#include <memory>

#include "command.h"
#include "fcs/channel_summary.h"
#include "fcs/fcs.h"

namespace mrdflow::cli {
namespace {

struct InfoArgs {
  std::vector<std::string> files;
  bool json = false, keywords = false, stats = false;
};

std::string kw(const fcs::DataSet& ds, std::string_view name) {
  const auto* v = ds.keywords.find(name);
  return v ? *v : "";
}

std::string pne(const fcs::DataSet& ds, std::size_t i) {
  return kw(ds, "$P" + std::to_string(i + 1) + "E");
}

nlohmann::json to_json(const fcs::DataSet& ds, const InfoArgs& args) {
  nlohmann::json j;
  j["file"] = ds.file;
  j["version"] = ds.version();
  j["events"] = ds.event_count;
  j["dataset_count"] = ds.dataset_count;
  j["instrument"] = kw(ds, "$CYT");
  j["date"] = kw(ds, "$DATE");
  j["begin_time"] = kw(ds, "$BTIM");
  j["end_time"] = kw(ds, "$ETIM");
  j["spillover"] = ds.spillover ? nlohmann::json{{"present", true}, {"keyword", ds.spillover->keyword},
                                                 {"channels", ds.spillover->channels}}
                                : nlohmann::json{{"present", false}};
  j["channels"] = nlohmann::json::array();
  for (std::size_t i = 0; i < ds.channels.size(); ++i) {
    const auto& c = ds.channels[i];
    nlohmann::json ch{{"name", c.name}, {"marker", c.marker}, {"range", c.range}, {"pne", pne(ds, i)},
                      {"bits", c.bits}, {"datatype", std::string(1, c.datatype)}};
    if (args.stats) {
      const auto s = fcs::summarize_channel(ds.events.column(i));
      const auto num = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
      ch["min"] = num(s.min);
      ch["max"] = num(s.max);
      ch["mean"] = num(s.mean);
      ch["nan_count"] = s.nan_count;
    }
    j["channels"].push_back(std::move(ch));
  }
  j["warnings"] = ds.warnings;
  if (args.keywords) {
    j["keywords"] = nlohmann::json::array();
    for (const auto& k : ds.keywords.all()) j["keywords"].push_back({k.name, k.value});
  }
  return j;
}

void print_text(const fcs::DataSet& ds, const InfoArgs& args) {
  std::cout << "file: " << ds.file << "\n"
            << "version: " << ds.version() << "\n"
            << "events: " << ds.event_count << "\n";
  if (ds.dataset_count > 1) std::cout << "data sets: " << ds.dataset_count << " (first shown)\n";
  std::cout << "instrument: " << kw(ds, "$CYT") << "\n"
            << "date: " << kw(ds, "$DATE") << "  " << kw(ds, "$BTIM") << " - " << kw(ds, "$ETIM") << "\n"
            << "spillover: " << (ds.spillover ? "yes (" + ds.spillover->keyword + ", " +
                                                    std::to_string(ds.spillover->size()) + " channels)"
                                              : std::string("no"))
            << "\n"
            << "channels: " << ds.channels.size() << "\n";
  for (std::size_t i = 0; i < ds.channels.size(); ++i) {
    const auto& c = ds.channels[i];
    std::printf("  %3zu  %-20s %-24s range %-10g $PnE %s", i + 1, c.name.c_str(), c.marker.c_str(), c.range,
                pne(ds, i).c_str());
    if (args.stats) {
      const auto s = fcs::summarize_channel(ds.events.column(i));
      std::printf("  min %.6g  max %.6g  mean %.6g", s.min, s.max, s.mean);
      if (s.nan_count) std::printf("  NaN %zu", s.nan_count);
    }
    std::printf("\n");
  }
  std::fflush(stdout);
  for (const auto& w : ds.warnings) std::cout << "warning: " << w << "\n";
  if (args.keywords) {
    std::cout << "keywords:\n";
    for (const auto& k : ds.keywords.all()) std::cout << "  " << k.name << " = " << k.value << "\n";
  }
}

int run_info(const InfoArgs& args) {
  int rc = kExitOk;
  nlohmann::json all = nlohmann::json::array();
  bool first = true;
  for (const auto& file : args.files) {
    fcs::ReadOptions o;
    o.read_events = args.stats;
    try {
      const auto ds = fcs::read_fcs(file, o);
      if (args.json) {
        all.push_back(to_json(ds, args));
      } else {
        if (!first) std::cout << "\n";
        print_text(ds, args);
      }
    } catch (const Error& e) {
      rc = kExitFailure;
      std::cerr << "mrdflow: error: " << e.what() << "\n";
      if (args.json) all.push_back({{"file", file}, {"error", e.what()}});
    }
    first = false;
    std::cout.flush();
  }
  if (args.json) std::cout << all.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  return rc;
}

const RegisterCommand kInfo(10, [](CLI::App& root, int& exit_code) {
  auto args = std::make_shared<InfoArgs>();
  CLI::App* cmd = root.add_subcommand("info", "Describe FCS files: version, events, channels, spillover, keywords");
  cmd->add_option("files", args->files, "FCS files")->required();
  cmd->add_flag("--json", args->json, "print JSON (an array, one object per file)");
  cmd->add_flag("--keywords", args->keywords, "list every TEXT keyword");
  cmd->add_flag("--stats", args->stats, "decode all events and add per-channel min/max/mean");
  cmd->callback([args, &exit_code] { exit_code = run_info(*args); });
});

}  // namespace
}  // namespace mrdflow::cli
