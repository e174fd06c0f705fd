// Reading an enum whose underlying type is not fixed from PostgreSQL: its values are only
// those of its enumerators' bit-field, so any other integer would be undefined behaviour.
// expect: sqlproof: an enum without a fixed underlying type cannot be read from a column
#include <sqlproof/postgres/detail/codec.hpp>

#ifdef SQLPROOF_COMPILE_FAIL_FIXED
enum color : int { red, green, blue };
#else
enum color { red, green, blue };
#endif

int main() {
  const sqlproof::pg::detail::field f{};
  (void)sqlproof::pg::detail::codec<color>::decode(f);
}
