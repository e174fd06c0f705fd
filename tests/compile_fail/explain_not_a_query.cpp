// database::explain<Q>() takes a query type, not a row struct.
// expect: sqlproof: explain<Q>() needs a query type
#include <sqlproof/sqlproof.hpp>

#include <cstdint>

struct user {
  std::int64_t id;
};

int main() {
  sqlproof::database db{":memory:"};
  (void)db.explain<user>();
}
