// The binary form of a Record (field_spec.h): its fields in declaration order. Shared by every
// stored record that has a Fields() list: events (event_codec.cc) and the projections' views.
// Two layouts of the same grammar; the caller's version byte says which (docs/formats.md):
//
//                 compact (written now)              fixed (event format 1, views before 2)
//   header    :=  nothing                            endianness:u8 (1 little, 0 big)
//   string    :=  length:varint byte*                length:u64 byte*
//   count     :=  varint                             u64
//   u16, u64  :=  varint                             u16, u64
//   i32, i64  :=  zigzag varint                      i32, i64
//   u8, bool, enum (its persisted number), optional's present (0 or 1) := u8, in both
//   optional  := present [value]    vector := count value*
//   Date := days:i32   Timestamp := ms:i64   Period := years:u16 months:u16 weeks:u16 days:u16
//   record    := its fields, in the order its Fields() lists them
//
// A varint is LEB128: seven bits a byte, least significant first, the high bit set on every
// byte but the last, in its shortest form (a last byte of 0 after others is Corruption, so a
// value has one encoding). The fixed layout is cereal's portable binary archive, whose eight-byte
// lengths made a third of a view's bytes and a fifth of a log record's zeros.
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
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <cereal/details/helpers.hpp>  // cereal::Exception, a fixed record's truncation
#include <fmt/format.h>

#include "events/calendar.h"
#include "events/field_spec.h"
#include "events/status.h"

namespace throughline::events::codec {

// No vector in a valid event has more items than this; a larger count is corruption, and is
// caught before anything is allocated for it.
constexpr std::uint64_t kMaxItems = 100'000;

// Thrown inside a decoder only, and turned into a Status at its boundary.
struct CorruptRecord {
  std::string what;
};

// The layouts of the grammar above.
enum class Layout { kCompact, kFixed };

// Writes the compact layout straight into a string.
class CompactWriter {
 public:
  explicit CompactWriter(std::string* out) : out_(out) {}

  template <class N>
  requires std::is_integral_v<N>
  void Number(N v) {
    if constexpr (sizeof(N) == 1) {
      out_->push_back(static_cast<char>(v));
    } else if constexpr (std::is_signed_v<N>) {
      // Zigzag: small magnitudes of either sign take few bytes.
      const auto u = static_cast<std::uint64_t>(static_cast<std::int64_t>(v));
      Varint((u << 1) ^ (v < 0 ? ~std::uint64_t{0} : 0));
    } else {
      Varint(v);
    }
  }
  void Count(std::uint64_t n) { Varint(n); }
  void Bytes(std::string_view s) { out_->append(s); }

 private:
  void Varint(std::uint64_t v) {
    char bytes[10];
    std::size_t n = 0;
    while (v >= 0x80) {
      bytes[n++] = static_cast<char>(v | 0x80);
      v >>= 7;
    }
    bytes[n++] = static_cast<char>(v);
    out_->append(bytes, n);
  }

  std::string* out_;
};

template <class Writer>
class BasicEncoder {
 public:
  explicit BasicEncoder(Writer& w) : w_(w) {}

  void Put(const std::string& s) {
    w_.Count(s.size());
    w_.Bytes(s);
  }
  void Put(std::int32_t v) { w_.Number(v); }
  void Put(std::int64_t v) { w_.Number(v); }
  void Put(std::uint64_t v) { w_.Number(v); }
  void Put(std::uint16_t v) { w_.Number(v); }
  void Put(std::uint8_t v) { w_.Number(v); }
  void Put(bool v) { w_.Number(static_cast<std::uint8_t>(v)); }
  void Put(Date d) { w_.Number(d.days); }
  void Put(Timestamp t) { w_.Number(t.unix_ms); }
  void Put(const Period& p) {
    w_.Number(p.years);
    w_.Number(p.months);
    w_.Number(p.weeks);
    w_.Number(p.days);
  }
  template <Enumeration E>
  void Put(E e) {
    static_assert(sizeof(E) == 1, "persisted enums are one byte");
    w_.Number(static_cast<std::uint8_t>(e));
  }
  template <class X>
  void Put(const std::optional<X>& o) {
    w_.Number(static_cast<std::uint8_t>(o.has_value()));
    if (o)
      Put(*o);
  }
  template <class X>
  void Put(const std::vector<X>& items) {
    w_.Count(items.size());
    for (const auto& x : items)
      Put(x);
  }
  template <Record R>
  void Put(const R& record) {
    FieldWriter<R> writer{*this, record};
    R::Fields(writer);
  }
  // A count written on its own, before items the caller writes (the event's attributes).
  void PutCount(std::uint64_t n) { w_.Count(n); }

