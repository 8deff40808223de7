// Public entry points: scalar forms solve exactly; span forms use a prepared engine from a
// small cache so repeated calls with the same parameters do not rebuild tables.
#include "transforms/transforms.h"

#include <algorithm>
#include <mutex>
#include <string>
#include <vector>

#include <omp.h>

#include "common/error.h"
#include "transforms/engine.h"

namespace mrdflow::transforms {

namespace {

// Parameters are compared bitwise through the variant's operator== on doubles; NaN
// parameters never reach here (validate rejects them).
bool same(const Transform& a, const Transform& b) {
  if (a.index() != b.index()) return false;
  return std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        const T& y = std::get<T>(b);
        if constexpr (std::is_same_v<T, Linear>) return x.T == y.T && x.A == y.A;
        else if constexpr (std::is_same_v<T, Log>) return x.T == y.T && x.M == y.M;
        else if constexpr (std::is_same_v<T, Asinh>) return x.T == y.T && x.M == y.M && x.A == y.A;
        else if constexpr (std::is_same_v<T, FlowJoBiex>)
          return x.max_value == y.max_value && x.width == y.width && x.positive == y.positive &&
                 x.negative == y.negative;
        else return x.T == y.T && x.W == y.W && x.M == y.M && x.A == y.A;
      },
      a);
}

std::shared_ptr<const detail::Engine> cached_engine(const Transform& t) {
  static std::mutex mutex;
  static std::vector<std::shared_ptr<const detail::Engine>> cache;  // most recent last
  constexpr std::size_t kCapacity = 64;
  {
    std::lock_guard lock(mutex);
    for (auto it = cache.begin(); it != cache.end(); ++it) {
      if (same((*it)->transform(), t)) {
        auto found = *it;
        cache.erase(it);
        cache.push_back(found);
        return found;
      }
    }
  }
  auto engine = std::make_shared<const detail::Engine>(t);  // built outside the lock
  std::lock_guard lock(mutex);
  if (cache.size() >= kCapacity) cache.erase(cache.begin());
  cache.push_back(engine);
  return engine;
}

void check_sizes(std::span<const double> in, std::span<double> out) {
  if (out.size() < in.size())
    throw Error("transform", "output span holds " + std::to_string(out.size()) + " values, input " +
                                 std::to_string(in.size()));
}

// Large spans are split over OpenMP threads (each element is independent, so results do not
// depend on the thread count). Inside an enclosing parallel region this runs serially.
template <typename Fn>
void for_chunks(std::size_t n, Fn&& fn) {
  constexpr std::size_t kParallelMin = 1 << 16;
  if (n < kParallelMin || omp_in_parallel()) {
    fn(0, n);
    return;
  }
  const std::ptrdiff_t chunk = 1 << 14;
  const std::ptrdiff_t chunks = static_cast<std::ptrdiff_t>((n + chunk - 1) / chunk);
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t c = 0; c < chunks; ++c) {
    const std::size_t begin = static_cast<std::size_t>(c * chunk);
    fn(begin, std::min(n, begin + static_cast<std::size_t>(chunk)));
  }
}

}  // namespace

PreparedTransform::PreparedTransform(const Transform& t) : engine_(cached_engine(t)) {}

const Transform& PreparedTransform::transform() const noexcept { return engine_->transform(); }
double PreparedTransform::apply(double x) const { return engine_->apply(x); }
double PreparedTransform::inverse(double y) const { return engine_->inverse(y); }

void PreparedTransform::apply(std::span<const double> in, std::span<double> out) const {
  check_sizes(in, out);
  for_chunks(in.size(), [&](std::size_t b, std::size_t e) {
    engine_->apply(in.subspan(b, e - b), out.subspan(b, e - b));
  });
}

void PreparedTransform::inverse(std::span<const double> in, std::span<double> out) const {
  check_sizes(in, out);
  for_chunks(in.size(), [&](std::size_t b, std::size_t e) {
    engine_->inverse(in.subspan(b, e - b), out.subspan(b, e - b));
  });
}

double apply(const Transform& t, double x) {
  // Closed forms are cheap to set up; biexponentials need only the solved constants here,
  // not the table, so the cache (which holds both) is still the cheapest route.
  return cached_engine(t)->apply(x);
}

double inverse(const Transform& t, double y) { return cached_engine(t)->inverse(y); }

void apply(const Transform& t, std::span<const double> in, std::span<double> out) {
  PreparedTransform(t).apply(in, out);
}

void inverse(const Transform& t, std::span<const double> in, std::span<double> out) {
  PreparedTransform(t).inverse(in, out);
}

}  // namespace mrdflow::transforms
