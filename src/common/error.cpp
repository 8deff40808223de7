#include "common/error.h"

namespace mrdflow {

std::string describe_location(const std::string& file, std::optional<std::int64_t> byte_offset,
                              const std::string& keyword, const std::string& message) {
  std::string out = file.empty() ? std::string("<memory>") : file;
  if (byte_offset) out += ": at byte " + std::to_string(*byte_offset);
  if (!keyword.empty()) out += ": keyword " + keyword;
  out += ": " + message;
  return out;
}

}  // namespace mrdflow
