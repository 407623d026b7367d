// RecordWriter / RecordReader: a compact, versionable byte encoding for the values services
// keep in the state store: varints and length-prefixed strings, read back in the order written.
// A reader never reads past its input: a truncated or foreign value makes it fail, not crash.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ll {

class RecordWriter {
 public:
  RecordWriter& U64(uint64_t v);
  RecordWriter& I64(int64_t v);  // zigzag, so small negative numbers stay small
  RecordWriter& Bool(bool v) { return U64(v ? 1 : 0); }
  RecordWriter& Str(std::string_view s);

  const std::string& bytes() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

class RecordReader {
 public:
  // Reads `in`, which must outlive the reader.
  explicit RecordReader(std::string_view in) : in_(in) {}

  // Each returns false (and keeps returning false) once the input is exhausted or malformed.
  bool U64(uint64_t* v);
  bool I64(int64_t* v);
  bool U32(uint32_t* v);  // a U64 that must fit
  bool Int(int* v);       // an I64 that must fit
  bool Bool(bool* v);
  bool Str(std::string* s);

  bool ok() const { return ok_; }
  // True when everything was read and nothing is left over.
  bool done() const { return ok_ && in_.empty(); }

 private:
  std::string_view in_;
  bool ok_ = true;
};

}  // namespace ll
