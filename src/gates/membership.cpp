#include "gates/membership.h"

#include <bit>
#include <string>

#include "common/error.h"

namespace mrdflow::gates {

namespace {
void require_same_size(std::size_t a, std::size_t b) {
  if (a != b) {
    throw Error("gates", "membership sizes differ: " + std::to_string(a) + " vs " +
                             std::to_string(b) + " events");
  }
}
}  // namespace

Membership::Membership(std::size_t events, bool value)
    : events_(events),
      words_((events + kBitsPerWord - 1) / kBitsPerWord, value ? ~std::uint64_t{0} : 0) {
  clear_tail();
}

void Membership::set(std::size_t event, bool value) noexcept {
  const std::uint64_t bit = std::uint64_t{1} << (event % kBitsPerWord);
  if (value) {
    words_[event / kBitsPerWord] |= bit;
  } else {
    words_[event / kBitsPerWord] &= ~bit;
  }
}

std::size_t Membership::count() const noexcept {
  std::size_t n = 0;
  for (const std::uint64_t w : words_) n += static_cast<std::size_t>(std::popcount(w));
  return n;
}

Membership& Membership::operator&=(const Membership& other) {
  require_same_size(events_, other.events_);
  for (std::size_t i = 0; i < words_.size(); ++i) words_[i] &= other.words_[i];
  return *this;
}

Membership& Membership::operator|=(const Membership& other) {
  require_same_size(events_, other.events_);
  for (std::size_t i = 0; i < words_.size(); ++i) words_[i] |= other.words_[i];
  return *this;
}

void Membership::flip() noexcept {
  for (auto& w : words_) w = ~w;
  clear_tail();
}

void Membership::clear_tail() noexcept {
  const std::size_t used = events_ % kBitsPerWord;
  if (used != 0 && !words_.empty()) words_.back() &= (std::uint64_t{1} << used) - 1;
}

}  // namespace mrdflow::gates
