// Tests for include/sqlproof/health.hpp: check_health on real database files (a healthy one,
// many free pages before and after incremental_vacuum, a WAL held open by a reader, a page
// cache too small for a scan, quick_check), the checks on hand-built query statistics and
// event counts (slow queries with advice from their plans, busy waits, interrupts), and the
// report's text, JSON and merging.

#include <cctype>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <sqlproof/health.hpp>
#include <sqlproof/sqlproof.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "catch.hpp"
#include "support/scratch_dir.hpp"

namespace sp = sqlproof;
using namespace std::chrono_literals;

namespace {

struct scratch_dir : sqlproof_test::scratch_dir {
  scratch_dir() : sqlproof_test::scratch_dir("health") {}
};

using add_blob = sp::query<"INSERT INTO blobs (data) VALUES (randomblob(?))", void(int)>;
using blob_bytes = sp::query<"SELECT sum(length(data)) FROM blobs", std::int64_t()>;
using blob_count = sp::query<"SELECT count(*) FROM blobs", std::int64_t()>;

struct add_event : sp::query<"INSERT INTO events (kind) VALUES (?)", void(int)> {};
struct events_of_kind : sp::query<"SELECT count(*) FROM events WHERE kind = ?", std::int64_t(int)> {
};
struct event_by_id : sp::query<"SELECT kind FROM events WHERE id = ?", int(std::int64_t)> {};

void create_blobs(sp::database& db, int rows, int bytes) {
  db.exec_script("CREATE TABLE IF NOT EXISTS blobs (id INTEGER PRIMARY KEY, data BLOB NOT NULL)");
  db.transaction([&] {
    for (int i = 0; i < rows; ++i) db.exec<add_blob>(bytes);
  });
}

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// The findings of one check.
std::vector<sp::health_finding> of(const sp::health_report& r, std::string_view check) {
  std::vector<sp::health_finding> out;
  for (const sp::health_finding& f : r.findings) {
    if (f.check == check) out.push_back(f);
  }
  return out;
}

// The single finding of `check`; fails the test when there is not exactly one.
sp::health_finding one(const sp::health_report& r, std::string_view check) {
  const auto found = of(r, check);
  INFO("check " << check << " in\n" << r.text());
  REQUIRE(found.size() == 1);
  return found.front();
}

// Inputs for the checks that a fresh, healthy WAL database would give.
sp::detail::health_inputs healthy_inputs() {
  sp::detail::health_inputs in;
  in.source = "app.db";
  in.stats.page_size = 4096;
  in.stats.page_count = 1000;
  in.stats.freelist_count = 10;
  in.stats.cache_hits = 9900;
  in.stats.cache_misses = 100;
  in.pragmas.journal = sp::journal_mode::wal;
  in.pragmas.page_size = 4096;
  in.pragmas.wal_autocheckpoint = 1000;
  in.pragmas.journal_size_limit = -1;
  in.pragmas.cache_size = -2000;
  in.pragmas.auto_vacuum = sp::auto_vacuum_mode::incremental;
  in.pragmas.busy_timeout = 5000ms;
  return in;
}

sp::query_stat stat(std::string name, std::string sql, std::uint64_t calls,
                    std::chrono::nanoseconds total, std::chrono::nanoseconds max) {
  sp::query_stat s;
  s.name = std::move(name);
  s.sql = std::move(sql);
  s.calls = calls;
  s.rows = calls;
  s.total_time = total;
  s.max_time = max;
  return s;
}

std::vector<sp::plan_row> no_plan(const sp::query_stat&) { return {}; }

// A JSON syntax check (RFC 8259, without number exponents): true when `s` is exactly one
// value.
class json_syntax {
 public:
  explicit json_syntax(std::string_view s) : s_(s) {}
  bool valid() {
    const bool ok = value();
    skip_space();
    return ok && at_ == s_.size();
  }

