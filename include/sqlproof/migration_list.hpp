#pragma once
/// @file
/// What a migration is: the compile-time DSL (`migration<V, "name">(up(...), down(...))`,
/// `migrations(...)`, checked for order and checksummed by the compiler), the run-time
/// `runtime_migration_list` for lists read from files or built by code, `migration_info`,
/// and the migration errors. `migration.hpp` adds `migrator`, which applies them.
///
/// @code
/// constexpr auto schema = sqlproof::migrations(
///   sqlproof::migration<1, "create users">(
///     sqlproof::up("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"),
///     sqlproof::down("DROP TABLE users")));
/// @endcode

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "detail/migration_checksum.hpp"
#include "error.hpp"
#include "fixed_string.hpp"

namespace sqlproof {

// ---- errors --------------------------------------------------------------------------------

/// A migration could not be applied, reverted or checked. Names the migration's version and
/// name; when SQLite failed, carries its message, code and the statement.
class migration_error : public error {
 public:
  migration_error(std::string summary, error_context context, std::int64_t version = 0,
                  std::string name = {})
      : error(std::move(summary), std::move(context)), version_(version), name_(std::move(name)) {}

  /// The migration's version, or 0 when the error is not about one migration.
  [[nodiscard]] std::int64_t version() const noexcept { return version_; }
  /// The migration's name, or empty.
  [[nodiscard]] std::string_view name() const noexcept { return name_; }

 private:
  std::int64_t version_;
  std::string name_;
};

/// The up text of an applied migration differs from what was applied: the program refuses to
/// run. The message names both checksums and the fix (restore the text, or `repair`).
class checksum_mismatch_error : public migration_error {
 public:
  checksum_mismatch_error(std::string summary, std::int64_t version, std::string name,
                          std::string stored, std::string computed)
      : migration_error(std::move(summary), {}, version, std::move(name)),
        stored_(std::move(stored)),
        computed_(std::move(computed)) {}

  /// The checksum in the history table.
  [[nodiscard]] std::string_view stored() const noexcept { return stored_; }
  /// The checksum of the migration as the program defines it.
  [[nodiscard]] std::string_view computed() const noexcept { return computed_; }

