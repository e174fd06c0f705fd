// Tests for include/sqlproof/detail/sha256.hpp: the FIPS 180-2 / NIST example vectors, the
// padding boundaries, streaming in pieces of every shape, and agreement between the
// compile-time and run-time evaluations.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <random>
#include <sqlproof/detail/sha256.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "../catch.hpp"
#include "../support/counting_allocator.hpp"

namespace {

using sqlproof::detail::sha256;
using sqlproof::detail::sha256_digest;
using sqlproof::detail::to_hex;

// Hex of the digest as a std::string, which both Catch2 versions print on failure.
std::string hex_of(const std::array<std::uint8_t, 32>& digest) {
  return std::string{to_hex(digest).view()};
}

std::string hex_digest(std::string_view bytes) { return hex_of(sha256_digest(bytes)); }

constexpr std::string_view abc_hex =
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr std::string_view empty_hex =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// Pinned at compile time: the same check a migration checksum would use.
static_assert(to_hex(sha256_digest("abc")).view() == abc_hex);
static_assert(to_hex(sha256_digest("")).view() == empty_hex);
static_assert(to_hex(sha256_digest(std::string_view{})).view() == empty_hex);
static_assert(sha256_digest("abc")[0] == 0xba && sha256_digest("abc")[31] == 0xad);
static_assert(to_hex(sha256{}.update("a").update("").update("bc").finish()).view() == abc_hex);
static_assert(to_hex(sha256_digest("abc")).data[64] == '\0');

// `length` bytes of a pattern that covers every byte value, NUL and the high half included
// (so a sign-extension slip on `char` would show).
std::string pattern(std::size_t length) {
  std::string bytes(length, '\0');
  for (std::size_t i = 0; i != length; ++i) {
    bytes[i] = static_cast<char>(static_cast<unsigned char>((i * 37U + 11U) & 0xffU));
  }
  return bytes;
}

// The same pattern, hashed during compilation for every length from 0 to 129, so that
// each padding case (one block, two blocks, length field spilling) runs in the constant
// evaluator as well as at run time.
constexpr std::size_t compile_time_lengths = 130;

constexpr std::array<std::array<std::uint8_t, 32>, compile_time_lengths>
pattern_digests_at_compile_time() {
  std::array<std::array<std::uint8_t, 32>, compile_time_lengths> digests{};
  char bytes[compile_time_lengths]{};
  for (std::size_t i = 0; i != compile_time_lengths; ++i) {
    bytes[i] = static_cast<char>(static_cast<unsigned char>((i * 37U + 11U) & 0xffU));
  }
  for (std::size_t length = 0; length != compile_time_lengths; ++length) {
    digests[length] = sha256_digest(std::string_view{bytes, length});
  }
  return digests;
}

constexpr auto pattern_digests = pattern_digests_at_compile_time();

}  // namespace

TEST_CASE("sha256: the empty message", "[sha256]") {
  CHECK(hex_digest("") == empty_hex);
  CHECK(hex_of(sha256{}.finish()) == empty_hex);
  CHECK(hex_digest(std::string_view{}) == empty_hex);  // null data()
  CHECK(hex_of(sha256{}.update(std::string_view{}).update("").finish()) == empty_hex);
}

TEST_CASE("sha256: \"abc\", one block", "[sha256]") { CHECK(hex_digest("abc") == abc_hex); }

