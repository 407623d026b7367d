#include "store/record.h"

#include <limits>

namespace ll {

RecordWriter& RecordWriter::U64(uint64_t v) {
  while (v >= 0x80) {
    out_.push_back(char((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out_.push_back(char(v));
  return *this;
}

RecordWriter& RecordWriter::I64(int64_t v) {
  return U64((uint64_t(v) << 1) ^ uint64_t(v >> 63));
}

RecordWriter& RecordWriter::Str(std::string_view s) {
  U64(s.size());
  out_.append(s);
  return *this;
}

bool RecordReader::U64(uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; ok_ && shift < 64; shift += 7) {
    if (in_.empty()) break;
    const uint8_t byte = uint8_t(in_.front());
    in_.remove_prefix(1);
    if (shift == 63 && (byte & 0x7e)) break;  // more than 64 bits
    result |= uint64_t(byte & 0x7f) << shift;
    if (!(byte & 0x80)) {
      *v = result;
      return true;
    }
  }
  ok_ = false;
  return false;
}

bool RecordReader::I64(int64_t* v) {
  uint64_t raw = 0;
  if (!U64(&raw)) return false;
  *v = int64_t(raw >> 1) ^ -int64_t(raw & 1);
  return true;
}

bool RecordReader::U32(uint32_t* v) {
  uint64_t raw = 0;
  if (!U64(&raw)) return false;
  if (raw > std::numeric_limits<uint32_t>::max()) return ok_ = false;
  *v = uint32_t(raw);
  return true;
}

bool RecordReader::Int(int* v) {
  int64_t raw = 0;
  if (!I64(&raw)) return false;
  if (raw < std::numeric_limits<int>::min() || raw > std::numeric_limits<int>::max()) {
    return ok_ = false;
  }
  *v = int(raw);
  return true;
}

bool RecordReader::Bool(bool* v) {
  uint64_t raw = 0;
  if (!U64(&raw)) return false;
  if (raw > 1) return ok_ = false;
  *v = raw == 1;
  return true;
}

bool RecordReader::Str(std::string* s) {
  uint64_t size = 0;
  if (!U64(&size)) return false;
  if (size > in_.size()) return ok_ = false;
  s->assign(in_.data(), size_t(size));
  in_.remove_prefix(size_t(size));
  return true;
}

}  // namespace ll
