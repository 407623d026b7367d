#include "triggers/filter_pattern.h"

#include <catch2/catch.hpp>
#include <string>

#include "model/error_names.h"

using ll::FilterPattern;

namespace {

rapidjson::Document Json(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str());
  REQUIRE_FALSE(doc.HasParseError());
  return doc;
}

bool Match(const std::string& pattern, const std::string& record) {
  auto p = FilterPattern::Parse(pattern);
  REQUIRE(p.ok());
  return p->Matches(Json(record));
}

// An SQS record whose body is `body` (raw text, quoted here).
bool MatchSqs(const std::string& pattern, const std::string& body) {
  auto p = FilterPattern::Parse(pattern);
  REQUIRE(p.ok());
  rapidjson::Document record(rapidjson::kObjectType);
  record.AddMember("messageId", "m-1", record.GetAllocator());
  record.AddMember("body", rapidjson::Value(body.c_str(), record.GetAllocator()),
                   record.GetAllocator());
  return p->MatchesSqsRecord(record);
}

std::string ErrorOf(const std::string& pattern) {
  auto p = FilterPattern::Parse(pattern);
  REQUIRE_FALSE(p.ok());
  CHECK(p.status().code() == ll::errors::kInvalidParameterValue);
  CHECK_THAT(p.status().message(), Catch::StartsWith("Invalid filter pattern definition."));
  return p.status().message();
}

}  // namespace

TEST_CASE("exact values match by type") {
  CHECK(Match(R"({"a": ["x"]})", R"({"a": "x"})"));
  CHECK_FALSE(Match(R"({"a": ["x"]})", R"({"a": "X"})"));
  CHECK(Match(R"({"a": [5]})", R"({"a": 5.0})"));
  CHECK_FALSE(Match(R"({"a": ["5"]})", R"({"a": 5})"));
  CHECK_FALSE(Match(R"({"a": [5]})", R"({"a": "5"})"));
  CHECK(Match(R"({"a": [null]})", R"({"a": null})"));
  CHECK_FALSE(Match(R"({"a": [null]})", R"({})"));
  CHECK(Match(R"({"a": [true]})", R"({"a": true})"));
  CHECK_FALSE(Match(R"({"a": [true]})", R"({"a": false})"));
  CHECK(Match(R"({"a": [""]})", R"({"a": ""})"));
}

TEST_CASE("AND across keys, OR within an array") {
  const char* pattern = R"({"a": ["x", "y"], "b": [1]})";
  CHECK(Match(pattern, R"({"a": "y", "b": 1, "c": "ignored"})"));
  CHECK_FALSE(Match(pattern, R"({"a": "z", "b": 1})"));
  CHECK_FALSE(Match(pattern, R"({"a": "x"})"));
  CHECK(Match("{}", R"({"anything": 1})"));
}

TEST_CASE("nested objects descend into the record") {
  const char* pattern = R"({"detail": {"state": ["on"], "meta": {"n": [1]}}})";
  CHECK(Match(pattern, R"({"detail": {"state": "on", "meta": {"n": 1}}})"));
  CHECK_FALSE(Match(pattern, R"({"detail": {"state": "on", "meta": {"n": 2}}})"));
  CHECK_FALSE(Match(pattern, R"({"detail": {"state": "on"}})"));
  CHECK_FALSE(Match(pattern, R"({"detail": "on"})"));
  // A leaf condition never matches an object.
  CHECK_FALSE(Match(R"({"detail": ["on"]})", R"({"detail": {"state": "on"}})"));
}

TEST_CASE("record arrays match when any element matches") {
  CHECK(Match(R"({"tags": ["b"]})", R"({"tags": ["a", "b"]})"));
  CHECK(Match(R"({"tags": ["b"]})", R"({"tags": [["a"], ["b"]]})"));
  CHECK_FALSE(Match(R"({"tags": ["c"]})", R"({"tags": ["a", "b"]})"));
  CHECK_FALSE(Match(R"({"tags": ["c"]})", R"({"tags": []})"));
  // Arrays of objects: all keys must match within the same element.
  const char* pattern = R"({"items": {"k": ["x"], "v": [1]}})";
  CHECK(Match(pattern, R"({"items": [{"k": "y", "v": 1}, {"k": "x", "v": 1}]})"));
  CHECK_FALSE(Match(pattern, R"({"items": [{"k": "x", "v": 2}, {"k": "y", "v": 1}]})"));
}

