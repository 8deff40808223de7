#pragma once
// Subcommand self-registration: each cmd_*.cpp defines a static RegisterCommand, so adding a
// command touches no shared file.
#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

namespace mrdflow::cli {

// Exit codes shared by every command (see shared/spec/report.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // bad input file / at least one sample failed
inline constexpr int kExitUsage = 2;

struct Command {
  int order;                                    // position in --help
  std::function<void(CLI::App& root, int& exit_code)> setup;  // adds the subcommand
};

std::vector<Command>& registry();

struct RegisterCommand {
  RegisterCommand(int order, std::function<void(CLI::App&, int&)> setup) {
    registry().push_back({order, std::move(setup)});
  }
};

}  // namespace mrdflow::cli
