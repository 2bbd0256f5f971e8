#include "services/audit_log.h"

#include <cstring>
#include <memory>

#include <fmt/format.h>

#include "services/byte_codec.h"
#include "services/store_keys.h"

namespace throughline::services {

// value := format:u8 (= 1) at:i64 token_id:bytes role:bytes agency:bytes action:bytes
//          target:bytes person:u64 has_as_of:u8 as_of:i64 as_known_at:bytes reason:bytes
//          status:i32 previous_hash:32 bytes
// bytes := length:u32 byte*
std::string EncodeAuditRecord(const AuditRecord& r) {
  std::string out(1, static_cast<char>(kAuditRecordFormatVersion));
  PutFixed64(&out, static_cast<std::uint64_t>(r.at.unix_ms));
  PutBytes(&out, r.token_id);
  PutBytes(&out, r.role);
  PutBytes(&out, r.agency);
  PutBytes(&out, r.action);
  PutBytes(&out, r.target);
  PutFixed64(&out, r.person);
  out.push_back(r.as_of ? 1 : 0);
  PutFixed64(&out, r.as_of ? static_cast<std::uint64_t>(r.as_of->unix_ms) : 0);
  PutBytes(&out, r.as_known_at);
  PutBytes(&out, r.reason);
  PutFixed32(&out, static_cast<std::uint32_t>(r.status));
  out.append(reinterpret_cast<const char*>(r.previous_hash.data()), r.previous_hash.size());
  return out;
}

Result<AuditRecord> DecodeAuditRecord(std::uint64_t sequence, std::string_view value) {
  const auto corrupt = [&](std::string_view what) {
    return Status::Corruption(fmt::format("audit record {}: {}", sequence, what));
  };
  ByteReader in(value);
  std::uint8_t version = 0;
  if (!in.ReadU8(&version))
    return corrupt("empty");
  if (version != kAuditRecordFormatVersion) {
    return Status::NotSupported(
        fmt::format("audit record {} has format {}, newer than this engine reads: upgrade it",
                    sequence, version));
  }
  AuditRecord r;
  r.sequence = sequence;
  std::uint8_t has_as_of = 0;
  std::int64_t at = 0, as_of = 0;
  std::uint32_t status = 0;
  std::string_view hash;
  if (!in.ReadI64(&at) || !in.ReadBytes(&r.token_id) || !in.ReadBytes(&r.role) ||
      !in.ReadBytes(&r.agency) || !in.ReadBytes(&r.action) || !in.ReadBytes(&r.target) ||
      !in.ReadFixed64(&r.person) || !in.ReadU8(&has_as_of) || !in.ReadI64(&as_of) ||
      !in.ReadBytes(&r.as_known_at) || !in.ReadBytes(&r.reason) || !in.ReadFixed32(&status) ||
      !in.ReadRaw(r.previous_hash.size(), &hash)) {
    return corrupt("truncated");
  }
  if (!in.done())
    return corrupt("bytes after the end");
  if (has_as_of > 1)
    return corrupt("bad as_of flag");
  r.at = events::Timestamp{at};
  if (has_as_of)
    r.as_of = events::Timestamp{as_of};
  r.status = static_cast<std::int32_t>(status);
  std::memcpy(r.previous_hash.data(), hash.data(), hash.size());
  return r;
}

void WriteAuditRecordJson(const AuditRecord& r, events::JsonWriter* w) {
  w->BeginObject();
  w->Key("sequence");
  w->Int(static_cast<std::int64_t>(r.sequence));
  w->Key("at");
  w->String(events::FormatTimestamp(r.at));
  w->Key("token_id");
  w->String(r.token_id);
  w->Key("role");
  w->String(r.role);
  w->Key("agency");
  w->String(r.agency);
  w->Key("action");
  w->String(r.action);
  w->Key("target");
  w->String(r.target);
  if (r.person != 0) {
    w->Key("person");
    w->Int(static_cast<std::int64_t>(r.person));
  }
  if (r.as_of) {
    w->Key("as_of");
    w->String(events::FormatTimestamp(*r.as_of));
  }
  if (!r.as_known_at.empty()) {
    w->Key("as_known_at");
    w->String(r.as_known_at);
  }
  if (!r.reason.empty()) {
    w->Key("reason");
    w->String(r.reason);
  }
  w->Key("status");
  w->Int(r.status);
  w->EndObject();
}

AuditLog::AuditLog(EventStore* store) : store_(store) {
  std::string value;
  auto* meta = store_->family(Family::kMeta);
  if (store_->db()->Get(rocksdb::ReadOptions(), meta, kAuditNextKey, &value).ok()) {
    next_ = DecodeFixed64Value(value).value_or(1);
  }
  if (store_->db()->Get(rocksdb::ReadOptions(), meta, kAuditLastHashKey, &value).ok() &&
      value.size() == last_hash_.size()) {
    std::memcpy(last_hash_.data(), value.data(), value.size());
  }
}

Status AuditLog::Append(AuditRecord record) {
  if (store_->family(Family::kAudit) == nullptr)
    return Status::NotSupported("this store has no audit family: open it with an engine");
  std::lock_guard lock(mu_);
  record.sequence = next_;
  record.previous_hash = last_hash_;
  const std::string value = EncodeAuditRecord(record);
  const RecordHash hash = HashRecord(record.sequence, value);
  rocksdb::WriteBatch batch;
  batch.Put(store_->family(Family::kAudit), U64Key(record.sequence), value);
  batch.Put(store_->family(Family::kMeta), kAuditNextKey, Fixed64Value(record.sequence + 1));
  batch.Put(store_->family(Family::kMeta), kAuditLastHashKey,
            std::string_view(reinterpret_cast<const char*>(hash.data()), hash.size()));
  rocksdb::WriteOptions options;  // WAL on, not synced: see the header
  rocksdb::Status s = store_->db()->Write(options, &batch);
  if (!s.ok())
    return Status::IOError("appending to the audit log: " + s.ToString());
  ++next_;
  last_hash_ = hash;
  return Status::OK();
}

std::vector<AuditRecord> AuditLog::Read(std::uint64_t from, std::size_t limit,
                                        const std::function<bool(const AuditRecord&)>& keep) const {
  std::vector<AuditRecord> out;
  auto* family = store_->family(Family::kAudit);
  if (family == nullptr)
    return out;
  std::unique_ptr<rocksdb::Iterator> it(store_->db()->NewIterator(rocksdb::ReadOptions(), family));
  for (it->Seek(U64Key(std::max<std::uint64_t>(from, 1))); it->Valid() && out.size() < limit;
       it->Next()) {
    auto sequence = DecodeU64Key(it->key().ToStringView());
    if (!sequence)
      continue;
    auto record = DecodeAuditRecord(*sequence, it->value().ToStringView());
    if (record.ok() && (!keep || keep(*record)))
      out.push_back(std::move(*record));
  }
  return out;
}

std::uint64_t AuditLog::size() const {
  std::lock_guard lock(mu_);
  return next_ - 1;
}

std::optional<std::uint64_t> VerifyAuditChain(const EventStore& store, std::uint64_t* records) {
  *records = 0;
  auto* family = store.family(Family::kAudit);
  if (family == nullptr)
    return std::nullopt;
  RecordHash expected{};
  std::uint64_t sequence = 1;
  std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(rocksdb::ReadOptions(), family));
  for (it->SeekToFirst(); it->Valid(); it->Next(), ++sequence) {
    auto key = DecodeU64Key(it->key().ToStringView());
    auto record = key ? DecodeAuditRecord(*key, it->value().ToStringView())
                      : Result<AuditRecord>(Status::Corruption("bad key"));
    if (!key || *key != sequence || !record.ok() || record->previous_hash != expected)
      return sequence;
    expected = HashRecord(sequence, it->value().ToStringView());
    ++*records;
  }
  std::string last;
  if (store.db()
          ->Get(rocksdb::ReadOptions(), store.family(Family::kMeta), kAuditLastHashKey, &last)
          .ok() &&
      std::string_view(reinterpret_cast<const char*>(expected.data()), expected.size()) != last) {
    return sequence > 1 ? sequence - 1 : 1;
  }
  return std::nullopt;
}

}  // namespace throughline::services