TEST_CASE("prefix, suffix and equals-ignore-case apply to strings only") {
  CHECK(Match(R"({"a": [{"prefix": "us-"}]})", R"({"a": "us-east-1"})"));
  CHECK_FALSE(Match(R"({"a": [{"prefix": "us-"}]})", R"({"a": "eu-west-1"})"));
  CHECK(Match(R"({"a": [{"prefix": ""}]})", R"({"a": "x"})"));
  CHECK_FALSE(Match(R"({"a": [{"prefix": "1"}]})", R"({"a": 12})"));
  CHECK(Match(R"({"a": [{"suffix": ".png"}]})", R"({"a": "cat.png"})"));
  CHECK_FALSE(Match(R"({"a": [{"suffix": ".png"}]})", R"({"a": "cat.jpg"})"));
  CHECK(Match(R"({"a": [{"equals-ignore-case": "ALICE"}]})", R"({"a": "aLiCe"})"));
  CHECK_FALSE(Match(R"({"a": [{"equals-ignore-case": "ALICE"}]})", R"({"a": "alic"})"));
}

TEST_CASE("anything-but takes a value, a list or a string operator") {
  CHECK(Match(R"({"a": [{"anything-but": "x"}]})", R"({"a": "y"})"));
  CHECK_FALSE(Match(R"({"a": [{"anything-but": "x"}]})", R"({"a": "x"})"));
  CHECK(Match(R"({"a": [{"anything-but": ["x", "y"]}]})", R"({"a": "z"})"));
  CHECK_FALSE(Match(R"({"a": [{"anything-but": ["x", "y"]}]})", R"({"a": "y"})"));
  CHECK_FALSE(Match(R"({"a": [{"anything-but": [1, 2]}]})", R"({"a": 2})"));
  CHECK(Match(R"({"a": [{"anything-but": [1, 2]}]})", R"({"a": 3})"));
  CHECK(Match(R"({"a": [{"anything-but": {"prefix": "tmp"}}]})", R"({"a": "data"})"));
  CHECK_FALSE(Match(R"({"a": [{"anything-but": {"prefix": "tmp"}}]})", R"({"a": "tmp1"})"));
  CHECK_FALSE(Match(R"({"a": [{"anything-but": {"suffix": ".tmp"}}]})", R"({"a": "x.tmp"})"));
  CHECK_FALSE(Match(R"({"a": [{"anything-but": {"equals-ignore-case": "X"}}]})", R"({"a": "x"})"));
  // A missing field is not "anything but".
  CHECK_FALSE(Match(R"({"a": [{"anything-but": "x"}]})", R"({})"));
}

TEST_CASE("numeric comparisons and ranges") {
  CHECK(Match(R"({"n": [{"numeric": [">", 0, "<=", 5]}]})", R"({"n": 5})"));
  CHECK_FALSE(Match(R"({"n": [{"numeric": [">", 0, "<=", 5]}]})", R"({"n": 0})"));
  CHECK_FALSE(Match(R"({"n": [{"numeric": [">", 0, "<=", 5]}]})", R"({"n": 5.01})"));
  CHECK(Match(R"({"n": [{"numeric": [">=", 10, "<", 20]}]})", R"({"n": 10})"));
  CHECK_FALSE(Match(R"({"n": [{"numeric": [">=", 10, "<", 20]}]})", R"({"n": 20})"));
  CHECK(Match(R"({"n": [{"numeric": ["=", 100]}]})", R"({"n": 100})"));
  CHECK(Match(R"({"n": [{"numeric": ["<", -1.5]}]})", R"({"n": -2})"));
  CHECK(Match(R"({"n": [{"numeric": ["<=", 3, ">", 1]}]})", R"({"n": 2})"));
  CHECK_FALSE(Match(R"({"n": [{"numeric": [">", 0]}]})", R"({"n": "5"})"));
  CHECK_FALSE(Match(R"({"n": [{"numeric": [">", 0]}]})", R"({})"));
}