 private:
  std::string stored_;
  std::string computed_;
};

/// The database holds a version this program does not define and that is newer than all it
/// defines: the database is ahead of the program. `rollback` can revert it from the stored
/// down SQL; `migrator_options::allow_newer_database` lets `migrate` proceed anyway.
class future_version_error : public migration_error {
 public:
  using migration_error::migration_error;
};

/// A version was asked for (`migrate_to`, `baseline`, `repair`) that the program does not
/// define.
class unknown_version_error : public migration_error {
 public:
  using migration_error::migration_error;
};

/// A migration to revert has no down: it was declared `irreversible()` and no down SQL is
/// stored for it.
class missing_down_error : public migration_error {
 public:
  using migration_error::migration_error;
};

// ---- the DSL -------------------------------------------------------------------------------

/// How a migration must run. Combine with `|`.
enum class migration_flags : unsigned {
  none = 0,
  /// Run the statements outside any transaction: for `PRAGMA journal_mode`, `VACUUM` and
  /// other statements SQLite refuses inside one. Such a migration is not atomic (the history
  /// row is written after its statements, in a transaction of its own), so its statements
  /// must be safe to run twice.
  outside_transaction = 1,
  /// Turn `PRAGMA foreign_keys` off before BEGIN (on the same connection), run
  /// `PRAGMA foreign_key_check` before COMMIT, and restore the setting afterwards on every
  /// path: for table rebuilds (https://sqlite.org/lang_altertable.html#otheralter), where
  /// dropping a parent table would otherwise run its ON DELETE CASCADE actions.
  foreign_keys_off = 2,
};

constexpr migration_flags operator|(migration_flags a, migration_flags b) noexcept {
  return static_cast<migration_flags>(static_cast<unsigned>(a) | static_cast<unsigned>(b));
}
constexpr bool has_flag(migration_flags set, migration_flags f) noexcept {
  return (static_cast<unsigned>(set) & static_cast<unsigned>(f)) != 0;
}

/// `migration_flags::outside_transaction`, for use as the third argument of `migration`.
inline constexpr migration_flags outside_transaction = migration_flags::outside_transaction;
/// `migration_flags::foreign_keys_off`, for use as the third argument of `migration`.
inline constexpr migration_flags foreign_keys_off = migration_flags::foreign_keys_off;

/// The statements that apply a migration, run in order.
template <std::size_t N>
struct up_sql {
  std::array<std::string_view, N> statements;
};
/// The statements that revert a migration, run in order.
template <std::size_t N>
struct down_sql {
  std::array<std::string_view, N> statements;
};
/// Marks a migration that cannot be reverted.
struct irreversible_t {};

/// The statements that apply a migration: one or more strings, each holding one or more SQL
/// statements. `up("CREATE TABLE a (x)", "CREATE INDEX a_x ON a(x)")`.
template <class... Sql>
  requires(sizeof...(Sql) > 0 && (std::is_convertible_v<const Sql&, std::string_view> && ...))
constexpr up_sql<sizeof...(Sql)> up(const Sql&... sql) noexcept {
  return {{std::string_view(sql)...}};
}
/// The statements that revert a migration, like `up`.
template <class... Sql>
  requires(sizeof...(Sql) > 0 && (std::is_convertible_v<const Sql&, std::string_view> && ...))
constexpr down_sql<sizeof...(Sql)> down(const Sql&... sql) noexcept {
  return {{std::string_view(sql)...}};
}
/// In place of `down(...)`: the migration cannot be reverted; `rollback` refuses it with
/// `missing_down_error`.
constexpr irreversible_t irreversible() noexcept { return {}; }

/// A migration's checksum, `sha256:` followed by 64 hex digits; comparable with a string in
/// constant expressions, so a test can pin it at compile time:
/// @code
/// STATIC_REQUIRE(m.checksum() == "sha256:1f0e...");  // Catch2; fails if the text changed
/// @endcode
struct migration_checksum {
  detail::checksum_chars chars;
  /// The 71 characters.
  [[nodiscard]] constexpr std::string_view view() const noexcept { return {chars.data, 71}; }
  friend constexpr bool operator==(const migration_checksum& a, std::string_view b) noexcept {
    return a.view() == b;
  }
  friend constexpr bool operator==(const migration_checksum& a,
                                   const migration_checksum& b) noexcept {
    return a.view() == b.view();
  }
};

/// One migration, as returned by `migration<Version, "name">(up(...), down(...))`. The
/// version and name are part of the type so `migrations(...)` checks order at compile time.
template <std::int64_t Version, fixed_string Name, std::size_t Up, std::size_t Down>
struct migration_definition {
  static constexpr std::int64_t version = Version;
  static constexpr std::string_view name = Name.view();

  std::array<std::string_view, Up> up_statements;
  std::array<std::string_view, Down> down_statements;
  bool reversible = true;
  migration_flags flags = migration_flags::none;

