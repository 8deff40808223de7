#include "gates/dimension_columns.h"

#include <armadillo>
#include <algorithm>

namespace mrdflow::gates::detail {

namespace {

constexpr std::size_t kChunk = 1 << 15;  // events per parallel transform call

// out[i] = transform(in[i]), the bulk transform split over threads.
void transform_parallel(const transforms::Transform& t, Column in, fcs::EventMatrix& out) {
  out = fcs::EventMatrix(in.size(), 1);
  const std::span<double> values = out.column(0);
  const std::size_t chunks = (in.size() + kChunk - 1) / kChunk;
#pragma omp parallel for schedule(static) if (chunks > 1)
  for (std::size_t c = 0; c < chunks; ++c) {
    const std::size_t begin = c * kChunk, n = std::min(kChunk, in.size() - begin);
    transforms::apply(t, in.subspan(begin, n), values.subspan(begin, n));
  }
}

}  // namespace

DimensionColumns::DimensionColumns(const GatingStrategy& strategy, const fcs::DataSet& data,
                                   std::vector<std::string>& warnings)
    : strategy_(strategy), data_(data), warnings_(warnings) {}

Column DimensionColumns::raw_channel(const std::string& name) const {
  const auto index = data_.channel_index(name);
  if (!index) {
    throw Error("gates", data_.file + ": no channel with $PnN '" + name + "'");
  }
  return data_.events.column(*index);
}

const DimensionColumns::CompensatedSet& DimensionColumns::compensated_set(
    const std::string& ref) {
  if (const auto it = compensated_.find(ref); it != compensated_.end()) return it->second;
  auto& set = compensated_[ref];
  std::optional<compensation::SpilloverMatrix> file_matrix;
  const compensation::SpilloverMatrix* matrix = nullptr;
  if (ref == kFileCompensation) {
    file_matrix = compensation::from_fcs(data_);
    if (!file_matrix) {
      // Gating-ML: "FCS" means the file's own spillover; with none, the data is used as is.
      warnings_.push_back(data_.file + ": compensation-ref FCS but the file has no spillover "
                          "matrix; values used uncompensated");
      return set;
    }
    matrix = &*file_matrix;
  } else {
    matrix = strategy_.find_matrix(ref);
    if (matrix == nullptr) throw Error("gates", "undefined spectrum matrix '" + ref + "'");
  }
  const std::size_t events = data_.events.events();
  const std::size_t f = matrix->fluorochromes.size(), d = matrix->detectors.size();
  if (matrix->square()) {
    // The team's Compensator on a copy of just the detector columns; fluorochrome i ends up
    // in the column of detector i (also reachable by the detector's name, as in FlowKit).
    std::vector<fcs::Channel> channels;
    fcs::EventMatrix sub(events, d);
    for (std::size_t j = 0; j < d; ++j) {
      const auto index = data_.channel_index(matrix->detectors[j]);
      if (!index) {
        throw Error("gates", data_.file + ": spectrum matrix '" + ref + "' detector '" +
                                 matrix->detectors[j] + "' is not a channel of the file");
      }
      channels.push_back(data_.channels[*index]);
      channels.back().name = matrix->detectors[j];
      std::ranges::copy(data_.events.column(*index), sub.column(j).begin());
    }
    compensation::Compensator compensator(*matrix, channels);
    compensator.apply(sub);
    // Detector names first so that a fluorochrome name always wins a clash.
    for (std::size_t i = 0; i < f; ++i) set.column_of[matrix->detectors[i]] = compensator.columns()[i];
    for (std::size_t i = 0; i < f; ++i) set.column_of[matrix->fluorochromes[i]] = compensator.columns()[i];
    set.values = std::move(sub);
    return set;
  }
  // Non-square (spectral) matrix: least-squares unmixing, fluorochromes = detectors * pinv(S).
  arma::mat s(f, d);
  for (std::size_t i = 0; i < f; ++i) {
    for (std::size_t j = 0; j < d; ++j) s(i, j) = matrix->values[i * d + j];
  }
  arma::mat unmix;
  if (!arma::pinv(unmix, s)) {
    throw Error("gates", "spectrum matrix '" + ref + "' cannot be pseudo-inverted");
  }
  std::vector<Column> detector_columns;
  for (const auto& name : matrix->detectors) detector_columns.push_back(raw_channel(name));
  set.values = fcs::EventMatrix(events, f);
  for (std::size_t i = 0; i < f; ++i) {
    auto values = set.values.column(i);
    std::ranges::fill(values, 0.0);
    for (std::size_t j = 0; j < d; ++j) {
      const double w = unmix(j, i);
      const double* in = detector_columns[j].data();
      for (std::size_t e = 0; e < events; ++e) values[e] += w * in[e];
    }
    set.column_of[matrix->fluorochromes[i]] = i;
  }
  return set;
}

Column DimensionColumns::compensated_channel(const std::string& ref, const std::string& name) {
  if (ref == kUncompensated) return raw_channel(name);
  const auto& set = compensated_set(ref);
  if (const auto it = set.column_of.find(name); it != set.column_of.end()) {
    return set.values.column(it->second);
  }
  return raw_channel(name);  // a channel the matrix does not cover stays as measured
}

Column DimensionColumns::get(const Dimension& d) {
  if (d.kind == Dimension::Kind::kChannel && d.transformation_ref.empty()) {
    return compensated_channel(d.compensation_ref, d.name);
  }
  const std::string key = std::string(d.kind == Dimension::Kind::kRatio ? "ratio" : "chan") +
                          '\x1f' + d.compensation_ref + '\x1f' + d.name + '\x1f' +
                          d.transformation_ref;
  if (const auto it = derived_.find(key); it != derived_.end()) return it->second.column(0);

  Column base;
  Values ratio_values;
  if (d.kind == Dimension::Kind::kRatio) {
    const RatioTransform* r = strategy_.find_ratio(d.name);
    if (r == nullptr) throw Error("gates", "undefined ratio transformation '" + d.name + "'");
    const Column x = compensated_channel(d.compensation_ref, r->numerator);
    const Column y = compensated_channel(d.compensation_ref, r->denominator);
    ratio_values = fcs::EventMatrix(x.size(), 1);
    const std::span<double> ratio = ratio_values.column(0);
    for (std::size_t e = 0; e < x.size(); ++e) {
      ratio[e] = r->A * (x[e] - r->B) / (y[e] - r->C);
    }
    if (d.transformation_ref.empty()) {
      return derived_.emplace(key, std::move(ratio_values)).first->second.column(0);
    }
    base = ratio_values.column(0);
  } else {
    base = compensated_channel(d.compensation_ref, d.name);
  }
  const transforms::Transform* t = strategy_.find_transform(d.transformation_ref);
  if (t == nullptr) throw Error("gates", "undefined transformation '" + d.transformation_ref + "'");
  Values out;
  transform_parallel(*t, base, out);
  return derived_.emplace(key, std::move(out)).first->second.column(0);
}

}  // namespace mrdflow::gates::detail