 private:
  void skip_space() {
    while (at_ < s_.size() && (s_[at_] == ' ' || s_[at_] == '\n' || s_[at_] == '\t')) ++at_;
  }
  bool literal(std::string_view word) {
    if (s_.substr(at_, word.size()) != word) return false;
    at_ += word.size();
    return true;
  }
  bool string() {
    if (at_ >= s_.size() || s_[at_] != '"') return false;
    for (++at_; at_ < s_.size(); ++at_) {
      const auto c = static_cast<unsigned char>(s_[at_]);
      if (c == '"') {
        ++at_;
        return true;
      }
      if (c < 0x20) return false;
      if (c == '\\') {
        if (++at_ >= s_.size()) return false;
        const char e = s_[at_];
        if (e == 'u') {
          for (int i = 0; i < 4; ++i) {
            if (++at_ >= s_.size() || !std::isxdigit(static_cast<unsigned char>(s_[at_]))) {
              return false;
            }
          }
        } else if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) {
          return false;
        }
      }
    }
    return false;
  }
  bool number() {
    const std::size_t start = at_;
    if (at_ < s_.size() && s_[at_] == '-') ++at_;
    while (at_ < s_.size() &&
           (std::isdigit(static_cast<unsigned char>(s_[at_])) || s_[at_] == '.')) {
      ++at_;
    }
    return at_ > start;
  }
  template <class Item>
  bool sequence(char close, Item item) {
    ++at_;
    skip_space();
    if (at_ < s_.size() && s_[at_] == close) {
      ++at_;
      return true;
    }
    while (true) {
      if (!item()) return false;
      skip_space();
      if (at_ >= s_.size()) return false;
      if (s_[at_] == close) {
        ++at_;
        return true;
      }
      if (s_[at_] != ',') return false;
      ++at_;
      skip_space();
    }
  }
  bool value() {
    skip_space();
    if (at_ >= s_.size()) return false;
    switch (s_[at_]) {
      case '{':
        return sequence('}', [this] {
          if (!string()) return false;
          skip_space();
          if (at_ >= s_.size() || s_[at_] != ':') return false;
          ++at_;
          return value();
        });
      case '[':
        return sequence(']', [this] { return value(); });
      case '"':
        return string();
      case 't':
        return literal("true");
      case 'f':
        return literal("false");
      case 'n':
        return literal("null");
      default:
        return number();
    }
  }

  std::string_view s_;
  std::size_t at_ = 0;
};

}  // namespace

TEST_CASE("health: a fresh database in good order is healthy, every check reported") {
  scratch_dir dir;
  sp::database db{dir.file("fresh.db"), sp::options::production()};
  create_blobs(db, 100, 100);
  CHECK(db.one<blob_count>() == 100);

  const sp::health_report r = sp::check_health(db);
  INFO(r.text());
  CHECK(r.source == dir.file("fresh.db"));
  CHECK(r.healthy());
  CHECK(r.worst() <= sp::health_severity::info);
  std::vector<std::string> checks;
  for (const sp::health_finding& f : r.findings) checks.push_back(f.check);
  CHECK(checks == std::vector<std::string>{"wal_size", "freelist", "cache_hit_ratio",
                                           "slow_queries", "busy", "interrupts"});
  CHECK(one(r, "wal_size").severity == sp::health_severity::ok);
  CHECK(contains(one(r, "wal_size").message, "journal_size_limit 64.0 MiB"));
  CHECK(one(r, "freelist").severity == sp::health_severity::ok);
  CHECK(one(r, "cache_hit_ratio").severity == sp::health_severity::ok);
  CHECK(one(r, "busy").severity == sp::health_severity::ok);
  CHECK(one(r, "interrupts").severity == sp::health_severity::ok);
  for (const sp::health_finding& f : r.findings) {
    if (f.severity == sp::health_severity::ok) CHECK(f.recommendation.empty());
  }
}

