// Log record value (docs/formats.md, "Log record"), all integers little-endian:
//
//   value     := format:u8 (= 1) appended_at:i64 person:u64 previous_hash:32 bytes
//                topic:bytes partition:i32 offset:i64
//                conflicts:u32 (kind:u8 value:bytes other_person:u64)*
//                event:bytes
//   bytes     := length:u32 byte*

#include "services/log_record.h"

#include <memory>

#include <fmt/format.h>
#include <openssl/evp.h>

#include "services/byte_codec.h"
#include "services/store_keys.h"

namespace throughline::services {

namespace {

// One identity conflict: kind:u8 value:bytes other_person:u64.
bool ReadConflict(ByteReader* in, std::uint8_t* kind, std::string_view* value,
                  std::uint64_t* other_person) {
  return in->ReadU8(kind) && in->ReadBytes(value) && in->ReadFixed64(other_person);
}

}  // namespace

RecordHash HashRecord(std::uint64_t sequence, std::string_view value) {
  // One digest context per thread, reused: creating one per record would allocate. And the
  // digest fetched once: EVP_sha256() makes every init look it up among OpenSSL 3's providers,
  // which was half the cost of hashing a record.
  thread_local std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                                           &EVP_MD_CTX_free);
  static const std::unique_ptr<EVP_MD, decltype(&EVP_MD_free)> sha256(
      EVP_MD_fetch(nullptr, "SHA256", nullptr), &EVP_MD_free);
  const std::string key = U64Key(sequence);
  RecordHash hash;
  unsigned int length = 0;
  EVP_DigestInit_ex(ctx.get(), sha256 ? sha256.get() : EVP_sha256(), nullptr);
  EVP_DigestUpdate(ctx.get(), key.data(), key.size());
  EVP_DigestUpdate(ctx.get(), value.data(), value.size());
  EVP_DigestFinal_ex(ctx.get(), hash.data(), &length);
  return hash;
}

std::string HexHash(const RecordHash& hash) {
  std::string out;
  out.reserve(64);
  for (auto b : hash)
    fmt::format_to(std::back_inserter(out), "{:02x}", b);
  return out;
}

std::string EncodeLogRecord(const LogRecord& r) {
  std::string out;
  out.reserve(64 + r.origin.topic.size() + r.event.size());
  out.push_back(static_cast<char>(kLogRecordFormatVersion));
  PutFixed64(&out, static_cast<std::uint64_t>(r.appended_at.unix_ms));
  PutFixed64(&out, r.person);
  out.append(reinterpret_cast<const char*>(r.previous_hash.data()), r.previous_hash.size());
  PutBytes(&out, r.origin.topic);
  PutFixed32(&out, static_cast<std::uint32_t>(r.origin.partition));
  PutFixed64(&out, static_cast<std::uint64_t>(r.origin.offset));
  PutFixed32(&out, static_cast<std::uint32_t>(r.conflicts.size()));
  for (const auto& c : r.conflicts) {
    out.push_back(static_cast<char>(c.kind));
    PutBytes(&out, c.value);
    PutFixed64(&out, c.other_person);
  }
  PutBytes(&out, r.event);
  return out;
}

Result<LogRecordView> ParseLogRecord(std::uint64_t sequence, std::string_view value) {
  const auto corrupt = [&](std::string_view what) {
    return Status::Corruption(fmt::format("log record {}: {}", sequence, what));
  };
  ByteReader in(value);
  std::uint8_t format = 0;
  if (!in.ReadU8(&format))
    return corrupt("empty");
  if (format != kLogRecordFormatVersion) {
    if (format > kLogRecordFormatVersion) {
      return Status::NotSupported(
          fmt::format("log record {}: format {} is newer than this engine reads ({}): upgrade it",
                      sequence, format, kLogRecordFormatVersion));
    }
    return corrupt(fmt::format("format {} does not exist", format));
  }
  LogRecordView r;
  if (!in.ReadI64(&r.appended_at.unix_ms) || !in.ReadFixed64(&r.person) ||
      !in.ReadRaw(sizeof(RecordHash), &r.previous_hash) || !in.ReadBytes(&r.topic) ||
      !in.ReadI32(&r.partition) || !in.ReadI64(&r.offset) || !in.ReadFixed32(&r.conflict_count)) {
    return corrupt("truncated header");
  }
  // Each conflict takes at least 13 bytes; more than could fit is corruption.
  if (r.conflict_count > in.remaining() / 13)
    return corrupt("conflict count larger than the record");
  const std::size_t conflicts_start = value.size() - in.remaining();
  for (std::uint32_t i = 0; i < r.conflict_count; ++i) {
    std::uint8_t kind = 0;
    std::string_view identifier;
    std::uint64_t other_person = 0;
    if (!ReadConflict(&in, &kind, &identifier, &other_person))
      return corrupt("truncated conflict");
    if (events::IdentifierKindName(static_cast<events::IdentifierKind>(kind)) == "unknown")
      return corrupt("unknown identifier kind");
  }
  r.conflicts = value.substr(conflicts_start, value.size() - in.remaining() - conflicts_start);
  if (!in.ReadBytes(&r.event))
    return corrupt("truncated event");
  if (!in.done())
    return corrupt(fmt::format("{} bytes after the end", in.remaining()));
  return r;
}

Result<LogRecord> DecodeLogRecord(std::uint64_t sequence, std::string_view value) {
  auto view = ParseLogRecord(sequence, value);
  if (!view.ok())
    return view.status();
  LogRecord r;
  r.sequence = sequence;
  r.appended_at = view->appended_at;
  r.person = view->person;
  std::copy(view->previous_hash.begin(), view->previous_hash.end(), r.previous_hash.begin());
  r.origin = {std::string(view->topic), view->partition, view->offset};
  r.conflicts.resize(view->conflict_count);
  ByteReader conflicts(view->conflicts);  // checked by the parse
  for (auto& c : r.conflicts) {
    std::uint8_t kind = 0;
    std::string_view identifier;
    ReadConflict(&conflicts, &kind, &identifier, &c.other_person);
    c.kind = static_cast<events::IdentifierKind>(kind);
    c.value = std::string(identifier);
  }
  r.event = std::string(view->event);
  return r;
}

}  // namespace throughline::services
