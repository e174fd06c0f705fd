#pragma once
/// @file
/// What a migration is: the compile-time DSL (`migration<V, "name">(up(...), down(...))`,
/// `migrations(...)`, checked for order and checksummed by the compiler), the run-time
/// `runtime_migration_list` for lists read from files or built by code, `migration_info`,
/// and the migration errors. `migration.hpp` adds `migrator`, which applies them on SQLite,
/// and `postgres/migration.hpp` adds `pg::migrator` for PostgreSQL.
///
/// @code
/// constexpr auto schema = sqlproof::migrations(
///   sqlproof::migration<1, "create users">(
///     sqlproof::up("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"),
///     sqlproof::down("DROP TABLE users")));
/// @endcode

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
#include "dialect.hpp"
#include "error.hpp"
#include "fixed_string.hpp"

namespace sqlproof {

// ---- errors --------------------------------------------------------------------------------

/// A migration could not be applied, reverted or checked. Names the migration's version and
/// name; when the database failed, carries its message, code (SQLite) or SQLSTATE and fields
/// (PostgreSQL), and the statement.
class migration_error : public error {
 public:
  migration_error(std::string summary, error_context context, std::int64_t version = 0,
                  std::string name = {})
      : error(std::move(summary), std::move(context)), version_(version), name_(std::move(name)) {}
  /// With the server's diagnostics (PostgreSQL's SQLSTATE and error fields).
  migration_error(std::string summary, error_context context, const error_diagnostics& diagnostics,
                  std::int64_t version, std::string name)
      : error(std::move(summary), std::move(context), diagnostics),
        version_(version),
        name_(std::move(name)) {}

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
  /// other statements SQLite refuses inside one; on PostgreSQL for `CREATE INDEX
  /// CONCURRENTLY`, `ALTER SYSTEM` or `VACUUM`. Such a migration is not atomic (the history
  /// row is written after its statements, in a transaction of its own), so its statements
  /// must be safe to run twice.
  outside_transaction = 1,
  /// SQLite only: turn `PRAGMA foreign_keys` off before BEGIN (on the same connection), run
  /// `PRAGMA foreign_key_check` before COMMIT, and restore the setting afterwards on every
  /// path: for table rebuilds (https://sqlite.org/lang_altertable.html#otheralter), where
  /// dropping a parent table would otherwise run its ON DELETE CASCADE actions. A
  /// PostgreSQL migrator refuses a migration with this flag.
  foreign_keys_off = 2,
  /// PostgreSQL only: when the `citus` extension is installed, run the migration with
  /// `SET LOCAL citus.multi_shard_modify_mode TO 'sequential'`, so DDL on distributed tables
  /// may share the transaction with other statements. Nothing happens without Citus, or on
  /// SQLite.
  pg_sequential_ddl = 4,
};

constexpr migration_flags operator|(migration_flags a, migration_flags b) noexcept {
  return static_cast<migration_flags>(static_cast<unsigned>(a) | static_cast<unsigned>(b));
}
constexpr bool has_flag(migration_flags set, migration_flags f) noexcept {
  return (static_cast<unsigned>(set) & static_cast<unsigned>(f)) != 0;
}

/// A flag known at compile time, as the named constants below are: `migration(...)` records
/// it in the migration's type, so a migrator for a backend that cannot honour it refuses the
/// list at compile time. Converts to `migration_flags` wherever a value is expected.
template <migration_flags F>
struct migration_flag {
  static constexpr migration_flags value = F;
  constexpr operator migration_flags() const noexcept { return F; }  // NOLINT: implicit by design
};

template <migration_flags A, migration_flags B>
constexpr migration_flag<A | B> operator|(migration_flag<A>, migration_flag<B>) noexcept {
  return {};
}

/// `migration_flags::outside_transaction`, for use as an argument of `migration`.
inline constexpr migration_flag<migration_flags::outside_transaction> outside_transaction{};
/// `migration_flags::foreign_keys_off`, for use as an argument of `migration` (SQLite only).
inline constexpr migration_flag<migration_flags::foreign_keys_off> foreign_keys_off{};
/// `migration_flags::pg_sequential_ddl`, for use as an argument of `migration` (PostgreSQL
/// with Citus).
inline constexpr migration_flag<migration_flags::pg_sequential_ddl> pg_sequential_ddl{};

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

/// The statements that apply a migration on the backends of dialect `D`, in place of the
/// `up(...)` text there. `up(...)` is the SQLite text; only `dialect::postgres` takes one.
template <dialect D, std::size_t N>
struct dialect_up_sql {
  std::array<std::string_view, N> statements;
};
/// The statements that revert a migration on the backends of dialect `D`.
template <dialect D, std::size_t N>
struct dialect_down_sql {
  std::array<std::string_view, N> statements;
};

/// The text of a migration for dialect `D` when it differs from the `up(...)` text, which is
/// SQLite's: `up_for<dialect::postgres>("CREATE TABLE t (id bigint GENERATED ALWAYS AS "
/// "IDENTITY PRIMARY KEY)")`. A reversible migration gives `down_for<D>(...)` too.
template <dialect D, class... Sql>
  requires(D == dialect::postgres && sizeof...(Sql) > 0 &&
           (std::is_convertible_v<const Sql&, std::string_view> && ...))
constexpr dialect_up_sql<D, sizeof...(Sql)> up_for(const Sql&... sql) noexcept {
  return {{std::string_view(sql)...}};
}
/// The statements that revert a migration on dialect `D`, like `up_for`.
template <dialect D, class... Sql>
  requires(D == dialect::postgres && sizeof...(Sql) > 0 &&
           (std::is_convertible_v<const Sql&, std::string_view> && ...))
constexpr dialect_down_sql<D, sizeof...(Sql)> down_for(const Sql&... sql) noexcept {
  return {{std::string_view(sql)...}};
}

/// Marks a migration whose one text runs on SQLite and PostgreSQL alike (`sqlproof::portable`).
struct portable_t {};
/// Says the `up(...)`/`down(...)` text is valid on every backend: a PostgreSQL migrator runs
/// it as written, and its checksum is the same on both.
inline constexpr portable_t portable{};

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

namespace detail {

// A migration's text for one dialect: the statements a runner of that dialect executes and
// hashes. `checksum_dialect` is empty for the SQLite text (and a portable one), so those
// checksums are the ones sqlproof has always computed; a PostgreSQL text adds "postgres".
struct migration_text_view {
  std::span<const std::string_view> up;
  std::span<const std::string_view> down;
  std::string_view checksum_dialect;
  bool present = true;  // false: the migration has no text for the dialect
};

// What a migration says about PostgreSQL, as part of its type: nothing, `portable`, or its
// own text (`up_for<dialect::postgres>(...)` and `down_for<dialect::postgres>(...)`).
struct no_postgres_text {
  static constexpr bool present = false;
};
struct portable_text {
  static constexpr bool present = true;
};
template <std::size_t Up, std::size_t Down>
struct migration_postgres_text {
  static constexpr bool present = true;
  std::array<std::string_view, Up> up;
  std::array<std::string_view, Down> down;
};

}  // namespace detail

/// One migration, as returned by `migration<Version, "name">(up(...), down(...))`. The
/// version and name are part of the type so `migrations(...)` checks order at compile time;
/// so are its PostgreSQL text (or `portable`) and the flags given as named constants, so a
/// PostgreSQL migrator checks them at compile time too.
template <std::int64_t Version, fixed_string Name, std::size_t Up, std::size_t Down,
          class PostgresText = detail::no_postgres_text,
          migration_flags StaticFlags = migration_flags::none>
struct migration_definition {
  static constexpr std::int64_t version = Version;
  static constexpr std::string_view name = Name.view();
  /// The flags given as named constants (`sqlproof::outside_transaction`...).
  static constexpr migration_flags static_flags = StaticFlags;
  /// True when the migration runs on PostgreSQL: it has a PostgreSQL text or is `portable`.
  static constexpr bool has_postgres_text = PostgresText::present;