TEST_CASE("health: an in-memory database, and a slow query whose table is gone") {
  sp::options o = sp::options::in_memory();
  o.collect_query_stats = true;
  sp::database db{":memory:", o};
  db.exec_script("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1), (2)");
  CHECK(db.prepare_cached("SELECT count(*) FROM t WHERE x > ?").one<std::int64_t>(0) == 2);
  db.exec_script("DROP TABLE t");

  sp::health_options h;
  h.slow_query_threshold = 0ms;  // every query is slow
  const sp::health_report r = sp::check_health(db, h);
  INFO(r.text());
  CHECK(r.source == ":memory:");
  CHECK(one(r, "wal_size").message == "not in WAL mode: no WAL file");
  // Its plan cannot be read any more: the advice falls back to db.explain.
  bool found = false;
  for (const sp::health_finding& f : of(r, "slow_queries")) {
    if (contains(f.message, "SELECT count(*) FROM t WHERE x > ?: mean ")) {
      found = true;
      CHECK(contains(f.recommendation, "see its plan with db.explain(sql)"));
    }
  }
  CHECK(found);
}

TEST_CASE("health: quick_check runs when asked for, first, and is ok on a sound file") {
  scratch_dir dir;
  sp::database db{dir.file("sound.db"), sp::options::production()};
  create_blobs(db, 50, 100);
  sp::health_options o;
  CHECK(of(sp::check_health(db, o), "quick_check").empty());
  o.quick_check = true;
  const sp::health_report r = sp::check_health(db, o);
  REQUIRE_FALSE(r.findings.empty());
  CHECK(r.findings.front().check == "quick_check");
  CHECK(r.findings.front().severity == sp::health_severity::ok);
  CHECK(r.findings.front().message == "no problem found");
  CHECK(r.healthy());

  // A problem is critical.
  sp::detail::health_inputs in = healthy_inputs();
  in.quick_checked = true;
  in.quick_check_problems = {
      "*** in database main ***\nPage 7: btreeInitPage() returns error code 11"};
  const sp::health_report bad = sp::detail::health_from(in, {});
  CHECK(bad.worst() == sp::health_severity::critical);
  CHECK_FALSE(bad.healthy());
  CHECK(contains(one(bad, "quick_check").message, "found 1 problem(s)"));
  CHECK(contains(one(bad, "quick_check").message, "Page 7"));
  CHECK(contains(one(bad, "quick_check").recommendation, "restore"));
}

TEST_CASE("health: many free pages recommend incremental_vacuum, and are gone after it") {
  scratch_dir dir;
  sp::database db{dir.file("free.db"), sp::options::production()};
  REQUIRE(db.pragmas().auto_vacuum == sp::auto_vacuum_mode::incremental);
  create_blobs(db, 2000, 1000);
  db.exec_script("DELETE FROM blobs");

  const sp::health_report before = sp::check_health(db);
  const sp::health_finding f = one(before, "freelist");
  INFO(before.text());
  CHECK(f.severity == sp::health_severity::warning);
  CHECK_FALSE(before.healthy());
  CHECK(contains(f.message, "pages are free"));
  CHECK(contains(f.message, "threshold 20.0%"));
  CHECK(contains(f.recommendation, "db.incremental_vacuum()"));

  CHECK(db.incremental_vacuum() > 400);
  const sp::health_report after = sp::check_health(db);
  INFO(after.text());
  CHECK(one(after, "freelist").severity == sp::health_severity::ok);
  CHECK(contains(one(after, "freelist").message, "0 of "));
  CHECK(after.healthy());
}

TEST_CASE("health: without auto_vacuum the free pages call for VACUUM") {
  scratch_dir dir;
  sp::database db{dir.file("no-autovacuum.db")};
  REQUIRE(db.pragmas().auto_vacuum == sp::auto_vacuum_mode::none);
  create_blobs(db, 2000, 1000);
  db.exec_script("DELETE FROM blobs");
  const sp::health_finding f = one(sp::check_health(db), "freelist");
  CHECK(f.severity == sp::health_severity::warning);
  CHECK(contains(f.recommendation, "auto_vacuum is NONE"));
  CHECK(contains(f.recommendation, "VACUUM"));

  // A few free pages are never reported, whatever their share.
  sp::detail::health_inputs in = healthy_inputs();
  in.stats.page_count = 10;
  in.stats.freelist_count = 9;
  CHECK(one(sp::detail::health_from(in, {}), "freelist").severity == sp::health_severity::ok);
  sp::health_options o;
  o.min_free_pages = 5;
  CHECK(one(sp::detail::health_from(in, o), "freelist").severity == sp::health_severity::warning);
}

