// Mapping values: a user type through value_traits, an enum, std::chrono time points and
// durations, and blobs. Checks the stored SQLite values with typeof() so the encodings are
// visible.

#include <sqlproof/sqlproof.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace sp = sqlproof;

// [user-type]
// Money as integer cents: bound and read through std::int64_t (INTEGER).
struct money {
  std::int64_t cents;
  friend bool operator==(money, money) = default;
};

template <>
struct sqlproof::value_traits<money> {
  using storage_type = std::int64_t;
  static std::int64_t to_storage(const money& m) { return m.cents; }
  static money from_storage(std::int64_t cents) { return money{cents}; }
};
// [user-type]

// [text-type]
// A type stored as TEXT: storage_type is std::string.
struct sku {
  std::string code;
  friend bool operator==(const sku&, const sku&) = default;
};

template <>
struct sqlproof::value_traits<sku> {
  using storage_type = std::string;
  static std::string to_storage(const sku& s) { return "SKU-" + s.code; }
  static sku from_storage(std::string text) { return sku{text.substr(4)}; }
};
// [text-type]

// [enum]
enum class order_state : std::uint8_t { open = 1, paid = 2, shipped = 3 };  // no traits needed
// [enum]

namespace {

int failures = 0;

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "custom_types: check failed: %s\n", what);
    ++failures;
  }
}

// [row]
struct order {
  std::int64_t id;
  sku item;
  money price;
  order_state state;
  std::chrono::sys_seconds placed_at;       // INTEGER Unix time
  std::chrono::milliseconds handling_time;  // INTEGER milliseconds
  std::optional<std::vector<std::byte>> receipt;  // BLOB or NULL
};

using add_order = sp::query<
    "INSERT INTO orders (item, price, state, placed_at, handling_time, receipt) "
    "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
    std::int64_t(sku, money, order_state, std::chrono::sys_seconds, std::chrono::milliseconds,
                 std::optional<std::vector<std::byte>>)>;
using find_order = sp::query<
    "SELECT id, item, price, state, placed_at, handling_time, receipt FROM orders WHERE id = ?",
    order(std::int64_t)>;
// [row]

// What SQLite stored, as text, to show the encodings.
using stored = sp::query<
    "SELECT typeof(item) || ':' || item, typeof(price) || ':' || price, "
    "typeof(state) || ':' || state, typeof(placed_at) || ':' || placed_at, "
    "datetime(placed_at, 'unixepoch'), typeof(handling_time) || ':' || handling_time, "
    "typeof(receipt) || ':' || hex(receipt) FROM orders WHERE id = ?",
    std::tuple<std::string, std::string, std::string, std::string, std::string, std::string,
               std::string>(std::int64_t)>;

}  // namespace

int main() {
  sp::database db{":memory:", sp::options::in_memory()};
  db.exec_script(
      "CREATE TABLE orders (id INTEGER PRIMARY KEY, item TEXT NOT NULL, price INTEGER NOT NULL,"
      " state INTEGER NOT NULL, placed_at INTEGER NOT NULL, handling_time INTEGER NOT NULL,"
      " receipt BLOB)");

  // [use]
  using namespace std::chrono;
  const sys_seconds placed = sys_days{year{2024} / 3 / 1} + hours{12};
  const std::vector<std::byte> receipt{std::byte{0xca}, std::byte{0xfe}};
  std::optional<std::int64_t> id =
      db.one<add_order>(sku{"42"}, money{1999}, order_state::paid, placed, milliseconds{1500}, receipt);
  std::optional<order> o = db.one<find_order>(id.value());
  // [use]

  check(o.has_value(), "order read back");
  if (o) {
    check(o->item == sku{"42"} && o->price == money{1999}, "user types round-trip");
    check(o->state == order_state::paid, "enum round-trips");
    check(o->placed_at == placed && o->handling_time == milliseconds{1500}, "chrono round-trips");
    check(o->receipt == receipt, "blob round-trips");
  }

  const auto s = db.one<stored>(id.value());
  check(s.has_value(), "stored values");
  if (s) {
    const auto& [item, price, state, at, at_text, handling, blob] = *s;
    check(item == "text:SKU-42", "sku is TEXT");
    check(price == "integer:1999", "money is INTEGER cents");
    check(state == "integer:2", "enum is its underlying integer");
    check(at == "integer:1709294400", "sys_seconds is INTEGER Unix time");
    check(at_text == "2024-03-01 12:00:00", "SQLite reads it as Unix time");
    check(handling == "integer:1500", "milliseconds is INTEGER milliseconds");
    check(blob == "blob:CAFE", "bytes are a BLOB");
    std::printf("item %s, price %s, state %s, placed_at %s (%s), handling %s, receipt %s\n",
                item.c_str(), price.c_str(), state.c_str(), at.c_str(), at_text.c_str(),
                handling.c_str(), blob.c_str());
  }

  if (failures != 0) return 1;
  std::puts("custom_types: ok");
  return 0;
}