  std::array<std::string_view, Up> up_statements;
  std::array<std::string_view, Down> down_statements;
  bool reversible = true;
  migration_flags flags = migration_flags::none;
  PostgresText postgres{};

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
  /// The checksum a runner of dialect `D` stores: `checksum()` for SQLite and for a
  /// `portable` migration; for a PostgreSQL text, the same encoding with "postgres" after
  /// "up" (see docs/migrations.md).
  template <dialect D>
    requires(D == dialect::sqlite || PostgresText::present)
  [[nodiscard]] constexpr migration_checksum checksum_for() const noexcept {
    const detail::migration_text_view t = text_for(D);
    return {detail::tagged_checksum("up", t.checksum_dialect, Version, name, t.up)};
  }

  /// The statements a runner of dialect `d` executes; `present` is false when the migration
  /// has none for it.
  [[nodiscard]] constexpr detail::migration_text_view text_for(dialect d) const noexcept {
    if constexpr (!std::is_same_v<PostgresText, detail::no_postgres_text> &&
                  !std::is_same_v<PostgresText, detail::portable_text>) {
      if (d == dialect::postgres) return {postgres.up, postgres.down, "postgres", true};
    }
    if (d == dialect::postgres && !PostgresText::present) return {{}, {}, {}, false};
    return {up_statements, down_statements, {}, true};
  }
};

namespace detail {

template <class T>
struct is_migration_definition : std::false_type {};
template <std::int64_t V, fixed_string N, std::size_t U, std::size_t D, class P, migration_flags F>
struct is_migration_definition<migration_definition<V, N, U, D, P, F>> : std::true_type {};

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

namespace detail {

// What may follow the up and down texts in `migration(...)`: flags (a value, or a named
// constant, which the type keeps), `portable`, and the PostgreSQL text.
template <class T>
struct migration_extra {
  static constexpr bool valid = false;
};
template <>
struct migration_extra<migration_flags> {
  static constexpr bool valid = true;
  static constexpr migration_flags static_flags = migration_flags::none;
  static constexpr std::size_t portable = 0, ups = 0, downs = 0, up_count = 0, down_count = 0;
  static constexpr migration_flags flags(migration_flags f) noexcept { return f; }
};
template <migration_flags F>
struct migration_extra<migration_flag<F>> {
  static constexpr bool valid = true;
  static constexpr migration_flags static_flags = F;
  static constexpr std::size_t portable = 0, ups = 0, downs = 0, up_count = 0, down_count = 0;
  static constexpr migration_flags flags(migration_flag<F>) noexcept { return F; }
};
template <>
struct migration_extra<portable_t> {
  static constexpr bool valid = true;
  static constexpr migration_flags static_flags = migration_flags::none;
  static constexpr std::size_t portable = 1, ups = 0, downs = 0, up_count = 0, down_count = 0;
  static constexpr migration_flags flags(portable_t) noexcept { return migration_flags::none; }
};
template <std::size_t N>
struct migration_extra<dialect_up_sql<dialect::postgres, N>> {
  static constexpr bool valid = true;
  static constexpr migration_flags static_flags = migration_flags::none;
  static constexpr std::size_t portable = 0, ups = 1, downs = 0, up_count = N, down_count = 0;
  static constexpr migration_flags flags(const dialect_up_sql<dialect::postgres, N>&) noexcept {
    return migration_flags::none;
  }
};
template <std::size_t N>
struct migration_extra<dialect_down_sql<dialect::postgres, N>> {
  static constexpr bool valid = true;
  static constexpr migration_flags static_flags = migration_flags::none;
  static constexpr std::size_t portable = 0, ups = 0, downs = 1, up_count = 0, down_count = N;
  static constexpr migration_flags flags(const dialect_down_sql<dialect::postgres, N>&) noexcept {
    return migration_flags::none;
  }
};

template <class... Extra>
struct migration_extras {
  static constexpr std::size_t portable = (std::size_t{0} + ... + migration_extra<Extra>::portable);
  static constexpr std::size_t ups = (std::size_t{0} + ... + migration_extra<Extra>::ups);
  static constexpr std::size_t downs = (std::size_t{0} + ... + migration_extra<Extra>::downs);
  static constexpr migration_flags static_flags =
      (migration_flags::none | ... | migration_extra<Extra>::static_flags);
  using postgres_type = std::conditional_t<
      (ups > 0),
      migration_postgres_text<(std::size_t{0} + ... + migration_extra<Extra>::up_count),
                    (std::size_t{0} + ... + migration_extra<Extra>::down_count)>,
      std::conditional_t<(portable > 0), portable_text, no_postgres_text>>;
};

template <class Text>
constexpr void take_text(Text&, const auto&) noexcept {}
template <std::size_t U, std::size_t D, std::size_t N>
constexpr void take_text(migration_postgres_text<U, D>& t, const dialect_up_sql<dialect::postgres, N>& up) noexcept {
  t.up = up.statements;
}
template <std::size_t U, std::size_t D, std::size_t N>
constexpr void take_text(migration_postgres_text<U, D>& t, const dialect_down_sql<dialect::postgres, N>& down) noexcept {
  t.down = down.statements;
}

template <class Text, class... Extra>
constexpr Text postgres_text_of(const Extra&... extra) noexcept {
  Text t{};
  (take_text(t, extra), ...);
  return t;
}

template <int Version>
inline constexpr bool one_postgres_text_or_portable = false;
template <int Version>
inline constexpr bool postgres_down_matches_sqlite_down = false;

template <int Version>
consteval bool postgres_text_or_portable_check() {
  static_assert(one_postgres_text_or_portable<Version>,
                "sqlproof: a migration takes at most one up_for<dialect::postgres>(...), one "
                "down_for<dialect::postgres>(...), and either those or sqlproof::portable, not "
                "both (see one_postgres_text_or_portable<version>)");
  return false;
}
template <int Version>
consteval bool postgres_down_check() {
  static_assert(postgres_down_matches_sqlite_down<Version>,
                "sqlproof: a reversible migration with up_for<dialect::postgres>(...) needs "
                "down_for<dialect::postgres>(...) too; an irreversible one takes none "
                "(see postgres_down_matches_sqlite_down<version>)");
  return false;
}

template <std::int64_t Version, bool Reversible, class... Extra>
consteval bool check_migration_extras() {
  using e = migration_extras<Extra...>;
  if constexpr (e::portable > 1 || e::ups > 1 || e::downs > 1 ||
                (e::portable == 1 && e::ups + e::downs > 0)) {
    return postgres_text_or_portable_check<static_cast<int>(Version)>();
  } else if constexpr (e::downs != (Reversible && e::ups == 1 ? 1U : 0U)) {
    return postgres_down_check<static_cast<int>(Version)>();
  } else {
    return true;
  }
}

template <std::int64_t Version, fixed_string Name, std::size_t U, std::size_t D, class... Extra>
using migration_definition_of =
    migration_definition<Version, Name, U, D, typename migration_extras<Extra...>::postgres_type,
                         migration_extras<Extra...>::static_flags>;

}  // namespace detail

/// Defines migration `Version` (1 to 2³¹−1, unique and increasing within `migrations`)
/// named `Name` (not empty), with its up text and its down text (or `irreversible()`). Then,
/// in any order:
/// - flags: `outside_transaction`, `foreign_keys_off` (SQLite), `pg_sequential_ddl`
///   (PostgreSQL with Citus), combined with `|`;
/// - for PostgreSQL, either `portable` (the one text runs on both) or the PostgreSQL text:
///   `up_for<dialect::postgres>(...)` and, when reversible, `down_for<dialect::postgres>(...)`.
/// @code
/// sqlproof::migration<3, "rebuild users">(
///     sqlproof::up("CREATE TABLE users_new (...)", "INSERT INTO users_new SELECT ...",
///                  "DROP TABLE users", "ALTER TABLE users_new RENAME TO users"),
///     sqlproof::irreversible(), sqlproof::foreign_keys_off)
/// sqlproof::migration<4, "create events">(
///     sqlproof::up("CREATE TABLE events (id INTEGER PRIMARY KEY, body BLOB)"),
///     sqlproof::down("DROP TABLE events"),
///     sqlproof::up_for<sqlproof::dialect::postgres>(
///         "CREATE TABLE events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, body bytea)"),
///     sqlproof::down_for<sqlproof::dialect::postgres>("DROP TABLE events"))
/// @endcode
template <std::int64_t Version, fixed_string Name, std::size_t U, std::size_t D, class... Extra>
  requires(detail::migration_extra<Extra>::valid && ...)
constexpr detail::migration_definition_of<Version, Name, U, D, Extra...> migration(
    up_sql<U> up, down_sql<D> down, Extra... extra) noexcept {
  // A failed check has said why in its own static_assert; its value adds no second error.
  static_cast<void>(detail::check_migration<Version, Name>());
  static_cast<void>(detail::check_migration_extras<Version, true, Extra...>());
  using definition = detail::migration_definition_of<Version, Name, U, D, Extra...>;
  return {up.statements, down.statements, true,
          (migration_flags::none | ... | detail::migration_extra<Extra>::flags(extra)),
          detail::postgres_text_of<std::remove_cvref_t<decltype(definition::postgres)>>(extra...)};
}

/// Defines an irreversible migration.
template <std::int64_t Version, fixed_string Name, std::size_t U, class... Extra>
  requires(detail::migration_extra<Extra>::valid && ...)
constexpr detail::migration_definition_of<Version, Name, U, 0, Extra...> migration(
    up_sql<U> up, irreversible_t, Extra... extra) noexcept {
  // A failed check has said why in its own static_assert; its value adds no second error.
  static_cast<void>(detail::check_migration<Version, Name>());
  static_cast<void>(detail::check_migration_extras<Version, false, Extra...>());
  using definition = detail::migration_definition_of<Version, Name, U, 0, Extra...>;
  return {up.statements, {}, false,
          (migration_flags::none | ... | detail::migration_extra<Extra>::flags(extra)),
          detail::postgres_text_of<std::remove_cvref_t<decltype(definition::postgres)>>(extra...)};
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
// `text` is what the runner's dialect executes (see migration_definition::text_for).
SQLPROOF_DECL migration_info make_migration_info(std::int64_t version, std::string_view name,
                                                 const migration_text_view& text, bool reversible,
                                                 migration_flags flags)
#if SQLPROOF_DEFINITIONS
{
  migration_info info;
  info.version = version;
  info.name = name;
  info.up.assign(text.up.begin(), text.up.end());
  info.down.assign(text.down.begin(), text.down.end());
  info.reversible = reversible;
  info.flags = flags;
  info.checksum = std::string(
      detail::tagged_checksum("up", text.checksum_dialect, version, name, info.up).data);
  if (reversible) {
    info.down_checksum = std::string(
        detail::tagged_checksum("down", text.checksum_dialect, version, name, info.down).data);
  }
  return info;
}
#else
    ;
#endif

// The SQLite text's migration_info.
SQLPROOF_DECL migration_info make_migration_info(std::int64_t version, std::string_view name,
                                                 std::span<const std::string_view> up,
                                                 std::span<const std::string_view> down,
                                                 bool reversible, migration_flags flags)
#if SQLPROOF_DEFINITIONS
{
  return make_migration_info(version, name, migration_text_view{up, down, {}, true}, reversible,
                             flags);
}
#else
    ;
#endif

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
  /// PostgreSQL's text, when it differs from `up` (see `up_for`); empty otherwise.
  std::vector<std::string> postgres_up{};
  /// PostgreSQL's down text; required with `postgres_up` when reversible.
  std::vector<std::string> postgres_down{};
  /// The `up`/`down` text runs on PostgreSQL as written (see `portable`).
  bool portable = false;
};

// A class template only so that its member functions (and the deque and vectors they use) are
// compiled in the files that use a run-time list, not in every file that includes this
// header: about 0.16 G compiler instructions (g++ 12 -O2) in each file that includes the
// umbrella header. Always used as `runtime_migration_list`. With SQLPROOF_SEPARATE_COMPILATION
// the larger members are only declared here and compiled once, in the implementation file.

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
template <class Unused = void>
class basic_runtime_migration_list {
 public:
  basic_runtime_migration_list() = default;
  /// Adds each migration in order, as `add` does.
  basic_runtime_migration_list(std::initializer_list<runtime_migration> list) {
    for (const auto& m : list) add(m);
  }
  basic_runtime_migration_list(const basic_runtime_migration_list& other) {
    for (const auto& m : other.items_) add(m);
  }
  basic_runtime_migration_list& operator=(const basic_runtime_migration_list& other) {
    if (this != &other) *this = basic_runtime_migration_list(other);
    return *this;
  }
  // Moving a deque and a vector keeps their elements where they are, so the views stay valid.
  basic_runtime_migration_list(basic_runtime_migration_list&&) noexcept = default;
  basic_runtime_migration_list& operator=(basic_runtime_migration_list&&) noexcept = default;
  ~basic_runtime_migration_list() = default;

