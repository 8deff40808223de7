#pragma once
// Output files are written to a temporary sibling and renamed into place, so a crash or an
// error in a batch never leaves a half-written report behind.
#include <filesystem>
#include <string_view>

namespace mrdflow {

void write_file_atomic(const std::filesystem::path& path, std::string_view contents);

}  // namespace mrdflow