 private:
  template <class R>
  struct FieldWriter {
    BasicEncoder& e;
    const R& record;
    template <class U, class M>
    void operator()(M U::*member, const FieldSpec&) {
      e.Put(record.*member);
    }
  };

  Writer& w_;
};

using Encoder = BasicEncoder<CompactWriter>;

// Reads a record of either layout straight from its bytes (the fixed one without a std::istream
// between: a virtual call per field, and a stream to build per record). Throws CorruptRecord; a
// read past the end throws the cereal::Exception that cereal's reader would have.
class Decoder {
 public:
  // In the fixed layout `bytes` starts with the archive's endianness byte: 1 little-endian, 0
  // big. cereal's reader would take any other value as big-endian and read the record swapped;
  // this one refuses it.
  explicit Decoder(std::string_view bytes, Layout layout = Layout::kCompact)
      : in_(bytes), compact_(layout == Layout::kCompact) {
    if (compact_)
      return;
    std::uint8_t little = 0;
    Read(&little, 1);
    if (little > 1)
      throw CorruptRecord{"bad endianness byte"};
    swap_ = (little == 1) != (std::endian::native == std::endian::little);
  }

  std::size_t remaining() const { return in_.size(); }

  void Get(std::string* s) {
    const std::uint64_t size = GetLength();
    if (size > remaining()) {
      throw CorruptRecord{
          fmt::format("string of {} bytes, but only {} left in the record", size, remaining())};
    }
    s->assign(in_.data(), static_cast<std::size_t>(size));
    in_.remove_prefix(static_cast<std::size_t>(size));
  }
  template <class N>
  requires std::is_integral_v<N>
  void Get(N* v) {
    if constexpr (sizeof(N) > 1) {
      if (compact_) {
        *v = GetVarintAs<N>();
        return;
      }
    }
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
    const std::uint64_t count = GetLength();
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

  std::uint64_t GetLength() {
    if (compact_)
      return GetVarint();
    std::uint64_t n = 0;
    Get(&n);
    return n;
  }

  std::uint64_t GetVarint() {
    std::uint64_t v = 0;
    for (int shift = 0;; shift += 7) {
      std::uint8_t b = 0;
      Read(&b, 1);
      if (shift == 63 && b > 1)
        throw CorruptRecord{"varint larger than 64 bits"};
      v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        if (b == 0 && shift > 0)
          throw CorruptRecord{"varint not in its shortest form"};
        return v;
      }
    }
  }

  template <class N>
  N GetVarintAs() {
    const std::uint64_t u = GetVarint();
    if constexpr (std::is_signed_v<N>) {
      const auto v = static_cast<std::int64_t>((u >> 1) ^ (~(u & 1) + 1));
      if (v < std::numeric_limits<N>::min() || v > std::numeric_limits<N>::max())
        throw CorruptRecord{fmt::format("{} does not fit in {} bytes", v, sizeof(N))};
      return static_cast<N>(v);
    } else {
      if (u > std::numeric_limits<N>::max())
        throw CorruptRecord{fmt::format("{} does not fit in {} bytes", u, sizeof(N))};
      return static_cast<N>(u);
    }
  }

  void Read(void* to, std::size_t n) {
    if (n > in_.size()) {
      throw cereal::Exception(
          fmt::format("Failed to read {} bytes from input stream! Read {}", n, in_.size()));
    }
    std::memcpy(to, in_.data(), n);
    in_.remove_prefix(n);
  }

  std::string_view in_;
  bool compact_;
  bool swap_ = false;
};

// Appends `record` in the compact layout (no version byte: the caller frames it) to `out`.
template <Record R>
void EncodeRecord(const R& record, std::string* out) {
  CompactWriter w(out);
  Encoder(w).Put(record);
}

// Decodes a record written by EncodeRecord (or, with Layout::kFixed, as format 1 wrote it:
// tests/events/fixed_layout.h); every byte must be used. `what` names the record in messages
// ("view of person 12").
template <Record R>
Status DecodeRecord(std::string_view bytes, R* record, std::string_view what,
                    Layout layout = Layout::kCompact) {
  try {
    Decoder d(bytes, layout);
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
