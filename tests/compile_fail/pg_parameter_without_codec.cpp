// A parameter whose type has neither a PostgreSQL codec nor value_traits.
// expect: sqlproof: a parameter type cannot be sent to PostgreSQL
#include <sqlproof/postgres/detail/codec.hpp>

#include <cstdint>

struct point {
  double x;
  double y;
};

int main() {
  sqlproof::pg::detail::param_list params;
#ifdef SQLPROOF_COMPILE_FAIL_FIXED
  sqlproof::pg::detail::encode_params(params, std::int64_t{1}, 2.5);
#else
  sqlproof::pg::detail::encode_params(params, std::int64_t{1}, point{1, 2});
#endif
}