  /// Appends `m` after checking it (see the class comment); returns `*this`.
  basic_runtime_migration_list& add(runtime_migration m);

  /// `add` with the DSL's `up(...)` and `down(...)`, then what `migration(...)` takes after
  /// them (flags, `portable`, `up_for<dialect::postgres>(...)`...):
  /// `list.add(3, "add email", sqlproof::up("ALTER TABLE ..."), sqlproof::down("..."))`.
  template <std::size_t U, std::size_t D, class... Extra>
    requires(detail::migration_extra<Extra>::valid && ...)
  basic_runtime_migration_list& add(std::int64_t version, std::string name, up_sql<U> up,
                              down_sql<D> down, Extra... extra) {
    runtime_migration m{version, std::move(name),
                        {up.statements.begin(), up.statements.end()},
                        {down.statements.begin(), down.statements.end()}, true,
                        migration_flags::none, {}, {}, false};
    (take(m, extra), ...);
    return add(std::move(m));
  }
  /// `add` of an irreversible migration: `list.add(4, "drop legacy", up(...), irreversible())`.
  template <std::size_t U, class... Extra>
    requires(detail::migration_extra<Extra>::valid && ...)
  basic_runtime_migration_list& add(std::int64_t version, std::string name, up_sql<U> up,
                              irreversible_t, Extra... extra) {
    runtime_migration m{version, std::move(name), {up.statements.begin(), up.statements.end()},
                        {}, false, migration_flags::none, {}, {}, false};
    (take(m, extra), ...);
    return add(std::move(m));
  }

