// A row read from PostgreSQL with a std::string_view field: it would point into the result,
// which is freed with it.
// expect: sqlproof: the row type has a field PostgreSQL cannot read into
#include <sqlproof/postgres/detail/codec.hpp>

#include <cstdint>
#include <string>
#include <string_view>

struct user {
  std::int64_t id;
#ifdef SQLPROOF_COMPILE_FAIL_FIXED
  std::string name;
#else
  std::string_view name;
#endif
};

int main() {
  const sqlproof::pg::detail::field fields[2]{};
  (void)sqlproof::pg::detail::read_row<user>(fields, 2);
}
