#pragma once
// Running the built command-line programs from tests: paths, quoting, exit code and output.
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/testdata.h"

namespace mrdflow::cli_test {

using mrdflow::testing::slurp;

namespace fs = std::filesystem;

inline fs::path mrdflow_bin() { return mrdflow::testing::binary_dir() / "tools" / "mrdflow"; }
inline fs::path synth_bin() { return mrdflow::testing::binary_dir() / "tools" / "synth" / "mrdflow-synth"; }

struct ProcessResult {
  int exit_code = -1;
  std::string out;  // stdout + stderr
};

inline std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

inline ProcessResult run_process(const std::vector<std::string>& args, const fs::path& log) {
  std::string cmd;
  for (const auto& a : args) cmd += quote(a) + " ";
  cmd += "> " + quote(log.string()) + " 2>&1";
  const int status = std::system(cmd.c_str());
  ProcessResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(log);
  return r;
}

}  // namespace mrdflow::cli_test