TEST_CASE("health: a WAL kept growing by an open reader calls for checkpoint(truncate)") {
  scratch_dir dir;
  sp::options o = sp::options::production();
  o.wal_autocheckpoint = 10;
  o.journal_size_limit = 64 * 1024;
  sp::database db{dir.file("wal.db"), o};
  create_blobs(db, 10, 100);
  {
    sp::database reader{dir.file("wal.db"), o};
    auto snapshot = reader.begin();
    REQUIRE(reader.one<blob_count>() == 10);  // the read takes the snapshot
    create_blobs(db, 400, 4000);              // about 2 MB that no checkpoint can reset
    const sp::health_report r = sp::check_health(db);
    const sp::health_finding f = one(r, "wal_size");
    INFO(r.text());
    CHECK(f.severity == sp::health_severity::warning);
    CHECK(contains(f.message, "limit 64.0 KiB: journal_size_limit 64.0 KiB"));
    CHECK(contains(f.recommendation, "checkpoint_mode::truncate"));
    CHECK(contains(f.recommendation, "read transaction"));
    CHECK(db.stats().wal_size > 1024 * 1024);
  }
  const sp::checkpoint_result c = db.checkpoint(sp::checkpoint_mode::truncate);
  CHECK(c.complete());
  CHECK(db.stats().wal_size == 0);
  const sp::health_report r = sp::check_health(db);
  INFO(r.text());
  CHECK(one(r, "wal_size").severity == sp::health_severity::ok);
  CHECK(contains(one(r, "wal_size").message, "the WAL file is 0 B"));
}

TEST_CASE("health: the WAL limit is never below one automatic checkpoint's worth") {
  sp::detail::health_inputs in = healthy_inputs();
  in.pragmas.journal_size_limit = 0;  // truncate to nothing at each reset
  in.stats.wal_size = 1024 * 1024;    // 1 MiB: below 1000 pages of 4 KiB
  sp::health_finding f = one(sp::detail::health_from(in, {}), "wal_size");
  CHECK(f.severity == sp::health_severity::ok);
  CHECK(contains(f.message, "raised to wal_autocheckpoint 1000 pages"));
  // No journal_size_limit: the option's limit, and the advice to set one.
  in.pragmas.journal_size_limit = -1;
  in.stats.wal_size = 100 * 1024 * 1024;
  f = one(sp::detail::health_from(in, {}), "wal_size");
  CHECK(f.severity == sp::health_severity::warning);
  CHECK(contains(f.message, "the WAL file is 100.0 MiB"));
  CHECK(contains(f.message, "health_options::wal_size_limit 64.0 MiB"));
  CHECK(contains(f.recommendation, "options::journal_size_limit"));
  sp::health_options o;
  o.wal_size_limit = std::int64_t{200} * 1024 * 1024;
  CHECK(one(sp::detail::health_from(in, o), "wal_size").severity == sp::health_severity::ok);
  // Not in WAL mode.
  in.pragmas.journal = sp::journal_mode::delete_;
  in.stats.wal_size = 0;
  CHECK(one(sp::detail::health_from(in, {}), "wal_size").message == "not in WAL mode: no WAL file");
}

TEST_CASE("health: a page cache too small for a scan gives a low hit ratio") {
  scratch_dir dir;
  {
    sp::database db{dir.file("cache.db")};
    create_blobs(db, 1000, 1000);  // about 250 pages of 4 KiB: 1 MiB
  }
  sp::options small;
  small.cache_size = 10;
  sp::database db{dir.file("cache.db"), small};
  for (int i = 0; i < 5; ++i) CHECK(db.one<blob_bytes>() == 1'000'000);
  const sp::health_report r = sp::check_health(db);
  const sp::health_finding f = one(r, "cache_hit_ratio");
  INFO(r.text());
  CHECK(f.severity == sp::health_severity::warning);
  CHECK(contains(f.message, "cache_size 10 (40.0 KiB)"));
  CHECK(contains(f.recommendation, "options::cache_size"));
  CHECK_FALSE(r.healthy());

  // The same scans with the default cache (2 MiB, more than the file): nearly all hits.
  sp::database roomy{dir.file("cache.db")};
  for (int i = 0; i < 20; ++i) CHECK(roomy.one<blob_bytes>() == 1'000'000);
  const sp::health_report ok = sp::check_health(roomy);
  INFO(ok.text());
  CHECK(one(ok, "cache_hit_ratio").severity == sp::health_severity::ok);

  // Too few lookups to judge.
  sp::detail::health_inputs in = healthy_inputs();
  in.stats.cache_hits = 10;
  in.stats.cache_misses = 500;
  CHECK(one(sp::detail::health_from(in, {}), "cache_hit_ratio").message ==
        "510 page lookups, too few to judge (from 1000)");
}

