// Tests for include/sqlproof/database.hpp (and the dynamic-SQL `statement` it hands out):
// opening and closing, moving, options, exec_script, prepare / prepare_cached, exec results,
// and the check that refuses a second thread inside a connection.

#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include <sqlproof/sqlproof.hpp>

#include "../catch.hpp"
#include "support/scratch_dir.hpp"

#if __has_include(<sys/mman.h>)
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace sp = sqlproof;
using namespace std::chrono_literals;

namespace {

struct scratch_dir : sqlproof_test::scratch_dir {
  scratch_dir() : sqlproof_test::scratch_dir("database") {}
};


struct person {
  std::int64_t id;
  std::string name;
  int age;
};

bool operator==(const person& a, const person& b) {
  return a.id == b.id && a.name == b.name && a.age == b.age;
}

using add_person = sp::query<"INSERT INTO people (name, age) VALUES (?, ?)",
                             void(std::string_view, int)>;
using person_by_id = sp::query<"SELECT id, name, age FROM people WHERE id = ?",
                               person(std::int64_t)>;
using older_than = sp::query<"SELECT id, name, age FROM people WHERE age > :age ORDER BY id",
                             person(int)>;
using birthday = sp::query<"UPDATE people SET age = age + 1 WHERE age >= ?", void(int)>;
using person_count = sp::query<"SELECT count(*) FROM people", std::int64_t()>;

constexpr std::string_view people_schema =
    "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL, age INTEGER NOT NULL)";

// A database with Ann (1, 31), Bo (2, 40) and Cy (3, 25).
sp::database people_database(const std::string& path = ":memory:",
                             const sp::options& o = sp::options{}) {
  sp::database db{path, o};
  db.exec_script(people_schema);
  db.exec<add_person>("Ann", 31);
  db.exec<add_person>("Bo", 40);
  db.exec<add_person>("Cy", 25);
  return db;
}

template <class T>
T pragma(sp::database& db, std::string_view name) {
  return db.prepare("PRAGMA " + std::string(name)).one<T>().value();
}

int live_statements(const sp::database& db) {
  int n = 0;
  for (sqlite3_stmt* s = sqlite3_next_stmt(db.native_handle(), nullptr); s != nullptr;
       s = sqlite3_next_stmt(db.native_handle(), s)) {
    ++n;
  }
  return n;
}

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

}  // namespace

TEST_CASE("database: opens and closes") {
  sp::database db{":memory:"};
  CHECK(db.is_open());
  CHECK(db.path() == ":memory:");
  CHECK(db.native_handle() != nullptr);
  CHECK_FALSE(db.in_transaction());

  db.close();
  CHECK_FALSE(db.is_open());
  CHECK(db.native_handle() == nullptr);
  CHECK(db.path() == ":memory:");
  CHECK(db.changes() == 0);
  CHECK(db.total_changes() == 0);
  CHECK(db.last_insert_rowid() == 0);
  CHECK_THROWS_AS(db.exec_script("SELECT 1"), sp::misuse_error);
  CHECK_THROWS_AS(db.prepare("SELECT 1"), sp::misuse_error);
  CHECK_THROWS_AS(db.prepare_cached("SELECT 1"), sp::misuse_error);
  CHECK_THROWS_AS(db.one<person_count>(), sp::misuse_error);
}

TEST_CASE("database: a file database keeps its data across connections") {
  const scratch_dir dir;
  const std::string path = dir.file("people.db");
  {
    sp::database db = people_database(path);
    CHECK(db.path() == path);
  }
  REQUIRE(std::filesystem::exists(path));
  sp::database db{path};
  CHECK(db.one<person_by_id>(std::int64_t{2}) == std::optional<person>{person{2, "Bo", 40}});
}

