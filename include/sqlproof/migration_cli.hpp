#pragma once
/// @file
/// `cli::run`: the migration commands for any program, so a service binary can migrate its
/// own database from a deploy script; on every backend (`cli.hpp` adds SQLite's migrator,
/// `postgres/cli.hpp` PostgreSQL's).
///
/// @code
/// int main(int argc, char** argv) {
///   sqlproof::database db{"app.db"};  // or sqlproof::pg::database db{"dbname=app"};
///   return sqlproof::cli::run(argc, argv, db, schema);  // app status | up | down 2 | ...
/// }
/// @endcode
///
/// Commands (after the program name): `status`, `up`, `down [n]`, `to V`, `redo`, `verify`,
/// `reset`, `baseline V`, `repair V`, `dry-run`, `help`; `--json` anywhere prints JSON instead
/// of text. Exit codes are `cli::exit_code` values.

#include <cstdint>
#include <cstdio>
#include <exception>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "basic_migrator.hpp"
#include "detail/json_text.hpp"
#include "error.hpp"
#include "migration_list.hpp"
#include "migration_report.hpp"

#if SQLPROOF_DEFINITIONS
#include <charconv>  // parse_number
#endif

namespace sqlproof::cli {

/// What `run` returns, for scripts to test.
enum exit_code : int {
  success = 0,   ///< The command did what was asked (`status`: the database matches the program).
  failure = 1,   ///< A migration or the database failed; nothing of the failing step remains.
  usage = 2,     ///< The command line was wrong (unknown command, bad number, unknown version).
  mismatch = 3,  ///< The database does not match the program: a modified, missing or newer
                 ///< migration (`status`, `verify`, and commands refused for that reason).
  busy = 4,      ///< The lock (SQLite's write lock, PostgreSQL's advisory lock) was not
                 ///< obtained within the busy timeout.
};

/// A stream `run` can write to: `std::ostream` and anything with its `write(const char*,
/// std::streamsize)`. The header includes no iostreams; a program that passes a stream has
/// included them itself.
template <class S>
concept text_stream = requires(S& s, const char* text, std::streamsize n) { s.write(text, n); };

namespace detail {

// Where the commands write: a C stream (stdout and stderr unless the caller passes streams)
// or the caller's text_stream, behind one function pointer.
struct text_sink {
  void* target;
  void (*write_text)(void* target, std::string_view text);

