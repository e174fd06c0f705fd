#pragma once
// The readable name of a type, for error messages ("User", "std::int64_t"), taken from the
// compiler's function signature text; both g++ and clang++ spell it inside "[T = ...]".

#include <string_view>

namespace sqlproof::detail {

template <class T>
constexpr std::string_view raw_type_name() noexcept {
  std::string_view f = __PRETTY_FUNCTION__;
  const auto start = f.find("T = ");
  if (start == std::string_view::npos) return f;
  f.remove_prefix(start + 4);
  // g++ appends "; std::string_view = ..." after the argument, clang++ ends with "]".
  std::size_t depth = 0;
  for (std::size_t i = 0; i < f.size(); ++i) {
    const char c = f[i];
    if (c == '<' || c == '(' || c == '[') ++depth;
    if ((c == '>' || c == ')') && depth > 0) --depth;
    if (depth == 0 && (c == ';' || c == ']')) return f.substr(0, i);
    if (c == ']' && depth > 0) --depth;
  }
  return f;
}

template <class T>
inline constexpr std::string_view type_name = raw_type_name<T>();

}  // namespace sqlproof::detail
