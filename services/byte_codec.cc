#include "services/byte_codec.h"

namespace throughline::services {

void PutFixed32(std::string* out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i)
    out->push_back(static_cast<char>(v >> (8 * i)));
}

void PutFixed64(std::string* out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i)
    out->push_back(static_cast<char>(v >> (8 * i)));
}

void PutBytes(std::string* out, std::string_view bytes) {
  PutFixed32(out, static_cast<std::uint32_t>(bytes.size()));
  out->append(bytes);
}

std::uint32_t DecodeFixed32(const char* p) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i)
    v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

std::uint64_t DecodeFixed64(const char* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i)
    v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

bool ByteReader::ReadU8(std::uint8_t* v) {
  if (in_.empty())
    return false;
  *v = static_cast<std::uint8_t>(in_[0]);
  in_.remove_prefix(1);
  return true;
}

bool ByteReader::ReadFixed32(std::uint32_t* v) {
  if (in_.size() < 4)
    return false;
  *v = DecodeFixed32(in_.data());
  in_.remove_prefix(4);
  return true;
}

bool ByteReader::ReadFixed64(std::uint64_t* v) {
  if (in_.size() < 8)
    return false;
  *v = DecodeFixed64(in_.data());
  in_.remove_prefix(8);
  return true;
}

bool ByteReader::ReadI32(std::int32_t* v) {
  std::uint32_t u;
  if (!ReadFixed32(&u))
    return false;
  *v = static_cast<std::int32_t>(u);
  return true;
}

bool ByteReader::ReadI64(std::int64_t* v) {
  std::uint64_t u;
  if (!ReadFixed64(&u))
    return false;
  *v = static_cast<std::int64_t>(u);
  return true;
}

bool ByteReader::ReadRaw(std::size_t n, std::string_view* out) {
  if (in_.size() < n)
    return false;
  *out = in_.substr(0, n);
  in_.remove_prefix(n);
  return true;
}

bool ByteReader::ReadBytes(std::string_view* out) {
  std::uint32_t n;
  return ReadFixed32(&n) && ReadRaw(n, out);
}

bool ByteReader::ReadBytes(std::string* out) {
  std::string_view view;
  if (!ReadBytes(&view))
    return false;
  out->assign(view);
  return true;
}

}  // namespace throughline::services
