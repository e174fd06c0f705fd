// A row field that is a list: PostgreSQL reads an array into it, SQLite has no list value.
// expect: sqlproof: SQLite has no list values to read into a std::vector field
#include <sqlproof/database.hpp>

#include <cstdint>
#include <string>
#include <vector>

#ifdef SQLPROOF_COMPILE_FAIL_FIXED
using tags_of = sqlproof::query<"SELECT json_group_array(tag) FROM tags WHERE item = ?",
                                std::string(std::int64_t)>;
#else
using tags_of = sqlproof::query<"SELECT json_group_array(tag) FROM tags WHERE item = ?",
                                std::vector<std::string>(std::int64_t)>;
#endif

int main() {
  sqlproof::database db{":memory:"};
  static_cast<void>(db.one<tags_of>(std::int64_t{1}));
}