TEST_CASE("database: moving keeps the connection and its cached statements") {
  sp::database a = people_database();
  REQUIRE(a.one<person_by_id>(std::int64_t{1}) == std::optional<person>{person{1, "Ann", 31}});
  const sp::statement_cache_stats before = a.cache().stats();
  REQUIRE(before.prepares == 2);  // add_person, person_by_id
  sqlite3* const handle = a.native_handle();

  SECTION("move construction") {
    sp::database b{std::move(a)};
    CHECK_FALSE(a.is_open());  // a moved-from database is closed
    CHECK(a.native_handle() == nullptr);
    CHECK(b.is_open());
    CHECK(b.native_handle() == handle);

    CHECK(b.one<person_by_id>(std::int64_t{3}) == std::optional<person>{person{3, "Cy", 25}});
    const sp::statement_cache_stats s = b.cache().stats();
    CHECK(s.prepares == before.prepares);  // the statement prepared before the move is reused
    CHECK(s.hits == before.hits + 1);
    CHECK(b.all<older_than>(30) ==
          std::vector<person>{person{1, "Ann", 31}, person{2, "Bo", 40}});
  }
  SECTION("move assignment closes the target's old connection") {
    sp::database b{":memory:"};
    b.exec_script("CREATE TABLE other (x INTEGER)");
    b = std::move(a);
    CHECK_FALSE(a.is_open());  // a moved-from database is closed
    CHECK(b.native_handle() == handle);
    CHECK(b.one<person_by_id>(std::int64_t{2}) == std::optional<person>{person{2, "Bo", 40}});
    CHECK(b.cache().stats().hits == before.hits + 1);
    CHECK(b.cache().stats().prepares == before.prepares);
    CHECK_THROWS(b.exec_script("INSERT INTO other VALUES (1)"));  // b's old database is gone

    // A moved-from database accepts a new connection.
    a = sp::database{":memory:"};
    CHECK(a.is_open());
    a.exec_script(people_schema);
    CHECK(a.one<person_count>() == std::optional<std::int64_t>{0});
  }
  SECTION("statements live across the move of a range's database") {
    auto range = a.iter<older_than>(0);
    sp::database b{std::move(a)};
    std::vector<std::int64_t> ids;
    for (const person& p : range) ids.push_back(p.id);
    CHECK(ids == std::vector<std::int64_t>{1, 2, 3});
    CHECK(b.cache().in_use() == 0);
  }
}

TEST_CASE("database: options::production() is applied") {
  const scratch_dir dir;
  const std::string path = dir.file("production.db");
  sp::database db{path, sp::options::production()};

  CHECK(pragma<std::string>(db, "journal_mode") == "wal");
  CHECK(pragma<std::int64_t>(db, "synchronous") == 1);  // NORMAL
  CHECK(pragma<std::int64_t>(db, "foreign_keys") == 1);
  CHECK(pragma<std::int64_t>(db, "busy_timeout") == 5000);
  CHECK(pragma<std::int64_t>(db, "cache_size") == -65536);
  CHECK(pragma<std::int64_t>(db, "mmap_size") == std::int64_t{256} * 1024 * 1024);
  CHECK(pragma<std::int64_t>(db, "temp_store") == 2);  // MEMORY
  CHECK(pragma<std::int64_t>(db, "wal_autocheckpoint") == 1000);
  CHECK(pragma<std::int64_t>(db, "journal_size_limit") == std::int64_t{64} * 1024 * 1024);
  CHECK(pragma<std::int64_t>(db, "auto_vacuum") == 2);  // INCREMENTAL

  // auto_vacuum took effect on the new file: it survives reopening without the option.
  db.exec_script(people_schema);
  db.close();
  sp::database again{path};
  CHECK(pragma<std::int64_t>(again, "auto_vacuum") == 2);
  CHECK(pragma<std::string>(again, "journal_mode") == "wal");  // persistent too
}

TEST_CASE("database: options::production() opens while another connection is writing") {
  const scratch_dir dir;
  const std::string path = dir.file("busy-wal.db");
  sp::database writer = people_database(path, sp::options::production());
  auto tx = writer.begin(sp::tx_mode::immediate);
  writer.exec<add_person>("Di", 50);  // the write lock stays held

  // Opening reads and changes nothing that needs the write lock, so it neither waits for
  // the writer nor fails: a reader sees the committed rows while the write is under way.
  sp::options o = sp::options::production();
  o.busy_timeout = 200ms;
  sp::database reader{path, o};
  CHECK(reader.one<person_count>() == std::optional<std::int64_t>{3});
  CHECK(pragma<std::string>(reader, "journal_mode") == "wal");
  CHECK(pragma<std::int64_t>(reader, "auto_vacuum") == 2);
  CHECK(pragma<std::int64_t>(reader, "cache_size") == -65536);
  CHECK(sp::pragma_mismatches(o, reader.pragmas()).empty());

  tx.commit();
  CHECK(reader.one<person_count>() == std::optional<std::int64_t>{4});
  reader.exec<add_person>("Ed", 20);
  CHECK(writer.one<person_count>() == std::optional<std::int64_t>{5});
}

