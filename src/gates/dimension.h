#pragma once
// What a gate axis measures: a channel (by $PnN, or a fluorochrome name of a spectrum matrix)
// or a ratio of two channels, after a named compensation and an optional named scale
// transform. This is Gating-ML 2.0's dimension model (fcs-dimension / new-dimension with
// compensation-ref and transformation-ref), kept free of any XML.
#include <string>

namespace mrdflow::gates {

// Gating-ML's reserved compensation references.
inline constexpr const char* kUncompensated = "uncompensated";
inline constexpr const char* kFileCompensation = "FCS";  // the data file's own spillover

struct Dimension {
  enum class Kind {
    kChannel,  // `name` is a $PnN (or a fluorochrome of the referenced spectrum matrix)
    kRatio,    // `name` is the id of a RatioTransform of the strategy (Gating-ML new-dimension)
  };
  Kind kind = Kind::kChannel;
  std::string name;
  std::string compensation_ref = kUncompensated;
  std::string transformation_ref;  // "" = values used as they are

  friend bool operator==(const Dimension&, const Dimension&) = default;
};

// Gating-ML fratio: A * (numerator - B) / (denominator - C), both operands taken with the
// compensation of the dimension that uses the ratio.
struct RatioTransform {
  std::string numerator;
  std::string denominator;
  double A = 1, B = 0, C = 0;
  friend bool operator==(const RatioTransform&, const RatioTransform&) = default;
};

}  // namespace mrdflow::gates
