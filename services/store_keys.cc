#include "services/store_keys.h"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "events/key_encoding.h"
#include "services/byte_codec.h"

namespace throughline::services {

namespace {

void PutBigEndian64(std::string* out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8)
    out->push_back(static_cast<char>(v >> shift));
}

std::uint64_t BigEndian64(const char* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i)
    v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

constexpr std::uint64_t kSignBit = std::uint64_t{1} << 63;

}  // namespace

std::string U64Key(std::uint64_t n) {
  std::string key;
  key.reserve(8);
  PutBigEndian64(&key, n);
  return key;
}

std::optional<std::uint64_t> DecodeU64Key(std::string_view key) {
  if (key.size() != 8)
    return std::nullopt;
  return BigEndian64(key.data());
}

std::string PersonEventKey(std::uint64_t person, events::Timestamp time, std::uint64_t sequence) {
  std::string key;
  key.reserve(24);
  PutBigEndian64(&key, person);
  PutBigEndian64(&key, static_cast<std::uint64_t>(time.unix_ms) ^ kSignBit);
  PutBigEndian64(&key, sequence);
  return key;
}

std::optional<PersonEventKeyParts> DecodePersonEventKey(std::string_view key) {
  if (key.size() != 24)
    return std::nullopt;
  return PersonEventKeyParts{
      BigEndian64(key.data()),
      events::Timestamp{static_cast<std::int64_t>(BigEndian64(key.data() + 8) ^ kSignBit)},
      BigEndian64(key.data() + 16)};
}

std::string IdempotencyKey(std::string_view source, std::string_view id) {
  std::string key;
  key.reserve(2 + source.size() + id.size());
  key.push_back(static_cast<char>(source.size() >> 8));
  key.push_back(static_cast<char>(source.size() & 0xff));
  key.append(source);
  key.append(id);
  return key;
}

std::string IdentityKey(events::IdentifierKind kind, std::string_view value) {
  std::string key;
  key.reserve(1 + value.size());
  key.push_back(static_cast<char>(kind));
  key.append(value);
  return key;
}

std::optional<IdentityKeyParts> DecodeIdentityKey(std::string_view key) {
  if (key.size() < 2)
    return std::nullopt;
  auto kind = static_cast<events::IdentifierKind>(static_cast<unsigned char>(key[0]));
  if (events::IdentifierKindName(kind) == "unknown")
    return std::nullopt;
  return IdentityKeyParts{kind, std::string(key.substr(1))};
}

std::string OffsetKey(std::string_view topic, std::int32_t partition) {
  std::string key(kOffsetKeyPrefix);
  key.append(topic);
  key.push_back('/');
  key.append(std::to_string(partition));
  return key;
}

std::optional<OffsetKeyParts> DecodeOffsetKey(std::string_view key) {
  std::string_view prefix = kOffsetKeyPrefix;
  if (!key.starts_with(prefix))
    return std::nullopt;
  key.remove_prefix(prefix.size());
  auto slash = key.rfind('/');
  if (slash == std::string_view::npos || slash == 0)
    return std::nullopt;
  std::int32_t partition = 0;
  auto digits = key.substr(slash + 1);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), partition);
  if (ec != std::errc() || end != digits.data() + digits.size())
    return std::nullopt;
  return OffsetKeyParts{std::string(key.substr(0, slash)), partition};
}

std::string GapKey(std::string_view topic, std::int32_t partition, std::int64_t from) {
  std::string key(kGapKeyPrefix);
  key.append(topic);
  key.push_back('/');
  key.append(std::to_string(partition));
  key.push_back('/');
  std::string digits = std::to_string(from);
  key.append(20 - std::min<std::size_t>(20, digits.size()), '0');
  key.append(digits);
  return key;
}

void PutKeyTime(std::string* key, events::Timestamp time) {
  PutBigEndian64(key, static_cast<std::uint64_t>(time.unix_ms) ^ kSignBit);
}

events::Timestamp KeyTime(std::string_view key, std::size_t offset) {
  if (key.size() < offset + 8)
    return events::Timestamp{0};
  return events::Timestamp{static_cast<std::int64_t>(BigEndian64(key.data() + offset) ^ kSignBit)};
}

std::string AlertKey(std::string_view id) { return std::string(kAlertPrefix).append(id); }

std::string AlertTimeKey(events::Timestamp time, std::string_view id) {
  std::string key(kAlertTimePrefix);
  PutKeyTime(&key, time);
  key.push_back('/');
  key.append(id);
  return key;
}

std::string AlertAgencyPrefix(std::string_view agency) {
  // The NUL ends the agency: "prison:CF" must not match "prison:CFI"'s keys.
  std::string key("g/");
  key.append(agency);
  key.push_back('\0');
  return key;
}

std::string AlertAgencyKey(std::string_view agency, events::Timestamp time, std::string_view id) {
  std::string key = AlertAgencyPrefix(agency);
  PutKeyTime(&key, time);
  key.push_back('/');
  key.append(id);
  return key;
}

std::string AlertDueKey(events::Timestamp due, std::string_view id) {
  std::string key(kAlertDuePrefix);
  PutKeyTime(&key, due);
  key.push_back('/');
  key.append(id);
  return key;
}

std::string Fixed64Value(std::uint64_t v) {
  std::string out;
  PutFixed64(&out, v);
  return out;
}

std::optional<std::uint64_t> DecodeFixed64Value(std::string_view value) {
  if (value.size() != 8)
    return std::nullopt;
  return DecodeFixed64(value.data());
}

}  // namespace throughline::services
