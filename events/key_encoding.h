// Big-endian integers for keys: RocksDB orders keys bytewise, and big-endian makes that the
// numeric order. Shared by every keyed store (services/store_keys.h, projections/cohorts.h).

#ifndef THROUGHLINE_EVENTS_KEY_ENCODING_H_
#define THROUGHLINE_EVENTS_KEY_ENCODING_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace throughline::events {

inline void PutBigEndian64(std::string* out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8)
    out->push_back(static_cast<char>(v >> shift));
}

inline void PutBigEndian32(std::string* out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out->push_back(static_cast<char>(v >> shift));
}

inline std::uint64_t ReadBigEndian64(const char* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i)
    v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

// The last 8 bytes of a key, as a big-endian u64 (keys that end in a person id).
inline std::optional<std::uint64_t> TrailingU64(std::string_view key) {
  if (key.size() < 8)
    return std::nullopt;
  return ReadBigEndian64(key.data() + key.size() - 8);
}

}  // namespace throughline::events

#endif  // THROUGHLINE_EVENTS_KEY_ENCODING_H_