TEST_CASE("database: opening while another connection holds the file locked is a busy_error") {
  const scratch_dir dir;
  const std::string path = dir.file("busy-rollback.db");
  sp::database writer = people_database(path);  // rollback journal: a writer locks readers out
  auto tx = writer.begin(sp::tx_mode::exclusive);
  writer.exec<add_person>("Di", 50);

  sp::options o = sp::options::production();
  o.busy_timeout = 50ms;
  try {
    sp::database blocked{path, o};
    FAIL("expected busy_error");
  } catch (const sp::busy_error& e) {
    CHECK(e.primary_code() == SQLITE_BUSY);
    CHECK(contains(e.what(), path));
  }
  tx.rollback();
  sp::database opened{path, o};
  CHECK(opened.one<person_count>() == std::optional<std::int64_t>{3});
}

TEST_CASE("database: switching to WAL waits for another connection's write lock") {
  const scratch_dir dir;
  const std::string path = dir.file("switch-to-wal.db");
  sp::database writer = people_database(path);  // rollback journal
  auto tx = writer.begin(sp::tx_mode::immediate);
  writer.exec<add_person>("Di", 50);  // the write lock stays held

  // Switching the journal mode needs the exclusive lock while the switching statement holds a
  // shared one, so SQLite reports SQLITE_BUSY at once rather than call the busy handler
  // (waiting there could deadlock). Opening tries again until busy_timeout has passed.
  sp::options o = sp::options::production();
  SECTION("the lock is released within busy_timeout: the open waits for it") {
    o.busy_timeout = 10s;
    std::atomic<bool> done{false};
    std::string mode;
    std::optional<std::int64_t> count;
    std::string failure;
    std::thread opener([&] {  // Catch2's assertions stay on the test's thread
      try {
        sp::database db{path, o};
        mode = pragma<std::string>(db, "journal_mode");
        count = db.one<person_count>();
      } catch (const std::exception& e) {
        failure = e.what();
      }
      done = true;
    });
    std::this_thread::sleep_for(200ms);
    const bool done_while_locked = done.load();
    tx.commit();
    opener.join();
    CHECK_FALSE(done_while_locked);  // it waited for the writer
    CHECK(failure.empty());
    CHECK(mode == "wal");
    CHECK(count == std::optional<std::int64_t>{4});
  }
  SECTION("the lock outlasts busy_timeout: busy_error, after waiting") {
    o.busy_timeout = 150ms;
    const auto start = std::chrono::steady_clock::now();
    CHECK_THROWS_AS(sp::database(path, o), sp::busy_error);
    CHECK(std::chrono::steady_clock::now() - start >= 150ms);
    tx.rollback();
    sp::database db{path, o};
    CHECK(pragma<std::string>(db, "journal_mode") == "wal");
  }
}

TEST_CASE("database: page_size and auto_vacuum apply to a new file only; pragma_mismatches reports the rest") {
  const scratch_dir dir;
  const std::string path = dir.file("existing.db");
  people_database(path);  // SQLite's defaults: 4096-byte pages, no auto-vacuum

  sp::options o = sp::options::production();
  o.page_size = 8192;
  sp::database db{path, o};
  CHECK(pragma<std::int64_t>(db, "page_size") == 4096);
  CHECK(pragma<std::int64_t>(db, "auto_vacuum") == 0);
  CHECK(pragma<std::string>(db, "journal_mode") == "wal");
  CHECK(sp::pragma_mismatches(o, db.pragmas()) ==
        std::vector<std::string>{"auto_vacuum: wanted INCREMENTAL, in effect NONE",
                                 "page_size: wanted 8192, in effect 4096"});

  sp::database fresh{dir.file("fresh.db"), o};
  CHECK(pragma<std::int64_t>(fresh, "page_size") == 8192);
  CHECK(pragma<std::int64_t>(fresh, "auto_vacuum") == 2);
  CHECK(sp::pragma_mismatches(o, fresh.pragmas()).empty());
}

TEST_CASE("database: options::in_memory()") {
  const sp::options o = sp::options::in_memory();
  CHECK(o.journal == sp::journal_mode::memory);
  CHECK(o.synchronous == sp::synchronous_mode::off);

  sp::database db{":memory:", o};
  CHECK(pragma<std::string>(db, "journal_mode") == "memory");
  CHECK(pragma<std::int64_t>(db, "synchronous") == 0);
  CHECK(pragma<std::int64_t>(db, "temp_store") == 2);
  CHECK(pragma<std::int64_t>(db, "foreign_keys") == 1);

  const scratch_dir dir;
  sp::database file{dir.file("memory-journal.db"), o};
  CHECK(pragma<std::string>(file, "journal_mode") == "memory");
}