  /// The migrations with their checksums, oldest first: what a `migrator` runs.
  [[nodiscard]] std::span<const migration_info> migrations() const noexcept { return infos_; }
  /// The migrations as a runner of dialect `d` runs them: their text for `d` and its
  /// checksums. Meaningful for `dialect::postgres` only when `first_without_text` is null.
  [[nodiscard]] std::span<const migration_info> migrations(dialect d) const noexcept {
    return d == dialect::postgres ? std::span<const migration_info>(postgres_infos_) : infos_;
  }
  /// The first migration that has no text for dialect `d` (neither its own nor `portable`),
  /// or nullptr.
  [[nodiscard]] const migration_info* first_without_text(dialect d) const noexcept {
    if (d != dialect::postgres) return nullptr;
    for (std::size_t i = 0; i != postgres_present_.size(); ++i) {
      if (!postgres_present_[i]) return &infos_[i];
    }
    return nullptr;
  }
  /// Number of migrations.
  [[nodiscard]] std::size_t size() const noexcept { return infos_.size(); }
  /// True when no migration was added.
  [[nodiscard]] bool empty() const noexcept { return infos_.empty(); }

 private:
  void check(const runtime_migration& m) const;

  static void take(runtime_migration& m, migration_flags f) noexcept { m.flags = m.flags | f; }
  template <migration_flags F>
  static void take(runtime_migration& m, migration_flag<F>) noexcept { m.flags = m.flags | F; }
  static void take(runtime_migration& m, portable_t) noexcept { m.portable = true; }
  template <std::size_t N>
  static void take(runtime_migration& m, const dialect_up_sql<dialect::postgres, N>& up) {
    m.postgres_up.assign(up.statements.begin(), up.statements.end());
  }
  template <std::size_t N>
  static void take(runtime_migration& m, const dialect_down_sql<dialect::postgres, N>& down) {
    m.postgres_down.assign(down.statements.begin(), down.statements.end());
  }

