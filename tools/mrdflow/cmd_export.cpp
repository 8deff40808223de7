// mrdflow export FILE [--raw] [--dataset N] [--csv OUT|-]: one CSV row per event, a header row
// of $PnN names, values in shortest round-trip form. Exit 1 on a bad file, 2 on bad usage.
#include <unistd.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "command.h"
#include "fcs/fcs.h"

namespace mrdflow::cli {
namespace {

struct ExportArgs {
  std::string file, csv = "-";
  bool raw = false;
  int dataset = 0;
};

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// Streams the CSV in 1 MB chunks (no per-value allocation).
void write_csv(std::FILE* out, const fcs::DataSet& ds) {
  std::string buf;
  buf.reserve(1 << 20);
  for (std::size_t c = 0; c < ds.channels.size(); ++c) {
    if (c) buf += ',';
    buf += csv_field(ds.channels[c].name);
  }
  buf += '\n';
  char num[64];
  const auto flush = [&] {
    if (std::fwrite(buf.data(), 1, buf.size(), out) != buf.size())
      throw Error("io", "cannot write CSV output");
    buf.clear();
  };
  for (std::size_t e = 0; e < ds.events.events(); ++e) {
    for (std::size_t c = 0; c < ds.channels.size(); ++c) {
      if (c) buf += ',';
      const double v = ds.events(e, c);
      if (std::isnan(v)) {
        buf += "NaN";
        continue;
      }
      const auto [p, ec] = std::to_chars(num, num + sizeof num, v);
      buf.append(num, p);
    }
    buf += '\n';
    if (buf.size() > (1u << 20) - 4096) flush();
  }
  flush();
}

int run_export(const ExportArgs& args) {
  if (args.dataset < 0) throw Error("usage", "--dataset must be >= 0");
  fcs::ReadOptions o;
  o.raw = args.raw;
  o.dataset = static_cast<std::size_t>(args.dataset);
  fcs::ReadOptions probe;
  probe.read_events = false;
  const auto header = fcs::read_fcs(args.file, probe);
  if (o.dataset >= header.dataset_count)
    throw Error("usage", "--dataset " + std::to_string(args.dataset) + ": " + args.file + " holds " +
                             std::to_string(header.dataset_count) + " data set(s)");
  const auto ds = fcs::read_fcs(args.file, o);
  for (const auto& w : ds.warnings) std::fprintf(stderr, "mrdflow: warning: %s: %s\n", args.file.c_str(), w.c_str());
  if (args.csv == "-") {
    write_csv(stdout, ds);
    std::fflush(stdout);
    return kExitOk;
  }
  // Temp sibling + rename: no half-written CSV if anything fails.
  const std::filesystem::path target(args.csv);
  auto tmp = target;
  tmp += ".tmp." + std::to_string(::getpid());
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) throw Error("io", "cannot create " + tmp.string());
  try {
    write_csv(f, ds);
  } catch (...) {
    std::fclose(f);
    std::filesystem::remove(tmp);
    throw;
  }
  if (std::fclose(f) != 0) {
    std::filesystem::remove(tmp);
    throw Error("io", "cannot write " + tmp.string());
  }
  std::filesystem::rename(tmp, target);
  return kExitOk;
}

const RegisterCommand kExport(15, [](CLI::App& root, int& exit_code) {
  auto args = std::make_shared<ExportArgs>();
  CLI::App* cmd = root.add_subcommand("export", "Export FCS events as CSV (header of $PnN names)");
  cmd->add_option("file", args->file, "FCS file")->required();
  cmd->add_flag("--raw", args->raw, "values as encoded (default: flowCore read.FCS defaults)");
  cmd->add_option("--dataset", args->dataset, "data set of a $NEXTDATA chain (0 = first)");
  cmd->add_option("--csv", args->csv, "output CSV file, or - for stdout (default)");
  cmd->callback([args, &exit_code] { exit_code = run_export(*args); });
});

}  // namespace
}  // namespace mrdflow::cli