TEST_CASE("database: default options turn foreign keys on and keep SQLite's other defaults") {
  const scratch_dir dir;
  sp::database db{dir.file("defaults.db")};
  CHECK(pragma<std::int64_t>(db, "foreign_keys") == 1);
  CHECK(pragma<std::int64_t>(db, "busy_timeout") == 5000);
  CHECK(pragma<std::string>(db, "journal_mode") == "delete");
  CHECK(pragma<std::int64_t>(db, "auto_vacuum") == 0);

  db.exec_script(
      "CREATE TABLE parent (id INTEGER PRIMARY KEY);"
      "CREATE TABLE child (id INTEGER PRIMARY KEY, parent INTEGER REFERENCES parent(id));");
  CHECK_THROWS_AS(db.exec_script("INSERT INTO child (id, parent) VALUES (1, 99)"),
                  sp::constraint_error);

  sp::options off;
  off.foreign_keys = false;
  off.busy_timeout = 250ms;
  sp::database lax{dir.file("lax.db"), off};
  CHECK(pragma<std::int64_t>(lax, "foreign_keys") == 0);
  CHECK(pragma<std::int64_t>(lax, "busy_timeout") == 250);
}

TEST_CASE("database: read_only together with create is an open_error") {
  const scratch_dir dir;
  const std::string path = dir.file("never.db");
  sp::options o;
  o.read_only = true;  // create stays true
  try {
    sp::database db{path, o};
    FAIL("expected open_error");
  } catch (const sp::open_error& e) {
    CHECK(contains(e.what(), path));
    CHECK(contains(e.what(), "create"));
  }
  CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("database: a read-only connection reads but refuses writes") {
  const scratch_dir dir;
  const std::string path = dir.file("readonly.db");
  people_database(path);

  sp::options o;
  o.read_only = true;
  o.create = false;
  sp::database db{path, o};
  CHECK(db.one<person_count>() == std::optional<std::int64_t>{3});
  try {
    db.exec<add_person>("Di", 50);
    FAIL("expected an error");
  } catch (const sp::error& e) {
    CHECK(e.primary_code() == SQLITE_READONLY);
    CHECK(contains(e.what(), "INSERT INTO people"));
  }
  CHECK_THROWS_AS(db.exec_script("DELETE FROM people"), sp::error);
  CHECK(db.one<person_count>() == std::optional<std::int64_t>{3});
}

TEST_CASE("database: opening a missing file without create names the path") {
  const scratch_dir dir;
  const std::string path = dir.file("missing.db");
  sp::options o;
  o.create = false;
  try {
    sp::database db{path, o};
    FAIL("expected open_error");
  } catch (const sp::open_error& e) {
    CHECK(contains(e.what(), path));
    CHECK(e.primary_code() == SQLITE_CANTOPEN);
    CHECK_FALSE(e.sqlite_message().empty());
  }
  CHECK_FALSE(std::filesystem::exists(path));

  const std::string in_missing_dir = dir.file("no/such/dir.db");
  CHECK_THROWS_AS(sp::database{in_missing_dir}, sp::open_error);
}

TEST_CASE("database: a file that is not a database is refused at open, naming the file") {
  const scratch_dir dir;
  const std::string path = dir.file("notes.txt");
  {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    REQUIRE(f != nullptr);
    const std::string text(2000, 'x');
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
  }
  sp::options read_only;
  read_only.read_only = true;
  read_only.create = false;
  for (const sp::options& o : {sp::options{}, sp::options::production(), read_only}) {
    try {
      sp::database db{path, o};
      FAIL("a text file was opened as a database");
    } catch (const sp::open_error& e) {
      CHECK(e.primary_code() == SQLITE_NOTADB);
      CHECK(contains(e.what(), "cannot open database '" + path + "'"));
      CHECK(contains(e.sqlite_message(), "not a database"));
      CHECK(e.sql().empty());  // about the file, not about a statement
    }
  }
  CHECK(std::filesystem::file_size(path) == 2000);  // left as it was
}

TEST_CASE("database: exec_script runs several statements with comments and semicolons") {
  sp::database db{":memory:"};
  db.exec_script(R"sql(
    -- a schema with comments
    CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL); /* block comment; with a semicolon */
    INSERT INTO notes (body) VALUES ('first; not a separator');;
    INSERT INTO notes (body) VALUES ('second -- not a comment');
    ;
    -- trailing comment only
  )sql");
  CHECK(db.prepare("SELECT body FROM notes ORDER BY id").all<std::string>() ==
        std::vector<std::string>{"first; not a separator", "second -- not a comment"});

  db.exec_script("");
  db.exec_script("  ;; -- nothing\n /* at all */ ;");
  db.exec_script("SELECT 1; SELECT 2");  // rows are discarded
  CHECK(db.prepare("SELECT count(*) FROM notes").one<std::int64_t>() ==
        std::optional<std::int64_t>{2});

  SECTION("an error names the failing statement; the ones before it stay applied") {
    try {
      db.exec_script(
          "INSERT INTO notes (body) VALUES ('third');"
          "INSERT INTO notes (body) VALUES (NULL);"
          "INSERT INTO notes (body) VALUES ('never');");
      FAIL("expected constraint_error");
    } catch (const sp::constraint_error& e) {
      CHECK(contains(e.sql(), "VALUES (NULL)"));
      CHECK_FALSE(contains(e.sql(), "third"));
      CHECK_FALSE(contains(e.sql(), "never"));
    }
    CHECK(db.prepare("SELECT count(*) FROM notes").one<std::int64_t>() ==
          std::optional<std::int64_t>{3});
  }
  SECTION("a syntax error is reported with its statement") {
    try {
      db.exec_script("SELECT 1; SELEC 2;");
      FAIL("expected error");
    } catch (const sp::error& e) {
      CHECK(contains(e.sql(), "SELEC 2"));
      CHECK(contains(e.sqlite_message(), "syntax error"));
    }
  }
}

