// mrdflow: command-line entry point. Errors are one line on stderr; exit 1 for bad input,
// 2 for bad usage.
#include <malloc.h>

#include <algorithm>
#include <iostream>

#include "command.h"
#include "common/error.h"
#include "mrdflow/version.h"

namespace mrdflow::cli {
std::vector<Command>& registry() {
  static std::vector<Command> commands;
  return commands;
}
}  // namespace mrdflow::cli

int main(int argc, char** argv) {
  using namespace mrdflow::cli;
  // An analysis allocates and frees many event-sized arrays (8 MB per column of 1M events).
  // glibc serves blocks that large with fresh mmaps and hands freed heap tops back to the
  // kernel, so every array costs page faults and kernel page zeroing again (14.6% of a 1M-event
  // analysis, docs/performance.md). Kept in the heap (blocks up to 32 MB, glibc's largest
  // threshold; no trimming), freed arrays are reused. Peak memory rises a little (1M-event
  // bench sample at 2 threads: 169 -> 183 MB), as a thread's freed blocks stay in its arena.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  CLI::App app{"mrdflow: flow cytometry MRD, CD19/CD22 eligibility and CAR-T persistence"};
  app.set_version_flag("--version", std::string("mrdflow ") + mrdflow::kVersion);
  app.require_subcommand(1);
  int exit_code = kExitOk;
  auto& commands = registry();
  std::sort(commands.begin(), commands.end(),
            [](const Command& a, const Command& b) { return a.order < b.order; });
  for (const auto& c : commands) c.setup(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : kExitUsage;
  } catch (const mrdflow::Error& e) {
    std::cerr << "mrdflow: error: " << e.what() << "\n";
    return e.kind() == "usage" ? kExitUsage : kExitFailure;
  } catch (const std::exception& e) {
    std::cerr << "mrdflow: error: " << e.what() << "\n";
    return kExitFailure;
  }
  return exit_code;
}
