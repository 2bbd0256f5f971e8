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

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <optional>
#include <ostream>
#include <streambuf>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <cereal/archives/portable_binary.hpp>
#include <fmt/format.h>

#include "events/calendar.h"
#include "events/field_spec.h"
#include "events/status.h"

namespace throughline::events::codec {

using OutArchive = cereal::PortableBinaryOutputArchive;

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

// The stream an output archive is built on, one per thread, pointed at each record in turn.
// Constructing a std::ostream copies the global locale (a reference count that every thread
// shares) and looks up its facets, which cost more than a small record's encoding. A record
// encoded while another is, on the same thread, gets a stream of its own.
class WriteStream {
 public:
  explicit WriteStream(std::string* out) : slot_(Take()) {
    slot_.sink.Reset(out);
    slot_.stream.clear();
  }
  ~WriteStream() { slot_.busy = false; }
  WriteStream(const WriteStream&) = delete;
  WriteStream& operator=(const WriteStream&) = delete;

  std::ostream& stream() { return slot_.stream; }

 private:
  struct Slot {
    // Declared, not defaulted: clang cannot construct a nested class that has default member
    // initializers (std::optional::emplace below) before the enclosing class is complete.
    Slot() : stream(&sink) {}
    StringSink sink;
    std::ostream stream;
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

// Reads an archive written by OutArchive straight from its bytes: what cereal's
// PortableBinaryInputArchive reads, without a std::istream between (a virtual call per field,
// and a stream to build per record). Throws CorruptRecord; a read past the end throws the
// cereal::Exception that archive would have.
class Decoder {
 public:
  // `bytes` starts with the archive's endianness byte: 1 little-endian, 0 big. cereal's reader
  // would take any other value as big-endian and read the record swapped; this one refuses it.
  explicit Decoder(std::string_view bytes) : in_(bytes) {
    std::uint8_t little = 0;
    Read(&little, 1);
    if (little > 1)
      throw CorruptRecord{"bad endianness byte"};
    swap_ = (little == 1) != (std::endian::native == std::endian::little);
  }

  std::size_t remaining() const { return in_.size(); }

  void Get(std::string* s) {
    std::uint64_t size = 0;
    Get(&size);
    if (size > remaining()) {
      throw CorruptRecord{
          fmt::format("string of {} bytes, but only {} left in the record", size, remaining())};
    }
    s->assign(in_.data(), static_cast<std::size_t>(size));
    in_.remove_prefix(static_cast<std::size_t>(size));
  }
  template <class N>
  requires std::is_arithmetic_v<N>
  void Get(N* v) {
    Read(v, sizeof(N));
    if (swap_ && sizeof(N) > 1) {
      auto* bytes = reinterpret_cast<unsigned char*>(v);
      std::reverse(bytes, bytes + sizeof(N));
    }
  }
  void Get(bool* v) {
    std::uint8_t b = 0;
    Get(&b);
    if (b > 1)
      throw CorruptRecord{fmt::format("boolean byte is {}", b)};
    *v = b == 1;
  }
  void Get(Date* d) { Get(&d->days); }
  void Get(Timestamp* t) { Get(&t->unix_ms); }
  void Get(Period* p) {
    Get(&p->years);
    Get(&p->months);
    Get(&p->weeks);
    Get(&p->days);
  }
  template <Enumeration E>
  void Get(E* e) {
    std::uint8_t n = 0;
    Get(&n);
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
    Get(&present);
    if (present > 1)
      throw CorruptRecord{fmt::format("presence byte is {}", present)};
    if (present == 0) {
      o->reset();
      return;
    }
    // In place: a value already there keeps its memory, and every Get overwrites all of it.
    Get(o->has_value() ? &**o : &o->emplace());
  }
  template <class X>
  void Get(std::vector<X>* items) {
    items->resize(static_cast<std::size_t>(GetCount()));
    for (X& item : *items)
      Get(&item);
  }
  template <Record R>
  void Get(R* record) {
    FieldReader<R> reader{*this, record};
    R::Fields(reader);
  }

  std::uint64_t GetCount() {
    std::uint64_t count = 0;
    Get(&count);
    // Every item takes at least one byte, so a count above what is left cannot be real.
    if (count > kMaxItems || count > remaining()) {
      throw CorruptRecord{fmt::format("count of {} items, with {} bytes left", count, remaining())};
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

  void Read(void* to, std::size_t n) {
    if (n > in_.size()) {
      throw cereal::Exception(
          fmt::format("Failed to read {} bytes from input stream! Read {}", n, in_.size()));
    }
    std::memcpy(to, in_.data(), n);
    in_.remove_prefix(n);
  }

  std::string_view in_;
  bool swap_ = false;
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
  try {
    Decoder d(bytes);
    d.Get(record);
    if (d.remaining() != 0)
      return Status::Corruption(fmt::format("{} has {} bytes after its end", what, d.remaining()));
  } catch (const CorruptRecord& e) {
    return Status::Corruption(fmt::format("{}: {}", what, e.what));
  } catch (const cereal::Exception& e) {
    return Status::Corruption(fmt::format("{} truncated: {}", what, e.what()));
  }
  return Status::OK();
}

}  // namespace throughline::events::codec

#endif  // THROUGHLINE_EVENTS_RECORD_CODEC_H_
