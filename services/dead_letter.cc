// Dead letter value (docs/formats.md, "Dead letter"), integers little-endian:
//
//   value := format:u8 (= 1) topic:bytes partition:i32 offset:i64
//            has_kafka_time:u8 kafka_time:i64 rejected_at:i64
//            has_key:u8 key:bytes value:bytes
//            headers:u32 (name:bytes value:bytes)*
//            errors:u32 (path:bytes rule:u8 message:bytes)*

#include "services/dead_letter.h"

#include <fmt/format.h>

#include "services/byte_codec.h"

namespace throughline::services {

std::string EncodeDeadLetter(const DeadLetter& d) {
  std::string out;
  out.reserve(64 + d.value.size());
  out.push_back(static_cast<char>(kDeadLetterFormatVersion));
  PutBytes(&out, d.origin.topic);
  PutFixed32(&out, static_cast<std::uint32_t>(d.origin.partition));
  PutFixed64(&out, static_cast<std::uint64_t>(d.origin.offset));
  out.push_back(d.kafka_time ? 1 : 0);
  PutFixed64(&out, static_cast<std::uint64_t>(d.kafka_time ? d.kafka_time->unix_ms : 0));
  PutFixed64(&out, static_cast<std::uint64_t>(d.rejected_at.unix_ms));
  out.push_back(d.key ? 1 : 0);
  PutBytes(&out, d.key ? *d.key : std::string_view());
  PutBytes(&out, d.value);
  PutFixed32(&out, static_cast<std::uint32_t>(d.headers.size()));
  for (const auto& [name, value] : d.headers) {
    PutBytes(&out, name);
    PutBytes(&out, value);
  }
  PutFixed32(&out, static_cast<std::uint32_t>(d.errors.size()));
  for (const auto& e : d.errors) {
    PutBytes(&out, e.path);
    out.push_back(static_cast<char>(e.rule));
    PutBytes(&out, e.message);
  }
  return out;
}

Result<DeadLetter> DecodeDeadLetter(std::uint64_t number, std::string_view value) {
  const auto corrupt = [&](std::string_view what) {
    return Status::Corruption(fmt::format("dead letter {}: {}", number, what));
  };
  ByteReader in(value);
  DeadLetter d;
  std::uint8_t format = 0, has_time = 0, has_key = 0;
  std::int64_t time = 0;
  std::string key;
  std::uint32_t count = 0;
  if (!in.ReadU8(&format))
    return corrupt("empty");
  if (format != kDeadLetterFormatVersion) {
    return format > kDeadLetterFormatVersion
               ? Status::NotSupported(fmt::format(
                     "dead letter {}: format {} is newer than this engine reads", number, format))
               : corrupt(fmt::format("format {} does not exist", format));
  }
  if (!in.ReadBytes(&d.origin.topic) || !in.ReadI32(&d.origin.partition) ||
      !in.ReadI64(&d.origin.offset) || !in.ReadU8(&has_time) || !in.ReadI64(&time) ||
      !in.ReadI64(&d.rejected_at.unix_ms) || !in.ReadU8(&has_key) || !in.ReadBytes(&key) ||
      !in.ReadBytes(&d.value) || !in.ReadFixed32(&count)) {
    return corrupt("truncated");
  }
  if (has_time)
    d.kafka_time = events::Timestamp{time};
  if (has_key)
    d.key = std::move(key);
  if (count > in.remaining() / 8)
    return corrupt("header count larger than the record");
  d.headers.resize(count);
  for (auto& [name, v] : d.headers) {
    if (!in.ReadBytes(&name) || !in.ReadBytes(&v))
      return corrupt("truncated header");
  }
  if (!in.ReadFixed32(&count))
    return corrupt("truncated");
  if (count > in.remaining() / 9)
    return corrupt("error count larger than the record");
  d.errors.resize(count);
  for (auto& e : d.errors) {
    std::uint8_t rule = 0;
    if (!in.ReadBytes(&e.path) || !in.ReadU8(&rule) || !in.ReadBytes(&e.message)) {
      return corrupt("truncated error");
    }
    if (rule > static_cast<std::uint8_t>(events::kLastRule)) {
      return corrupt("unknown rule");
    }
    e.rule = static_cast<events::Rule>(rule);
  }
  if (!in.done())
    return corrupt("bytes after the end");
  return d;
}

std::vector<std::pair<std::string, std::string>> DeadLetterHeaders(const DeadLetter& d) {
  // The original headers, but none may pass as the engine's own: a publisher's
  // "throughline.error.rule" is kept as "original.throughline.error.rule".
  auto headers = d.headers;
  for (auto& [name, value] : headers) {
    if (name.starts_with("throughline."))
      name.insert(0, "original.");
  }
  if (!d.errors.empty()) {
    const auto& first = d.errors.front();
    headers.emplace_back("throughline.error.path", first.path);
    headers.emplace_back("throughline.error.rule", std::string(events::RuleName(first.rule)));
    headers.emplace_back("throughline.error.message", first.message);
  }
  headers.emplace_back("throughline.errors", events::JoinErrors(d.errors));
  headers.emplace_back("throughline.source.topic", d.origin.topic);
  headers.emplace_back("throughline.source.partition", std::to_string(d.origin.partition));
  headers.emplace_back("throughline.source.offset", std::to_string(d.origin.offset));
  if (d.kafka_time) {
    headers.emplace_back("throughline.source.timestamp", events::FormatTimestamp(*d.kafka_time));
  }
  headers.emplace_back("throughline.rejected_at", events::FormatTimestamp(d.rejected_at));
  return headers;
}

}  // namespace throughline::services