TEST_CASE("health: a slow query is named, with advice from its plan") {
  sp::detail::health_inputs in = healthy_inputs();
  in.queries.entries.push_back(
      stat("find_user", "SELECT * FROM users WHERE id = ?", 5000, 50ms, 1ms));
  in.queries.entries.push_back(
      stat("", "SELECT * FROM events WHERE payload LIKE ?", 4, 800ms, 300ms));
  in.queries.entries.push_back(
      stat("recent_events", "SELECT * FROM events ORDER BY at DESC", 100, 1s, 150ms));
  const sp::health_report r = sp::detail::health_from(in, {}, no_plan);
  INFO(r.text());
  const auto slow = of(r, "slow_queries");
  REQUIRE(slow.size() == 2);
  // Most total time first: recent_events (1 s) before the LIKE (800 ms); find_user is fast.
  CHECK(slow[0].severity == sp::health_severity::info);  // mean 10 ms, only some calls slow
  CHECK(
      contains(slow[0].message, "recent_events: mean 10.0 ms over 100 call(s), longest 150.0 ms"));
  CHECK(slow[1].severity == sp::health_severity::warning);  // mean 200 ms
  CHECK(contains(slow[1].message, "SELECT * FROM events WHERE payload LIKE ?: mean 200.0 ms"));
  CHECK(contains(slow[1].message, "(threshold 100.0 ms)"));
  CHECK(contains(slow[1].message, "43.2% of all query time"));
  CHECK(contains(slow[1].recommendation, "db.explain(sql)"));
  CHECK_FALSE(r.healthy());

  // A higher threshold: nothing slow, and the finding says so.
  sp::health_options o;
  o.slow_query_threshold = 500ms;
  const auto none = of(sp::detail::health_from(in, o, no_plan), "slow_queries");
  REQUIRE(none.size() == 1);
  CHECK(none[0].severity == sp::health_severity::ok);
  CHECK(none[0].message == "0 of 3 queries over 500.0 ms (longest call 300.0 ms)");

  // At most max_slow_queries one by one; the rest counted.
  o.slow_query_threshold = 1ms;
  o.max_slow_queries = 1;
  const auto capped = of(sp::detail::health_from(in, o, no_plan), "slow_queries");
  REQUIRE(capped.size() == 1);
  CHECK(contains(capped[0].message, "recent_events"));
  CHECK(contains(capped[0].message, "2 more queries over the threshold not listed"));

  // Without statistics: info, healthy.
  const sp::health_report blind = sp::detail::health_from(healthy_inputs(), {});
  CHECK(one(blind, "slow_queries").severity == sp::health_severity::info);
  CHECK(contains(one(blind, "slow_queries").message, "options::collect_query_stats is off"));
  CHECK(blind.healthy());
}