TEST_CASE("exists checks for a leaf value") {
  CHECK(Match(R"({"a": [{"exists": true}]})", R"({"a": "x"})"));
  CHECK(Match(R"({"a": [{"exists": true}]})", R"({"a": null})"));
  CHECK_FALSE(Match(R"({"a": [{"exists": true}]})", R"({"b": 1})"));
  CHECK(Match(R"({"a": [{"exists": false}]})", R"({"b": 1})"));
  CHECK_FALSE(Match(R"({"a": [{"exists": false}]})", R"({"a": 0})"));
  // An absent parent means the nested leaf does not exist either.
  CHECK(Match(R"({"p": {"a": [{"exists": false}]}})", R"({})"));
  CHECK_FALSE(Match(R"({"p": {"a": [{"exists": true}]}})", R"({})"));
  // exists is a leaf test: an object value does not count.
  CHECK_FALSE(Match(R"({"a": [{"exists": true}]})", R"({"a": {"b": 1}})"));
}

TEST_CASE("cidr matches IPv4 and IPv6 addresses") {
  CHECK(Match(R"({"ip": [{"cidr": "10.0.0.0/24"}]})", R"({"ip": "10.0.0.255"})"));
  CHECK_FALSE(Match(R"({"ip": [{"cidr": "10.0.0.0/24"}]})", R"({"ip": "10.0.1.0"})"));
  CHECK(Match(R"({"ip": [{"cidr": "10.0.0.0/23"}]})", R"({"ip": "10.0.1.7"})"));
  CHECK(Match(R"({"ip": [{"cidr": "0.0.0.0/0"}]})", R"({"ip": "8.8.8.8"})"));
  CHECK_FALSE(Match(R"({"ip": [{"cidr": "10.0.0.0/24"}]})", R"({"ip": "not an ip"})"));
  CHECK(Match(R"({"ip": [{"cidr": "2001:db8::/32"}]})", R"({"ip": "2001:db8:1::5"})"));
  CHECK_FALSE(Match(R"({"ip": [{"cidr": "2001:db8::/32"}]})", R"({"ip": "2001:db9::5"})"));
  CHECK_FALSE(Match(R"({"ip": [{"cidr": "2001:db8::/32"}]})", R"({"ip": "10.0.0.1"})"));
}

