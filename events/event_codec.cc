// Event record grammar (docs/formats.md, "Event record"). All integers little-endian as cereal's
// portable binary archive writes them on a little-endian machine; the archive's first byte says
// which, and a reader on the other endianness swaps.
//
//   record     := format_version:u8 (= 1) archive
//   archive    := endianness:u8 (1 = little) type:u16 dataversion:u16
//                 id:string source:string time:i64 (UTC ms)
//                 attributes:count (name:string value:string)*
//                 person:Person data:<struct for type, dataversion>
//                 flags:count (path:string rule:u8 message:string)*
//   string     := length:u64 byte*
//   count      := u64
//   optional   := present:u8 (0 or 1) [value]
//   vector     := count value*
//   enum       := u8, the enum's persisted number
//   int32      := i32      bool := u8      Date := days:i32      Timestamp := ms:i64
//   Period     := years:u16 months:u16 weeks:u16 days:u16
//   struct     := its fields, in the order its Fields() lists them
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
using codec::OutArchive;
using codec::WriteStream;

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
  WriteStream sink(out);
  OutArchive ar(sink.stream());
  Encoder e(ar);
  const TypeInfo& info = event.info();
  ar(static_cast<std::uint16_t>(info.type), info.version);
  e.Put(event.id);
  e.Put(event.source);
  e.Put(event.time);
  ar(cereal::make_size_tag(static_cast<std::uint64_t>(event.attributes.size())));
  for (const auto& a : event.attributes) {
    e.Put(a.name);
    e.Put(a.value);
  }
  e.Put(event.person);
  std::visit([&](const auto& data) { e.Put(data); }, event.data);
  ar(cereal::make_size_tag(static_cast<std::uint64_t>(event.flags.size())));
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
  if (version != kEventFormatVersion) {
    if (version > kEventFormatVersion) {
      return Status::NotSupported(
          fmt::format("event record format {} is newer than this engine reads ({}): upgrade it",
                      version, kEventFormatVersion));
    }
    return Status::Corruption(fmt::format("event record format {} does not exist", version));
  }
  if (record.size() < 2)  // the Decoder checks the endianness byte's value
    return Status::Corruption("event record: bad endianness byte");
  Event& event = *out;
  try {
    Decoder d(record.substr(1));
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
