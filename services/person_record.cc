// Person record value (docs/formats.md, "Person record"), integers little-endian:
//
//   value := format:u8 (= 1) merged_into:u64
//            identifiers:u32 (kind:u8 value:bytes)*
//            merged_from:u32 (person:u64)*

#include "services/person_record.h"

#include <algorithm>

#include <fmt/format.h>

#include "services/byte_codec.h"

namespace throughline::services {

bool PersonRecord::Has(const events::Identifier& id) const {
  return std::binary_search(identifiers.begin(), identifiers.end(), id);
}

void PersonRecord::Add(const events::Identifier& id) {
  auto it = std::lower_bound(identifiers.begin(), identifiers.end(), id);
  if (it == identifiers.end() || *it != id)
    identifiers.insert(it, id);
}

void PersonRecord::Remove(const events::Identifier& id) {
  auto it = std::lower_bound(identifiers.begin(), identifiers.end(), id);
  if (it != identifiers.end() && *it == id)
    identifiers.erase(it);
}

std::string EncodePersonRecord(const PersonRecord& r) {
  std::string out;
  out.push_back(static_cast<char>(kPersonRecordFormatVersion));
  PutFixed64(&out, r.merged_into);
  PutFixed32(&out, static_cast<std::uint32_t>(r.identifiers.size()));
  for (const auto& id : r.identifiers) {
    out.push_back(static_cast<char>(id.kind));
    PutBytes(&out, id.value);
  }
  PutFixed32(&out, static_cast<std::uint32_t>(r.merged_from.size()));
  for (auto p : r.merged_from)
    PutFixed64(&out, p);
  return out;
}

Result<PersonRecord> DecodePersonRecord(std::uint64_t person, std::string_view value) {
  const auto corrupt = [&](std::string_view what) {
    return Status::Corruption(fmt::format("person record {}: {}", person, what));
  };
  ByteReader in(value);
  std::uint8_t format = 0;
  PersonRecord r;
  std::uint32_t count = 0;
  if (!in.ReadU8(&format))
    return corrupt("empty");
  if (format != kPersonRecordFormatVersion) {
    return format > kPersonRecordFormatVersion
               ? Status::NotSupported(fmt::format(
                     "person record {}: format {} is newer than this engine reads", person, format))
               : corrupt(fmt::format("format {} does not exist", format));
  }
  if (!in.ReadFixed64(&r.merged_into) || !in.ReadFixed32(&count))
    return corrupt("truncated");
  if (count > in.remaining() / 5)
    return corrupt("identifier count larger than the record");
  r.identifiers.resize(count);
  for (auto& id : r.identifiers) {
    std::uint8_t kind = 0;
    if (!in.ReadU8(&kind) || !in.ReadBytes(&id.value))
      return corrupt("truncated identifier");
    id.kind = static_cast<events::IdentifierKind>(kind);
    if (events::IdentifierKindName(id.kind) == "unknown")
      return corrupt("unknown identifier kind");
  }
  if (!in.ReadFixed32(&count))
    return corrupt("truncated");
  if (count > in.remaining() / 8)
    return corrupt("merge count larger than the record");
  r.merged_from.resize(count);
  for (auto& p : r.merged_from) {
    if (!in.ReadFixed64(&p))
      return corrupt("truncated merge");
  }
  if (!in.done())
    return corrupt("bytes after the end");
  return r;
}

}  // namespace throughline::services
