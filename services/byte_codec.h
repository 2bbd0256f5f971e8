// Little-endian fixed-width integers and length-prefixed byte strings: the building blocks of
// the store's value formats (docs/formats.md). ByteReader never reads past its input: every
// read says whether it succeeded, and a length longer than what is left fails before anything
// is allocated.

#ifndef THROUGHLINE_SERVICES_BYTE_CODEC_H_
#define THROUGHLINE_SERVICES_BYTE_CODEC_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace throughline::services {

void PutFixed32(std::string* out, std::uint32_t v);
void PutFixed64(std::string* out, std::uint64_t v);
// u32 length, then the bytes.
void PutBytes(std::string* out, std::string_view bytes);

std::uint32_t DecodeFixed32(const char* p);
std::uint64_t DecodeFixed64(const char* p);

class ByteReader {
 public:
  explicit ByteReader(std::string_view in) : in_(in) {}

  bool ReadU8(std::uint8_t* v);
  bool ReadFixed32(std::uint32_t* v);
  bool ReadFixed64(std::uint64_t* v);
  bool ReadI32(std::int32_t* v);
  bool ReadI64(std::int64_t* v);
  bool ReadRaw(std::size_t n, std::string_view* out);  // a view into the input
  bool ReadBytes(std::string_view* out);               // u32 length, then the bytes
  bool ReadBytes(std::string* out);

  std::size_t remaining() const { return in_.size(); }
  bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_BYTE_CODEC_H_
