#pragma once
// The readable name of a type, for error messages ("User", "std::int64_t"), taken from the
// compiler's function signature text; both g++ and clang++ spell it inside "[T = ...]".

#include <cstddef>
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

// Spells the compiler's name the way a person writes it: std::string rather than
// std::__cxx11::basic_string<char>, and without the anonymous-namespace prefix that g++ and
// clang++ spell differently.
struct cleaned_name {
  char text[512]{};
  std::size_t size = 0;
};

constexpr cleaned_name clean_type_name(std::string_view raw) noexcept {
  constexpr std::string_view from[] = {"std::__cxx11::basic_string<char>",
                                       "std::basic_string<char>",
                                       "std::basic_string_view<char>",
                                       "{anonymous}::",
                                       "(anonymous namespace)::"};
  constexpr std::string_view to[] = {"std::string", "std::string", "std::string_view", "", ""};
  cleaned_name out{};
  std::size_t i = 0;
  while (i < raw.size() && out.size + 1 < sizeof out.text) {
    bool replaced = false;
    for (std::size_t k = 0; k < sizeof from / sizeof from[0]; ++k) {
      if (raw.substr(i, from[k].size()) == from[k]) {
        for (char c : to[k]) {
          if (out.size + 1 < sizeof out.text) out.text[out.size++] = c;
        }
        i += from[k].size();
        replaced = true;
        break;
      }
    }
    if (!replaced) out.text[out.size++] = raw[i++];
  }
  return out;
}

// The cleaned name in an array of exactly its length (plus a terminating NUL): only this
// reaches the binary, not the 512-byte working buffer.
template <std::size_t N>
struct stored_name {
  char text[N + 1]{};
};

template <class T>
inline constexpr cleaned_name cleaned_type_name = clean_type_name(raw_type_name<T>());

template <class T>
inline constexpr auto stored_type_name = [] {
  stored_name<cleaned_type_name<T>.size> out{};
  for (std::size_t i = 0; i < cleaned_type_name<T>.size; ++i) out.text[i] = cleaned_type_name<T>.text[i];
  return out;
}();

template <class T>
inline constexpr std::string_view type_name{stored_type_name<T>.text, cleaned_type_name<T>.size};

}  // namespace sqlproof::detail