TEST_CASE("health: check_health reads the connection's query statistics and event counts") {
  scratch_dir dir;
  sp::options o = sp::options::production();
  o.collect_query_stats = true;
  sp::database db{dir.file("stats.db"), o};
  db.exec_script(
      "CREATE TABLE events (id INTEGER PRIMARY KEY, kind INTEGER NOT NULL);"
      "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 499999)"
      "  INSERT INTO events (kind) SELECT i % 100 FROM n");
  for (int i = 0; i < 5; ++i) CHECK(db.one<events_of_kind>(i) == 5000);
  for (std::int64_t id = 1; id <= 100; ++id) CHECK(db.one<event_by_id>(id) == (id - 1) % 100);
  db.interrupt();  // nothing running: counted, stops nothing

  const auto entry = [&](std::string_view name) {
    for (const sp::query_stat& q : db.query_stats().entries) {
      if (contains(q.name, name)) return q;
    }
    return sp::query_stat{};
  };
  const sp::query_stat scan = entry("events_of_kind");
  const sp::query_stat lookup = entry("event_by_id");
  CHECK(scan.calls == 5);
  CHECK(lookup.calls == 100);
  // A scan of 500,000 rows takes milliseconds, a lookup by key microseconds: a threshold at
  // half the scan's mean separates them.
  sp::health_options h;
  h.slow_query_threshold =
      std::chrono::duration_cast<std::chrono::milliseconds>(scan.mean_time() / 2);
  INFO("scan mean " << scan.mean_time().count() << " ns, lookup max " << lookup.max_time.count()
                    << " ns");
  REQUIRE(h.slow_query_threshold >= 1ms);
  REQUIRE(lookup.max_time < h.slow_query_threshold);
  const sp::health_report r = sp::check_health(db, h);
  INFO(r.text());
  const auto slow = of(r, "slow_queries");
  REQUIRE_FALSE(slow.empty());
  CHECK(contains(slow.front().message, "events_of_kind: mean "));
  CHECK(contains(slow.front().message, "over 5 call(s)"));
  CHECK(contains(slow.front().recommendation, "EXPLAIN QUERY PLAN scans table events in full"));
  for (const sp::health_finding& f : slow) CHECK_FALSE(contains(f.message, "event_by_id"));
  CHECK(one(r, "interrupts").severity == sp::health_severity::info);
  CHECK(contains(one(r, "interrupts").message, "1 interrupt() call(s)"));
}

TEST_CASE("health: the slow-query advice reads the query's real plan") {
  scratch_dir dir;
  sp::database db{dir.file("plans.db")};
  db.exec_script(
      "CREATE TABLE events (id INTEGER PRIMARY KEY, kind INTEGER, at INTEGER);"
      "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)");
  sp::detail::health_inputs in = healthy_inputs();
  in.queries.entries.push_back(
      stat("events_of_kind", "SELECT count(*) FROM events WHERE kind = ?", 10, 2s, 300ms));
  in.queries.entries.push_back(
      stat("by_time", "SELECT id FROM events WHERE id > ? ORDER BY at", 10, 1500ms, 200ms));
  in.queries.entries.push_back(
      stat("user", "SELECT name FROM users WHERE id = ?", 10, 1200ms, 120ms));
  const auto plan_of = [&](const sp::query_stat& q) { return db.explain(q.sql); };

  auto slow = of(sp::detail::health_from(in, {}, plan_of), "slow_queries");
  REQUIRE(slow.size() == 3);
  CHECK(contains(slow[0].recommendation, "EXPLAIN QUERY PLAN scans table events in full"));
  CHECK(contains(slow[0].recommendation, "add an index"));
  CHECK(contains(slow[1].recommendation, "sorts in a temporary b-tree"));
  CHECK_FALSE(contains(slow[1].recommendation, "scans table"));
  CHECK(contains(slow[2].recommendation,
                 "finds no full scan (SEARCH users USING INTEGER PRIMARY KEY"));
  CHECK(contains(slow[2].recommendation, "returns 1 row(s) per call"));

  // With the index the scan advice is gone.
  db.exec_script("CREATE INDEX events_by_kind ON events (kind)");
  slow = of(sp::detail::health_from(in, {}, plan_of), "slow_queries");
  REQUIRE(slow.size() == 3);
  CHECK_FALSE(contains(slow[0].recommendation, "scans table"));
  CHECK(contains(slow[0].recommendation, "events_by_kind"));
}

