#include "model/function_ref.h"

#include <catch2/catch.hpp>

using namespace ll;

TEST_CASE("function names in every accepted form") {
  auto plain = ParseFunctionRef("hello");
  REQUIRE(plain.ok());
  CHECK(plain->name == "hello");
  CHECK(plain->qualifier.empty());

  auto qualified = ParseFunctionRef("hello:$LATEST");
  REQUIRE(qualified.ok());
  CHECK(qualified->qualifier == "$LATEST");

  auto arn = ParseFunctionRef("arn:aws:lambda:us-east-1:000000000000:function:hello:prod");
  REQUIRE(arn.ok());
  CHECK(arn->name == "hello");
  CHECK(arn->qualifier == "prod");
  CHECK(arn->region == "us-east-1");
  CHECK(arn->account_id == "000000000000");

  auto partial = ParseFunctionRef("000000000000:function:hello");
  REQUIRE(partial.ok());
  CHECK(partial->name == "hello");
  CHECK(partial->account_id == "000000000000");
}

TEST_CASE("malformed function names are rejected") {
  for (const char* bad : {"", "a:b:c", "arn:aws:s3:::bucket", "has space", "a/b",
                          "arn:aws:lambda:us-east-1:1:function:", "x:"}) {
    INFO(bad);
    auto r = ParseFunctionRef(bad);
    CHECK_FALSE(r.ok());
    if (!r.ok()) CHECK(r.status().code() == "ValidationException");
  }
  CHECK_FALSE(ParseFunctionRef(std::string(65, 'a')).ok());
}
