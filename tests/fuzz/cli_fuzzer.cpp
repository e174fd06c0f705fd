// Argument vectors for cli::run.
//
// The input is split at newlines into arguments (argv[0] is the program name). A first line
// holding a single digit 0-3 is not an argument: it migrates the in-memory database to that
// version first, so commands meet a database in every state. cli::run must return one of the
// documented exit codes, write something (a result, a usage text or an error), and never
// throw; a crash or a sanitizer report is a finding too.

#include <sqlite3.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <sqlproof/cli.hpp>
#include <sqlproof/database.hpp>
#include <sqlproof/migration.hpp>

#include "fuzz_check.hpp"

namespace {

namespace sp = sqlproof;
using sqlproof_fuzz::check;

constexpr auto schema = sp::migrations(
    sp::migration<1, "create users">(
        sp::up("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"),
        sp::down("DROP TABLE users")),
    sp::migration<2, "create posts">(sp::up("CREATE TABLE posts (id INTEGER PRIMARY KEY)"),
                                     sp::down("DROP TABLE posts")),
    sp::migration<3, "index users">(sp::up("CREATE INDEX users_name ON users(name)"),
                                    sp::irreversible()));

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> words;
  for (std::size_t at = 0; at <= text.size();) {
    const std::size_t nl = std::min(text.find('\n', at), text.size());
    words.emplace_back(text.substr(at, nl - at));
    at = nl + 1;
    if (words.size() > 16) break;
  }
  sp::database db{":memory:"};
  sqlite3_limit(db.native_handle(), SQLITE_LIMIT_ATTACHED, 0);
  std::size_t first = 0;
  if (!words.empty() && words[0].size() == 1 && words[0][0] >= '0' && words[0][0] <= '3') {
    if (words[0][0] != '0') sp::migrator{db, schema}.migrate_to(words[0][0] - '0');
    first = 1;
  }
  std::vector<const char*> argv{"app"};
  for (std::size_t k = first; k < words.size(); ++k) argv.push_back(words[k].c_str());
  argv.push_back(nullptr);

  std::ostringstream out;
  std::ostringstream err;
  const int code = sp::cli::run(static_cast<int>(argv.size() - 1), argv.data(), db, schema, out,
                                err);
  check(code >= sp::cli::success && code <= sp::cli::busy, "cli::run returned an unknown code",
        text);
  check(!out.str().empty() || !err.str().empty(), "cli::run said nothing", text);
  check(sqlite3_get_autocommit(db.native_handle()) != 0, "cli::run left a transaction open",
        text);
  return 0;
}
