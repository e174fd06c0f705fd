#pragma once
// PostgreSQL's binary array format: the header of a value, checked against its length.
//
// array_send / array_recv (src/backend/utils/adt/arrayfuncs.c), big-endian:
//   int32 ndim, int32 flags (1 when any element is NULL), uint32 element type,
//   per dimension int32 length and int32 lower bound,
//   per element int32 length (-1 for NULL) and its bytes in the element's binary format.
// An empty array has ndim 0 and no dimensions. Only one dimension is sent or read here.

#include <cstdint>
#include <string_view>

#include "wire.hpp"

namespace sqlproof::pg::detail {

// An array value's header, checked against its length.
struct array_header {
  oid element = 0;
  std::int64_t count = 0;
  const char* elements = nullptr;
};

[[noreturn]] SQLPROOF_COLD inline void throw_array_dimensions(const field& f,
                                                              std::string_view cpp_type) {
  throw_read_error(f, cpp_type,
                   concat({"the ", type_name_of(f.type), " value has more than one dimension"}),
                   "read one-dimensional arrays only (unnest or array_to_json the rest)");
}

[[noreturn]] SQLPROOF_COLD inline void throw_null_element(const field& f,
                                                          std::string_view element_type) {
  throw_read_error(f, concat({"std::vector<", element_type, ">"}),
                   concat({"the ", type_name_of(f.type), " value has a NULL element"}),
                   concat({"declare it std::vector<std::optional<", element_type, ">>"}));
}

inline array_header read_array_header(const field& f, std::string_view cpp_type) {
  if (f.length < 12) [[unlikely]] throw_malformed(f, cpp_type);
  const auto ndim = static_cast<std::int32_t>(load_u32(f.data));
  const std::uint32_t flags = load_u32(f.data + 4);
  array_header h;
  h.element = load_u32(f.data + 8);
  if (ndim > 1) [[unlikely]] throw_array_dimensions(f, cpp_type);
  if (ndim < 0 || flags > 1 || h.element != element_of(f.type)) [[unlikely]] {
    throw_malformed(f, cpp_type);
  }
  if (ndim == 0) {
    h.elements = f.data + 12;
    if (f.length != 12) [[unlikely]] throw_malformed(f, cpp_type);
    return h;
  }
  if (f.length < 20) [[unlikely]] throw_malformed(f, cpp_type);
  h.count = static_cast<std::int32_t>(load_u32(f.data + 12));
  // Every element takes at least its 4-byte length: a count beyond that is malformed, and
  // checking it first keeps a bad count from reserving memory.
  if (h.count < 0 || h.count > (f.length - 20) / 4) [[unlikely]] throw_malformed(f, cpp_type);
  h.elements = f.data + 20;
  return h;
}

}  // namespace sqlproof::pg::detail