TEST_CASE("health: plan summaries tell full scans from passes through an index") {
  const auto p = sp::detail::summarize_plan({{2, 0, "SCAN CONSTANT ROW"},
                                             {3, 0, "SCAN a USING COVERING INDEX a_by_x"},
                                             {4, 0, "SCAN TABLE old_style"},
                                             {5, 0, "SCAN b"},
                                             {6, 0, "SCAN (subquery-1)"},
                                             {7, 0, "SCAN j VIRTUAL TABLE INDEX 0:"},
                                             {8, 0, "SCAN b"},
                                             {9, 0, "USE TEMP B-TREE FOR ORDER BY"}});
  CHECK(p.scanned_tables == std::vector<std::string>{"old_style", "b"});
  CHECK(p.sorts);
  CHECK(p.uses_index);
  const auto q = sp::detail::summarize_plan({{2, 0, "SEARCH t USING INDEX t_x (x=?)"}});
  CHECK(q.scanned_tables.empty());
  CHECK_FALSE(q.sorts);
  CHECK(q.uses_index);
}

TEST_CASE("health: busy errors, retried or not") {
  sp::detail::health_inputs in = healthy_inputs();
  sp::query_stat writer = stat("add_event", "INSERT INTO events VALUES (?)", 100, 1ms, 1ms);
  writer.busy = 4;
  in.queries.entries.push_back(writer);
  // Each busy error followed by a transaction re-run: info.
  in.events.busy_errors = 4;
  in.events.busy_retries = 4;
  sp::health_report r = sp::detail::health_from(in, {});
  CHECK(one(r, "busy").severity == sp::health_severity::info);
  CHECK(r.healthy());
  CHECK(one(r, "busy").message ==
        "4 statement(s) failed with busy_error, 4 transaction(s) re-run by a retry_policy "
        "(threshold 10 errors, each retried); most: add_event (4)");

  // More than the threshold, even retried: a warning.
  in.events.busy_errors = 11;
  in.events.busy_retries = 11;
  r = sp::detail::health_from(in, {});
  const sp::health_finding f = one(r, "busy");
  CHECK(f.severity == sp::health_severity::warning);
  CHECK(contains(f.recommendation, "sqlproof::pool"));
  CHECK(contains(f.recommendation, "retry_policy"));
  CHECK(contains(f.recommendation, "options::busy_timeout (now 5000 ms)"));
  CHECK_FALSE(r.healthy());
  sp::health_options o;
  o.max_busy_errors = 20;
  CHECK(one(sp::detail::health_from(in, o), "busy").severity == sp::health_severity::info);

  // One that no retry followed reached the application: a warning.
  in.events.busy_errors = 1;
  in.events.busy_retries = 0;
  CHECK(one(sp::detail::health_from(in, {}), "busy").severity == sp::health_severity::warning);
}

TEST_CASE("health: deadlines exceeded are a warning, interrupts info") {
  sp::detail::health_inputs in = healthy_inputs();
  sp::query_stat report = stat("report", "SELECT * FROM events", 3, 1ms, 1ms);
  report.interrupts = 2;
  in.queries.entries.push_back(report);
  in.events.interrupts = 2;
  sp::health_finding f = one(sp::detail::health_from(in, {}), "interrupts");
  CHECK(f.severity == sp::health_severity::info);
  CHECK(f.message ==
        "0 statement(s) stopped by a deadline, 2 interrupt() call(s); most stopped: report (2)");
  in.events.deadlines_exceeded = 1;
  f = one(sp::detail::health_from(in, {}), "interrupts");
  CHECK(f.severity == sp::health_severity::warning);
  CHECK(contains(f.recommendation, "longer deadline"));
}