TEST_CASE("wildcard matches * against any run of characters") {
  CHECK(Match(R"({"k": [{"wildcard": "a*b"}]})", R"({"k": "ab"})"));
  CHECK(Match(R"({"k": [{"wildcard": "a*b"}]})", R"({"k": "axxb"})"));
  CHECK_FALSE(Match(R"({"k": [{"wildcard": "a*b"}]})", R"({"k": "axxbc"})"));
  CHECK(Match(R"({"k": [{"wildcard": "*/logs/*.txt"}]})", R"({"k": "x/logs/a/b.txt"})"));
  CHECK(Match(R"({"k": [{"wildcard": "a\\*b"}]})", R"({"k": "a*b"})"));
  CHECK_FALSE(Match(R"({"k": [{"wildcard": "a\\*b"}]})", R"({"k": "axb"})"));
  CHECK(Match(R"({"k": [{"wildcard": "*"}]})", R"({"k": ""})"));
}

TEST_CASE("MatchesAnySqsRecord: no filters keep everything, otherwise any filter keeps") {
  auto record = Json(R"({"body": "{\"a\": 2}"})");
  std::vector<FilterPattern> filters;
  CHECK(ll::MatchesAnySqsRecord(filters, record));
  filters.push_back(*FilterPattern::Parse(R"({"body": {"a": [1]}})"));
  CHECK_FALSE(ll::MatchesAnySqsRecord(filters, record));
  filters.push_back(*FilterPattern::Parse(R"({"body": {"a": [2]}})"));
  CHECK(ll::MatchesAnySqsRecord(filters, record));
}

TEST_CASE("SQS: a JSON body is matched by an object pattern on body") {
  CHECK(MatchSqs(R"({"body": {"a": [1]}})", R"({"a":1})"));
  CHECK_FALSE(MatchSqs(R"({"body": {"a": [1]}})", R"({"a":2})"));
  CHECK(MatchSqs(R"({"body": {"RecordNumber": [{"numeric": [">", 9999]}]}})",
                 R"({"RecordNumber": 10000, "RequestCode": "AAAA"})"));
  CHECK(MatchSqs(R"({"body": {"a": {"b": ["x"]}}})", R"({"a": {"b": "x"}})"));
  // A plain-text body never matches an object pattern.
  CHECK_FALSE(MatchSqs(R"({"body": {"a": [1]}})", "a=1"));
  // Without the SQS rule, the body is just a string.
  auto p = FilterPattern::Parse(R"({"body": {"a": [1]}})");
  CHECK_FALSE(p->Matches(Json(R"({"body": "{\"a\":1}"})")));
}

TEST_CASE("SQS: a plain-text body is matched by string conditions on body") {
  CHECK(MatchSqs(R"({"body": [{"prefix": "abc"}]})", "abcdef"));
  CHECK_FALSE(MatchSqs(R"({"body": [{"prefix": "abc"}]})", "xabc"));
  CHECK(MatchSqs(R"({"body": ["hello"]})", "hello"));
  // JSON scalars stay plain strings.
  CHECK(MatchSqs(R"({"body": [{"prefix": "4"}]})", "42"));
  // A JSON body never matches a leaf pattern on body.
  CHECK_FALSE(MatchSqs(R"({"body": [{"prefix": "{"}]})", R"({"a":1})"));
  CHECK_FALSE(MatchSqs(R"({"body": [{"exists": true}]})", R"({"a":1})"));
}

TEST_CASE("SQS: patterns without body ignore the body's format") {
  CHECK(MatchSqs(R"({"messageId": ["m-1"]})", "plain"));
  CHECK(MatchSqs(R"({"messageId": ["m-1"]})", R"({"a":1})"));
  CHECK_FALSE(MatchSqs(R"({"messageId": ["m-2"]})", "plain"));
  std::vector<FilterPattern> filters = {*FilterPattern::Parse(R"({"body": {"a": [1]}})"),
                                        *FilterPattern::Parse(R"({"body": [{"prefix": "a"}]})")};
  CHECK(ll::MatchesAnySqsRecord(filters, Json(R"({"body": "{\"a\":1}"})")));
  CHECK(ll::MatchesAnySqsRecord(filters, Json(R"({"body": "a=1"})")));
  CHECK_FALSE(ll::MatchesAnySqsRecord(filters, Json(R"({"body": "b=1"})")));
}

TEST_CASE("malformed patterns are InvalidParameterValueException") {
  ErrorOf("not json");
  ErrorOf("[]");
  ErrorOf(R"("body")");
  CHECK_THAT(ErrorOf(R"({"a": "x"})"), Catch::Contains("\"a\""));
  ErrorOf(R"({"a": 1})");
  ErrorOf(R"({"a": []})");
  ErrorOf(R"({"a": {}})");
  ErrorOf(R"({"a": [["x"]]})");
  CHECK_THAT(ErrorOf(R"({"p": {"a": [{"regex": "x"}]}})"),
             Catch::Contains("regex") && Catch::Contains("p.a"));
  CHECK(ErrorOf(R"({"a": [{"regex": "x"}]})") ==
        R"(Invalid filter pattern definition. Unrecognized match type "regex" (at "a").)");
  CHECK(ErrorOf("{") == "Invalid filter pattern definition. The pattern is not valid JSON.");
  ErrorOf(R"({"a": [{"prefix": "x", "suffix": "y"}]})");
  ErrorOf(R"({"a": [{}]})");
  ErrorOf(R"({"a": [{"prefix": 1}]})");
  ErrorOf(R"({"a": [{"exists": "yes"}]})");
  ErrorOf(R"({"a": [{"anything-but": []}]})");
  ErrorOf(R"({"a": [{"anything-but": [true]}]})");
  ErrorOf(R"({"a": [{"anything-but": {"numeric": [">", 1]}}]})");
  ErrorOf(R"({"a": [{"wildcard": "a**b"}]})");
  ErrorOf(R"({"a": [{"wildcard": "a\\"}]})");
  ErrorOf(R"({"a": [{"cidr": "10.0.0.0"}]})");
  ErrorOf(R"({"a": [{"cidr": "10.0.0.0/33"}]})");
  ErrorOf(R"({"a": [{"cidr": "300.0.0.0/8"}]})");
}

TEST_CASE("malformed numeric lists are rejected") {
  ErrorOf(R"({"n": [{"numeric": []}]})");
  ErrorOf(R"({"n": [{"numeric": [">"]}]})");
  ErrorOf(R"({"n": [{"numeric": [">", "5"]}]})");
  ErrorOf(R"({"n": [{"numeric": ["!=", 5]}]})");
  ErrorOf(R"({"n": [{"numeric": [">", 0, ">", 5]}]})");
  ErrorOf(R"({"n": [{"numeric": ["=", 0, "<", 5]}]})");
  ErrorOf(R"({"n": [{"numeric": [">", 0, "<", 5, "<", 6]}]})");
  ErrorOf(R"({"n": [{"numeric": 5}]})");
}
