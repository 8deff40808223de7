#include "analysis/markers.h"

#include <algorithm>
#include <cctype>

namespace mrdflow::analysis {

std::vector<std::string> marker_tokens(const std::string& label) {
  std::vector<std::string> out;
  std::string cur;
  for (unsigned char ch : label) {
    if (std::isalnum(ch)) {
      cur.push_back(static_cast<char>(std::toupper(ch)));
    } else if (!cur.empty()) {
      out.push_back(cur);
      cur.clear();
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

std::string canonical_marker(const std::string& alias) {
  std::string out;
  for (unsigned char ch : alias)
    if (std::isalnum(ch)) out.push_back(static_cast<char>(std::toupper(ch)));
  return out;
}

bool label_names_marker(const std::string& label, const std::string& alias) {
  const std::string want = canonical_marker(alias);
  if (want.empty()) return false;
  const auto t = marker_tokens(label);
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] == want) return true;
    if (i + 1 < t.size() && t[i] + t[i + 1] == want) return true;  // "HLA-DR", "CD3 e"
  }
  return false;
}

std::optional<ScatterChannel> classify_scatter(const fcs::Channel& ch) {
  const auto t = marker_tokens(ch.name);
  std::string type = canonical_marker(ch.type);
  ScatterKind kind = ScatterKind::none;
  if (type == "FORWARDSCATTER") kind = ScatterKind::forward;
  if (type == "SIDESCATTER") kind = ScatterKind::side;
  if (kind == ScatterKind::none && !t.empty()) {
    const std::string& h = t[0];
    if (h == "FSC" || h == "FS" || h == "FALS" || h == "FORWARD") kind = ScatterKind::forward;
    else if (h == "SSC" || h == "SS" || h == "SIDE" || h == "RALS" || h == "LSS") kind = ScatterKind::side;
    else if (h.rfind("FSC", 0) == 0 && h.size() <= 5) kind = ScatterKind::forward;  // FSCA
    else if (h.rfind("SSC", 0) == 0 && h.size() <= 5) kind = ScatterKind::side;
  }
  if (kind == ScatterKind::none) return std::nullopt;
  ScatterChannel s;
  s.kind = kind;
  for (std::size_t i = 1; i < t.size(); ++i) {
    if (t[i] == "H" || t[i] == "PEAK" || t[i] == "HEIGHT" || t[i] == "HLIN") s.feature = PulseFeature::height;
    if (t[i] == "W" || t[i] == "WIDTH" || t[i] == "TOF") s.feature = PulseFeature::width;
  }
  if (t.size() == 1 && (t[0] == "FSCH" || t[0] == "SSCH")) s.feature = PulseFeature::height;
  if (t.size() == 1 && (t[0] == "FSCW" || t[0] == "SSCW")) s.feature = PulseFeature::width;
  return s;
}

bool is_time_channel(const fcs::Channel& ch) {
  if (canonical_marker(ch.type) == "TIME") return true;
  const std::string n = canonical_marker(ch.name);
  return n == "TIME" || n == "HDRT" || n == "TIMELSW" || n == "TIMEMSW";
}

ResolvedPanel resolve_panel(const std::vector<fcs::Channel>& channels,
                            const std::map<std::string, std::vector<std::string>>& aliases) {
  ResolvedPanel p;
  // Scatter and time first; secondary SSC detectors ("SSC-B-A", violet SSC) lose to plain ones.
  auto take = [&](std::optional<std::size_t>& slot, std::size_t c) {
    if (!slot) { slot = c; return; }
    if (marker_tokens(channels[c].name).size() < marker_tokens(channels[*slot].name).size()) slot = c;
  };
  std::vector<bool> special(channels.size(), false);
  for (std::size_t c = 0; c < channels.size(); ++c) {
    if (is_time_channel(channels[c])) {
      if (!p.time) p.time = c;
      special[c] = true;
      continue;
    }
    if (auto s = classify_scatter(channels[c])) {
      special[c] = true;
      if (s->kind == ScatterKind::forward && s->feature == PulseFeature::area) take(p.fsc_a, c);
      if (s->kind == ScatterKind::forward && s->feature == PulseFeature::height) take(p.fsc_h, c);
      if (s->kind == ScatterKind::side && s->feature == PulseFeature::area) take(p.ssc_a, c);
      if (s->kind == ScatterKind::side && s->feature == PulseFeature::height) take(p.ssc_h, c);
    }
  }
  // Instruments that only record heights (or only one FSC) use what they have.
  if (!p.fsc_a && p.fsc_h) { p.fsc_a = p.fsc_h; p.fsc_h.reset(); p.notes.push_back("FSC area absent: using FSC height"); }
  if (!p.ssc_a && p.ssc_h) { p.ssc_a = p.ssc_h; p.ssc_h.reset(); p.notes.push_back("SSC area absent: using SSC height"); }
  for (std::size_t c = 0; c < channels.size(); ++c)
    if (!special[c]) p.fluorescence.push_back(c);

  for (const auto& [marker, spellings] : aliases) {
    std::vector<std::string> all = spellings;
    all.push_back(marker);
    // Rank: matched in $PnS beats $PnN; an area/unsuffixed channel beats -H/-W.
    std::optional<std::size_t> best;
    int best_rank = -1;
    int matches = 0;
    for (auto c : p.fluorescence) {
      const auto& ch = channels[c];
      int rank = -1;
      for (const auto& a : all) {
        if (!ch.marker.empty() && label_names_marker(ch.marker, a)) rank = std::max(rank, 2);
        else if (label_names_marker(ch.name, a)) rank = std::max(rank, 1);
      }
      if (rank < 0) continue;
      ++matches;
      const auto t = marker_tokens(ch.name);
      if (!t.empty() && (t.back() == "H" || t.back() == "W")) rank *= 2; else rank = rank * 2 + 1;
      if (rank > best_rank) { best_rank = rank; best = c; }
    }
    if (best) {
      p.markers[marker] = *best;
      if (matches > 1)
        p.notes.push_back(marker + ": " + std::to_string(matches) + " channels match; using " +
                          channels[*best].name);
    }
  }
  return p;
}

}  // namespace mrdflow::analysis
