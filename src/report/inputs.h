#pragma once
// Which files a batch analyses: FCS files named on the command line and every *.fcs
// (case-insensitive) below named directories, in one sorted, de-duplicated order, each with a
// unique output stem.
#include <filesystem>
#include <string>
#include <vector>

namespace mrdflow::report {

struct InputFile {
  std::filesystem::path path;
  std::string stem;   // output name: file name without ".fcs"; "<stem>-2", ... on collision
};

// Throws Error("usage", ...) for a path that does not exist or when nothing is found.
std::vector<InputFile> collect_inputs(const std::vector<std::string>& args);

}  // namespace mrdflow::report
