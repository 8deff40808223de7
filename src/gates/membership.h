#pragma once
// One bit per event: which events belong to a population. 64 events per word, so counting a
// population is a popcount and combining populations (parent AND child, boolean gates) is a
// word-wise loop, not an event loop.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace mrdflow::gates {

class Membership {
 public:
  static constexpr std::size_t kBitsPerWord = 64;

  Membership() = default;
  explicit Membership(std::size_t events, bool value = false);

  std::size_t size() const noexcept { return events_; }
  std::size_t word_count() const noexcept { return words_.size(); }
  std::span<std::uint64_t> words() noexcept { return words_; }
  std::span<const std::uint64_t> words() const noexcept { return words_; }

  bool test(std::size_t event) const noexcept {
    return (words_[event / kBitsPerWord] >> (event % kBitsPerWord)) & 1u;
  }
  void set(std::size_t event, bool value = true) noexcept;
  std::size_t count() const noexcept;  // events in the population

  Membership& operator&=(const Membership& other);  // sizes must match (throws otherwise)
  Membership& operator|=(const Membership& other);
  void flip() noexcept;  // complement; bits past size() stay zero
  // Zeroes the bits past size() in the last word (kernels write whole words).
  void clear_tail() noexcept;

  friend bool operator==(const Membership&, const Membership&) = default;

 private:
  std::size_t events_ = 0;
  std::vector<std::uint64_t> words_;
};

}  // namespace mrdflow::gates
