#pragma once
// The member functions of basic_migrator that are not templates of their own: the runner's
// work (planning, applying, reverting, the history, the reports). basic_migrator.hpp includes
// this file wherever it compiles the library's code (header-only, or the implementation
// file); with SQLPROOF_SEPARATE_COMPILATION, the other files only declare these functions,
// and SQLite's migrator is compiled once, in the implementation file
// (docs/separate-compilation.md). PostgreSQL's headers include it themselves: its backend
// is compiled in the files that use it, in both modes.

#include <cstddef>
#include <cstdint>
#include <exception>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../basic_migrator.hpp"
#include "algorithm.hpp"
#include "chrono.hpp"
#include "migration_history.hpp"
#include "migration_sql.hpp"

namespace sqlproof {

template <class Db>
migration_report basic_migrator<Db>::migrate() {
  return run([&](const auto& history, migration_report& r, bool& checked) {
    return plan_to(latest(), history, r, false, checked);
  });
}

template <class Db>
migration_report basic_migrator<Db>::migrate_to(std::int64_t version) {
  if (version != 0 && find(version) == nullptr) {
    throw unknown_version_error("cannot migrate to version " + std::to_string(version) +
                                    ": the program defines no such migration",
                                {}, version);
  }
  return run([&](const auto& history, migration_report& r, bool& checked) {
    return plan_to(version, history, r, true, checked);
  });
}

template <class Db>
migration_report basic_migrator<Db>::rollback(std::size_t n) {
  return run([&](const auto& history, migration_report& r, bool&) -> std::optional<plan> {
    if (r.steps.size() >= n || history.empty()) return std::nullopt;
    return revert_plan(history.back());
  });
}

template <class Db>
migration_report basic_migrator<Db>::redo() {
  migration_report first = rollback(1);
  if (first.steps.empty()) return first;
  migration_report second = migrate_to(first.steps.front().version);
  first.steps.insert(first.steps.end(), second.steps.begin(), second.steps.end());
  first.warnings.insert(first.warnings.end(), second.warnings.begin(), second.warnings.end());
  first.to_version = second.to_version;
  first.total += second.total;
  return first;
}

template <class Db>
migration_status basic_migrator<Db>::status() {
  [[maybe_unused]] const auto session = store_.session();
  auto tx = store_.begin_snapshot();
  migration_status s;
  std::vector<detail::history_row> history;
  std::vector<detail::history_event> events;
  const bool exists = store_.history_exists();
  s.user_version = store_.schema_version(exists);
  if (exists) {
    history = store_.read_history();
    events = store_.read_latest_events();
  }
  tx.commit();

  std::map<std::int64_t, migration_status_entry> by_version;
  for (const auto& m : program_) {
    auto& e = by_version[m.version];
    e.version = m.version;
    e.name = std::string(m.name);
    e.checksum = m.checksum;
    e.state = migration_state::pending;
  }
  for (const auto& ev : events) {
    auto it = by_version.find(ev.version);
    if (it != by_version.end() && ev.event == "failed") {
      it->second.state = migration_state::failed;
      it->second.detail = ev.at + ": " + ev.detail;
    }
  }
  for (const auto& h : history) {
    auto& e = by_version[h.version];
    const migration_info* m = find(h.version);
    e.version = h.version;
    e.name = h.name;
    e.applied_at = h.applied_at;
    e.duration_ms = h.duration_ms;
    e.stored_checksum = h.checksum;
    e.baseline = h.kind == "baseline";
    e.detail.clear();
    if (m == nullptr) {
      e.state = h.version > latest() ? migration_state::future : migration_state::missing;
    } else {
      e.state = h.checksum == m->checksum ? migration_state::applied : migration_state::modified;
      e.down_modified = h.down_checksum != m->down_checksum;
    }
  }
  for (auto& [v, e] : by_version) s.entries.push_back(std::move(e));
  return s;
}

template <class Db>
verification basic_migrator<Db>::verify() {
  const migration_status s = status();
  verification v;
  std::int64_t newest = 0;
  for (const auto& e : s.entries) {
    const std::string who = "migration " + std::to_string(e.version) + " '" + e.name + "'";
    switch (e.state) {
      case migration_state::applied:
        ++v.applied;
        break;
      case migration_state::pending:
      case migration_state::failed:
        ++v.pending;
        break;
      case migration_state::modified:
        v.errors.push_back(who + " was modified after it was applied: stored " + e.stored_checksum +
                           ", computed " + e.checksum);
        break;
      case migration_state::missing:
        v.errors.push_back(who + " is applied but not defined in this program");
        break;
      case migration_state::future:
        v.errors.push_back(who + " is newer than this program (the database is ahead)");
        break;
    }
    if (!e.applied_at.empty()) newest = std::max(newest, e.version);
    if (e.down_modified) v.warnings.push_back(who + ": its down text changed since it was applied");
  }
  for (const auto& e : s.entries) {
    if ((e.state == migration_state::pending || e.state == migration_state::failed) &&
        e.version < newest) {
      v.errors.push_back("migration " + std::to_string(e.version) + " '" + e.name +
                         "' is pending but the newer migration " + std::to_string(newest) +
                         " is applied");
    }
  }
  for (const auto& m : program_) {
    for (auto& w : store_type::text_warnings(m)) v.warnings.push_back(std::move(w));
  }
  if (store_type::stores_schema_version && s.user_version != newest) {
    v.errors.push_back("PRAGMA user_version is " + std::to_string(s.user_version) +
                       " but the newest applied migration is " + std::to_string(newest));
  }
  return v;
}

template <class Db>
migration_report basic_migrator<Db>::reset() {
  ensure_no_transaction("reset");
  std::string backup;
  {
    [[maybe_unused]] const auto session = store_.session();
    backup = store_.reset();
  }
  migration_report r = migrate();
  r.backup_path = std::move(backup);
  return r;
}

template <class Db>
migration_report basic_migrator<Db>::baseline(std::int64_t version) {
  if (find(version) == nullptr) {
    throw unknown_version_error("cannot baseline at version " + std::to_string(version) +
                                    ": the program defines no such migration",
                                {}, version);
  }
  bool done = false;
  return run([&](const auto& history, migration_report& r, bool&) -> std::optional<plan> {
    if (done) return std::nullopt;
    if (!history.empty()) {
      throw migration_error("cannot baseline: the database already has " +
                                std::to_string(history.size()) + " applied migration(s)",
                            {}, version);
    }
    for (const auto& m : program_) {
      if (m.version > version) break;
      store_.insert_history(history_row_of(m, 0, "baseline"));
      r.steps.push_back({m.version, std::string(m.name), migration_direction::up, {}, false});
    }
    store_.insert_event(version, find(version)->name, "baseline", "");
    store_.set_schema_version(version);
    done = true;
    return plan{};  // commit
  });
}

template <class Db>
repair_result basic_migrator<Db>::repair(std::int64_t version) {
  const migration_info* m = find(version);
  if (m == nullptr) {
    throw unknown_version_error("cannot repair version " + std::to_string(version) +
                                    ": the program defines no such migration",
                                {}, version);
  }
  repair_result result{version, std::string(m->name), {}, m->checksum, false};
  run([&](const auto& history, migration_report&, bool&) -> std::optional<plan> {
    if (!result.previous_checksum.empty() || result.changed) return std::nullopt;
    auto it = std::find_if(history.begin(), history.end(),
                           [&](const auto& h) { return h.version == version; });
    if (it == history.end()) {
      throw migration_error("cannot repair migration " + std::to_string(version) + " '" +
                                std::string(m->name) + "': it is not applied",
                            {}, version, std::string(m->name));
    }
    result.previous_checksum = it->checksum;
    const detail::history_row want = history_row_of(*m, it->duration_ms, it->kind);
    result.changed = it->checksum != want.checksum || it->name != want.name ||
                     it->down_checksum != want.down_checksum || it->down_sql != want.down_sql;
    if (!result.changed) return std::nullopt;
    store_.update_history(want);
    store_.insert_event(version, m->name, "repaired",
                        "checksum " + it->checksum + " -> " + want.checksum);
    return plan{};  // commit
  });
  return result;
}

template <class Db>
migration_report basic_migrator<Db>::dry_run() {
  ensure_no_transaction("dry_run");
  const auto started = clock::now();
  migration_report r;
  r.dry_run = true;
  [[maybe_unused]] const auto session = store_.session();
  const bool fk_off = std::any_of(program_.begin(), program_.end(), [](const auto& m) {
    return has_flag(m.flags, migration_flags::foreign_keys_off);
  });
  [[maybe_unused]] const auto flags = store_.flag_scope(fk_off);
  auto tx = store_.begin_step();
  store_.ensure_history();
  r.from_version = store_.schema_version(true);
  const auto history = store_.read_history();
  check_history(history, r, false);
  for (const auto& m : program_) {
    if (applied(history, m.version)) continue;
    if (has_flag(m.flags, migration_flags::outside_transaction)) {
      r.steps.push_back({m.version, std::string(m.name), migration_direction::up, {}, false});
      r.warnings.push_back("migration " + std::to_string(m.version) + " '" + std::string(m.name) +
                           "' runs outside a transaction: not run");
      continue;
    }
    const auto t0 = clock::now();
    apply_body(m, true);
    r.steps.push_back({m.version, std::string(m.name), migration_direction::up, clock::now() - t0});
  }
  r.to_version = store_.schema_version(true);
  tx.rollback();
  r.total = clock::now() - started;
  return r;
}

template <class Db>
void basic_migrator<Db>::ensure_no_transaction(const char* what) const {
  if (db_->in_transaction()) {
    throw misuse_error(std::string("migrator::") + what +
                           " cannot run inside a transaction: each migration takes " +
                           std::string(store_type::lock_summary) + " and commits on its own",
                       {});
  }
}

template <class Db>
void basic_migrator<Db>::check_flags() const {
  for (const auto& m : program_) {
    if (!has_flag(m.flags, store_type::unsupported_flags)) continue;
    throw migration_error("sqlproof: " + describe(m) +
                              " is marked foreign_keys_off, which is "
                              "SQLite-only (PostgreSQL has no per-session switch for foreign "
                              "keys); drop the flag and order the statements, or defer the "
                              "constraints",
                          {}, m.version, std::string(m.name));
  }
}

template <class Db>
std::string basic_migrator<Db>::describe(const migration_info& m) {
  return "migration " + std::to_string(m.version) + " '" + std::string(m.name) + "'";
}

template <class Db>
detail::history_row basic_migrator<Db>::history_row_of(const migration_info& m, double duration_ms,
                                                       std::string kind) const {
  detail::history_row row;
  row.version = m.version;
  row.name = std::string(m.name);
  row.checksum = m.checksum;
  row.down_checksum = m.down_checksum;
  if (m.reversible) {
    std::string sql;
    for (const auto s : m.down) {
      if (!sql.empty()) sql += "\n;\n";  // on its own line: a trailing -- comment stays closed
      sql += s;
    }
    row.down_sql = std::move(sql);
  }
  row.duration_ms = duration_ms;
  row.flags = static_cast<std::int64_t>(m.flags);
  row.kind = std::move(kind);
  return row;
}

template <class Db>
void basic_migrator<Db>::check_history(const std::vector<detail::history_row>& history,
                                       migration_report& r, bool allow_newer) const {
  for (const auto& h : history) {
    const migration_info* m = find(h.version);
    // Spelled only for a message: this loop runs over every history row.
    auto who = [&] { return "migration " + std::to_string(h.version) + " '" + h.name + "'"; };
    if (m == nullptr) {
      if (h.version > latest()) {
        if (allow_newer || options_.allow_newer_database) continue;
        throw future_version_error(
            "the database is ahead of this program: " + who() +
                " is applied but this program defines migrations only up to version " +
                std::to_string(latest()) +
                "; run a newer program, or revert it with rollback (which uses the down SQL "
                "stored in sqlproof_migrations)",
            {}, h.version, h.name);
      }
      throw migration_error(who() +
                                " is applied but not defined in this program; restore it "
                                "in the migration list",
                            {}, h.version, h.name);
    }
    if (h.checksum != m->checksum) {
      throw checksum_mismatch_error(
          describe(*m) + " was changed after it was applied: stored checksum " + h.checksum +
              ", computed checksum " + m->checksum +
              ". Restore its original up text and put the change in a new migration; or, if "
              "the edit is intended and changes nothing in the schema, accept it with "
              "migrator::repair(" +
              std::to_string(m->version) + ") (command: repair " + std::to_string(m->version) + ")",
          m->version, std::string(m->name), h.checksum, m->checksum);
    }
    if (h.down_checksum != m->down_checksum) {
      const std::string w = describe(*m) +
                            ": its down text changed since it was applied "
                            "(stored " +
                            h.down_checksum.value_or("none") + ", computed " +
                            m->down_checksum.value_or("none") + ")";
      if (std::find(r.warnings.begin(), r.warnings.end(), w) == r.warnings.end()) {
        r.warnings.push_back(w);
      }
    }
  }
}

template <class Db>
auto basic_migrator<Db>::revert_plan(const detail::history_row& h) const -> std::optional<plan> {
  const migration_info* m = find(h.version);
  if ((m != nullptr && !m->reversible && !h.down_sql) || (m == nullptr && !h.down_sql)) {
    throw missing_down_error("cannot revert migration " + std::to_string(h.version) + " '" +
                                 h.name + "': it is irreversible (no down text)",
                             {}, h.version, h.name);
  }
  return plan{nullptr, h};
}

template <class Db>
auto basic_migrator<Db>::plan_to(std::int64_t target,
                                 const std::vector<detail::history_row>& history,
                                 migration_report& r, bool explicit_target, bool& checked) const
    -> std::optional<plan> {
  if (!history.empty() && history.back().version > target &&
      (explicit_target || find(history.back().version) != nullptr)) {
    return revert_plan(history.back());
  }
  const bool checked_before = checked;
  // Once the history is checked, every migration up to the newest applied one is known to
  // be applied (a step applies the oldest pending or reverts the newest, which keeps it
  // so): later steps start after the newest instead of walking the list again.
  auto start = program_.begin();
  if (!checked) {
    check_history(history, r, false);
    checked = true;
  }
  const std::int64_t newest = history.empty() ? 0 : history.back().version;
  if (checked_before) {
    start = std::lower_bound(program_.begin(), program_.end(), newest + 1,
                             [](const migration_info& m, std::int64_t v) { return m.version < v; });
  }
  for (const auto& m : std::span(start, program_.end())) {
    if (m.version > target) break;
    if (applied(history, m.version)) continue;
    if (m.version < newest) {
      throw migration_error(
          describe(m) + " is pending but the newer migration " + std::to_string(newest) +
              " is already applied; give it a version above " + std::to_string(newest),
          {}, m.version, std::string(m.name));
    }
    return plan{&m, std::nullopt};
  }
  return std::nullopt;
}

template <class Db>
void basic_migrator<Db>::apply_body(const migration_info& m, bool run_sql, double duration_ms) {
  if (run_sql) {
    store_.before_statements(m.flags);
    run_statements(m, m.up, "apply", true);
  }
  store_.after_statements(m.version, m.name, m.flags);
  ensure_still_in_transaction(m.version, m.name, "apply");
  store_.insert_history(history_row_of(m, duration_ms, "applied"));
  store_.applied(m.version);
}

template <class Db>
void basic_migrator<Db>::run_statements(const migration_info& m,
                                        const std::vector<std::string_view>& sql, const char* verb,
                                        bool in_transaction) {
  statement_review review{this, &m, verb, 0, sql.size()};
  const detail::statement_checks checks{&statement_review::before, &statement_review::after,
                                        &review};
  for (std::size_t i = 0; i != sql.size(); ++i) {
    review.index = i;
    try {
      store_.run_script(sql[i], in_transaction ? &checks : nullptr);
    } catch (const migration_error&) {
      throw;
    } catch (const error& e) {
      if (!in_transaction) roll_back_open_transaction();
      throw migration_error(
          "cannot " + std::string(verb) + " " + describe(m) + ": statement " +
              std::to_string(i + 1) + " of " + std::to_string(sql.size()) + " failed",
          {e.extended_code(),
           std::string(e.sqlite_message()),
           std::string(e.sql().empty() ? sql[i] : e.sql()),
           {}},
          {e.sqlstate(), e.constraint_name(), e.table_name(), e.detail(), e.hint(), e.position()},
          m.version, std::string(m.name));
    }
  }
  if (!in_transaction && db_->in_transaction()) {
    roll_back_open_transaction();
    throw migration_error("cannot " + std::string(verb) + " " + describe(m) +
                              ": its statements left a transaction open (it was rolled "
                              "back); an outside_transaction migration must end every "
                              "transaction it begins",
                          {}, m.version, std::string(m.name));
  }
}

template <class Db>
void basic_migrator<Db>::roll_back_open_transaction() noexcept {
  if (!db_->in_transaction()) return;
  try {
    db_->exec_script("ROLLBACK");
  } catch (...) {  // the step's own failure is what the caller needs to see
  }
}

template <class Db>
void basic_migrator<Db>::ensure_still_in_transaction(std::int64_t version, std::string_view name,
                                                     const char* verb) const {
  if (db_->in_transaction()) return;
  throw migration_error("cannot " + std::string(verb) + " migration " + std::to_string(version) +
                            " '" + std::string(name) +
                            "': its transaction ended before the history row was written",
                        {}, version, std::string(name));
}

template <class Db>
void basic_migrator<Db>::record_failure(std::int64_t version, std::string_view name,
                                        const std::exception& e) noexcept {
  if (!options_.record_failures) return;
  try {
    auto tx = store_.begin_step();
    store_.ensure_history();
    store_.insert_event(version, name, "failed", e.what());
    tx.commit();
  } catch (...) {  // the failure itself is what the caller needs to see
  }
}

template <class Db>
template <class Planner>
migration_report basic_migrator<Db>::run(Planner&& planner) {
  ensure_no_transaction("run");
  const auto started = clock::now();
  // Before the first read: on SQLite in rollback-journal mode even reading user_version
  // waits for another process's write lock, with the connection's own (maybe zero) timeout
  // otherwise.
  [[maybe_unused]] const auto session = store_.session();
  migration_report r;
  bool fk_off = false;
  // The history as of our last step. Each step still decides with the lock held, but reads
  // the table again only when the store says another connection may have changed it (on
  // SQLite, PRAGMA data_version, https://sqlite.org/pragma.html#pragma_data_version):
  // reading it whole for every step made a run of n migrations read n²/2 rows.
  std::vector<detail::history_row> history;
  // A flag and a value rather than std::optional: g++ 12 -O2 reports the optional's value
  // as maybe-uninitialized here.
  bool token_seen = false;
  std::int64_t seen_token = 0;
  bool history_checked = false;
  for (;;) {
    [[maybe_unused]] const auto flags =
        store_.flag_scope(fk_off);  // outside the transaction, on purpose
    auto tx = store_.begin_step();
    const std::int64_t token = store_.history_token();
    if (!token_seen || seen_token != token) {
      store_.ensure_history();
      history = store_.read_history();
      token_seen = true;
      seen_token = token;
      history_checked = false;
    }
    if (r.steps.empty()) r.from_version = store_.schema_version(true);
    const std::optional<plan> next = planner(history, r, history_checked);
    if (!next || (next->up == nullptr && !next->down)) {
      r.to_version = store_.schema_version(true);
      tx.commit();
      break;
    }
    const bool wants_fk_off = has_flag(next->flags(), migration_flags::foreign_keys_off);
    if (wants_fk_off != fk_off) {  // switch the pragma outside the transaction and re-plan
      fk_off = wants_fk_off;
      tx.rollback();  // may undo ensure_history: read again
      token_seen = false;
      continue;
    }
    const auto t0 = clock::now();
    if (next->up != nullptr) {
      const migration_info& m = *next->up;
      try {
        if (has_flag(m.flags, migration_flags::outside_transaction)) {
          // Taken while the step holds its lock, so no other process slips in before it.
          [[maybe_unused]] const auto hold = store_.hold_outside(m.flags);
          tx.commit();
          run_statements(m, m.up, "apply", false);
          auto tx2 = store_.begin_step();
          history = store_.read_history();
          history_checked = false;
          if (!applied(history, m.version)) {
            apply_body(m, false, ms(clock::now() - t0));
            remember_applied(history, m);
          }
          tx2.commit();
        } else {
          store_.before_statements(m.flags);
          run_statements(m, m.up, "apply", true);
          apply_body(m, false, ms(clock::now() - t0));
          tx.commit();
          remember_applied(history, m);
        }
      } catch (const std::exception& e) {
        if (tx.active()) tx.rollback();
        record_failure(m.version, m.name, e);
        throw;
      }
      r.steps.push_back(
          {m.version, std::string(m.name), migration_direction::up, clock::now() - t0});
    } else {
      revert(*next->down, tx);
      const auto it = history_position(history, next->down->version);
      if (it != history.end() && it->version == next->down->version) history.erase(it);
      r.steps.push_back(
          {next->down->version, next->down->name, migration_direction::down, clock::now() - t0});
    }
  }
  r.total = clock::now() - started;
  return r;
}

template <class Db>
void basic_migrator<Db>::remember_applied(std::vector<detail::history_row>& history,
                                          const migration_info& m) const {
  const auto it = history_position(history, m.version);
  if (it != history.end() && it->version == m.version) return;
  history.insert(it, history_row_of(m, 0, "applied"));
}

template <class Db>
void basic_migrator<Db>::revert(const detail::history_row& h, transaction_type& tx) {
  const migration_info* m = find(h.version);
  migration_info stored;  // a version the program lacks: its stored down SQL
  if (m == nullptr || !m->reversible) {
    stored.version = h.version;
    stored.name = h.name;
    stored.down.push_back(*h.down_sql);
    stored.flags = static_cast<migration_flags>(h.flags);
    m = &stored;
  }
  if (has_flag(m->flags, migration_flags::outside_transaction)) {
    [[maybe_unused]] const auto hold = store_.hold_outside(m->flags);
    tx.commit();
    run_statements(*m, m->down, "revert", false);
    auto tx2 = store_.begin_step();
    finish_revert(h);
    tx2.commit();
    return;
  }
  store_.before_statements(m->flags);
  run_statements(*m, m->down, "revert", true);
  store_.after_statements(h.version, h.name, m->flags);
  finish_revert(h);
  tx.commit();
}

template <class Db>
void basic_migrator<Db>::finish_revert(const detail::history_row& h) {
  ensure_still_in_transaction(h.version, h.name, "revert");
  store_.delete_history(h.version);
  store_.reverted();
  store_.insert_event(h.version, h.name, "rolled_back", "");
}

}  // namespace sqlproof
