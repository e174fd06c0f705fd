#pragma once
// The iterator of every backend's row range (`db.iter<Q>(...)`): an input iterator over the
// range's current row. The range keeps the row (`std::optional<Row> current_`, empty at the
// end) and reads the next one (`advance()`); it befriends this class and constructs it in
// `begin()`.

#include <cstddef>
#include "iterator.hpp"

namespace sqlproof::detail {

template <class Range, class Row>
class row_iterator {
 public:
  using iterator_concept = std::input_iterator_tag;
  using iterator_category = std::input_iterator_tag;
  using value_type = Row;
  using difference_type = std::ptrdiff_t;
  using reference = const Row&;
  using pointer = const Row*;

  row_iterator() noexcept = default;
  reference operator*() const noexcept { return *range_->current_; }
  pointer operator->() const noexcept { return &*range_->current_; }
  row_iterator& operator++() {
    range_->advance();
    return *this;
  }
  void operator++(int) { ++*this; }
  friend bool operator==(const row_iterator& it, std::default_sentinel_t) noexcept {
    return it.at_end();
  }

 private:
  friend Range;
  explicit row_iterator(Range* r) noexcept : range_(r) {}
  [[nodiscard]] bool at_end() const noexcept {
    return range_ == nullptr || !range_->current_.has_value();
  }
  Range* range_ = nullptr;
};

}  // namespace sqlproof::detail