  void write(std::string_view text) const { write_text(target, text); }
};

SQLPROOF_DECL text_sink file_sink(std::FILE* file) noexcept
#if SQLPROOF_DEFINITIONS
{
  return {file, [](void* target, std::string_view text) {
            std::fwrite(text.data(), 1, text.size(), static_cast<std::FILE*>(target));
          }};
}
#else
    ;
#endif

template <text_stream S>
text_sink stream_sink(S& stream) noexcept {
  return {&stream, [](void* target, std::string_view text) {
            static_cast<S*>(target)->write(text.data(), static_cast<std::streamsize>(text.size()));
          }};
}

SQLPROOF_DECL std::string usage_text(std::string_view program)
#if SQLPROOF_DEFINITIONS
{
  std::string p(program.empty() ? "program" : program);
  return "usage: " + p +
         " [--json] <command>\n"
         "commands:\n"
         "  status        list every migration and its state (default)\n"
         "  up            apply every pending migration\n"
         "  down [n]      revert the n newest migrations (default 1)\n"
         "  to V          migrate up or down to version V (0: revert all)\n"
         "  redo          revert the newest migration and apply it again\n"
         "  verify        check applied migrations against the program\n"
         "  reset         back up the database (SQLite), drop everything, apply all "
         "migrations\n"
         "  baseline V    record migrations up to V as applied without running them\n"
         "  repair V      accept the program's edited text of applied migration V\n"
         "  dry-run       apply pending migrations, report, and roll back\n"
         "exit codes: 0 success, 1 failure, 2 usage, 3 database does not match the program, "
         "4 database locked\n";
}
#else
    ;
#endif

SQLPROOF_DECL std::optional<std::int64_t> parse_number(std::string_view s)
#if SQLPROOF_DEFINITIONS
{
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}
#else
    ;
#endif

SQLPROOF_DECL void print_error(const text_sink& out, const text_sink& err, bool json,
                               std::string_view kind, std::string_view message, int code)
#if SQLPROOF_DEFINITIONS
{
  if (json) {
    std::string text = "{\"error\":";
    sqlproof::detail::append_json_string(text, message);
    text += ",\"kind\":";
    sqlproof::detail::append_json_string(text, kind);
    text += ",\"exit_code\":" + std::to_string(code) + "}\n";
    out.write(text);
  } else {
    err.write("error: " + std::string(message) + "\n");
  }
}
#else
    ;
#endif

template <class Migrator>
int run_command(const std::vector<std::string_view>& args, std::string_view program,
                Migrator& m, const text_sink& out, const text_sink& err) {
  bool json = false;
  std::vector<std::string_view> words;
  for (const auto a : args) {
    if (a == "--json") {
      json = true;
    } else {
      words.push_back(a);
    }
  }
  const std::string_view command = words.empty() ? std::string_view("status") : words[0];
  auto bad_usage = [&](const std::string& why) {
    print_error(out, err, json, "usage", why, usage);
    if (!json) err.write(usage_text(program));
    return int{usage};
  };
  auto number_at = [&](std::size_t i) -> std::optional<std::int64_t> {
    return i < words.size() ? parse_number(words[i]) : std::nullopt;
  };
  auto report = [&](const migration_report& r) {
    out.write(json ? r.json() + "\n" : r.text());
    return int{success};
  };

  try {
    if (command == "help" || command == "--help" || command == "-h") {
      out.write(usage_text(program));
      return success;
    }
    if (command == "status") {
      if (words.size() > 1) return bad_usage("status takes no argument");
      const migration_status s = m.status();
      out.write(json ? s.json() + "\n" : s.text());
      const bool matches = s.count(migration_state::modified) + s.count(migration_state::missing) +
                               s.count(migration_state::future) == 0;
      return matches ? success : mismatch;
    }
    if (command == "verify") {
      if (words.size() > 1) return bad_usage("verify takes no argument");
      const verification v = m.verify();
      out.write(json ? v.json() + "\n" : v.text());
      return v.ok() ? success : mismatch;
    }
    if (command == "up") {
      if (words.size() > 1) return bad_usage("up takes no argument");
      return report(m.migrate());
    }
    if (command == "down") {
      std::int64_t n = 1;
      if (words.size() > 2) return bad_usage("down takes at most one argument");
      if (words.size() == 2) {
        const auto v = number_at(1);
        if (!v || *v == 0) return bad_usage("down expects a positive count, not '" + std::string(words[1]) + "'");
        n = *v;
      }
      return report(m.rollback(static_cast<std::size_t>(n)));
    }
    if (command == "to" || command == "baseline" || command == "repair") {
      if (words.size() != 2 || !number_at(1)) {
        return bad_usage(std::string(command) + " expects one version number");
      }
      const std::int64_t v = *number_at(1);
      if (command == "to") return report(m.migrate_to(v));
      if (command == "baseline") return report(m.baseline(v));
      const repair_result r = m.repair(v);
      if (json) {
        std::string text = "{\"version\":" + std::to_string(r.version) + ",\"name\":";
        sqlproof::detail::append_json_string(text, r.name);
        text += ",\"previous_checksum\":";
        sqlproof::detail::append_json_string(text, r.previous_checksum);
        text += ",\"checksum\":";
        sqlproof::detail::append_json_string(text, r.checksum);
        text += std::string(",\"changed\":") + (r.changed ? "true" : "false") + "}\n";
        out.write(text);
      } else if (r.changed) {
        out.write("repaired " + std::to_string(r.version) + " " + r.name + ": " +
                  r.previous_checksum + " -> " + r.checksum +
                  " (recorded in sqlproof_migration_events)\n");
      } else {
        out.write("nothing to repair: " + std::to_string(r.version) + " " + r.name +
                  " already matches\n");
      }
      return success;
    }
    if (command == "redo" || command == "reset" || command == "dry-run") {
      if (words.size() > 1) return bad_usage(std::string(command) + " takes no argument");
      if (command == "redo") return report(m.redo());
      if (command == "reset") return report(m.reset());
      return report(m.dry_run());
    }
    return bad_usage("unknown command '" + std::string(command) + "'");
  } catch (const unknown_version_error& e) {
    print_error(out, err, json, "unknown_version", e.what(), usage);
    return usage;
  } catch (const checksum_mismatch_error& e) {
    print_error(out, err, json, "checksum_mismatch", e.what(), mismatch);
    return mismatch;
  } catch (const future_version_error& e) {
    print_error(out, err, json, "future_version", e.what(), mismatch);
    return mismatch;
  } catch (const missing_down_error& e) {
    print_error(out, err, json, "missing_down", e.what(), failure);
    return failure;
  } catch (const busy_error& e) {
    print_error(out, err, json, "busy", e.what(), busy);
    return busy;
  } catch (const migration_error& e) {
    const bool drift = e.summary().find("not defined in this program") != std::string_view::npos;
    print_error(out, err, json, drift ? "missing" : "migration", e.what(), drift ? mismatch : failure);
    return drift ? mismatch : failure;
  } catch (const std::exception& e) {
    print_error(out, err, json, "error", e.what(), failure);
    return failure;
  }
}

}  // namespace detail

namespace detail {

template <class Db, class List>
int run_list(int argc, const char* const* argv, Db& db, const List& list,
             const text_sink& out, const text_sink& err, migrator_options options) {
  std::vector<std::string_view> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  const std::string_view program = argc > 0 && argv[0] != nullptr ? argv[0] : "";
  try {
    basic_migrator<Db> m{db, list, std::move(options)};
    return run_command(args, program, m, out, err);
  } catch (const std::exception& e) {
    err.write("error: " + std::string(e.what()) + "\n");
    return failure;
  }
}

}  // namespace detail

/// A database a migrator runs on: one whose backend has a `migration_store`
/// (`sqlproof::database` with <sqlproof/cli.hpp>, `sqlproof::pg::database` with
/// <sqlproof/postgres/cli.hpp>).
template <class Db>
concept migratable_database =
    requires { sizeof(migration_store<typename Db::backend_type>); };

/// Runs the migration command in `argv[1..argc)` against `db` and returns an `exit_code`.
/// Output goes to standard output (results, and errors under `--json`) and standard error
/// (errors and usage). Never throws for a failed command; the exit code and message say what
/// happened.
template <migratable_database Db, class... Ms>
int run(int argc, const char* const* argv, Db& db, const migration_list<Ms...>& list,
        migrator_options options = {}) {
  return detail::run_list(argc, argv, db, list, detail::file_sink(stdout),
                          detail::file_sink(stderr), std::move(options));
}

/// `run` writing to `out` and `err` (e.g. `std::cout` and `std::cerr`, or string streams).
template <migratable_database Db, class... Ms, text_stream Out, text_stream Err>
int run(int argc, const char* const* argv, Db& db, const migration_list<Ms...>& list, Out& out,
        Err& err, migrator_options options = {}) {
  return detail::run_list(argc, argv, db, list, detail::stream_sink(out), detail::stream_sink(err),
                          std::move(options));
}

/// `run` over a run-time list (`runtime_migration_list`), e.g. one read from files.
template <migratable_database Db>
int run(int argc, const char* const* argv, Db& db, const runtime_migration_list& list,
        migrator_options options = {}) {
  return detail::run_list(argc, argv, db, list, detail::file_sink(stdout),
                          detail::file_sink(stderr), std::move(options));
}

/// `run` over a run-time list, writing to `out` and `err`.
template <migratable_database Db, text_stream Out, text_stream Err>
int run(int argc, const char* const* argv, Db& db, const runtime_migration_list& list, Out& out,
        Err& err, migrator_options options = {}) {
  return detail::run_list(argc, argv, db, list, detail::stream_sink(out), detail::stream_sink(err),
                          std::move(options));
}

/// Every `run` above, for `main`'s own `char** argv`.
template <migratable_database Db, class List, class... Rest>
int run(int argc, char** argv, Db& db, const List& list, Rest&&... rest) {
  return run(argc, const_cast<const char* const*>(argv), db, list, std::forward<Rest>(rest)...);
}

}  // namespace sqlproof::cli
