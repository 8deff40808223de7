// Spillover matrices: "$SPILLOVER/n,name1,...,namen,v11,...,vnn/" and its vendor spellings.
#include "fcs/detail.h"

namespace mrdflow::fcs::detail {

namespace {

std::vector<std::string_view> split_commas(std::string_view s) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const auto comma = s.find(',', start);
    parts.push_back(trim(s.substr(start, comma == s.npos ? s.npos : comma - start)));
    if (comma == s.npos) break;
    start = comma + 1;
  }
  return parts;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

}  // namespace

std::optional<Spillover> find_spillover(const DataSet& ds, const Context& ctx,
                                        std::vector<std::string>& warnings, bool strict) {
  static constexpr const char* kNames[] = {"$SPILLOVER", "SPILL", "$SPILL", "SPILLOVER", "$COMP"};
  for (const char* name : kNames) {
    const auto* value = ds.keywords.find(name);
    if (value == nullptr) continue;
    // The spelling as found in the file.
    std::string spelled = name;
    for (const auto& k : ds.keywords.all())
      if (iequals(k.name, name)) spelled = k.name;
    const auto parts = split_commas(*value);
    if (trim(*value).empty() || parts.empty()) continue;
    std::int64_t n = 0;
    {
      double d = 0;
      try {
        d = parse_number(parts[0], spelled, ctx);
      } catch (const FcsError&) {
        warnings.push_back(spelled + " does not start with a matrix size; spillover ignored");
        continue;
      }
      n = static_cast<std::int64_t>(d);
      if (static_cast<double>(n) != d || n < 0 || n > 10000) {
        warnings.push_back(spelled + " has an invalid matrix size '" + std::string(parts[0]) +
                           "'; spillover ignored");
        continue;
      }
    }
    if (n == 0) continue;
    const auto un = static_cast<std::size_t>(n);
    const bool with_names = parts.size() == 1 + un + un * un;
    const bool without_names = parts.size() == 1 + un * un;  // $COMP style: first n channels
    if (!with_names && !without_names) {
      // e.g. MACSQuant: "6,FL2-A,...,FL7-H" with no coefficients. flowCore stops with
      // "$SPILLOVER size discrepancy"; the event data are fine, so keep reading.
      warnings.push_back(spelled + " holds " + std::to_string(parts.size()) + " fields, a " +
                         std::to_string(n) + "x" + std::to_string(n) + " matrix needs " +
                         std::to_string(1 + un + un * un) + "; spillover ignored");
      continue;
    }
    Spillover sp;
    sp.keyword = spelled;
    std::size_t next = 1;
    if (with_names) {
      // Names may be $PnN or, for some instruments (BD Accuri, Navios), parameter numbers.
      bool numeric = true;
      for (std::size_t i = 0; i < un; ++i) numeric = numeric && all_digits(parts[1 + i]);
      for (std::size_t i = 0; i < un; ++i) {
        const auto nm = parts[1 + i];
        if (auto idx = ds.channel_index(nm)) {
          sp.channels.push_back(ds.channels[*idx].name);
        } else if (numeric) {
          const auto p = parse_integer(nm, spelled, ctx);
          if (p < 1 || static_cast<std::size_t>(p) > ds.channels.size())
            ctx.fail(std::nullopt, spelled, "names parameter number " + std::string(nm) +
                                                " but there are " +
                                                std::to_string(ds.channels.size()) + " parameters");
          sp.channels.push_back(ds.channels[static_cast<std::size_t>(p - 1)].name);
        } else if (strict) {
          ctx.fail(std::nullopt, spelled,
                   "names channel '" + std::string(nm) + "' which is not a $PnN of this data set");
        } else {
          warnings.push_back(spelled + " names channel '" + std::string(nm) +
                             "' which is not a $PnN of this data set; spillover ignored");
          return std::nullopt;
        }
      }
      next = 1 + un;
    } else {
      if (un > ds.channels.size())
        ctx.fail(std::nullopt, spelled, "is " + std::to_string(n) + "x" + std::to_string(n) +
                                            " but there are only " +
                                            std::to_string(ds.channels.size()) + " parameters");
      for (std::size_t i = 0; i < un; ++i) sp.channels.push_back(ds.channels[i].name);
    }
    sp.values.reserve(un * un);
    for (std::size_t i = 0; i < un * un; ++i) sp.values.push_back(parse_number(parts[next + i], spelled, ctx));
    return sp;
  }
  return std::nullopt;
}

}  // namespace mrdflow::fcs::detail
