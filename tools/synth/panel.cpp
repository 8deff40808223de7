#include "panel.h"

#include <algorithm>
#include <cctype>

#include "rng.h"

namespace mrdflow::synth {

std::string_view marker_name(Marker m) {
  static constexpr std::array<std::string_view, kMarkerCount> names = {
      "CD19", "CD22", "CD10", "CD34", "CD20", "CD38", "CD45", "CD3", "CD58", "CD66c/CD123",
      "CD24", "CD7"};
  return names[static_cast<std::size_t>(m)];
}

std::string_view style_name(Style s) {
  switch (s) {
    case Style::BD: return "bd";
    case Style::Beckman: return "beckman";
    case Style::Cytek: return "cytek";
  }
  return "?";
}

std::optional<Style> parse_style(std::string_view s) {
  std::string lower(s);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "bd") return Style::BD;
  if (lower == "beckman") return Style::Beckman;
  if (lower == "cytek") return Style::Cytek;
  return std::nullopt;
}

bool Panel::has(Marker m) const {
  return std::any_of(stains.begin(), stains.end(), [m](const auto& s) { return s.marker == m; });
}

namespace {

struct Assignment {
  Marker marker;
  Fluor fluor;
  const char* detector;
  const char* fluor_label;
};

// BD FACSDiva (Canto/Lyric-like 3-laser 10-colour): $PnN named after the fluorochrome.
constexpr Assignment kBD[] = {
    {Marker::CD58, Fluor::FITC, "FITC-A", "FITC"},
    {Marker::CD22, Fluor::PE, "PE-A", "PE"},
    {Marker::CD34, Fluor::PerCP_Cy55, "PerCP-Cy5-5-A", "PerCP-Cy5.5"},
    {Marker::CD19, Fluor::PE_Cy7, "PE-Cy7-A", "PE-Cy7"},
    {Marker::CD10, Fluor::APC, "APC-A", "APC"},
    {Marker::CD20, Fluor::APC_H7, "APC-H7-A", "APC-H7"},
    {Marker::CD3, Fluor::BV421, "BV421-A", "BV421"},
    {Marker::CD45, Fluor::BV510, "V500-A", "V500"},
    {Marker::CD38, Fluor::BV605, "BV605-A", "BV605"},
    {Marker::CD66c_CD123, Fluor::BV786, "BV786-A", "BV786"},
};
// Beckman Navios/Kaluza 10-colour: $PnN are detector numbers, $PnS "CD20-FITC"/"CD19 ECD".
constexpr Assignment kBeckman[] = {
    {Marker::CD20, Fluor::FITC, "FL1 INT", "FITC"},
    {Marker::CD19, Fluor::PE, "FL2 INT", "PE"},
    {Marker::CD10, Fluor::ECD, "FL3 INT", "ECD"},
    {Marker::CD34, Fluor::PerCP_Cy55, "FL4 INT", "PC5.5"},
    {Marker::CD58, Fluor::PE_Cy7, "FL5 INT", "PC7"},
    {Marker::CD22, Fluor::APC, "FL6 INT", "APC"},
    {Marker::CD38, Fluor::APC_R700, "FL7 INT", "A700"},
    {Marker::CD3, Fluor::APC_H7, "FL8 INT", "A750"},
    {Marker::CD24, Fluor::BV421, "FL9 INT", "PB"},
    {Marker::CD45, Fluor::BV510, "FL10 INT", "KrO"},
};
// Cytek (Northern Lights-like raw detectors): $PnN are laser+detector numbers.
constexpr Assignment kCytek[] = {
    {Marker::CD22, Fluor::BV421, "V1-A", "BV421"},
    {Marker::CD10, Fluor::BV605, "V7-A", "BV605"},
    {Marker::CD45, Fluor::BV711, "V11-A", "BV711"},
    {Marker::CD20, Fluor::BV786, "V13-A", "BV786"},
    {Marker::CD3, Fluor::FITC, "B2-A", "FITC"},
    {Marker::CD24, Fluor::PE, "B4-A", "PE"},
    {Marker::CD7, Fluor::PerCP_Cy55, "B9-A", "PerCP-Cy5.5"},
    {Marker::CD58, Fluor::PE_Cy7, "B14-A", "PE-Cy7"},
    {Marker::CD19, Fluor::APC, "R1-A", "APC"},
    {Marker::CD38, Fluor::APC_R700, "R4-A", "APC-R700"},
    {Marker::CD34, Fluor::APC_H7, "R7-A", "APC-Fire750"},
};

template <std::size_t N>
std::vector<StainedChannel> stains_of(const Assignment (&table)[N]) {
  std::vector<StainedChannel> out;
  for (const auto& a : table) {
    out.push_back({a.marker, a.fluor, a.detector, std::string(marker_name(a.marker)), a.fluor_label});
  }
  return out;
}

}  // namespace

