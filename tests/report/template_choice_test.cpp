// Template choice from a file's markers: most specific suitable template wins, the missing
// markers of the closest template are named, the gating folder is found.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "common/error.h"
#include "report/template_choice.h"
#include "support/testdata.h"

namespace {

namespace fs = std::filesystem;
using mrdflow::testing::slurp;

void replace_once(std::string& text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  ASSERT_NE(at, std::string::npos) << from;
  text.replace(at, from.size(), to);
}

class TemplateChoice : public ::testing::Test {
 protected:
  void SetUp() override {
    source_ = mrdflow::testing::source_dir() / "gating" / "bcp-all-mrd.yaml";
    if (!fs::exists(source_)) GTEST_SKIP() << "no gating/bcp-all-mrd.yaml";
    dir_ = fs::temp_directory_path() / ("mrdflow-gating-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    fs::copy_file(source_, dir_ / "bcp-all-mrd.yaml");
    // A stricter variant: also needs CD58 (more required marker groups = more specific).
    std::string strict = slurp(source_);
    replace_once(strict, "name: bcp-all-mrd", "name: strict-mrd");
    replace_once(strict, "required_markers:\n", "required_markers:\n  - CD58\n");
    std::ofstream(dir_ / "strict-mrd.yaml") << strict;
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path source_, dir_;
};

TEST_F(TemplateChoice, MostSpecificSuitableTemplateWins) {
  const mrdflow::report::TemplateCatalog catalog(dir_);
  ASSERT_EQ(catalog.templates().size(), 2u);
  const std::vector<std::string> full = {"FSC-A", "SSC-A", "CD45 V500", "CD19 PE-Cy7", "CD10 APC", "CD34 PerCP",
                                         "CD20 APC-H7", "CD38 BV605", "CD58 FITC"};
  auto chosen = catalog.choose(full);
  ASSERT_TRUE(chosen);
  EXPECT_EQ(chosen->name(), "strict-mrd");
  std::vector<std::string> no_cd58 = full;
  no_cd58.pop_back();
  chosen = catalog.choose(no_cd58);
  ASSERT_TRUE(chosen);
  EXPECT_EQ(chosen->name(), "bcp-all-mrd");
}

TEST_F(TemplateChoice, NoneSuitsNamesTheMissingMarkers) {
  const mrdflow::report::TemplateCatalog catalog(dir_);
  const std::vector<std::string> t_panel = {"FSC-A", "SSC-A", "CD45", "CD3", "CD4", "CD8", "CD19"};
  EXPECT_FALSE(catalog.choose(t_panel));
  EXPECT_EQ(catalog.missing_markers(t_panel), "CD10, CD20, CD34, CD38");
  // CD34 is not mistaken for CD3, nor CD10 for CD1.
  EXPECT_FALSE(catalog.choose({"CD45", "CD19", "CD1a", "CD3"}));
}

TEST_F(TemplateChoice, BrokenOrEmptyGatingFolderIsASetupError) {
  std::ofstream(dir_ / "zz-broken.yaml") << "name: [unterminated\n";
  EXPECT_THROW(mrdflow::report::TemplateCatalog{dir_}, mrdflow::Error);
  const fs::path empty = dir_ / "empty";
  fs::create_directories(empty);
  try {
    mrdflow::report::TemplateCatalog catalog(empty);
    FAIL();
  } catch (const mrdflow::Error& e) {
    EXPECT_EQ(e.kind(), "template");
    EXPECT_NE(std::string(e.what()).find("no gating templates"), std::string::npos);
  }
}

TEST_F(TemplateChoice, GatingFolderFromEnvironmentWhenNoLocalFolder) {
  const fs::path old = fs::current_path();
  fs::current_path(dir_);  // no ./gating here
  ::setenv("MRDFLOW_GATING_DIR", "/some/where", 1);
  EXPECT_EQ(mrdflow::report::gating_dir(), fs::path("/some/where"));
  ::unsetenv("MRDFLOW_GATING_DIR");
  EXPECT_EQ(mrdflow::report::gating_dir(), mrdflow::testing::source_dir() / "gating");  // compiled in
  fs::create_directories(dir_ / "gating");
  EXPECT_EQ(mrdflow::report::gating_dir(), fs::path("gating"));
  fs::current_path(old);
}

}  // namespace