TEST_CASE("database: prepare is not cached, prepare_cached is") {
  sp::database db = people_database();
  const std::string sql = "SELECT name FROM people WHERE id = ?";
  const sp::statement_cache_stats before = db.cache().stats();
  const int typed_statements = live_statements(db);
  REQUIRE(before.dynamic == 0);

  {
    sp::statement st = db.prepare(sql);
    CHECK(st.sql() == sql);
    CHECK(st.one<std::string>(std::int64_t{1}) == std::optional<std::string>{"Ann"});
    CHECK(db.cache().in_use() == 1);
  }
  CHECK(db.cache().in_use() == 0);
  CHECK(db.cache().stats().dynamic == 0);
  CHECK(live_statements(db) == typed_statements);  // finalized on destruction
  CHECK(db.cache().stats().misses == before.misses);  // not a cache lookup

  CHECK(db.prepare_cached(sql).one<std::string>(std::int64_t{2}) ==
        std::optional<std::string>{"Bo"});
  CHECK(db.prepare_cached(sql).one<std::string>(std::int64_t{3}) ==
        std::optional<std::string>{"Cy"});
  const sp::statement_cache_stats s = db.cache().stats();
  CHECK(s.dynamic == 1);
  CHECK(s.misses == before.misses + 1);
  CHECK(s.hits == before.hits + 1);
  CHECK(db.cache().dynamic_sql() == std::vector<std::string>{sql});
  CHECK(live_statements(db) == typed_statements + 1);

  SECTION("SQL that is not exactly one statement is refused") {
    CHECK_THROWS_AS(db.prepare("SELECT 1; SELECT 2"), sp::misuse_error);
    CHECK_THROWS_AS(db.prepare_cached("SELECT 1; SELECT 2"), sp::misuse_error);
    CHECK_THROWS_AS(db.prepare(""), sp::misuse_error);
    CHECK_THROWS_AS(db.prepare("-- only a comment"), sp::misuse_error);
    CHECK(db.prepare("SELECT 1;").one<std::int64_t>() == std::optional<std::int64_t>{1});
    CHECK(db.prepare("SELECT 1; ; -- done").one<std::int64_t>() == std::optional<std::int64_t>{1});
    CHECK(db.cache().in_use() == 0);
    CHECK(live_statements(db) == typed_statements + 1);
  }
  SECTION("a statement that does not prepare names its SQL") {
    try {
      auto st = db.prepare("SELECT nope FROM people");
      FAIL("expected error");
    } catch (const sp::error& e) {
      CHECK(e.sql() == "SELECT nope FROM people");
      CHECK(contains(e.sqlite_message(), "nope"));
    }
    CHECK(db.cache().in_use() == 0);
  }
}