  /// The checksum of version, name and up text (CRLF→LF, BOM removed). constexpr, but only
  /// evaluated at compile time where a constant expression asks for it.
  [[nodiscard]] constexpr migration_checksum checksum() const noexcept {
    return {detail::tagged_checksum("up", Version, name, up_statements)};
  }
  /// The checksum of the down text, hashed the same way; empty for an irreversible one.
  [[nodiscard]] constexpr std::optional<migration_checksum> down_checksum() const noexcept {
    if (!reversible) return std::nullopt;
    return migration_checksum{detail::tagged_checksum("down", Version, name, down_statements)};
  }
};

namespace detail {

template <class T>
struct is_migration_definition : std::false_type {};
template <std::int64_t V, fixed_string N, std::size_t U, std::size_t D>
struct is_migration_definition<migration_definition<V, N, U, D>> : std::true_type {};

// Each check is a named value the failed static_assert asserts, so both compilers print its
// numbers, e.g. versions_strictly_increasing<3, 2>. The static_asserts sit in functions, not
// class templates: Clang marks a class whose static_assert failed as invalid, and every use
// of it then adds an unrelated error.
template <std::int64_t Version>
inline constexpr bool migration_version_in_range = Version >= 1 && Version <= 2147483647;
// Versions in range fit in an int, which both compilers print without a suffix.
template <int Version, bool NameIsEmpty>
inline constexpr bool migration_name_not_empty = !NameIsEmpty;
template <int Previous, int Next>
inline constexpr bool versions_unique = Previous != Next;
template <int Previous, int Next>
inline constexpr bool versions_strictly_increasing = Previous < Next;

template <int Version>
consteval bool version_in_range_check() {
  static_assert(migration_version_in_range<Version>,
                "sqlproof: a migration version must be between 1 and 2147483647, because it "
                "is stored in PRAGMA user_version (see migration_version_in_range<version>)");
  return false;
}
template <int Version, bool NameIsEmpty>
consteval bool name_check() {
  static_assert(migration_name_not_empty<Version, NameIsEmpty>,
                "sqlproof: a migration's name must not be empty; say what it does, e.g. "
                "migration<1, \"create users\"> (see migration_name_not_empty<version, true>)");
  return !NameIsEmpty;
}
template <int Previous, int Next>
consteval bool unique_check() {
  static_assert(versions_unique<Previous, Next>,
                "sqlproof: two migrations have the same version; give each its own version "
                "(see versions_unique<version, version>)");
  return false;
}
template <int Previous, int Next>
consteval bool increasing_check() {
  static_assert(versions_strictly_increasing<Previous, Next>,
                "sqlproof: migration versions must be strictly increasing in the order they "
                "are listed; move the later version after the earlier one "
                "(see versions_strictly_increasing<previous, next>)");
  return false;
}

template <std::int64_t Version, fixed_string Name>
consteval bool check_migration() {
  if constexpr (!migration_version_in_range<Version>) {
    // Printed as an int: a version out of range is most often 0 or negative.
    return version_in_range_check<static_cast<int>(Version)>();
  } else {
    return name_check<static_cast<int>(Version), Name.empty()>();
  }
}

template <std::int64_t... V>
consteval bool check_version_order() {
  constexpr std::array<std::int64_t, sizeof...(V)> v{V...};
  constexpr std::size_t bad = [&] {
    for (std::size_t i = 1; i < v.size(); ++i) {
      if (v[i - 1] >= v[i]) return i;
    }
    return std::size_t{0};
  }();
  if constexpr (bad == 0) {
    return true;
  } else if constexpr (v[bad - 1] == v[bad]) {
    return unique_check<static_cast<int>(v[bad - 1]), static_cast<int>(v[bad])>();
  } else {
    return increasing_check<static_cast<int>(v[bad - 1]), static_cast<int>(v[bad])>();
  }
}

}  // namespace detail

/// Defines migration `Version` (1 to 2³¹−1, unique and increasing within `migrations`)
/// named `Name` (not empty). `flags` adds `outside_transaction` or `foreign_keys_off`.
/// @code
/// sqlproof::migration<3, "rebuild users">(
///     sqlproof::up("CREATE TABLE users_new (...)", "INSERT INTO users_new SELECT ...",
///                  "DROP TABLE users", "ALTER TABLE users_new RENAME TO users"),
///     sqlproof::irreversible(), sqlproof::foreign_keys_off)
/// @endcode
template <std::int64_t Version, fixed_string Name, std::size_t U, std::size_t D>
constexpr migration_definition<Version, Name, U, D> migration(
    up_sql<U> up, down_sql<D> down, migration_flags flags = migration_flags::none) noexcept {
  // A failed check has said why in its own static_assert; its value adds no second error.
  static_cast<void>(detail::check_migration<Version, Name>());
  return {up.statements, down.statements, true, flags};
}

/// Defines an irreversible migration.
template <std::int64_t Version, fixed_string Name, std::size_t U>
constexpr migration_definition<Version, Name, U, 0> migration(
    up_sql<U> up, irreversible_t, migration_flags flags = migration_flags::none) noexcept {
  // A failed check has said why in its own static_assert; its value adds no second error.
  static_cast<void>(detail::check_migration<Version, Name>());
  return {up.statements, {}, false, flags};
}

/// An ordered list of migrations, as returned by `migrations(...)`.
template <class... Ms>
struct migration_list {
  std::tuple<Ms...> items;
  static constexpr std::size_t size = sizeof...(Ms);
};

/// Lists the program's migrations. Checked at compile time: versions unique and strictly
/// increasing (a failure names both versions).
template <class... Ms>
constexpr migration_list<Ms...> migrations(Ms... ms) noexcept {
  static_assert((detail::is_migration_definition<Ms>::value && ...),
                "sqlproof: migrations(...) takes values made by "
                "sqlproof::migration<Version, \"name\">(sqlproof::up(...), sqlproof::down(...))");
  if constexpr ((detail::is_migration_definition<Ms>::value && ...)) {
    static_cast<void>(detail::check_version_order<Ms::version...>());  // says why itself
  }
  return {{ms...}};
}

// ---- results -------------------------------------------------------------------------------

/// A migration as the runner sees it: the program's definition with its checksums.
struct migration_info {
  std::int64_t version = 0;
  std::string_view name;
  std::vector<std::string_view> up;
  std::vector<std::string_view> down;
  bool reversible = true;
  migration_flags flags = migration_flags::none;
  std::string checksum;                      ///< `sha256:...` of version, name and up text.
  std::optional<std::string> down_checksum;  ///< Empty when irreversible.
};

namespace detail {

// The one place a migration_info is built, for compile-time and run-time lists alike, so both
// hash the same canonical encoding. At run time on purpose: see detail/migration_checksum.hpp.
inline migration_info make_migration_info(std::int64_t version, std::string_view name,
                                          std::span<const std::string_view> up,
                                          std::span<const std::string_view> down,
                                          bool reversible, migration_flags flags) {
  migration_info info;
  info.version = version;
  info.name = name;
  info.up.assign(up.begin(), up.end());
  info.down.assign(down.begin(), down.end());
  info.reversible = reversible;
  info.flags = flags;
  info.checksum = std::string(detail::tagged_checksum("up", version, name, info.up).data);
  if (reversible) {
    info.down_checksum = std::string(detail::tagged_checksum("down", version, name, info.down).data);
  }
  return info;
}

}  // namespace detail

// ---- run-time lists ------------------------------------------------------------------------

/// One migration defined while the program runs (built in code, or read from files), for a
/// `runtime_migration_list`. The same fields as `migration<Version, "name">(...)`; `down` must
/// be empty when `reversible` is false.
struct runtime_migration {
  std::int64_t version = 0;
  std::string name;
  std::vector<std::string> up;    ///< One or more strings, each one or more SQL statements.
  std::vector<std::string> down;  ///< Run in order to revert it.
  bool reversible = true;         ///< False: `rollback` refuses it (`irreversible()`).
  migration_flags flags = migration_flags::none;
};

/// An ordered list of migrations built at run time, for lists too long or too dynamic for
/// `migrations(...)` (which makes one type per migration). `migrator` and `cli::run` accept it
/// like a compile-time list, and checksums are computed the same way, so a migration keeps
/// its checksum when it moves from one kind of list to the other.
///
/// `add` checks what `migrations(...)` checks at compile time and throws `migration_error`:
/// a version outside 1 to 2³¹−1, an empty name, no up statement, down statements on an
/// irreversible migration, or a version not above the previous one (the message names both).
/// On a throw the list is unchanged.
///
/// A migrator views the list's text: the list must outlive it and must not be changed while
/// it is used (moving the list is fine). Not thread-safe for concurrent `add`.
/// @code
/// sqlproof::runtime_migration_list list;
/// for (int v = 1; v <= 1000; ++v) {
///   const std::string t = "t_" + std::to_string(v);
///   list.add({v, "create " + t, {"CREATE TABLE " + t + " (id INTEGER PRIMARY KEY, v TEXT)"},
///             {"DROP TABLE " + t}});
/// }
/// sqlproof::migrator{db, list}.migrate();
/// @endcode
class runtime_migration_list {
 public:
  runtime_migration_list() = default;
  /// Adds each migration in order, as `add` does.
  runtime_migration_list(std::initializer_list<runtime_migration> list) {
    for (const auto& m : list) add(m);
  }
  runtime_migration_list(const runtime_migration_list& other) {
    for (const auto& m : other.items_) add(m);
  }
  runtime_migration_list& operator=(const runtime_migration_list& other) {
    if (this != &other) *this = runtime_migration_list(other);
    return *this;
  }
  // Moving a deque and a vector keeps their elements where they are, so the views stay valid.
  runtime_migration_list(runtime_migration_list&&) noexcept = default;
  runtime_migration_list& operator=(runtime_migration_list&&) noexcept = default;
  ~runtime_migration_list() = default;

