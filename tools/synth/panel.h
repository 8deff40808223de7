#pragma once
// The tube as an instrument sees it: which markers are stained with which fluorochrome, which
// detector ($PnN) reads each fluorochrome, how the instrument names and scales its channels, and
// how much each fluorochrome spills into the other detectors. Three naming styles (BD FACSDiva,
// Beckman Navios/Kaluza, Cytek) with deliberately different marker-fluorochrome assignments.
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mrdflow::synth {

class Rng;

// Antigens the model knows. CD66c_CD123 is the EuroFlow-style aberrancy pair sharing one channel.
enum class Marker : std::uint8_t {
  CD19, CD22, CD10, CD34, CD20, CD38, CD45, CD3, CD58, CD66c_CD123, CD24, CD7
};
inline constexpr std::size_t kMarkerCount = 12;
std::string_view marker_name(Marker m);  // "CD19", ..., "CD66c/CD123"

enum class Fluor : std::uint8_t {
  FITC, PE, ECD, PerCP_Cy55, PE_Cy7, APC, APC_R700, APC_H7, BV421, BV510, BV605, BV711, BV786
};
inline constexpr std::size_t kFluorCount = 13;

enum class Style : std::uint8_t { BD, Beckman, Cytek };
std::string_view style_name(Style s);                 // "bd", "beckman", "cytek"
std::optional<Style> parse_style(std::string_view s);

// One stained channel of the tube.
struct StainedChannel {
  Marker marker;
  Fluor fluor;
  std::string detector;      // $PnN
  std::string label;         // $PnS as this instrument/software writes it
  std::string fluor_label;   // fluorochrome name in this vendor's spelling ("PC7", "PE-Cy7")
};

// The instrument: names of scatter and time channels, full scale, time step.
struct Instrument {
  Style style;
  std::string cytometer;     // $CYT
  std::string fsc_area, fsc_height, ssc_area, time;
  std::optional<std::string> ssc_height;  // BD also records SSC-H
  double range;              // $PnR of every channel (top of scale)
  double scale;              // linear units relative to the BD 18-bit scale
  double timestep;           // seconds per Time unit ($TIMESTEP)
};

struct Panel {
  Instrument instrument;
  std::vector<StainedChannel> stains;  // acquisition order (may be permuted per seed)
  bool has(Marker m) const;
};

// The tube for a style. With an Rng, the per-file variation a lab would show: channel order
// permuted and the $PnS spelling varied ("CD20" vs "CD20 FITC"); without, the canonical layout.
Panel make_panel(Style style, Rng* variation = nullptr);

// Relative brightness of a fluorochrome (linear units per antigen molecule at BD scale, before gain).
double fluor_brightness(Fluor f);
// Autofluorescence of a lymphocyte in the detector reading fluorochrome f (BD linear units).
double detector_autofluorescence(Fluor f);
// Nominal spillover of fluorochrome `from` into the detector of fluorochrome `into` (0..1).
double nominal_spillover(Fluor from, Fluor into);

}  // namespace mrdflow::synth