Panel make_panel(Style style, Rng* variation) {
  Panel p;
  switch (style) {
    case Style::BD:
      p.instrument = {Style::BD, "FACSLyric", "FSC-A", "FSC-H", "SSC-A", "Time", "SSC-H",
                      262144.0, 1.0, 0.01};
      p.stains = stains_of(kBD);
      break;
    case Style::Beckman:
      p.instrument = {Style::Beckman, "Navios", "FS INT", "FS PEAK", "SS INT", "TIME",
                      std::nullopt, 1048576.0, 4.0, 0.1};
      p.stains = stains_of(kBeckman);
      break;
    case Style::Cytek:
      p.instrument = {Style::Cytek, "Northern Lights", "FSC-A", "FSC-H", "SSC-A", "Time", "SSC-H",
                      4194304.0, 16.0, 0.0001};
      p.stains = stains_of(kCytek);
      break;
  }
  // $PnS spelling: each vendor's usual forms, varied per channel when a seed asks for it.
  for (std::size_t i = 0; i < p.stains.size(); ++i) {
    auto& s = p.stains[i];
    const std::string marker(marker_name(s.marker));
    const bool with_fluor = variation ? variation->chance(0.5) : (i % 2 == 1);
    switch (style) {
      case Style::BD: s.label = with_fluor ? marker + " " + s.fluor_label : marker; break;
      case Style::Beckman:
        s.label = with_fluor ? marker + " " + s.fluor_label : marker + "-" + s.fluor_label;
        break;
      case Style::Cytek: s.label = marker + " " + s.fluor_label; break;
    }
  }
  if (variation) {  // Fisher-Yates with our own generator (std::shuffle is implementation-defined)
    for (std::size_t i = p.stains.size(); i > 1; --i) {
      std::swap(p.stains[i - 1], p.stains[variation->below(i)]);
    }
  }
  return p;
}

double fluor_brightness(Fluor f) {
  // Stain index order of magnitude per fluorochrome (PE = 1).
  static constexpr std::array<double, kFluorCount> b = {
      0.22, 1.0, 0.55, 0.30, 0.75, 0.85, 0.30, 0.30, 0.90, 0.25, 0.60, 0.45, 0.40};
  return b[static_cast<std::size_t>(f)];
}

double detector_autofluorescence(Fluor f) {
  // Violet and blue detectors see much more cellular autofluorescence than red ones.
  static constexpr std::array<double, kFluorCount> af = {
      150, 90, 70, 60, 40, 25, 20, 20, 160, 210, 90, 55, 45};
  return af[static_cast<std::size_t>(f)];
}

double nominal_spillover(Fluor from, Fluor into) {
  using F = Fluor;
  struct Spill { F from, into; double v; };
  static constexpr Spill table[] = {
      {F::FITC, F::PE, 0.20}, {F::FITC, F::ECD, 0.06}, {F::FITC, F::PerCP_Cy55, 0.03},
      {F::FITC, F::BV510, 0.01}, {F::FITC, F::PE_Cy7, 0.005},
      {F::PE, F::FITC, 0.012}, {F::PE, F::ECD, 0.45}, {F::PE, F::PerCP_Cy55, 0.12},
      {F::PE, F::PE_Cy7, 0.03}, {F::PE, F::BV605, 0.02},
      {F::ECD, F::PE, 0.07}, {F::ECD, F::PerCP_Cy55, 0.35}, {F::ECD, F::PE_Cy7, 0.08},
      {F::ECD, F::BV605, 0.05},
      {F::PerCP_Cy55, F::PE_Cy7, 0.15}, {F::PerCP_Cy55, F::APC_R700, 0.08},
      {F::PerCP_Cy55, F::ECD, 0.02}, {F::PerCP_Cy55, F::BV711, 0.04},
      {F::PE_Cy7, F::PE, 0.01}, {F::PE_Cy7, F::PerCP_Cy55, 0.02}, {F::PE_Cy7, F::APC_H7, 0.06},
      {F::PE_Cy7, F::BV786, 0.03},
      {F::APC, F::APC_R700, 0.25}, {F::APC, F::APC_H7, 0.05}, {F::APC, F::PerCP_Cy55, 0.01},
      {F::APC_R700, F::APC, 0.03}, {F::APC_R700, F::APC_H7, 0.15}, {F::APC_R700, F::PerCP_Cy55, 0.05},
      {F::APC_H7, F::APC, 0.01}, {F::APC_H7, F::APC_R700, 0.08}, {F::APC_H7, F::PE_Cy7, 0.08},
      {F::BV421, F::BV510, 0.12}, {F::BV421, F::FITC, 0.01}, {F::BV421, F::BV605, 0.005},
      {F::BV510, F::BV421, 0.01}, {F::BV510, F::BV605, 0.08}, {F::BV510, F::FITC, 0.05},
      {F::BV510, F::PE, 0.02},
      {F::BV605, F::BV711, 0.15}, {F::BV605, F::BV510, 0.01}, {F::BV605, F::PE, 0.03},
      {F::BV605, F::ECD, 0.15},
      {F::BV711, F::BV786, 0.20}, {F::BV711, F::BV605, 0.03}, {F::BV711, F::PerCP_Cy55, 0.05},
      {F::BV711, F::APC_R700, 0.05},
      {F::BV786, F::BV711, 0.05}, {F::BV786, F::PE_Cy7, 0.08}, {F::BV786, F::APC_H7, 0.02},
  };
  if (from == into) return 1.0;
  for (const auto& s : table) {
    if (s.from == from && s.into == into) return s.v;
  }
  return 0.0;
}

}  // namespace mrdflow::synth