#if __has_include(<sys/mman.h>)
namespace {

// A view of `size` bytes whose first page holds `prefix` and whose every other byte faults
// when read: the rest of the mapping is PROT_NONE and MAP_NORESERVE, so no memory is committed
// for it, and any code that reads past the prefix crashes the test instead of passing it.
class unreadable_text {
 public:
  unreadable_text(std::string_view prefix, std::size_t size) : length_(size) {
    const long page = sysconf(_SC_PAGESIZE);
    page_ = page > 0 ? static_cast<std::size_t>(page) : 4096;
    mapped_ = size + page_;
    void* p = mmap(nullptr, mapped_, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    if (p == MAP_FAILED) return;
    base_ = static_cast<char*>(p);
    if (mprotect(base_, page_, PROT_READ | PROT_WRITE) != 0) return;
    std::memcpy(base_, prefix.data(), prefix.size());
    ready_ = true;
  }
  unreadable_text(const unreadable_text&) = delete;
  unreadable_text& operator=(const unreadable_text&) = delete;
  ~unreadable_text() {
    if (base_ != nullptr) munmap(base_, mapped_);
  }
  [[nodiscard]] bool ready() const noexcept { return ready_; }
  [[nodiscard]] std::string_view view() const noexcept { return {base_, length_}; }

 private:
  char* base_ = nullptr;
  std::size_t length_;
  std::size_t page_ = 0;
  std::size_t mapped_ = 0;
  bool ready_ = false;
};

}  // namespace

TEST_CASE("database: SQL text longer than INT_MAX bytes is refused before it is read") {
  if constexpr (sizeof(std::size_t) > 4) {
    sp::database db = people_database();
    const std::int64_t people = *db.prepare("SELECT count(*) FROM people").one<std::int64_t>();
    REQUIRE(people > 0);
    // 2^32 + 18 bytes: cut to an int, the length is 18, exactly "DELETE FROM people".
    const std::string_view statement = "DELETE FROM people";
    const std::size_t size = (std::size_t{1} << 32) + statement.size();
    const unreadable_text text(statement, size);
    if (!text.ready()) {
      WARN("cannot reserve 4 GiB of address space; skipped");
      return;
    }
    const auto check_refused = [&](const sp::error& e) {
      CHECK(e.extended_code() == SQLITE_TOOBIG);
      CHECK(contains(e.what(), "the SQL text is 4294967314 bytes, more than SQLite accepts"));
      CHECK(e.sql().empty());  // not copied into the error either
    };
    SECTION("exec_script") {
      bool refused = false;
      try {
        db.exec_script(text.view());
      } catch (const sp::error& e) {
        refused = true;
        check_refused(e);
      }
      CHECK(refused);
    }
    SECTION("prepare") {
      bool refused = false;
      try {
        (void)db.prepare(text.view());
      } catch (const sp::error& e) {
        refused = true;
        check_refused(e);
      }
      CHECK(refused);
      CHECK(db.cache().in_use() == 0);
    }
    SECTION("prepare_cached, before the cache hashes the text") {
      bool refused = false;
      try {
        (void)db.prepare_cached(text.view());
      } catch (const sp::error& e) {
        refused = true;
        check_refused(e);
      }
      CHECK(refused);
      CHECK(db.cache().stats().dynamic == 0);
      CHECK(db.cache().in_use() == 0);
    }
    // Cut to 18 bytes, the text would have deleted every row.
    CHECK(db.prepare("SELECT count(*) FROM people").one<std::int64_t>() ==
          std::optional<std::int64_t>(people));
  }
}
#endif

TEST_CASE("database: statement binds by index and by name, and steps") {
  sp::database db = people_database();

  SECTION("by name") {
    sp::statement st =
        db.prepare("SELECT id, name FROM people WHERE age > :age AND name <> @skip ORDER BY id");
    CHECK(st.parameter_count() == 2);
    CHECK(st.column_count() == 2);
    CHECK(st.column_name(0) == "id");
    CHECK(st.column_name(1) == "name");
    st.bind(":age", 20).bind("@skip", std::string("Bo"));
    std::vector<std::int64_t> ids;
    std::vector<std::string> names;
    while (st.step()) {
      ids.push_back(st.column<std::int64_t>(0));
      names.push_back(st.column<std::string>(1));
    }
    CHECK(ids == std::vector<std::int64_t>{1, 3});
    CHECK(names == std::vector<std::string>{"Ann", "Cy"});

    // Done: the statement was reset and keeps its bindings, so it runs again.
    REQUIRE(st.step());
    CHECK(st.row<std::tuple<std::int64_t, std::string>>() ==
          std::tuple<std::int64_t, std::string>{1, "Ann"});

    CHECK_THROWS_AS(st.bind(":missing", 1), sp::misuse_error);
  }
  SECTION("by index") {
    sp::statement st = db.prepare("SELECT name FROM people WHERE age BETWEEN ?1 AND ?2 ORDER BY age");
    st.bind(1, 25).bind(2, std::int64_t{31});
    std::vector<std::string> names;
    while (st.step()) names.push_back(st.column<std::string>(0));
    CHECK(names == std::vector<std::string>{"Cy", "Ann"});

    st.reset();  // clears the bindings: NULL matches nothing
    CHECK_FALSE(st.step());
  }
  SECTION("reading a row into a struct") {
    sp::statement st = db.prepare("SELECT id, name, age FROM people WHERE id = ?");
    st.bind(1, std::int64_t{3});
    REQUIRE(st.step());
    CHECK(st.row<person>() == person{3, "Cy", 25});
    CHECK(st.column<int>(2) == 25);
    CHECK_FALSE(st.step());
  }
}

TEST_CASE("database: statement all/one/exec check the argument count at run time") {
  sp::database db = people_database();
  sp::statement st = db.prepare("SELECT id, name, age FROM people WHERE age > ? ORDER BY id");

  CHECK(st.all<person>(30) == std::vector<person>{person{1, "Ann", 31}, person{2, "Bo", 40}});
  CHECK(st.one<person>(35) == std::optional<person>{person{2, "Bo", 40}});
  CHECK(st.one<person>(99) == std::nullopt);
  CHECK(st.all<person>(99).empty());

  try {
    (void)st.all<person>();
    FAIL("expected misuse_error");
  } catch (const sp::misuse_error& e) {
    CHECK(contains(e.what(), "1 parameters but 0 arguments"));
    CHECK(e.sql() == "SELECT id, name, age FROM people WHERE age > ? ORDER BY id");
  }
  CHECK_THROWS_AS(st.one<person>(1, 2), sp::misuse_error);
  CHECK_THROWS_AS(st.exec(), sp::misuse_error);
  // The wrong row width is a schema_error.
  using two_columns = std::tuple<std::int64_t, std::string>;
  CHECK_THROWS_AS(st.all<two_columns>(30), sp::schema_error);

  // Still usable after the errors.
  CHECK(st.all<person>(39) == std::vector<person>{person{2, "Bo", 40}});
}

TEST_CASE("database: exec_result reports changes and the last rowid") {
  sp::database db = people_database();
  CHECK(db.last_insert_rowid() == 3);

  const sp::exec_result added = db.exec<add_person>("Di", 52);
  CHECK(added.changes == 1);
  CHECK(added.last_insert_rowid == 4);
  CHECK(db.one<person_by_id>(added.last_insert_rowid) ==
        std::optional<person>{person{4, "Di", 52}});

  const sp::exec_result aged = db.exec<birthday>(31);  // Ann, Bo, Di
  CHECK(aged.changes == 3);
  CHECK(aged.last_insert_rowid == 4);  // unchanged by an UPDATE
  CHECK(db.changes() == 3);

  const sp::exec_result none = db.exec<birthday>(1000);
  CHECK(none.changes == 0);

  const sp::exec_result removed =
      db.prepare("DELETE FROM people WHERE age < ?").exec(30);  // Cy
  CHECK(removed.changes == 1);
  CHECK(db.one<person_count>() == std::optional<std::int64_t>{3});

  const sp::exec_result inserted =
      db.prepare_cached("INSERT INTO people (id, name, age) VALUES (?, ?, ?)")
          .exec(std::int64_t{10}, std::string("Ed"), 20);
  CHECK(inserted.changes == 1);
  CHECK(inserted.last_insert_rowid == 10);
  CHECK(db.last_insert_rowid() == 10);
  CHECK(db.total_changes() == 3 + 1 + 3 + 1 + 1);
}

TEST_CASE("database: native_handle() is the sqlite3 connection") {
  sp::database db{":memory:"};
  sqlite3* handle = db.native_handle();
  REQUIRE(handle != nullptr);
  CHECK(sqlite3_get_autocommit(handle) == 1);
  CHECK(sqlite3_exec(handle, "CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (5)", nullptr,
                     nullptr, nullptr) == SQLITE_OK);
  CHECK(db.prepare("SELECT x FROM t").one<std::int64_t>() == std::optional<std::int64_t>{5});
  CHECK(db.last_insert_rowid() == sqlite3_last_insert_rowid(handle));
}

TEST_CASE("a second thread inside a database while another is in a call gets misuse_error",
          "[database][threads]") {
  sp::database db = people_database();
  auto st = db.prepare("SELECT name FROM people WHERE id = ?");
  // Thread A's insert stops inside its call (in the trace hook, which SQLite calls from
  // within the statement) until this thread has tried every entry point.
  std::atomic<bool> inside{false};
  std::atomic<bool> tried{false};
  const std::thread::id this_thread = std::this_thread::get_id();
  db.set_trace([&](const sp::trace_event&) {
    if (tried.load() || std::this_thread::get_id() == this_thread) return;
    inside.store(true);
    while (!tried.load()) std::this_thread::yield();
  });
  sp::exec_result inserted;
  std::thread a([&] { inserted = db.exec<add_person>("Dee", 50); });
  while (!inside.load()) std::this_thread::yield();

  auto refused = [](auto&& call) {
    try {
      call();
    } catch (const sp::misuse_error& e) {
      return std::string(e.what()).find("in use by another thread") != std::string::npos;
    }
    return false;
  };
  CHECK(refused([&] { (void)db.one<person_by_id>(1); }));
  CHECK(refused([&] { db.exec<birthday>(0); }));
  CHECK(refused([&] { (void)db.all<older_than>(0); }));
  CHECK(refused([&] { (void)db.iter<older_than>(0); }));
  CHECK(refused([&] { db.exec_script("UPDATE people SET age = 0"); }));
  CHECK(refused([&] { (void)db.prepare("SELECT 1"); }));
  CHECK(refused([&] { (void)db.prepare_cached("SELECT 1"); }));
  CHECK(refused([&] { (void)st.one<std::string>(1); }));
  CHECK(refused([&] { (void)db.begin(); }));
  CHECK(refused([&] { db.transaction([] {}); }));
  CHECK(refused([&] { db.close(); }));
  tried.store(true);
  a.join();

  // Thread A's call completed untouched, and the database serves this thread now.
  CHECK(inserted.changes == 1);
  CHECK(db.one<person_by_id>(inserted.last_insert_rowid) ==
        person{inserted.last_insert_rowid, "Dee", 50});
  CHECK(db.one<person_count>() == 4);
  CHECK(db.one<person_by_id>(2)->age == 40);
  CHECK(st.one<std::string>(1) == "Ann");
}

TEST_CASE("calls nested on one thread and a database handed between threads are not refused",
          "[database][threads]") {
  sp::database db = people_database();
  // A query from inside a callback SQLite makes during another query, on the same thread.
  std::optional<std::int64_t> seen_in_hook;
  db.set_trace([&](const sp::trace_event& e) {
    if (e.sql.starts_with("INSERT") && !seen_in_hook) seen_in_hook = db.one<person_count>();
  });
  db.exec<add_person>("Dee", 50);
  CHECK(seen_in_hook == 4);
  db.clear_trace();

  // A query inside a loop over another, inside nested transactions.
  std::vector<std::string> names;
  db.transaction([&] {
    db.transaction([&] {
      for (const person& p : db.iter<older_than>(30)) {
        names.push_back(db.one<person_by_id>(p.id)->name);
      }
    });
  });
  CHECK(names == std::vector<std::string>{"Ann", "Bo", "Dee"});

  // Used by one thread after another, with a range still open between their calls.
  auto range = db.iter<older_than>(0);
  auto it = range.begin();
  REQUIRE(it != range.end());
  CHECK(it->name == "Ann");
  std::int64_t count_in_thread = 0;
  std::thread([&] { count_in_thread = *db.one<person_count>(); }).join();
  CHECK(count_in_thread == 4);
  ++it;
  CHECK(it->name == "Bo");
}

TEST_CASE("two threads hammering one database: every call is either done right or refused",
          "[database][threads]") {
  sp::database db = people_database();
  std::atomic<int> refused{0};
  std::atomic<int> wrong{0};
  auto hammer = [&](std::int64_t id, const char* name) {
    for (int i = 0; i < 2000; ++i) {
      try {
        const auto p = db.one<person_by_id>(id);
        if (!p || p->name != name) ++wrong;
      } catch (const sp::misuse_error&) {
        ++refused;
      }
    }
  };
  std::thread a(hammer, 1, "Ann");
  std::thread b(hammer, 2, "Bo");
  a.join();
  b.join();
  INFO(refused.load() << " of 4000 calls were refused");
  CHECK(wrong.load() == 0);
  CHECK(refused.load() < 4000);
  CHECK(db.one<person_count>() == 3);  // the connection still works
}