  /// Appends `m` after checking it (see the class comment); returns `*this`.
  runtime_migration_list& add(runtime_migration m) {
    check(m);
    items_.push_back(std::move(m));
    try {
      const runtime_migration& stored = items_.back();
      std::vector<std::string_view> up(stored.up.begin(), stored.up.end());
      std::vector<std::string_view> down;
      if (stored.reversible) down.assign(stored.down.begin(), stored.down.end());
      infos_.push_back(detail::make_migration_info(stored.version, stored.name, up, down,
                                                   stored.reversible, stored.flags));
    } catch (...) {
      items_.pop_back();
      throw;
    }
    return *this;
  }

  /// `add` with the DSL's `up(...)` and `down(...)`:
  /// `list.add(3, "add email", sqlproof::up("ALTER TABLE ..."), sqlproof::down("..."))`.
  template <std::size_t U, std::size_t D>
  runtime_migration_list& add(std::int64_t version, std::string name, up_sql<U> up,
                              down_sql<D> down, migration_flags flags = migration_flags::none) {
    return add(runtime_migration{version, std::move(name),
                                 {up.statements.begin(), up.statements.end()},
                                 {down.statements.begin(), down.statements.end()}, true, flags});
  }
  /// `add` of an irreversible migration: `list.add(4, "drop legacy", up(...), irreversible())`.
  template <std::size_t U>
  runtime_migration_list& add(std::int64_t version, std::string name, up_sql<U> up,
                              irreversible_t, migration_flags flags = migration_flags::none) {
    return add(runtime_migration{version, std::move(name),
                                 {up.statements.begin(), up.statements.end()}, {}, false, flags});
  }