TEST_CASE("health: text and JSON") {
  sp::detail::health_inputs in = healthy_inputs();
  in.source = "C:\\data\\\"app\".db";
  in.stats.freelist_count = 800;
  const sp::health_report r = sp::detail::health_from(in, {});
  REQUIRE(r.worst() == sp::health_severity::warning);

  const std::string text = r.text();
  CHECK(text.rfind("health of C:\\data\\\"app\".db: warning\n", 0) == 0);
  CHECK(contains(text,
                 "\n  warning   freelist: 800 of 1000 pages are free (80.0%, 3.1 MiB; "
                 "threshold 20.0%)\n            run db.incremental_vacuum()"));
  CHECK(contains(text, "\n  ok        busy: 0 statement(s) failed with busy_error"));
  CHECK(contains(text, "\n  info      slow_queries: no per-query statistics"));

  const std::string json = r.json();
  CHECK(json_syntax(json).valid());
  CHECK(json.rfind("{\"source\":\"C:\\\\data\\\\\\\"app\\\".db\",\"worst\":\"warning\","
                   "\"healthy\":false,\"findings\":[{\"severity\":\"ok\",\"check\":\"wal_size\","
                   "\"connection\":\"\",\"message\":\"the WAL file is 0 B",
                   0) == 0);
  CHECK(contains(json,
                 "{\"severity\":\"warning\",\"check\":\"freelist\",\"connection\":\"\","
                 "\"message\":\"800 of 1000 pages are free (80.0%, 3.1 MiB; threshold "
                 "20.0%)\",\"recommendation\":\"run db.incremental_vacuum() to return the "
                 "free pages to the file system\"}"));
  // An escaped quote in a recommendation, and a control character in a message.
  sp::health_report odd{
      "db", {{sp::health_severity::info, "busy", "tab\there \x01", "run \"VACUUM\"", "reader 1"}}};
  CHECK(json_syntax(odd.json()).valid());
  CHECK(odd.json() ==
        "{\"source\":\"db\",\"worst\":\"info\",\"healthy\":true,\"findings\":[{\"severity\":"
        "\"info\",\"check\":\"busy\",\"connection\":\"reader 1\",\"message\":\"tab\\there "
        "\\u0001\",\"recommendation\":\"run \\\"VACUUM\\\"\"}]}");
  CHECK(odd.text() ==
        "health of db: info\n  info      [reader 1] busy: tab\there \x01\n"
        "            run \"VACUUM\"\n");
  CHECK_FALSE(json_syntax("{\"a\":\"\x01\"}").valid());  // the checker itself rejects raw controls
  CHECK_FALSE(json_syntax("{\"a\":1,}").valid());
  const sp::health_report empty{"x", {}};
  CHECK(empty.worst() == sp::health_severity::ok);
  CHECK(empty.healthy());
  CHECK(empty.json() == "{\"source\":\"x\",\"worst\":\"ok\",\"healthy\":true,\"findings\":[]}");
}

TEST_CASE("health: merged reports tag each finding with its connection and keep file facts once") {
  sp::detail::health_inputs writer_in = healthy_inputs();
  writer_in.events.busy_errors = 50;
  sp::detail::health_inputs reader_in = healthy_inputs();
  reader_in.stats.cache_hits = 100;
  reader_in.stats.cache_misses = 900;
  const sp::health_report writer = sp::detail::health_from(writer_in, {});
  const sp::health_report reader = sp::detail::health_from(reader_in, {});

  sp::health_report pool{"pool: app.db", {}};
  pool.merge(writer, "writer");
  pool.merge(reader, "reader 1");
  pool.merge(reader, "reader 2");
  INFO(pool.text());
  CHECK(pool.worst() == sp::health_severity::warning);
  CHECK(pool.findings.front().connection == "writer");
  // The file's WAL and free pages, and the reader's identical findings, once each.
  CHECK(of(pool, "wal_size").size() == 1);
  CHECK(of(pool, "freelist").size() == 1);
  const auto busy = of(pool, "busy");
  REQUIRE(busy.size() == 2);
  CHECK(busy[0].connection == "writer");
  CHECK(busy[0].severity == sp::health_severity::warning);
  CHECK(busy[1].connection == "reader 1");
  CHECK(busy[1].severity == sp::health_severity::ok);
  const auto cache = of(pool, "cache_hit_ratio");
  REQUIRE(cache.size() == 2);
  CHECK(cache[1].connection == "reader 1");
  CHECK(cache[1].severity == sp::health_severity::warning);
  CHECK(contains(pool.text(), "[reader 1] cache_hit_ratio: 10.0% of page lookups"));

  // merge(other) tags with the other report's source; a tag already there stays.
  sp::health_report twice{"all", {}};
  twice.merge(pool);
  CHECK(twice.findings.size() == pool.findings.size());
  CHECK(twice.findings.front().connection == "writer");
  sp::health_report untagged{"all", {}};
  untagged.merge(reader);
  CHECK(untagged.findings.front().connection == "app.db");
  untagged.merge(untagged);
  CHECK(untagged.findings.size() == reader.findings.size());
}
