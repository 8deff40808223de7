#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/atomic_file.h"
#include "common/error.h"
#include "common/sha256.h"
#include "support/testdata.h"

using namespace mrdflow;

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(sha256_hex(std::string_view("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex(std::string_view("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(AtomicFile, WritesWholeFileAndReplaces) {
  const auto dir = std::filesystem::temp_directory_path() / "mrdflow_atomic_test";
  std::filesystem::create_directories(dir);
  const auto p = dir / "out.txt";
  write_file_atomic(p, "first");
  write_file_atomic(p, "second version");
  std::ifstream in(p);
  std::string s((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(s, "second version");
  EXPECT_EQ(sha256_file_hex(p), sha256_hex(std::string_view("second version")));
  for (auto& e : std::filesystem::directory_iterator(dir))
    EXPECT_EQ(e.path().filename(), "out.txt") << "temp file left behind";
  std::filesystem::remove_all(dir);
}

TEST(AtomicFile, UnwritableDirectoryIsAClearError) {
  try {
    write_file_atomic("/nonexistent-dir/x.json", "x");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-dir/x.json"), std::string::npos);
  }
}

TEST(Error, LocationFormat) {
  EXPECT_EQ(describe_location("a.fcs", 58, "$TOT", "not a number"),
            "a.fcs: at byte 58: keyword $TOT: not a number");
}
