#include "base/strings.h"

#include <catch2/catch.hpp>

using namespace ll;

TEST_CASE("base64 round-trips and rejects garbage") {
  for (std::string s : std::initializer_list<std::string>{"", "f", "fo", "foo", "foob", "fooba", "foobar", std::string("\0\xff\x10", 3)}) {
    auto decoded = Base64Decode(Base64Encode(s));
    REQUIRE(decoded);
    CHECK(*decoded == s);
  }
  CHECK(Base64Encode("foobar") == "Zm9vYmFy");
  CHECK(Base64Encode("fo") == "Zm8=");
  CHECK_FALSE(Base64Decode("Zm9v!"));
  CHECK_FALSE(Base64Decode("Zm8=Zm8="));
}

TEST_CASE("uuid has the version-4 shape") {
  std::string id = NewUuid();
  REQUIRE(id.size() == 36);
  CHECK(id[8] == '-');
  CHECK(id[14] == '4');
  CHECK(NewUuid() != id);
}

TEST_CASE("JsonQuote escapes control characters") {
  CHECK(JsonQuote("a\"b\\c\n\x01") == "\"a\\\"b\\\\c\\n\\u0001\"");
}

TEST_CASE("IsoTimestampUtc formats milliseconds") {
  auto t = std::chrono::system_clock::time_point(std::chrono::milliseconds(1559763003173));
  CHECK(IsoTimestampUtc(t) == "2019-06-05T19:30:03.173Z");
  CHECK(DatePathUtc(t) == "2019/06/05");
}

TEST_CASE("PrefixEnd bounds every string with the prefix", "[strings]") {
  CHECK(ll::PrefixEnd("abc") == "abd");
  CHECK(ll::PrefixEnd(std::string("a\xff\xff", 3)) == "b");
  CHECK(ll::PrefixEnd(std::string("\xff", 1)).empty());
  CHECK(ll::PrefixEnd("").empty());
}
