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

RecordHash HashRecord(std::uint64_t sequence, std::string_view value) {
  // One digest context per thread, reused: creating one per record would allocate.
  thread_local std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                                           &EVP_MD_CTX_free);
  const std::string key = U64Key(sequence);
  RecordHash hash;
  unsigned int length = 0;
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
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

Result<LogRecord> DecodeLogRecord(std::uint64_t sequence, std::string_view value) {
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
  LogRecord r;
  r.sequence = sequence;
  std::string_view hash;
  std::uint32_t conflicts = 0;
  if (!in.ReadI64(&r.appended_at.unix_ms) || !in.ReadFixed64(&r.person) ||
      !in.ReadRaw(r.previous_hash.size(), &hash) || !in.ReadBytes(&r.origin.topic) ||
      !in.ReadI32(&r.origin.partition) || !in.ReadI64(&r.origin.offset) ||
      !in.ReadFixed32(&conflicts)) {
    return corrupt("truncated header");
  }
  std::copy(hash.begin(), hash.end(), r.previous_hash.begin());
  // Each conflict takes at least 13 bytes; more than could fit is corruption.
  if (conflicts > in.remaining() / 13)
    return corrupt("conflict count larger than the record");
  r.conflicts.resize(conflicts);
  for (auto& c : r.conflicts) {
    std::uint8_t kind = 0;
    if (!in.ReadU8(&kind) || !in.ReadBytes(&c.value) || !in.ReadFixed64(&c.other_person)) {
      return corrupt("truncated conflict");
    }
    c.kind = static_cast<events::IdentifierKind>(kind);
    if (events::IdentifierKindName(c.kind) == "unknown")
      return corrupt("unknown identifier kind");
  }
  if (!in.ReadBytes(&r.event))
    return corrupt("truncated event");
  if (!in.done())
    return corrupt(fmt::format("{} bytes after the end", in.remaining()));
  return r;
}

}  // namespace throughline::services
