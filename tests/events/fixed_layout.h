// The fixed layout of record_codec.h written again, as event format 1 and views before
// projection version 2 were: cereal's portable binary archive. The engine only reads it now
// (codec::Decoder with Layout::kFixed); tests write it to stand for the records of older stores.

#ifndef THROUGHLINE_TESTS_EVENTS_FIXED_LAYOUT_H_
#define THROUGHLINE_TESTS_EVENTS_FIXED_LAYOUT_H_

#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>

#include <cereal/archives/portable_binary.hpp>

#include "events/record_codec.h"

namespace throughline::events::codec {

using OutArchive = cereal::PortableBinaryOutputArchive;

// Writes the fixed layout: cereal's portable binary archive, whose constructor has written the
// endianness byte.
class FixedWriter {
 public:
  explicit FixedWriter(OutArchive& ar) : ar_(ar) {}

  template <class N>
  requires std::is_integral_v<N>
  void Number(N v) { ar_(v); }
  void Count(std::uint64_t n) { ar_(cereal::make_size_tag(n)); }
  void Bytes(std::string_view s) { ar_(cereal::binary_data(s.data(), s.size())); }

 private:
  OutArchive& ar_;
};

using FixedEncoder = BasicEncoder<FixedWriter>;

// Appends `record` in the fixed layout, as format 1 wrote it: for tests standing for old stores.
// `options` can ask for the bytes a big-endian writer would have written.
template <Record R>
void EncodeFixedRecord(const R& record, std::string* out,
                       OutArchive::Options options = OutArchive::Options::Default()) {
  std::ostringstream stream;
  {
    OutArchive ar(stream, options);
    FixedWriter w(ar);
    FixedEncoder(w).Put(record);
  }
  out->append(stream.view());
}

}  // namespace throughline::events::codec

#endif  // THROUGHLINE_TESTS_EVENTS_FIXED_LAYOUT_H_
