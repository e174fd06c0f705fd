#pragma once
/// @file
/// SHA-256 (FIPS 180-4) that runs both at compile time and at run time. Migration checksums
/// use it, so a checksum can be pinned with `static_assert` while the runner hashes the same
/// text at run time, without allocating.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

#include "../config.hpp"

namespace sqlproof::detail {

// FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the cube roots of the
// first 64 primes.
inline constexpr std::uint32_t sha256_round_constants[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/// A streaming SHA-256 hasher, usable in constant expressions.
///
/// Feed the message with `update()` in pieces of any size, then call `finish()` for the
/// 32-byte digest; `finish()` also resets the hasher, so it can hash another message.
/// Never allocates, never throws. One object must not be used by two threads at once.
/// @code
/// constexpr auto digest = sqlproof::detail::sha256{}.update("ab").update("c").finish();
/// static_assert(sqlproof::detail::to_hex(digest).view().starts_with("ba7816bf"));
/// @endcode
class sha256 {
 public:
  /// Starts an empty message.
  constexpr sha256() noexcept = default;

  /// Appends `bytes` to the message and returns `*this`, so calls can be chained.
  constexpr sha256& update(std::string_view bytes) noexcept {
    // Through a raw pointer rather than string_view::operator[]: at compile time each of
    // those calls is one more function evaluation per byte.
    const char* in = bytes.data();
    std::size_t left = bytes.size();
    length_ += left;

    if (buffered_ != 0) {
      const std::size_t room = block_size - buffered_;
      const std::size_t take = left < room ? left : room;
      for (std::size_t i = 0; i != take; ++i) buffer_[buffered_ + i] = in[i];
      buffered_ += take;
      if (buffered_ != block_size) return *this;
      in += take;
      left -= take;
      compress(buffer_);
      buffered_ = 0;
    }
    // Whole blocks are hashed where they lie; only the tail is copied. Its length is
    // computed as `left % block_size` rather than left over from the block loop: g++ -O2
    // loses the bound on the latter once it propagates a constant input into the loops and
    // warns (-Waggressive-loop-optimizations) that the copy overruns buffer_.
    const std::size_t tail = left % block_size;
    for (const char* end = in + (left - tail); in != end; in += block_size) compress(in);
    for (std::size_t i = 0; i != tail; ++i) buffer_[i] = in[i];
    buffered_ = tail;
    return *this;
  }

  /// Pads the message and returns its digest; the hasher starts a new, empty message.
  [[nodiscard]] constexpr std::array<std::uint8_t, 32> finish() noexcept {
    // FIPS 180-4 §5.1.1: a 1 bit, zero bits up to 448 mod 512, then the length of the
    // message in bits as a 64-bit big-endian integer.
    const std::uint64_t bit_length = length_ * 8U;
    std::size_t used = buffered_ % block_size;  // always < block_size; says so to g++
    buffer_[used++] = static_cast<char>(0x80);
    if (used > block_size - 8) {
      for (; used != block_size; ++used) buffer_[used] = 0;
      compress(buffer_);
      used = 0;
    }
    for (; used != block_size - 8; ++used) buffer_[used] = 0;
    for (std::size_t i = 0; i != 8; ++i) {
      buffer_[block_size - 8 + i] =
          static_cast<char>(static_cast<std::uint8_t>(bit_length >> (56 - 8 * i)));
    }
    compress(buffer_);

    // FIPS 180-4 §6.2.2 step 4 ends with H0..H7; the digest is their big-endian bytes.
    std::array<std::uint8_t, 32> digest{};
    for (std::size_t i = 0; i != 8; ++i) {
      digest[4 * i] = static_cast<std::uint8_t>(state_[i] >> 24);
      digest[4 * i + 1] = static_cast<std::uint8_t>(state_[i] >> 16);
      digest[4 * i + 2] = static_cast<std::uint8_t>(state_[i] >> 8);
      digest[4 * i + 3] = static_cast<std::uint8_t>(state_[i]);
    }
    *this = sha256{};
    return digest;
  }

 private:
  static constexpr std::size_t block_size = 64;

  // Hashing text that is known at compile time is a run-time job unless a constant
  // expression asks for it: g++ -O2 otherwise tries to fold a call such as
  // `sha256_digest(migration_sql)` while compiling, which for 115 KB of SQL took about
  // 11 s. During such a speculative evaluation std::is_constant_evaluated() is not true,
  // and the call to a non-constexpr function ends the attempt at the first block. (clang 14
  // has one case this does not cover; see sha256_digest_at_run_time.)
  constexpr void compress(const char* block) noexcept {
    if (std::is_constant_evaluated()) {
      compress_block(block);
    } else {
      compress_at_run_time(block);
    }
  }

  void compress_at_run_time(const char* block) noexcept { compress_block(block); }

  // FIPS 180-4 §6.2.2 for one 512-bit block, written for the constant evaluators, which
  // pay for every statement and every arithmetic result (a naive constexpr SHA-256 over
  // 115 KB of SQL cost g++ 12 about 28 s and 2.4 GB; clang 14 gives up after 2^20 steps):
  // - one local w[64], no std::array copies, no recursion;
  // - the rotations, Σ, σ, Ch and Maj of §4.1.2 are spelled out, not called: a
  //   `rotr(x, n)` helper took 50 pinned 2 KB hashes from 4.5 s to 6.9 s of g++ 12 CPU
  //   time (clang 14: 1.6 s to 2.9 s), g++ memoizing every call by its arguments;
  // - eight rounds per loop iteration with the variables renamed instead of shifted
  //   (h = g; g = f; ...) and T1 accumulated in h, so a round is three statements. This
  //   is the usual unrolling: after each round the variable that held h holds the new a.
  // Measured: about 400 clang steps per block, so clang 14's default limit hashes some
  // 160 KB in one constant expression; 115 KB takes g++ 12 about 5 s and 340 MB. What is
  // left on g++ is mostly interning one INTEGER_CST per intermediate value.
  constexpr void compress_block(const char* block) noexcept {
    std::uint32_t w[64]{};
    for (std::size_t t = 0; t != 16; ++t, block += 4) {
      w[t] = static_cast<std::uint32_t>(static_cast<std::uint8_t>(block[0])) << 24 |
             static_cast<std::uint32_t>(static_cast<std::uint8_t>(block[1])) << 16 |
             static_cast<std::uint32_t>(static_cast<std::uint8_t>(block[2])) << 8 |
             static_cast<std::uint32_t>(static_cast<std::uint8_t>(block[3]));
    }
    // §6.2.2 step 1: W_t = σ1(W_t-2) + W_t-7 + σ0(W_t-15) + W_t-16, with
    // σ0 = ROTR^7 ^ ROTR^18 ^ SHR^3 and σ1 = ROTR^17 ^ ROTR^19 ^ SHR^10.
    for (std::size_t t = 16; t != 64; ++t) {
      w[t] = ((w[t - 2] >> 17 | w[t - 2] << 15) ^ (w[t - 2] >> 19 | w[t - 2] << 13) ^
              (w[t - 2] >> 10)) +
             w[t - 7] +
             ((w[t - 15] >> 7 | w[t - 15] << 25) ^ (w[t - 15] >> 18 | w[t - 15] << 14) ^
              (w[t - 15] >> 3)) +
             w[t - 16];
    }

    std::uint32_t a = state_[0], b = state_[1], c = state_[2], d = state_[3];
    std::uint32_t e = state_[4], f = state_[5], g = state_[6], h = state_[7];
    // §6.2.2 step 3, each round as: h += Σ1(e) + Ch(e,f,g) + K_t + W_t  (now T1);
    // d += h  (the new e);  h += Σ0(a) + Maj(a,b,c)  (T1 + T2, the new a), where
    // Σ0 = ROTR^2 ^ ROTR^13 ^ ROTR^22, Σ1 = ROTR^6 ^ ROTR^11 ^ ROTR^25,
    // Ch = g ^ (e & (f ^ g)) and Maj = (a & b) | (c & (a | b)), equal to §4.1.2's forms.
    for (std::size_t t = 0; t != 64; t += 8) {
      h += ((e >> 6 | e << 26) ^ (e >> 11 | e << 21) ^ (e >> 25 | e << 7)) + (g ^ (e & (f ^ g))) +
           sha256_round_constants[t] + w[t];
      d += h;
      h += ((a >> 2 | a << 30) ^ (a >> 13 | a << 19) ^ (a >> 22 | a << 10)) +
           ((a & b) | (c & (a | b)));

      g += ((d >> 6 | d << 26) ^ (d >> 11 | d << 21) ^ (d >> 25 | d << 7)) + (f ^ (d & (e ^ f))) +
           sha256_round_constants[t + 1] + w[t + 1];
      c += g;
      g += ((h >> 2 | h << 30) ^ (h >> 13 | h << 19) ^ (h >> 22 | h << 10)) +
           ((h & a) | (b & (h | a)));

      f += ((c >> 6 | c << 26) ^ (c >> 11 | c << 21) ^ (c >> 25 | c << 7)) + (e ^ (c & (d ^ e))) +
           sha256_round_constants[t + 2] + w[t + 2];
      b += f;
      f += ((g >> 2 | g << 30) ^ (g >> 13 | g << 19) ^ (g >> 22 | g << 10)) +
           ((g & h) | (a & (g | h)));

      e += ((b >> 6 | b << 26) ^ (b >> 11 | b << 21) ^ (b >> 25 | b << 7)) + (d ^ (b & (c ^ d))) +
           sha256_round_constants[t + 3] + w[t + 3];
      a += e;
      e += ((f >> 2 | f << 30) ^ (f >> 13 | f << 19) ^ (f >> 22 | f << 10)) +
           ((f & g) | (h & (f | g)));

      d += ((a >> 6 | a << 26) ^ (a >> 11 | a << 21) ^ (a >> 25 | a << 7)) + (c ^ (a & (b ^ c))) +
           sha256_round_constants[t + 4] + w[t + 4];
      h += d;
      d += ((e >> 2 | e << 30) ^ (e >> 13 | e << 19) ^ (e >> 22 | e << 10)) +
           ((e & f) | (g & (e | f)));

      c += ((h >> 6 | h << 26) ^ (h >> 11 | h << 21) ^ (h >> 25 | h << 7)) + (b ^ (h & (a ^ b))) +
           sha256_round_constants[t + 5] + w[t + 5];
      g += c;
      c += ((d >> 2 | d << 30) ^ (d >> 13 | d << 19) ^ (d >> 22 | d << 10)) +
           ((d & e) | (f & (d | e)));

      b += ((g >> 6 | g << 26) ^ (g >> 11 | g << 21) ^ (g >> 25 | g << 7)) + (a ^ (g & (h ^ a))) +
           sha256_round_constants[t + 6] + w[t + 6];
      f += b;
      b += ((c >> 2 | c << 30) ^ (c >> 13 | c << 19) ^ (c >> 22 | c << 10)) +
           ((c & d) | (e & (c | d)));

      a += ((f >> 6 | f << 26) ^ (f >> 11 | f << 21) ^ (f >> 25 | f << 7)) + (h ^ (f & (g ^ h))) +
           sha256_round_constants[t + 7] + w[t + 7];
      e += a;
      a += ((b >> 2 | b << 30) ^ (b >> 13 | b << 19) ^ (b >> 22 | b << 10)) +
           ((b & c) | (d & (b | c)));
    }
    // §6.2.2 step 4.
    state_[0] += a;
    state_[1] += b;
    state_[2] += c;
    state_[3] += d;
    state_[4] += e;
    state_[5] += f;
    state_[6] += g;
    state_[7] += h;
  }

  // FIPS 180-4 §5.3.3: H(0), the first 32 bits of the fractional parts of the square roots
  // of the first 8 primes.
  std::uint32_t state_[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                             0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  char buffer_[block_size] = {};  // the start of a block still incomplete
  std::size_t buffered_ = 0;      // bytes in buffer_; below block_size between calls
  std::uint64_t length_ = 0;      // bytes hashed so far, for the padding
};

/// The SHA-256 digest of `bytes`.
/// @code
/// static_assert(sqlproof::detail::sha256_digest("abc")[0] == 0xba);
/// @endcode
[[nodiscard]] constexpr std::array<std::uint8_t, 32> sha256_digest(
    std::string_view bytes) noexcept {
  return sha256{}.update(bytes).finish();
}

/// The SHA-256 digest of `bytes`, always computed when the program runs.
///
/// The same value as `sha256_digest()`, for text that is a constant but whose hash is not
/// wanted at compile time. A constexpr call is not always left to run time: clang 14
/// evaluates the initializer of a local variable of class type, as in
/// `auto d = sha256_digest(constant_sql);`, while compiling (then discards the result), and
/// an initializer of a variable with static storage duration is a constant-initialization
/// attempt for every compiler. Either costs as much as pinning the hash with `static_assert`.
/// @code
/// const auto checksum = sqlproof::detail::sha256_digest_at_run_time(migration_sql);
/// @endcode
[[nodiscard]] SQLPROOF_DECL std::array<std::uint8_t, 32> sha256_digest_at_run_time(
    std::string_view bytes) noexcept
#if SQLPROOF_DEFINITIONS
{
  return sha256_digest(bytes);
}
#else
    ;
#endif

/// A digest spelled as 64 lower-case hex digits and a NUL, held by value so it can be built
/// and compared in constant expressions.
struct sha256_hex {
  char data[65];

  /// The 64 hex digits, without the NUL.
  [[nodiscard]] constexpr std::string_view view() const noexcept { return {data, 64}; }
};

/// Spells `digest` as 64 lower-case hex digits.
/// @code
/// static_assert(sqlproof::detail::to_hex(sqlproof::detail::sha256_digest("")).view() ==
///               "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
/// @endcode
[[nodiscard]] constexpr sha256_hex to_hex(const std::array<std::uint8_t, 32>& digest) noexcept {
  constexpr const char* digits = "0123456789abcdef";
  sha256_hex hex{};
  for (std::size_t i = 0; i != digest.size(); ++i) {
    hex.data[2 * i] = digits[digest[i] >> 4];
    hex.data[2 * i + 1] = digits[digest[i] & 0x0fU];
  }
  hex.data[64] = '\0';
  return hex;
}

}  // namespace sqlproof::detail