TEST_CASE("sha256: the 448-bit message, two blocks", "[sha256]") {
  CHECK(hex_digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST_CASE("sha256: the 896-bit message", "[sha256]") {
  CHECK(hex_digest("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
                   "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu") ==
        "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

TEST_CASE("sha256: one million 'a', streamed in pieces of odd sizes", "[sha256]") {
  constexpr std::string_view expected =
      "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
  constexpr std::size_t total = 1'000'000;
  const std::string as(1021, 'a');

  SECTION("pieces of 1, 3, 7, ..., 1021 bytes in turn") {
    constexpr std::size_t piece_sizes[] = {1, 3, 7, 13, 63, 65, 127, 129, 511, 1021};
    sha256 hasher;
    std::size_t fed = 0;
    for (std::size_t i = 0; fed != total; ++i) {
      std::size_t piece = piece_sizes[i % std::size(piece_sizes)];
      if (piece > total - fed) piece = total - fed;
      hasher.update(std::string_view{as}.substr(0, piece));
      fed += piece;
    }
    CHECK(hex_of(hasher.finish()) == expected);
  }

  SECTION("in one piece") { CHECK(hex_digest(std::string(total, 'a')) == expected); }
}

TEST_CASE("sha256: every byte value once", "[sha256]") {
  std::string bytes(256, '\0');
  for (std::size_t i = 0; i != bytes.size(); ++i) {
    bytes[i] = static_cast<char>(static_cast<unsigned char>(i));
  }
  CHECK(hex_digest(bytes) == "40aff2e9d2d8922e47afd4648e6967497158785fbd1da870e7110266bf944880");
}

TEST_CASE("sha256: lengths around the padding boundaries", "[sha256]") {
  // 55 bytes is the longest message whose padding fits in its last block; 56 to 63 push
  // the length field into an extra block; 64 fills a block exactly.
  struct vector {
    std::size_t length;
    std::string_view hex;
  };
  constexpr vector vectors[] = {
      {55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
      {56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
      {57, "f13b2d724659eb3bf47f2dd6af1accc87b81f09f59f2b75e5c0bed6589dfe8c6"},
      {63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
      {64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
      {65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"},
      {119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"},
      {120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"},
      {128, "6836cf13bac400e9105071cd6af47084dfacad4e5e302c94bfed24e013afb73e"},
  };
  for (const vector& v : vectors) {
    INFO("length " << v.length);
    CHECK(hex_digest(std::string(v.length, 'a')) == v.hex);
  }
}

TEST_CASE("sha256: compile-time and run-time digests agree", "[sha256]") {
  const std::string bytes = pattern(compile_time_lengths);
  for (std::size_t length = 0; length != compile_time_lengths; ++length) {
    INFO("length " << length);
    CHECK(hex_digest(std::string_view{bytes}.substr(0, length)) == hex_of(pattern_digests[length]));
  }
}

TEST_CASE("sha256: sha256_digest_at_run_time equals sha256_digest", "[sha256]") {
  CHECK(hex_of(sqlproof::detail::sha256_digest_at_run_time("abc")) == abc_hex);
  const std::string bytes = pattern(1000);
  CHECK(sqlproof::detail::sha256_digest_at_run_time(bytes) == sha256_digest(bytes));
}

TEST_CASE("sha256: incremental updates equal the one-shot digest at any split", "[sha256]") {
  std::mt19937 random{20240521};
  for (int trial = 0; trial != 500; ++trial) {
    const std::size_t length = std::uniform_int_distribution<std::size_t>{0, 300}(random);
    const std::string bytes = pattern(length + static_cast<std::size_t>(trial));
    const std::string_view message = std::string_view{bytes}.substr(bytes.size() - length);

    // Between one and six split points, sorted, duplicates allowed (empty pieces).
    const int splits = std::uniform_int_distribution<int>{1, 6}(random);
    std::vector<std::size_t> points;
    for (int i = 0; i != splits; ++i) {
      points.push_back(std::uniform_int_distribution<std::size_t>{0, length}(random));
    }
    std::sort(points.begin(), points.end());

    sha256 hasher;
    std::size_t from = 0;
    for (const std::size_t to : points) {
      hasher.update(message.substr(from, to - from));
      from = to;
    }
    hasher.update(message.substr(from));

    INFO("trial " << trial << ", length " << length);
    REQUIRE(hex_of(hasher.finish()) == hex_digest(message));
  }
}

TEST_CASE("sha256: finish() starts a new message", "[sha256]") {
  sha256 hasher;
  hasher.update("some text that is not part of the next message");
  CHECK(hex_of(hasher.finish()) == hex_digest("some text that is not part of the next message"));
  CHECK(hex_of(hasher.update("abc").finish()) == abc_hex);
  CHECK(hex_of(hasher.finish()) == empty_hex);
}

TEST_CASE("sha256: hashing does not allocate", "[sha256]") {
  const std::string bytes = pattern(10'000);
  std::array<std::uint8_t, 32> streamed{};
  std::array<std::uint8_t, 32> one_shot{};

  sqlproof_test::allocation_counter allocations;
  sha256 hasher;
  for (std::size_t at = 0; at < bytes.size(); at += 777) {
    hasher.update(std::string_view{bytes}.substr(at, 777));
  }
  streamed = hasher.finish();
  one_shot = sha256_digest(bytes);
  const auto hex = to_hex(one_shot);
  const std::size_t count = allocations.count();

  CHECK(count == 0);
  CHECK(streamed == one_shot);
  CHECK(hex.view().size() == 64);
}

TEST_CASE("sha256: to_hex spells lower-case digits in byte order", "[sha256]") {
  std::array<std::uint8_t, 32> digest{};
  for (std::size_t i = 0; i != digest.size(); ++i) {
    digest[i] = static_cast<std::uint8_t>(i * 8 + 7);
  }
  const auto hex = to_hex(digest);
  CHECK(std::string{hex.view()} ==
        "070f171f272f373f474f575f676f777f878f979fa7afb7bfc7cfd7dfe7eff7ff");
  CHECK(hex.data[64] == '\0');
}