  std::deque<runtime_migration> items_;        // a deque: push_back never moves the strings viewed
  std::vector<migration_info> infos_;          // views of items_ plus checksums (SQLite's text)
  std::vector<migration_info> postgres_infos_;  // the same for PostgreSQL's text
  // Has a PostgreSQL text, or is portable: one byte each (std::vector<bool> is a class of its
  // own, instantiated in every file that includes this header).
  std::vector<unsigned char> postgres_present_;
};

#if SQLPROOF_DEFINITIONS
template <class Unused>
auto basic_runtime_migration_list<Unused>::add(runtime_migration m)
    -> basic_runtime_migration_list& {
  check(m);
  items_.push_back(std::move(m));
  try {
    const runtime_migration& stored = items_.back();
    const std::vector<std::string_view> up(stored.up.begin(), stored.up.end());
    std::vector<std::string_view> down;
    if (stored.reversible) down.assign(stored.down.begin(), stored.down.end());
    const std::vector<std::string_view> pg_up(stored.postgres_up.begin(), stored.postgres_up.end());
    const std::vector<std::string_view> pg_down(stored.postgres_down.begin(),
                                                stored.postgres_down.end());
    const bool own = !pg_up.empty();
    migration_info info = detail::make_migration_info(stored.version, stored.name, up, down,
                                                      stored.reversible, stored.flags);
    migration_info pg_info = detail::make_migration_info(
        stored.version, stored.name,
        own ? detail::migration_text_view{pg_up, pg_down, "postgres", true}
            : detail::migration_text_view{up, down, {}, stored.portable},
        stored.reversible, stored.flags);
    infos_.reserve(infos_.size() + 1);
    postgres_infos_.reserve(postgres_infos_.size() + 1);
    postgres_present_.reserve(postgres_present_.size() + 1);
    // Nothing below throws: the vectors have room and migration_info moves without throwing.
    infos_.push_back(std::move(info));
    postgres_infos_.push_back(std::move(pg_info));
    postgres_present_.push_back(own || stored.portable ? 1 : 0);
  } catch (...) {
    items_.pop_back();
    throw;
  }
  return *this;
}

template <class Unused>
void basic_runtime_migration_list<Unused>::check(const runtime_migration& m) const {
  const std::string who = "migration " + std::to_string(m.version) + " '" + m.name + "'";
  if (m.version < 1 || m.version > 2147483647) {
    throw migration_error("sqlproof: " + who +
                              ": a migration version must be between 1 and "
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
    throw migration_error("sqlproof: " + who +
                              " is irreversible but has down statements; "
                              "drop them or make it reversible",
                          {}, m.version, m.name);
  }
  if (m.portable && !(m.postgres_up.empty() && m.postgres_down.empty())) {
    throw migration_error("sqlproof: " + who +
                              " is marked portable and has a PostgreSQL "
                              "text; keep one of them",
                          {}, m.version, m.name);
  }
  if (m.postgres_down.size() != 0 && (m.postgres_up.empty() || !m.reversible)) {
    throw migration_error("sqlproof: " + who + " has a PostgreSQL down text but " +
                              (m.reversible ? "no PostgreSQL up text" : "is irreversible"),
                          {}, m.version, m.name);
  }
  if (!m.postgres_up.empty() && m.reversible && m.postgres_down.empty()) {
    throw migration_error("sqlproof: " + who +
                              " is reversible and has a PostgreSQL up text "
                              "but no PostgreSQL down text",
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
    throw migration_error(
        "sqlproof: migration versions must be strictly increasing in the "
        "order they are added: " +
            who + " comes after " + previous + " (versions " + std::to_string(last.version) +
            " then " + std::to_string(m.version) + "); add the lower version first",
        {}, m.version, m.name);
  }
}

#endif  // SQLPROOF_DEFINITIONS

/// The run-time migration list; see `basic_runtime_migration_list` above.
using runtime_migration_list = basic_runtime_migration_list<>;

#if defined(SQLPROOF_SEPARATE_COMPILATION)
// Compiled with the rest of the fixed code, in the implementation file (config.hpp).
#if SQLPROOF_DEFINITIONS
template class basic_runtime_migration_list<>;
#else
extern template class basic_runtime_migration_list<>;
#endif
#endif

}  // namespace sqlproof
