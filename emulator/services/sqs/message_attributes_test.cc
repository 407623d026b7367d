#include "services/sqs/message_attributes.h"

#include <catch2/catch.hpp>

#include "services/sqs/sqs_errors.h"

using namespace ll;
using namespace ll::sqs;

namespace {

MessageAttributeValue Str(std::string value, std::string type = "String") {
  MessageAttributeValue v;
  v.data_type = std::move(type);
  v.string_value = std::move(value);
  return v;
}

MessageAttributeValue Bin(std::string bytes) {
  MessageAttributeValue v;
  v.data_type = "Binary";
  v.binary_value = std::move(bytes);
  return v;
}

}  // namespace

TEST_CASE("MD5OfMessageBody is the hex MD5 of the body") {
  CHECK(Md5Hex("") == "d41d8cd98f00b204e9800998ecf8427e");
  CHECK(Md5Hex("Test message.") == "e4e68fb7bd0e697a0ae8f1bb342846b3");  // AWS's sample event
}

// Known values: AWS's documented samples (as used by ydb's and other SQS implementations'
// tests), and digests real SQS returned, as recorded in public test suites.
TEST_CASE("MD5OfMessageAttributes matches AWS's known digests") {
  CHECK(MessageAttributesMd5({}) == "");
  CHECK(MessageAttributesMd5({{"test_attribute_name_2", Str("test_attribute_value_2")},
                              {"test_attribute_name_1", Str("test_attribute_value_1")}}) ==
        "d53f3b558fe951154770f25cb63dbba9");
  CHECK(MessageAttributesMd5({{"test_attribute_name", Bin("test_attribute_value")}}) ==
        "23f6bd27ea87aab7dfeadcc9aebee495");
  CHECK(MessageAttributesMd5({{"timestamp", Str("1493147359900", "Number")}}) ==
        "235c5c510d26fb653d073faed50ae77c");
  CHECK(MessageAttributesMd5({{"ordinal", Str("1", "Number")}, {"category", Str("test")}}) ==
        "d21ae90c49061e927f57df5f5d72be1f");
  CHECK(MessageAttributesMd5({{"SellerName", Str("Example Store")}}) ==
        "cd28f3b68aeee4b2eac9c66f2f694b58");
}

TEST_CASE("message bodies accept only SQS's character set") {
  CHECK(ValidateCharacters("hello\tworld\r\n", "message body").ok());
  CHECK(ValidateCharacters("caf\xc3\xa9 \xf0\x9f\x98\x80", "message body").ok());  // é, emoji
  ll::Status nul = ValidateCharacters(std::string("a\0b", 3), "message body");
  CHECK(nul.code() == errors::kInvalidMessageContents);
  CHECK(nul.message().find("#x0") != std::string::npos);
  CHECK_FALSE(ValidateCharacters("\x01", "message body").ok());
  CHECK_FALSE(ValidateCharacters("\xff", "message body").ok());          // not UTF-8
  CHECK_FALSE(ValidateCharacters("\xc3", "message body").ok());          // truncated
  CHECK_FALSE(ValidateCharacters("\xed\xa0\x80", "message body").ok());  // a surrogate
  CHECK_FALSE(ValidateCharacters("\xef\xbf\xbf", "message body").ok());  // U+FFFF
}

TEST_CASE("message attributes follow SendMessage's rules") {
  CHECK(ValidateMessageAttributes({{"a.b-c_d", Str("v")},
                                   {"n", Str("-1.5e3", "Number")},
                                   {"b", Bin(std::string("\x00\x01", 2))},
                                   {"s", Str("x", "String.label")}})
            .ok());
  auto code = [](MessageAttributes attrs) { return ValidateMessageAttributes(attrs).code(); };
  CHECK(code({{"bad name", Str("v")}}) == errors::kInvalidParameterValue);
  CHECK(code({{".a", Str("v")}}) == errors::kInvalidParameterValue);
  CHECK(code({{"a..b", Str("v")}}) == errors::kInvalidParameterValue);
  CHECK(code({{"AWS.x", Str("v")}}) == errors::kInvalidParameterValue);
  CHECK(code({{"amazon.x", Str("v")}}) == errors::kInvalidParameterValue);
  CHECK(code({{"a", Str("v", "Text")}}) == errors::kInvalidParameterValue);
  CHECK(code({{"a", Str("v", "String.")}}) == errors::kInvalidParameterValue);
  CHECK(code({{"a", Str("")}}) == errors::kInvalidParameterValue);
  CHECK(code({{"a", Str("12abc", "Number")}}) == errors::kInvalidParameterValue);
  CHECK(code({{"a", Bin("")}}) == errors::kInvalidParameterValue);
  MessageAttributes eleven;
  for (int i = 0; i < 11; ++i) eleven["a" + std::to_string(i)] = Str("v");
  CHECK(code(eleven) == errors::kInvalidParameterValue);

  CHECK(ValidateSystemAttributes({{"AWSTraceHeader", Str("Root=1-abc")}}).ok());
  CHECK_FALSE(ValidateSystemAttributes({{"Other", Str("x")}}).ok());
}

TEST_CASE("a message's size counts its body and attributes") {
  SendRequest r;
  r.body = "12345";
  r.attributes["ab"] = Str("xyz");  // 2 + 6 + 3
  r.attributes["b"] = Bin("1234");  // 1 + 6 + 4
  CHECK(MessageSize(r) == 5 + 11 + 11);
}
