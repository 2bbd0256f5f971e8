// The binary form of a Record (field_spec.h): its fields in declaration order, in one cereal
// portable-binary archive. Shared by every stored record that has a Fields() list: events
// (event_codec.cc) and the projections' views.
//
//   string    := length:u64 byte*
//   count     := u64
//   optional  := present:u8 (0 or 1) [value]
//   vector    := count value*
//   enum      := u8, the enum's persisted number
//   int32 := i32   int64 := i64   uint64 := u64   bool := u8
//   Date := days:i32   Timestamp := ms:i64   Period := years:u16 months:u16 weeks:u16 days:u16
//   record    := its fields, in the order its Fields() lists them
//
// A record's field list is therefore part of its stored format: never reorder, remove or
// retype a field of a shipped record; add a new version instead.
//
// Decoding never trusts a length: a string or count larger than the bytes left is Corruption,
// found before anything is allocated for it.

#ifndef THROUGHLINE_EVENTS_RECORD_CODEC_H_
#define THROUGHLINE_EVENTS_RECORD_CODEC_H_

#include <cstdint>
#include <istream>
#include <optional>
#include <ostream>
#include <streambuf>
#include <string>
#include <string_view>
#include <vector>

#include <cereal/archives/portable_binary.hpp>
#include <fmt/format.h>

#include "events/calendar.h"
#include "events/field_spec.h"
#include "events/status.h"

namespace throughline::events::codec {

using OutArchive = cereal::PortableBinaryOutputArchive;
using InArchive = cereal::PortableBinaryInputArchive;

// No vector in a valid event has more items than this; a larger count is corruption, and is
// caught before anything is allocated for it.
constexpr std::uint64_t kMaxItems = 100'000;

// Appends whatever is written to it to a std::string, without ostringstream's copies.
class StringSink : public std::streambuf {
 public:
  explicit StringSink(std::string* out = nullptr) : out_(out) {}
  void Reset(std::string* out) { out_ = out; }

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
  explicit ByteSource(std::string_view bytes = {}) { Reset(bytes); }
  void Reset(std::string_view bytes) {
    char* p = const_cast<char*>(bytes.data());  // read-only: nothing here writes through it
    setg(p, p, p + bytes.size());
  }
  std::size_t remaining() const { return static_cast<std::size_t>(egptr() - gptr()); }
};

// The streams an archive is built on, one of each kind per thread, pointed at each record in
// turn. Constructing a std::istream or std::ostream copies the global locale (a reference count
// that every thread shares) and looks up its facets: in a rebuild that cost more than a small
// record's decoding did. A record coded while another is on the same thread gets its own.
template <class Buffer, class Stream>
class ThreadStream {
 public:
  template <class Target>
  explicit ThreadStream(Target target) : slot_(Take()) {
    slot_.buffer.Reset(target);
    slot_.stream.clear();
  }
  ~ThreadStream() { slot_.busy = false; }
  ThreadStream(const ThreadStream&) = delete;
  ThreadStream& operator=(const ThreadStream&) = delete;

  Stream& stream() { return slot_.stream; }
  const Buffer& buffer() const { return slot_.buffer; }

 private:
  struct Slot {
    Buffer buffer;
    Stream stream{&buffer};
    bool busy = false;
  };
  Slot& Take() {
    static thread_local Slot shared;
    Slot& slot = shared.busy ? own_.emplace() : shared;
    slot.busy = true;
    return slot;
  }

  std::optional<Slot> own_;  // before slot_: Take() may fill it
  Slot& slot_;
};
using ReadStream = ThreadStream<ByteSource, std::istream>;
using WriteStream = ThreadStream<StringSink, std::ostream>;

// Thrown inside a decoder only, and turned into a Status at its boundary.
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
  void Put(std::int64_t v) { ar_(v); }
  void Put(std::uint64_t v) { ar_(v); }
  void Put(std::uint8_t v) { ar_(v); }
  void Put(bool v) { ar_(static_cast<std::uint8_t>(v)); }
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
  void Get(std::int64_t* v) { ar_(*v); }
  void Get(std::uint64_t* v) { ar_(*v); }
  void Get(std::uint8_t* v) { ar_(*v); }
  void Get(bool* v) {
    std::uint8_t b = 0;
    ar_(b);
    if (b > 1)
      throw CorruptRecord{fmt::format("boolean byte is {}", b)};
    *v = b == 1;
  }
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

// Appends the archive of `record` (no version byte: the caller frames it) to `out`.
template <Record R>
void EncodeRecord(const R& record, std::string* out) {
  WriteStream sink(out);
  OutArchive ar(sink.stream());
  Encoder e(ar);
  e.Put(record);
}

// Decodes an archive written by EncodeRecord; every byte must be used. `what` names the record
// in messages ("view of person 12").
template <Record R>
Status DecodeRecord(std::string_view bytes, R* record, std::string_view what) {
  // The archive's first byte says which endianness wrote it: 1 little, 0 big. cereal would take
  // any other value as big-endian and read the record swapped.
  if (!bytes.empty() && static_cast<std::uint8_t>(bytes[0]) > 1)
    return Status::Corruption(fmt::format("{}: bad endianness byte", what));
  ReadStream source(bytes);
  try {
    InArchive ar(source.stream());
    Decoder d(ar, source.buffer());
    d.Get(record);
  } catch (const CorruptRecord& e) {
    return Status::Corruption(fmt::format("{}: {}", what, e.what));
  } catch (const cereal::Exception& e) {
    return Status::Corruption(fmt::format("{} truncated: {}", what, e.what()));
  }
  if (source.buffer().remaining() != 0) {
    return Status::Corruption(
        fmt::format("{} has {} bytes after its end", what, source.buffer().remaining()));
  }
  return Status::OK();
}

}  // namespace throughline::events::codec

#endif  // THROUGHLINE_EVENTS_RECORD_CODEC_H_
