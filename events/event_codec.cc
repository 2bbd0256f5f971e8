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

#include <istream>
#include <ostream>
#include <streambuf>

#include <cereal/archives/portable_binary.hpp>
#include <fmt/format.h>

#include "events/upcaster.h"

namespace throughline::events {

namespace {

using OutArchive = cereal::PortableBinaryOutputArchive;
using InArchive = cereal::PortableBinaryInputArchive;

// No vector in a valid event has more items than this; a larger count is corruption, and is
// caught before anything is allocated for it.
constexpr std::uint64_t kMaxItems = 100'000;

// Appends whatever is written to it to a std::string, without ostringstream's copies.
class StringSink : public std::streambuf {
 public:
  explicit StringSink(std::string* out) : out_(out) {}

 protected:
  int_type overflow(int_type c) override {
    if (!traits_type::eq_int_type(c, traits_type::eof()))
      out_->push_back(static_cast<char>(c));
    return c;
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    out_->append(s, static_cast<std::size_t>(n));
    return n;
  }

 private:
  std::string* out_;
};

// Reads from a byte range in place, and says how much is left.
class ByteSource : public std::streambuf {
 public:
  explicit ByteSource(std::string_view bytes) {
    char* p = const_cast<char*>(bytes.data());  // read-only: nothing here writes through it
    setg(p, p, p + bytes.size());
  }
  std::size_t remaining() const { return static_cast<std::size_t>(egptr() - gptr()); }
};

// Thrown inside the decoder only, and turned into a Status at its boundary.
struct CorruptRecord {
  std::string what;
};

class Encoder {
 public:
  explicit Encoder(OutArchive& ar) : ar_(ar) {}

  void Put(const std::string& s) {
    ar_(cereal::make_size_tag(static_cast<std::uint64_t>(s.size())));
    ar_(cereal::binary_data(s.data(), s.size()));
  }
  void Put(std::int32_t v) { ar_(v); }
  void Put(std::uint8_t v) { ar_(v); }
  void Put(Date d) { ar_(d.days); }
  void Put(Timestamp t) { ar_(t.unix_ms); }
  void Put(const Period& p) { ar_(p.years, p.months, p.weeks, p.days); }
  template <Enumeration E>
  void Put(E e) {
    static_assert(sizeof(E) == 1, "persisted enums are one byte");
    ar_(static_cast<std::uint8_t>(e));
  }
  template <class X>
  void Put(const std::optional<X>& o) {
    ar_(static_cast<std::uint8_t>(o.has_value()));
    if (o)
      Put(*o);
  }
  template <class X>
  void Put(const std::vector<X>& items) {
    ar_(cereal::make_size_tag(static_cast<std::uint64_t>(items.size())));
    for (const auto& x : items)
      Put(x);
  }
  template <Record R>
  void Put(const R& record) {
    FieldWriter<R> writer{*this, record};
    R::Fields(writer);
  }

 private:
  template <class R>
  struct FieldWriter {
    Encoder& e;
    const R& record;
    template <class U, class M>
    void operator()(M U::*member, const FieldSpec&) {
      e.Put(record.*member);
    }
  };

  OutArchive& ar_;
};

class Decoder {
 public:
  Decoder(InArchive& ar, const ByteSource& source) : ar_(ar), source_(source) {}

  void Get(std::string* s) {
    std::uint64_t size = 0;
    ar_(cereal::make_size_tag(size));
    if (size > source_.remaining()) {
      throw CorruptRecord{fmt::format("string of {} bytes, but only {} left in the record", size,
                                      source_.remaining())};
    }
    s->resize(static_cast<std::size_t>(size));
    ar_(cereal::binary_data(s->data(), s->size()));
  }
  void Get(std::int32_t* v) { ar_(*v); }
  void Get(std::uint8_t* v) { ar_(*v); }
  void Get(Date* d) { ar_(d->days); }
  void Get(Timestamp* t) { ar_(t->unix_ms); }
  void Get(Period* p) { ar_(p->years, p->months, p->weeks, p->days); }
  template <Enumeration E>
  void Get(E* e) {
    std::uint8_t n = 0;
    ar_(n);
    for (const auto& v : EnumInfo<E>::kValues) {
      if (static_cast<std::uint8_t>(v.value) == n) {
        *e = v.value;
        return;
      }
    }
    throw CorruptRecord{fmt::format("{} number {} is not defined", EnumInfo<E>::kWhat, n)};
  }
  template <class X>
  void Get(std::optional<X>* o) {
    std::uint8_t present = 0;
    ar_(present);
    if (present > 1)
      throw CorruptRecord{fmt::format("presence byte is {}", present)};
    if (present == 0) {
      o->reset();
      return;
    }
    X value{};
    Get(&value);
    *o = std::move(value);
  }
  template <class X>
  void Get(std::vector<X>* items) {
    std::uint64_t count = GetCount();
    items->clear();
    items->reserve(static_cast<std::size_t>(count));
    for (std::uint64_t i = 0; i < count; ++i) {
      X value{};
      Get(&value);
      items->push_back(std::move(value));
    }
  }
  template <Record R>
  void Get(R* record) {
    FieldReader<R> reader{*this, record};
    R::Fields(reader);
  }

  std::uint64_t GetCount() {
    std::uint64_t count = 0;
    ar_(cereal::make_size_tag(count));
    // Every item takes at least one byte, so a count above what is left cannot be real.
    if (count > kMaxItems || count > source_.remaining()) {
      throw CorruptRecord{
          fmt::format("count of {} items, with {} bytes left", count, source_.remaining())};
    }
    return count;
  }

 private:
  template <class R>
  struct FieldReader {
    Decoder& d;
    R* record;
    template <class U, class M>
    void operator()(M U::*member, const FieldSpec&) {
      d.Get(&(record->*member));
    }
  };

  InArchive& ar_;
  const ByteSource& source_;
};

// How to decode `data` for each (type, dataversion).
struct DataCodec {
  const TypeInfo* info;
  void (*get)(Decoder&, EventData*);
};

template <class T>
void GetData(Decoder& d, EventData* out) {
  T value{};
  d.Get(&value);
  *out = std::move(value);
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
  StringSink sink(out);
  std::ostream stream(&sink);
  OutArchive ar(stream);
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

Result<Event> DecodeStoredEvent(std::string_view record) {
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
  if (record.size() < 2 || static_cast<std::uint8_t>(record[1]) > 1) {
    return Status::Corruption("event record: bad endianness byte");
  }
  ByteSource source(record.substr(1));
  std::istream stream(&source);
  Event event;
  try {
    InArchive ar(stream);
    Decoder d(ar, source);
    std::uint16_t type = 0, dataversion = 0;
    ar(type, dataversion);
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
  } catch (const CorruptRecord& e) {
    return Status::Corruption("event record: " + e.what);
  } catch (const cereal::Exception& e) {
    return Status::Corruption(fmt::format("event record truncated: {}", e.what()));
  }
  if (source.remaining() != 0) {
    return Status::Corruption(
        fmt::format("event record has {} bytes after its end", source.remaining()));
  }
  return event;
}

Result<Event> DecodeEvent(std::string_view record) {
  Result<Event> event = DecodeStoredEvent(record);
  if (event.ok())
    Upcast(&event.value());
  return event;
}

}  // namespace throughline::events
