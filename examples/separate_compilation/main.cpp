// Separate compilation: a program of several files, every one compiled with
// SQLPROOF_SEPARATE_COMPILATION defined, and sqlproof.cpp compiling the library's fixed code
// once for all of them (docs/separate-compilation.md). The program itself is the same as a
// header-only one; errors are thrown and caught across the files as usual.
// Uses an in-memory database.
#include <sqlproof/database.hpp>

#include <cstdio>

#include "users.hpp"

int main() {
  sqlproof::database db(":memory:");
  create_users_table(db);

  db.transaction([&] {
    add_user(db, "Ann", std::nullopt);
    add_user(db, "Bo", "bo@example.org");
  });

  for (const User& u : all_users(db)) {
    std::printf("%lld %s %s\n", static_cast<long long>(u.id), u.name.c_str(),
                u.email ? u.email->c_str() : "NULL");
  }

  // An error thrown by the fixed code in sqlproof.cpp, caught here.
  try {
    db.exec_script("INSERT INTO users (name) VALUES (NULL)");
    std::fprintf(stderr, "separate_compilation: the NOT NULL violation was not reported\n");
    return 1;
  } catch (const sqlproof::constraint_error& e) {
    std::printf("constraint_error: %s\n", e.what());
  }

  const std::optional<User> bo = find_user(db, 2);
  if (!bo || bo->name != "Bo") {
    std::fprintf(stderr, "separate_compilation: user 2 is not Bo\n");
    return 1;
  }
  std::printf("separate_compilation: ok\n");
}