  /// The migrations with their checksums, oldest first: what a `migrator` runs.
  [[nodiscard]] std::span<const migration_info> migrations() const noexcept { return infos_; }
  /// Number of migrations.
  [[nodiscard]] std::size_t size() const noexcept { return infos_.size(); }
  /// True when no migration was added.
  [[nodiscard]] bool empty() const noexcept { return infos_.empty(); }

 private:
  void check(const runtime_migration& m) const {
    const std::string who = "migration " + std::to_string(m.version) + " '" + m.name + "'";
    if (m.version < 1 || m.version > 2147483647) {
      throw migration_error("sqlproof: " + who + ": a migration version must be between 1 and "
                                "2147483647, because it is stored in PRAGMA user_version",
                            {}, m.version, m.name);
    }
    if (m.name.empty()) {
      throw migration_error("sqlproof: migration " + std::to_string(m.version) +
                                " has an empty name; say what it does, e.g. \"create users\"",
                            {}, m.version, m.name);
    }
    if (m.up.empty()) {
      throw migration_error("sqlproof: " + who + " has no up statement", {}, m.version, m.name);
    }
    if (!m.reversible && !m.down.empty()) {
      throw migration_error("sqlproof: " + who + " is irreversible but has down statements; "
                                "drop them or make it reversible",
                            {}, m.version, m.name);
    }
    if (infos_.empty()) return;
    const migration_info& last = infos_.back();
    const std::string previous =
        "migration " + std::to_string(last.version) + " '" + std::string(last.name) + "'";
    if (m.version == last.version) {
      throw migration_error("sqlproof: two migrations have version " + std::to_string(m.version) +
                                ": " + previous + " and " + who + "; give each its own version",
                            {}, m.version, m.name);
    }
    if (m.version < last.version) {
      throw migration_error("sqlproof: migration versions must be strictly increasing in the "
                                "order they are added: " + who + " comes after " + previous +
                                " (versions " + std::to_string(last.version) + " then " +
                                std::to_string(m.version) + "); add the lower version first",
                            {}, m.version, m.name);
    }
  }

  std::deque<runtime_migration> items_;  // a deque: push_back never moves the strings viewed
  std::vector<migration_info> infos_;    // views of items_ plus checksums
};

}  // namespace sqlproof
