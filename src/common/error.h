#pragma once
// Errors carry context: which file, where in it, and what is wrong. Every module throws
// mrdflow::Error (or a subclass); the command line prints what() on one line.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace mrdflow {

class Error : public std::runtime_error {
 public:
  // kind: a short machine-readable category ("fcs", "gatingml", "template", "usage", ...),
  // written into reports as error.kind.
  Error(std::string kind, const std::string& message)
      : std::runtime_error(message), kind_(std::move(kind)) {}
  const std::string& kind() const noexcept { return kind_; }

 private:
  std::string kind_;
};

// Formats "FILE: at byte N: message" / "FILE: keyword $X: message" consistently.
std::string describe_location(const std::string& file, std::optional<std::int64_t> byte_offset,
                              const std::string& keyword, const std::string& message);

}  // namespace mrdflow
