// Reading into an enum whose underlying type is not fixed: its values are only those of its
// enumerators' bit-field, so any other integer would be undefined behaviour.
// expect: sqlproof: an enum without a fixed underlying type cannot be read from a column
#include <sqlproof/sqlproof.hpp>

enum color { red, green, blue };

using favourite_color = sqlproof::query<"SELECT 10", color()>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.one<favourite_color>();
}
