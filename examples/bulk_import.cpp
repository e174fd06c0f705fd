// Bulk import: loads 1,000,000 generated rows through one typed INSERT, 50,000 rows per
// transaction, and draws a progress bar while it runs. On a terminal the bar is redrawn in
// place (`[#########...........] 45% 450000 rows`); when stdout is a file or a pipe, one line
// is printed per 10%. Ends with the rate in rows per second and checks the row count with a
// typed count query. Creates bulk_import.db in the current directory (removing any previous
// one first).
//
// What makes this fast is the shape, not a special API: the INSERT is prepared once (the
// statement cache hands back the same statement on every call), and each batch is one
// transaction, so SQLite writes the journal once per 50,000 rows instead of once per row.

#include <sqlproof/sqlproof.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#if defined(_WIN32)
#include <io.h>
#else
#include <unistd.h>
#endif

namespace sp = sqlproof;

// [row]
struct reading {
  std::int64_t id;
  std::int64_t sensor;
  double value;
  std::string unit;
  std::optional<std::string> note;
};

template <>
struct sp::table_traits<reading> {
  static constexpr sp::fixed_string name = "readings";
  static constexpr auto columns = sp::column_names("id", "sensor", "value", "unit", "note");
  static constexpr std::string_view primary_key = "id";
};
// [row]

namespace {

constexpr std::int64_t total_rows = 1'000'000;
constexpr std::int64_t batch_rows = 50'000;

// [queries]
// Checked at compile time against the mapping above: the columns exist, each parameter's type
// fits its column, and the optional goes into the nullable column.
using add_reading =
    sp::query<"INSERT INTO readings (sensor, value, unit, note) VALUES (?, ?, ?, ?)",
              void(std::int64_t, double, std::string_view, std::optional<std::string_view>),
              sp::schema<reading>>;
using count_readings = sp::query<"SELECT count(*) FROM readings", std::int64_t()>;
using find_reading = sp::query<"SELECT * FROM readings WHERE id = ?", reading(std::int64_t)>;
// [queries]

bool stdout_is_terminal() {
#if defined(_WIN32)
  return _isatty(_fileno(stdout)) != 0;
#else
  return isatty(fileno(stdout)) != 0;
#endif
}

// Shows how far the import has got: a bar redrawn in place on a terminal, otherwise one line
// per 10% so that a log stays short.
class progress {
 public:
  explicit progress(std::int64_t total) : total_(total), terminal_(stdout_is_terminal()) {}

  void update(std::int64_t done) {
    const int percent = static_cast<int>(done * 100 / total_);
    if (terminal_) {
      if (percent == shown_) return;  // redraw at most 101 times
      shown_ = percent;
      char bar[bar_width + 1];
      const int filled = percent * bar_width / 100;
      for (int i = 0; i < bar_width; ++i) bar[i] = i < filled ? '#' : '.';
      bar[bar_width] = '\0';
      std::printf("\r[%s] %3d%% %lld rows", bar, percent, static_cast<long long>(done));
      std::fflush(stdout);
    } else if (percent / 10 != shown_ / 10 || shown_ < 0) {
      shown_ = percent;
      std::printf("%3d%% %lld rows\n", percent, static_cast<long long>(done));
      std::fflush(stdout);
    }
  }

  void finish() {
    if (terminal_) std::printf("\n");
  }

 private:
  static constexpr int bar_width = 40;
  std::int64_t total_;
  bool terminal_;
  int shown_ = -1;
};

// The generated data: deterministic, so the check at the end can recompute any row.
std::int64_t sensor_of(std::int64_t i) { return i % 97; }
double value_of(std::int64_t i) { return static_cast<double>(i % 1000) / 8.0; }
std::string_view unit_of(std::int64_t i) { return i % 3 == 0 ? "kPa" : "degC"; }
bool has_note(std::int64_t i) { return i % 1000 == 0; }

}  // namespace

int main() {
  for (const char* f : {"bulk_import.db", "bulk_import.db-wal", "bulk_import.db-shm"}) {
    std::filesystem::remove(f);
  }

  sp::database db{"bulk_import.db", sp::options::production()};
  db.exec_script(
      "CREATE TABLE readings (id INTEGER PRIMARY KEY, sensor INTEGER NOT NULL, "
      "                       value REAL NOT NULL, unit TEXT NOT NULL, note TEXT)");

  std::printf("importing %lld rows, %lld per transaction\n", static_cast<long long>(total_rows),
              static_cast<long long>(batch_rows));
  progress bar(total_rows);
  bar.update(0);

  const auto start = std::chrono::steady_clock::now();
  // [import]
  char note[32];
  for (std::int64_t first = 0; first < total_rows; first += batch_rows) {
    const std::int64_t last = first + batch_rows < total_rows ? first + batch_rows : total_rows;
    db.transaction(
        [&] {
          for (std::int64_t i = first; i < last; ++i) {
            std::optional<std::string_view> n;
            if (has_note(i)) {
              const int len = std::snprintf(note, sizeof note, "calibrated at %lld",
                                            static_cast<long long>(i));
              n = std::string_view(note, static_cast<std::size_t>(len));
            }
            db.exec<add_reading>(sensor_of(i), value_of(i), unit_of(i), n);
            if ((i + 1) % 10'000 == 0) bar.update(i + 1);
          }
        },
        sp::tx_mode::immediate);
  }
  bar.update(total_rows);
  // [import]
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  bar.finish();

  const double rate = static_cast<double>(total_rows) / elapsed.count();
  std::printf("imported %lld rows in %.2f s: %.0f rows/s\n", static_cast<long long>(total_rows),
              elapsed.count(), rate);

  // [verify]
  const std::int64_t stored = db.one<count_readings>().value_or(-1);
  // [verify]
  std::printf("count(*) = %lld\n", static_cast<long long>(stored));
  if (stored != total_rows) {
    std::fprintf(stderr, "bulk_import: expected %lld rows, found %lld\n",
                 static_cast<long long>(total_rows), static_cast<long long>(stored));
    return 1;
  }

  // Row i was inserted with rowid i + 1: spot-check a few against the generator.
  for (std::int64_t i : {std::int64_t{0}, std::int64_t{1}, total_rows / 2 + 7, total_rows - 1}) {
    const std::optional<reading> r = db.one<find_reading>(i + 1);
    const bool ok = r && r->sensor == sensor_of(i) && r->value == value_of(i) &&
                    r->unit == unit_of(i) && r->note.has_value() == has_note(i);
    if (!ok) {
      std::fprintf(stderr, "bulk_import: row %lld does not hold what was inserted\n",
                   static_cast<long long>(i + 1));
      return 1;
    }
  }
  std::printf("bulk_import: ok\n");
  return 0;
}
