#pragma once
// Gating-ML 2.0 import and export (pugixml). The XML mapping lives here; the gate types and
// their evaluation live in gates/ (as FlowKit keeps its parser apart from its gate classes).
#include <filesystem>
#include <string>
#include <string_view>

#include "gates/strategy.h"

namespace mrdflow::gatingml {

inline constexpr const char* kGatingNamespace = "http://www.isac-net.org/std/Gating-ML/v2.0/gating";
inline constexpr const char* kTransformsNamespace =
    "http://www.isac-net.org/std/Gating-ML/v2.0/transformations";
inline constexpr const char* kDataTypeNamespace =
    "http://www.isac-net.org/std/Gating-ML/v2.0/datatypes";

// Parses and validates a Gating-ML 2.0 document. Elements and attributes are matched by local
// name and namespace URI (any prefix); non-Gating-ML wrapper elements are looked through.
// Every problem throws mrdflow::Error("gatingml", ...) on one line:
//   "FILE: line N: <gating:RectangleGate id=\"X\">: problem".
gates::GatingStrategy read_gatingml(const std::filesystem::path& path);
gates::GatingStrategy parse_gatingml(std::string_view xml, const std::string& name);

// Serialises a strategy as Gating-ML 2.0 (namespaces declared on the root, numbers written
// in shortest round-trip form so that re-import gates identically). Throws Error("gatingml")
// for content Gating-ML 2.0 cannot express (e.g. a FlowJo biex transform).
std::string to_gatingml(const gates::GatingStrategy& strategy);
void write_gatingml(const std::filesystem::path& path, const gates::GatingStrategy& strategy);

}  // namespace mrdflow::gatingml
