#include "store/record.h"

#include <limits>

#include <catch2/catch.hpp>

using namespace ll;

TEST_CASE("record: values read back in the order written", "[store]") {
  RecordWriter w;
  w.U64(0).U64(127).U64(128).U64(std::numeric_limits<uint64_t>::max());
  w.I64(-1).I64(std::numeric_limits<int64_t>::min()).I64(1700000000123);
  w.Bool(true).Str("").Str(std::string("a\0b", 3));
  const std::string bytes = w.Take();

  RecordReader r(bytes);
  uint64_t u = 1;
  int64_t i = 0;
  bool b = false;
  std::string s = "x";
  REQUIRE(r.U64(&u));
  CHECK(u == 0);
  REQUIRE(r.U64(&u));
  CHECK(u == 127);
  REQUIRE(r.U64(&u));
  CHECK(u == 128);
  REQUIRE(r.U64(&u));
  CHECK(u == std::numeric_limits<uint64_t>::max());
  REQUIRE(r.I64(&i));
  CHECK(i == -1);
  REQUIRE(r.I64(&i));
  CHECK(i == std::numeric_limits<int64_t>::min());
  REQUIRE(r.I64(&i));
  CHECK(i == 1700000000123);
  REQUIRE(r.Bool(&b));
  CHECK(b);
  REQUIRE(r.Str(&s));
  CHECK(s.empty());
  REQUIRE(r.Str(&s));
  CHECK(s == std::string("a\0b", 3));
  CHECK(r.done());
}

TEST_CASE("record: truncated or malformed input fails without reading past it", "[store]") {
  RecordWriter w;
  w.Str("hello").U64(300);
  const std::string bytes = w.Take();
  for (size_t n = 0; n < bytes.size(); ++n) {
    RecordReader r(std::string_view(bytes).substr(0, n));
    std::string s;
    uint64_t u = 0;
    const bool read_both = r.Str(&s) && r.U64(&u);
    CHECK_FALSE(read_both);
    CHECK_FALSE(r.ok());
  }
  const std::string eleven(11, '\xff');
  RecordReader too_long(eleven);
  uint64_t big_value = 0;
  const std::string overflow = std::string(9, '\xff') + "\x02";  // a 65th bit
  CHECK_FALSE(RecordReader(overflow).U64(&big_value));
  uint64_t u = 0;
  CHECK_FALSE(too_long.U64(&u));
  RecordReader huge_string("\x7f" "abc");
  std::string s;
  CHECK_FALSE(huge_string.Str(&s));
  RecordReader not_bool("\x02");
  bool b = false;
  CHECK_FALSE(not_bool.Bool(&b));
  RecordReader big("\xff\xff\xff\xff\x1f");  // 2^35 - 1
  uint32_t small = 0;
  CHECK_FALSE(big.U32(&small));
  RecordReader leftover("\x01\x02");
  CHECK(leftover.U64(&u));
  CHECK_FALSE(leftover.done());
}
