// Event record grammar (docs/formats.md, "Event record"), in the layouts of record_codec.h:
// format 2 compact (varint lengths and integers), format 1 fixed (cereal's portable binary
// archive, every integer at its full width, little-endian as the archive's first byte says).
//
//   record     := format_version:u8 (2, or 1 in older stores) archive
//   archive    := header type:u16 dataversion:u16
//                 id:string source:string time:i64 (UTC ms)
//                 attributes:count (name:string value:string)*
//                 person:Person data:<struct for type, dataversion>
//                 flags:count (path:string rule:u8 message:string)*
//
// A struct's field list is therefore part of the format: never reorder or remove a field of a
// shipped (type, dataversion); change the data by adding a new dataversion and an upcaster.

#include "events/event_codec.h"

#include <fmt/format.h>

#include "events/record_codec.h"
#include "events/upcaster.h"

namespace throughline::events {

namespace {

using codec::CorruptRecord;
using codec::Decoder;
using codec::Encoder;
using codec::Layout;

// How to decode `data` for each (type, dataversion).
struct DataCodec {
  const TypeInfo* info;
  void (*get)(Decoder&, EventData*);
};

// Into the alternative `out` holds when it is the same type: the Decoder writes every field.
template <class T>
void GetData(Decoder& d, EventData* out) {
  T* value = std::get_if<T>(out);
  d.Get(value != nullptr ? value : &out->emplace<T>());
}

const DataCodec* FindDataCodec(std::uint16_t type, std::uint16_t version) {
  static const std::vector<DataCodec> table = [] {
    std::vector<DataCodec> out;
    ForEachEventStruct([&](auto tag) {
      using T = typename decltype(tag)::type;
      out.push_back({&T::kInfo, &GetData<T>});
    });
    return out;
  }();
  for (const auto& codec : table) {
    if (static_cast<std::uint16_t>(codec.info->type) == type && codec.info->version == version) {
      return &codec;
    }
  }
  return nullptr;
}

}  // namespace

void EncodeEvent(const Event& event, std::string* out) {
  out->push_back(static_cast<char>(kEventFormatVersion));
  codec::CompactWriter w(out);
  Encoder e(w);
  const TypeInfo& info = event.info();
  e.Put(static_cast<std::uint16_t>(info.type));
  e.Put(static_cast<std::uint16_t>(info.version));
  e.Put(event.id);
  e.Put(event.source);
  e.Put(event.time);
  e.PutCount(event.attributes.size());
  for (const auto& a : event.attributes) {
    e.Put(a.name);
    e.Put(a.value);
  }
  e.Put(event.person);
  std::visit([&](const auto& data) { e.Put(data); }, event.data);
  e.PutCount(event.flags.size());
  for (const auto& f : event.flags) {
    e.Put(f.path);
    e.Put(static_cast<std::uint8_t>(f.rule));
    e.Put(f.message);
  }
}

std::string EncodeEvent(const Event& event) {
  std::string out;
  EncodeEvent(event, &out);
  return out;
}

Status DecodeStoredEvent(std::string_view record, Event* out) {
  if (record.empty())
    return Status::Corruption("event record is empty");
  const auto version = static_cast<std::uint8_t>(record[0]);
  if (version > kEventFormatVersion) {
    return Status::NotSupported(
        fmt::format("event record format {} is newer than this engine reads ({}): upgrade it",
                    version, kEventFormatVersion));
  }
  if (version == 0)
    return Status::Corruption("event record format 0 does not exist");
  const Layout layout = version == 1 ? Layout::kFixed : Layout::kCompact;
  if (layout == Layout::kFixed && record.size() < 2)  // the Decoder checks the byte's value
    return Status::Corruption("event record: bad endianness byte");
  Event& event = *out;
  try {
    Decoder d(record.substr(1), layout);
    std::uint16_t type = 0, dataversion = 0;
    d.Get(&type);
    d.Get(&dataversion);
    const DataCodec* codec = FindDataCodec(type, dataversion);
    if (codec == nullptr) {
      return Status::NotSupported(fmt::format(
          "event record: type {} dataversion {} is not known to this engine", type, dataversion));
    }
    d.Get(&event.id);
    d.Get(&event.source);
    d.Get(&event.time);
    event.attributes.resize(static_cast<std::size_t>(d.GetCount()));
    for (auto& a : event.attributes) {
      d.Get(&a.name);
      d.Get(&a.value);
    }
    d.Get(&event.person);
    codec->get(d, &event.data);
    event.flags.resize(static_cast<std::size_t>(d.GetCount()));
    for (auto& f : event.flags) {
      std::uint8_t rule = 0;
      d.Get(&f.path);
      d.Get(&rule);
      if (rule > static_cast<std::uint8_t>(kLastRule)) {
        throw CorruptRecord{fmt::format("flag rule {} is not defined", rule)};
      }
      f.rule = static_cast<Rule>(rule);
      d.Get(&f.message);
    }
    if (d.remaining() != 0) {
      return Status::Corruption(
          fmt::format("event record has {} bytes after its end", d.remaining()));
    }
  } catch (const CorruptRecord& e) {
    return Status::Corruption("event record: " + e.what);
  } catch (const cereal::Exception& e) {
    return Status::Corruption(fmt::format("event record truncated: {}", e.what()));
  }
  return Status::OK();
}

Status DecodeEvent(std::string_view record, Event* out) {
  Status s = DecodeStoredEvent(record, out);
  if (s.ok())
    Upcast(out);
  return s;
}

Result<Event> DecodeStoredEvent(std::string_view record) {
  Event event;
  if (Status s = DecodeStoredEvent(record, &event); !s.ok())
    return s;
  return event;
}

Result<Event> DecodeEvent(std::string_view record) {
  Event event;
  if (Status s = DecodeEvent(record, &event); !s.ok())
    return s;
  return event;
}

}  // namespace throughline::events
