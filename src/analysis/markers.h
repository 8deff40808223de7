#pragma once
// Marker resolution: which data column carries which marker, from $PnS (then $PnN), by tokens
// so that fluorochrome and detector names are never mistaken for markers ("PE-Cy7" holds the
// token CY7, not CD7; "CD3" does not match "CD34"). Scatter and Time channels by name patterns
// and $PnTYPE. Nothing depends on channel order or naming style.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fcs/fcs.h"

namespace mrdflow::analysis {

enum class ScatterKind { none, forward, side };
enum class PulseFeature { area, height, width };

struct ScatterChannel {
  std::size_t column = 0;
  ScatterKind kind = ScatterKind::none;
  PulseFeature feature = PulseFeature::area;
};

struct ResolvedPanel {
  std::map<std::string, std::size_t> markers;    // template marker name -> column
  std::optional<std::size_t> fsc_a, fsc_h, ssc_a, ssc_h, time;
  std::vector<std::size_t> fluorescence;         // every non-scatter, non-time column
  std::vector<std::string> notes;                // ambiguities resolved, fallbacks used
};

// Upper-case alphanumeric tokens of a channel label ("CD19 PE-Cy7" -> CD19, PE, CY7).
std::vector<std::string> marker_tokens(const std::string& label);
// Canonical form of a marker alias: upper-case, alphanumerics only ("HLA-DR" -> HLADR).
std::string canonical_marker(const std::string& alias);
// True when the label names the alias (a token, or two adjacent tokens joined, equals it).
bool label_names_marker(const std::string& label, const std::string& alias);

std::optional<ScatterChannel> classify_scatter(const fcs::Channel& channel);
bool is_time_channel(const fcs::Channel& channel);

// aliases: template marker name -> accepted spellings (the name itself is always accepted).
ResolvedPanel resolve_panel(const std::vector<fcs::Channel>& channels,
                            const std::map<std::string, std::vector<std::string>>& aliases);

}  // namespace mrdflow::analysis
