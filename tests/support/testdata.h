#pragma once
// Where the shared public test data lives, and what to do when it is missing: skip with a
// message on a developer machine, fail under CI=true (CI always has ../shared beside the repo).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

namespace mrdflow::testing {

inline std::filesystem::path source_dir() { return MRDFLOW_SOURCE_DIR; }
inline std::filesystem::path binary_dir() { return MRDFLOW_BINARY_DIR; }

// Whole file as bytes in a string (empty when it cannot be read).
inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline bool running_in_ci() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string_view(ci) == "true";
}

// ../shared/testdata next to the repository, or $MRDFLOW_TESTDATA when set.
inline std::filesystem::path testdata_dir() {
  if (const char* env = std::getenv("MRDFLOW_TESTDATA")) return env;
  return source_dir().parent_path() / "shared" / "testdata";
}

inline bool have_testdata() { return std::filesystem::is_directory(testdata_dir()); }

}  // namespace mrdflow::testing

// Use at the top of a test that needs ../shared/testdata.
#define MRDFLOW_REQUIRE_TESTDATA()                                                              \
  do {                                                                                          \
    if (!::mrdflow::testing::have_testdata()) {                                                 \
      if (::mrdflow::testing::running_in_ci()) {                                                \
        FAIL() << "shared test data missing at " << ::mrdflow::testing::testdata_dir()         \
               << " (CI=true requires ../shared beside the repository)";                       \
      }                                                                                         \
      GTEST_SKIP() << "shared test data not found at " << ::mrdflow::testing::testdata_dir()   \
                   << "; skipping";                                                            \
    }                                                                                           \
  } while (0)
