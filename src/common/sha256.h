#pragma once
#include <cstddef>
#include <filesystem>
#include <span>
#include <string>

namespace mrdflow {

// Lower-case hex SHA-256 of a byte range / of a whole file (streamed, constant memory).
std::string sha256_hex(std::span<const std::byte> bytes);
std::string sha256_hex(std::string_view text);
std::string sha256_file_hex(const std::filesystem::path& path);

}  // namespace mrdflow
