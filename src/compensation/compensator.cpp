// Compensation: compensated(fluorochromes) = observed(detectors) * U, U = inv(S) (square) or
// pinv(S) (non-square, least squares). Applied to column-major events block by block: for a
// block of events, each output column is a sum of detector columns weighted by a column of U,
// so every inner loop runs over contiguous events and vectorises. Each event's arithmetic is
// the same fixed sequence whatever the thread count, so results are bit-identical.
#include <algorithm>
#include <armadillo>
#include <cctype>
#include <cmath>
#include <sstream>

#include "common/error.h"
#include "compensation/compensation.h"

namespace mrdflow::compensation {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

template <typename Names, typename Get>
std::optional<std::size_t> find_name(const Names& names, std::string_view wanted, Get get) {
  for (std::size_t i = 0; i < names.size(); ++i)
    if (get(names[i]) == wanted) return i;
  for (std::size_t i = 0; i < names.size(); ++i)
    if (iequals(get(names[i]), wanted)) return i;
  return std::nullopt;
}

constexpr std::size_t kBlock = 512;  // events per block: 12 columns x 512 x 8 B = 48 KiB in flight
constexpr double kMinRcond = 1e-12;  // below this the unmixing amplifies rounding by > 1e12

// result[k * kBlock + e] = sum_j x[j][e] * U[j * f + k], j in order 0..d-1. Cloned for AVX2
// (wider vectors only: ISO C++ mode keeps -ffp-contract=off, so no FMA contraction and the
// results are bit-identical to the baseline clone).
__attribute__((target_clones("avx2", "default")))
void compensate_block(const double* const* x, std::size_t d, const double* U, std::size_t f,
                      std::size_t count, double* result) {
  for (std::size_t k = 0; k < f; ++k) {
    double* acc = result + k * kBlock;
    const double u0 = U[k];
    const double* x0 = x[0];
#pragma omp simd
    for (std::size_t e = 0; e < count; ++e) acc[e] = x0[e] * u0;
    for (std::size_t j = 1; j < d; ++j) {
      const double u = U[j * f + k];
      const double* xj = x[j];
#pragma omp simd
      for (std::size_t e = 0; e < count; ++e) acc[e] += xj[e] * u;
    }
  }
}

}  // namespace

Compensator::Compensator(const SpilloverMatrix& matrix, const std::vector<fcs::Channel>& channels)
    : matrix_(matrix) {
  validate(matrix_);
  const std::string where = "spillover matrix " + matrix_.source;
  for (const std::string& detector : matrix_.detectors) {
    auto index = find_name(channels, detector, [](const fcs::Channel& c) -> std::string_view { return c.name; });
    if (!index) {
      std::ostringstream available;
      for (std::size_t i = 0; i < channels.size(); ++i) available << (i ? ", " : "") << channels[i].name;
      throw Error("compensation", where + ": detector '" + detector +
                                      "' is not a channel of the data (channels: " + available.str() + ")");
    }
    if (std::find(columns_.begin(), columns_.end(), *index) != columns_.end())
      throw Error("compensation", where + ": detector '" + detector + "' matches channel '" +
                                      channels[*index].name + "' twice");
    columns_.push_back(*index);
  }

  const std::size_t f = matrix_.fluorochromes.size(), d = matrix_.detectors.size();
  arma::mat S(f, d);
  for (std::size_t r = 0; r < f; ++r)
    for (std::size_t c = 0; c < d; ++c) S(r, c) = matrix_.at(r, c);
  arma::mat U;
  if (f == d) {
    const double rc = arma::rcond(S);
    if (!(rc >= kMinRcond))
      throw Error("compensation", where + ": matrix is singular or nearly so (reciprocal condition number " +
                                      std::to_string(rc) + "); it cannot be inverted");
    if (!arma::inv(U, S)) throw Error("compensation", where + ": matrix is singular; it cannot be inverted");
  } else {
    const arma::uword rank = arma::rank(S);
    if (rank < std::min(f, d))
      throw Error("compensation", where + ": " + std::to_string(f) + " x " + std::to_string(d) +
                                      " spectrum matrix has rank " + std::to_string(rank) +
                                      "; the fluorochromes cannot be separated");
    if (!arma::pinv(U, S)) throw Error("compensation", where + ": pseudo-inverse failed");
  }
  // U is d x f; keep it row-major: unmix_[j * f + k] = U(j, k).
  unmix_.resize(d * f);
  for (std::size_t j = 0; j < d; ++j)
    for (std::size_t k = 0; k < f; ++k) unmix_[j * f + k] = U(j, k);
}

std::optional<std::size_t> Compensator::fluorochrome_index(std::string_view name) const {
  return find_name(matrix_.fluorochromes, name, [](const std::string& s) -> std::string_view { return s; });
}

void Compensator::unmix_into(const fcs::EventMatrix& events, fcs::EventMatrix& out,
                             const std::vector<std::size_t>& out_columns) const {
  const std::size_t n = events.events();
  const std::size_t d = matrix_.detectors.size(), f = matrix_.fluorochromes.size();
  for (std::size_t c : columns_)
    if (c >= events.channels())
      throw Error("compensation", "spillover matrix " + matrix_.source + ": event matrix has " +
                                      std::to_string(events.channels()) + " channels, matrix needs column " +
                                      std::to_string(c + 1));
  if (out.events() != n) throw Error("compensation", "output event matrix has the wrong number of events");
  const std::ptrdiff_t blocks = static_cast<std::ptrdiff_t>((n + kBlock - 1) / kBlock);
  const double* U = unmix_.data();

#pragma omp parallel if (blocks > 4)
  {
    std::vector<double> result(f * kBlock);      // this thread's block of compensated values
    std::vector<const double*> in_cols(d);
#pragma omp for schedule(static)
    for (std::ptrdiff_t b = 0; b < blocks; ++b) {
      const std::size_t begin = static_cast<std::size_t>(b) * kBlock;
      const std::size_t count = std::min(kBlock, n - begin);
      for (std::size_t j = 0; j < d; ++j) in_cols[j] = events.column(columns_[j]).data() + begin;
      compensate_block(in_cols.data(), d, U, f, count, result.data());
      // Scatter only after the whole block is computed: in-place output may overwrite inputs.
      for (std::size_t k = 0; k < f; ++k)
        std::copy_n(result.data() + k * kBlock, count, out.column(out_columns[k]).data() + begin);
    }
  }
}

void Compensator::apply(fcs::EventMatrix& events) const {
  if (!matrix_.square())
    throw Error("compensation", "spillover matrix " + matrix_.source + " is " +
                                    std::to_string(matrix_.fluorochromes.size()) + " x " +
                                    std::to_string(matrix_.detectors.size()) +
                                    "; in-place compensation needs a square matrix (use unmix)");
  unmix_into(events, events, columns_);
}

fcs::EventMatrix Compensator::unmix(const fcs::EventMatrix& events) const {
  const std::size_t f = matrix_.fluorochromes.size();
  fcs::EventMatrix out(events.events(), f);
  std::vector<std::size_t> out_columns(f);
  for (std::size_t k = 0; k < f; ++k) out_columns[k] = k;
  unmix_into(events, out, out_columns);
  return out;
}

}  // namespace mrdflow::compensation
