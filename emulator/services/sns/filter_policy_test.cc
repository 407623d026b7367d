#include "services/sns/filter_policy.h"

#include <catch2/catch.hpp>
#include <string>
#include <utility>

#include "services/sns/sns_errors.h"

using ll::sns::FilterPolicy;
using ll::sns::FilterPolicyScope;
using ll::sns::MessageAttribute;
using ll::sns::MessageAttributes;

namespace {

constexpr auto kAttributes = FilterPolicyScope::kMessageAttributes;
constexpr auto kBody = FilterPolicyScope::kMessageBody;

MessageAttribute Attr(std::string type, std::string value) {
  MessageAttribute a;
  a.data_type = std::move(type);
  a.string_value = std::move(value);
  return a;
}
MessageAttribute Str(std::string value) { return Attr("String", std::move(value)); }
MessageAttribute Num(std::string value) { return Attr("Number", std::move(value)); }
MessageAttribute Arr(std::string json) { return Attr("String.Array", std::move(json)); }

FilterPolicy Policy(const std::string& json, FilterPolicyScope scope) {
  auto p = FilterPolicy::Parse(json, scope);
  INFO(json << " -> " << p.status().message());
  REQUIRE(p.ok());
  return *p;
}

bool MatchAttrs(const std::string& policy, const MessageAttributes& attributes) {
  return Policy(policy, kAttributes).MatchesAttributes(attributes);
}

bool MatchBody(const std::string& policy, const std::string& body) {
  return Policy(policy, kBody).MatchesBody(body);
}

std::string ErrorOf(const std::string& json, FilterPolicyScope scope = kAttributes) {
  auto p = FilterPolicy::Parse(json, scope);
  INFO(json);
  REQUIRE_FALSE(p.ok());
  CHECK(p.status().code() == ll::sns::errors::kInvalidParameter);
  return p.status().message();
}

// The message SetSubscriptionAttributes answers with for `why`.
std::string Aws(const std::string& why) { return "Invalid parameter: FilterPolicy: " + why; }

}  // namespace

TEST_CASE("SNS filter policy: ParseFilterPolicyScope accepts AWS's two names only") {
  CHECK(ll::sns::ParseFilterPolicyScope("MessageAttributes") == kAttributes);
  CHECK(ll::sns::ParseFilterPolicyScope("MessageBody") == kBody);
  CHECK_FALSE(ll::sns::ParseFilterPolicyScope("messagebody").has_value());
  CHECK_FALSE(ll::sns::ParseFilterPolicyScope("").has_value());
  CHECK(Policy(R"({"a": ["x"]})", kBody).scope() == kBody);
  CHECK(Policy(R"({"a": ["x"]})", kAttributes).scope() == kAttributes);
}

TEST_CASE("SNS filter policy: exact strings, case-sensitive, in both scopes") {
  const char* policy = R"({"customer_interests": ["rugby", "tennis"]})";
  CHECK(MatchAttrs(policy, {{"customer_interests", Str("rugby")}}));
  CHECK(MatchAttrs(policy, {{"customer_interests", Str("tennis")}}));
  CHECK_FALSE(MatchAttrs(policy, {{"customer_interests", Str("baseball")}}));
  CHECK_FALSE(MatchAttrs(policy, {{"customer_interests", Str("Rugby")}}));
  CHECK_FALSE(MatchAttrs(policy, {{"other", Str("rugby")}}));
  CHECK(MatchBody(policy, R"({"customer_interests": "rugby"})"));
  CHECK_FALSE(MatchBody(policy, R"({"customer_interests": "baseball"})"));
  CHECK_FALSE(MatchBody(policy, R"({"other": "rugby"})"));
}

TEST_CASE("SNS filter policy: AND across keys, OR within a key's array") {
  const char* policy =
      R"({"customer_interests": ["rugby"], "price_usd": [{"numeric": [">", 100]}]})";
  CHECK(MatchAttrs(policy, {{"customer_interests", Str("rugby")}, {"price_usd", Num("150")}}));
  CHECK_FALSE(MatchAttrs(policy, {{"customer_interests", Str("rugby")}, {"price_usd", Num("50")}}));
  CHECK_FALSE(MatchAttrs(policy, {{"customer_interests", Str("rugby")}}));
  CHECK(MatchBody(policy, R"({"customer_interests": "rugby", "price_usd": 150, "x": 1})"));
  CHECK_FALSE(MatchBody(policy, R"({"customer_interests": "soccer", "price_usd": 150})"));
  const char* any = R"({"sport": ["rugby", "football", "baseball"]})";
  CHECK(MatchAttrs(any, {{"sport", Str("football")}}));
  CHECK_FALSE(MatchAttrs(any, {{"sport", Str("golf")}}));
  CHECK(MatchBody(any, R"({"sport": "baseball"})"));
  CHECK_FALSE(MatchBody(any, R"({"sport": "golf"})"));
}

TEST_CASE("SNS filter policy: prefix, suffix and equals-ignore-case apply to strings") {
  CHECK(MatchAttrs(R"({"a": [{"prefix": "bas"}]})", {{"a", Str("basketball")}}));
  CHECK_FALSE(MatchAttrs(R"({"a": [{"prefix": "bas"}]})", {{"a", Str("rugby")}}));
  CHECK(MatchBody(R"({"a": [{"prefix": "bas"}]})", R"({"a": "baseball"})"));
  CHECK_FALSE(MatchBody(R"({"a": [{"prefix": "bas"}]})", R"({"a": "abase"})"));
  CHECK_FALSE(MatchAttrs(R"({"a": [{"prefix": "1"}]})", {{"a", Num("12")}}));
  CHECK(MatchAttrs(R"({"a": [{"suffix": "ball"}]})", {{"a", Str("baseball")}}));
  CHECK_FALSE(MatchAttrs(R"({"a": [{"suffix": "ball"}]})", {{"a", Str("rugby")}}));
  CHECK(MatchBody(R"({"a": [{"suffix": "ball"}]})", R"({"a": "football"})"));
  CHECK_FALSE(MatchBody(R"({"a": [{"suffix": "ball"}]})", R"({"a": "balls"})"));
  CHECK(MatchAttrs(R"({"a": [{"equals-ignore-case": "RuGbY"}]})", {{"a", Str("rugby")}}));
  CHECK_FALSE(MatchAttrs(R"({"a": [{"equals-ignore-case": "RuGbY"}]})", {{"a", Str("rugbyx")}}));
  CHECK(MatchBody(R"({"a": [{"equals-ignore-case": "RUGBY"}]})", R"({"a": "Rugby"})"));
  CHECK_FALSE(MatchBody(R"({"a": [{"equals-ignore-case": "RUGBY"}]})", R"({"a": "soccer"})"));
}

TEST_CASE("SNS filter policy: anything-but: a list, a single value, a prefix or a suffix") {
  const char* list = R"({"a": [{"anything-but": ["rugby", "tennis"]}]})";
  CHECK(MatchAttrs(list, {{"a", Str("baseball")}}));
  CHECK_FALSE(MatchAttrs(list, {{"a", Str("rugby")}}));
  CHECK(MatchBody(list, R"({"a": "football"})"));
  CHECK_FALSE(MatchBody(list, R"({"a": "tennis"})"));
  // Present with some other value; an absent key is not "anything but".
  CHECK_FALSE(MatchAttrs(list, {{"b", Str("baseball")}}));
  CHECK_FALSE(MatchBody(list, R"({"b": "baseball"})"));
  const char* single = R"({"a": [{"anything-but": "rugby"}]})";
  CHECK(MatchAttrs(single, {{"a", Str("golf")}}));
  CHECK_FALSE(MatchAttrs(single, {{"a", Str("rugby")}}));
  CHECK(MatchBody(single, R"({"a": "golf"})"));
  CHECK_FALSE(MatchBody(single, R"({"a": "rugby"})"));
  const char* numbers = R"({"price": [{"anything-but": [100, 500]}]})";
  CHECK(MatchAttrs(numbers, {{"price", Num("100.1")}}));
  CHECK_FALSE(MatchAttrs(numbers, {{"price", Num("100")}}));
  CHECK(MatchBody(numbers, R"({"price": 101})"));
  CHECK_FALSE(MatchBody(numbers, R"({"price": 5e2})"));
  const char* prefix = R"({"event": [{"anything-but": {"prefix": "order-"}}]})";
  CHECK(MatchAttrs(prefix, {{"event", Str("data-entry")}}));
  CHECK(MatchAttrs(prefix, {{"event", Str("order_number")}}));
  CHECK_FALSE(MatchAttrs(prefix, {{"event", Str("order-cancelled")}}));
  CHECK(MatchBody(prefix, R"({"event": "data-entry"})"));
  CHECK_FALSE(MatchBody(prefix, R"({"event": "order-placed"})"));
  const char* suffix = R"({"file": [{"anything-but": {"suffix": ".tmp"}}]})";
  CHECK(MatchAttrs(suffix, {{"file", Str("a.txt")}}));
  CHECK_FALSE(MatchAttrs(suffix, {{"file", Str("a.tmp")}}));
  CHECK(MatchBody(suffix, R"({"file": "a.txt"})"));
  CHECK_FALSE(MatchBody(suffix, R"({"file": "a.tmp"})"));
  // Arrays match when any element is not excluded (AWS's documented example).
  CHECK(MatchAttrs(list, {{"a", Arr(R"(["rugby", "baseball"])")}}));
  CHECK_FALSE(MatchAttrs(list, {{"a", Arr(R"(["rugby", "tennis"])")}}));
  CHECK(MatchBody(list, R"({"a": ["rugby", "baseball"]})"));
  CHECK_FALSE(MatchBody(list, R"({"a": ["rugby"]})"));
}

TEST_CASE("SNS filter policy: numeric: exact values and ranges, compared as numbers") {
  const char* exact = R"({"price_usd": [{"numeric": ["=", 301.5]}]})";
  CHECK(MatchAttrs(exact, {{"price_usd", Num("301.5")}}));
  CHECK(MatchAttrs(exact, {{"price_usd", Num("3.015e2")}}));
  CHECK_FALSE(MatchAttrs(exact, {{"price_usd", Num("301.6")}}));
  CHECK(MatchBody(exact, R"({"price_usd": 3.015e2})"));
  CHECK_FALSE(MatchBody(exact, R"({"price_usd": 301})"));
  const char* range = R"({"p": [{"numeric": [">", 0, "<=", 150]}]})";
  CHECK(MatchAttrs(range, {{"p", Num("150")}}));
  CHECK_FALSE(MatchAttrs(range, {{"p", Num("0")}}));
  CHECK_FALSE(MatchAttrs(range, {{"p", Num("150.01")}}));
  CHECK(MatchBody(range, R"({"p": 0.5})"));
  CHECK_FALSE(MatchBody(range, R"({"p": -1})"));
  CHECK(MatchAttrs(R"({"p": [{"numeric": ["<", 0]}]})", {{"p", Num("-3")}}));
  CHECK_FALSE(MatchAttrs(R"({"p": [{"numeric": ["<", 0]}]})", {{"p", Num("0")}}));
  CHECK(MatchBody(R"({"p": [{"numeric": [">=", 10, "<", 20]}]})", R"({"p": 10})"));
  CHECK_FALSE(MatchBody(R"({"p": [{"numeric": [">=", 10, "<", 20]}]})", R"({"p": 20})"));
  // Five decimal digits of accuracy.
  CHECK(MatchBody(R"({"p": [{"numeric": ["=", 1.000001]}]})", R"({"p": 1})"));
  CHECK_FALSE(MatchBody(R"({"p": [{"numeric": ["=", 1.00001]}]})", R"({"p": 1})"));
  // A bare number in the policy is an exact numeric match.
  CHECK(MatchAttrs(R"({"p": [301.5]})", {{"p", Num("3.015e2")}}));
  CHECK(MatchBody(R"({"p": [300]})", R"({"p": 300.0})"));
  CHECK_FALSE(MatchBody(R"({"p": [300]})", R"({"p": 301})"));
}

TEST_CASE("SNS filter policy: String attributes meet string conditions, Number attributes numeric ones") {
  CHECK_FALSE(MatchAttrs(R"({"p": [{"numeric": [">", 0]}]})", {{"p", Str("5")}}));
  CHECK_FALSE(MatchAttrs(R"({"p": [5]})", {{"p", Str("5")}}));
  CHECK_FALSE(MatchAttrs(R"({"p": ["5"]})", {{"p", Num("5")}}));
  CHECK(MatchAttrs(R"({"p": ["5"]})", {{"p", Str("5")}}));
  CHECK(MatchAttrs(R"({"p": [5]})", {{"p", Num("5")}}));
  CHECK_FALSE(MatchBody(R"({"p": [{"numeric": [">", 0]}]})", R"({"p": "5"})"));
  CHECK_FALSE(MatchBody(R"({"p": ["5"]})", R"({"p": 5})"));
  CHECK_FALSE(MatchBody(R"({"p": [5]})", R"({"p": "5"})"));
  // Custom type suffixes keep the base type.
  CHECK(MatchAttrs(R"({"p": [{"numeric": [">", 0]}]})", {{"p", Attr("Number.usd", "5")}}));
  CHECK(MatchAttrs(R"({"p": ["x"]})", {{"p", Attr("String.tag", "x")}}));
  // Literal true/false/null match only their own kind.
  CHECK(MatchBody(R"({"p": [true]})", R"({"p": true})"));
  CHECK_FALSE(MatchBody(R"({"p": [true]})", R"({"p": "true"})"));
  CHECK_FALSE(MatchBody(R"({"p": [true]})", R"({"p": false})"));
  CHECK_FALSE(MatchBody(R"({"p": [null]})", R"({"p": 0})"));
  CHECK(MatchBody(R"({"p": [null]})", R"({"p": null})"));
  CHECK_FALSE(MatchBody(R"({"p": [null]})", R"({"q": 1})"));
}

TEST_CASE("SNS filter policy: String.Array attributes match when any element does") {
  const char* policy = R"({"customer_interests": ["rugby", "tennis"]})";
  CHECK(MatchAttrs(policy, {{"customer_interests", Arr(R"(["soccer", "rugby", "hockey"])")}}));
  CHECK_FALSE(MatchAttrs(policy, {{"customer_interests", Arr(R"(["baseball"])")}}));
  CHECK_FALSE(MatchAttrs(policy, {{"customer_interests", Arr("[]")}}));
  CHECK_FALSE(MatchAttrs(policy, {{"customer_interests", Arr("not json")}}));
  CHECK(MatchAttrs(R"({"n": [{"numeric": [">", 10]}]})", {{"n", Arr("[1, 20]")}}));
  CHECK_FALSE(MatchAttrs(R"({"n": [{"numeric": [">", 10]}]})", {{"n", Arr(R"(["20"])")}}));
  CHECK(MatchAttrs(R"({"n": [true]})", {{"n", Arr("[false, true]")}}));
}

TEST_CASE("SNS filter policy: exists: true needs the key, false its absence") {
  const char* present = R"({"store": [{"exists": true}]})";
  CHECK(MatchAttrs(present, {{"store", Str("fans")}, {"x", Str("y")}}));
  CHECK_FALSE(MatchAttrs(present, {{"customer_interests", Arr(R"(["baseball"])")}}));
  CHECK(MatchBody(present, R"({"store": "fans"})"));
  CHECK_FALSE(MatchBody(present, R"({"customer_interests": ["baseball"]})"));
  // AWS: the key must have a non-null and non-empty value.
  CHECK_FALSE(MatchBody(present, R"({"store": null})"));
  CHECK_FALSE(MatchBody(present, R"({"store": ""})"));
  CHECK_FALSE(MatchBody(present, R"({"store": []})"));
  const char* absent = R"({"store": [{"exists": false}]})";
  CHECK(MatchAttrs(absent, {{"customer_interests", Str("baseball")}}));
  CHECK_FALSE(MatchAttrs(absent, {{"store", Str("fans")}}));
  CHECK(MatchBody(absent, R"({"customer_interests": "baseball"})"));
  CHECK_FALSE(MatchBody(absent, R"({"store": "fans"})"));
  CHECK(MatchBody(absent, R"({})"));
  // AWS: "exists": false only matches when at least one attribute is present.
  CHECK_FALSE(MatchAttrs(absent, {}));
  CHECK_FALSE(MatchAttrs(R"({"a": [null, {"anything-but": "whatever"}]})", {}));
  // Binary attributes are ignored: they neither exist nor count as present.
  CHECK_FALSE(MatchAttrs(present, {{"store", Attr("Binary", "")}}));
  CHECK_FALSE(MatchAttrs(absent, {{"other", Attr("Binary", "")}}));
  CHECK(MatchAttrs(absent, {{"store", Attr("Binary", "")}, {"other", Str("x")}}));
  CHECK_FALSE(MatchAttrs(R"({"b": [{"prefix": ""}]})", {{"b", Attr("Binary", "abc")}}));
}

TEST_CASE("SNS filter policy: cidr matches IPv4 and IPv6 addresses") {
  const char* v4 = R"({"source_ip": [{"cidr": "10.0.0.0/24"}]})";
  CHECK(MatchAttrs(v4, {{"source_ip", Str("10.0.0.0")}}));
  CHECK(MatchAttrs(v4, {{"source_ip", Str("10.0.0.255")}}));
  CHECK_FALSE(MatchAttrs(v4, {{"source_ip", Str("10.1.1.0")}}));
  CHECK(MatchBody(v4, R"({"source_ip": "10.0.0.7"})"));
  CHECK_FALSE(MatchBody(v4, R"({"source_ip": "10.0.1.7"})"));
  CHECK_FALSE(MatchBody(v4, R"({"source_ip": "not an ip"})"));
  CHECK(MatchBody(R"({"ip": [{"cidr": "10.0.0.0/23"}]})", R"({"ip": "10.0.1.9"})"));
  const char* v6 = R"({"ip": [{"cidr": "2001:db8::/32"}]})";
  CHECK(MatchAttrs(v6, {{"ip", Str("2001:db8:1::5")}}));
  CHECK_FALSE(MatchAttrs(v6, {{"ip", Str("2001:db9::5")}}));
  CHECK(MatchBody(v6, R"({"ip": "2001:db8::1"})"));
  CHECK_FALSE(MatchBody(v6, R"({"ip": "10.0.0.1"})"));
}

TEST_CASE("SNS filter policy: $or joins alternatives at any level") {
  const char* flat = R"({
    "source": ["aws.cloudwatch"],
    "$or": [{"metricName": ["CPU"]}, {"namespace": ["AWS/EC2"]}]})";
  CHECK(MatchAttrs(flat, {{"source", Str("aws.cloudwatch")}, {"metricName", Str("CPU")}}));
  CHECK(MatchAttrs(flat, {{"source", Str("aws.cloudwatch")}, {"namespace", Str("AWS/EC2")}}));
  CHECK_FALSE(MatchAttrs(flat, {{"source", Str("aws.cloudwatch")}, {"namespace", Str("AWS/S3")}}));
  CHECK_FALSE(MatchAttrs(flat, {{"source", Str("aws.ec2")}, {"namespace", Str("AWS/EC2")}}));
  CHECK(MatchBody(flat, R"({"source": "aws.cloudwatch", "namespace": "AWS/EC2"})"));
  CHECK_FALSE(MatchBody(flat, R"({"source": "aws.cloudwatch"})"));
  const char* nested = R"({
    "$or": [{"metricName": ["CPUUtilization", "ReadLatency"]}, {"namespace": ["AWS/EC2"]}],
    "detail": {"scope": ["Service"],
               "$or": [{"source": ["aws.cloudwatch"]}, {"type": ["Alarm State Change"]}]}})";
  CHECK(MatchBody(nested, R"({"metricName": "ReadLatency",
                              "detail": {"scope": "Service", "source": "aws.cloudwatch"}})"));
  CHECK(MatchBody(nested, R"({"namespace": "AWS/EC2",
                              "detail": {"scope": "Service", "type": "Alarm State Change"}})"));
  CHECK_FALSE(MatchBody(nested, R"({"metricName": "CPUUtilization",
                                    "detail": {"scope": "Service", "type": "CPUUtilization"}})"));
  CHECK_FALSE(MatchBody(nested, R"({"metricName": "CPUUtilization",
                                    "detail": {"type": "Alarm State Change"}})"));
  CHECK_FALSE(MatchBody(nested, R"({"metricName": "CPUUtilization", "scope": "Service"})"));
  // An "$or" of one object, or of operator-named fields, is just a key called "$or".
  CHECK(MatchBody(R"({"$or": [{"exists": true}]})", R"({"$or": 1})"));
  CHECK_FALSE(MatchBody(R"({"$or": [{"exists": true}]})", R"({"a": 1})"));
  CHECK(ErrorOf(R"({"$or": [{"numeric": 123}, {"prefix": "abc"}]})") ==
        Aws("Value of numeric must be an array."));
}

TEST_CASE("SNS filter policy: message body: nested keys, dotted keys and arrays") {
  const char* policy = R"({"object": {"key": [{"prefix": "auto-"}, "hardcodedvalue"],
                            "nested_key": [{"exists": false}]},
                           "test": [{"exists": false}]})";
  CHECK(MatchBody(policy, R"({"object": {"key": "auto-test"}})"));
  CHECK(MatchBody(policy, R"({"object": {"key": "hardcodedvalue"}})"));
  CHECK_FALSE(MatchBody(policy, R"({"object": {"key": "test-auto"}})"));
  CHECK_FALSE(MatchBody(policy, R"({"object": {"key": "auto-test"}, "test": "just-exists"})"));
  CHECK_FALSE(MatchBody(policy, R"({"object": {"key": "auto-test", "nested_key": "x"}})"));
  CHECK_FALSE(MatchBody(policy, R"({"object": {"test": "auto-test"}})"));
  CHECK_FALSE(MatchBody(policy, R"({"test": "auto-test"})"));
  // AWS joins nested keys with dots, so dotted keys on either side name the same path.
  const char* dotted = R"({"object.nested.test": ["string.value"]})";
  CHECK(MatchBody(dotted, R"({"object": {"nested": {"test": "string.value"}}})"));
  CHECK(MatchBody(dotted, R"({"object.nested": {"test": "string.value"}})"));
  CHECK(MatchBody(dotted, R"({"object": {"nested.test": "string.value"}})"));
  CHECK_FALSE(MatchBody(dotted, R"({"object": {"nested": {"test": "other"}}})"));
  CHECK(MatchBody(R"({"a": {"b": ["x"]}})", R"({"a.b": "x"})"));
  // Arrays, of values or of objects, at any depth.
  const char* records = R"({"Records": {"s3": {"object": {"key": [{"prefix": "auto-"}]}},
                            "eventName": [{"prefix": "ObjectCreated:"}]}})";
  CHECK(MatchBody(records, R"({"Records": [{"eventName": "ObjectCreated:Put",
                                             "s3": {"object": [[{"key": "auto-1.xml"}]]}}]})"));
  CHECK_FALSE(MatchBody(records, R"({"Records": [{"eventName": "ObjectRemoved:Delete",
                                                   "s3": {"object": {"key": "auto-1.xml"}}}]})"));
  CHECK(MatchBody(R"({"headers": {"route-to": ["queue1"]}})",
                  R"({"headers": {"route-to": ["queue1", "queue2"]}})"));
  CHECK_FALSE(MatchBody(R"({"headers": {"route-to": ["queue1"]}})",
                        R"({"headers": {"route-to": ["queue3"]}})"));
  // A body that is not a JSON object matches nothing.
  CHECK_FALSE(MatchBody(R"({"a": [{"exists": false}]})", "Regular string message"));
  CHECK_FALSE(MatchBody(R"({"a": [{"exists": false}]})", R"("Regular string message")"));
  CHECK_FALSE(MatchBody(R"({"a": [{"exists": false}]})", "[1, 2]"));
  CHECK_FALSE(MatchBody(R"({"a": [{"exists": false}]})", R"({"a": 1)"));
}

TEST_CASE("SNS filter policy: an empty policy matches everything; copies share the parsed tree") {
  CHECK(MatchAttrs("{}", {}));
  CHECK(MatchBody("{}", "not json"));
  FilterPolicy original = Policy(R"({"a": ["x"]})", kBody);
  FilterPolicy copy = original;
  CHECK(copy.MatchesBody(R"({"a": "x"})"));
  CHECK_FALSE(copy.MatchesBody(R"({"a": "y"})"));
}

TEST_CASE("SNS filter policy: malformed policies get AWS's messages") {
  CHECK(ErrorOf("{invalidjson}") == Aws("failed to parse JSON."));
  CHECK(ErrorOf(R"({"a": ["x"])") == Aws("failed to parse JSON."));
  CHECK(ErrorOf(R"(["a"])") == Aws("Filter is not an object"));
  CHECK(ErrorOf(R"({"key": [["value"]]})") ==
        Aws("Match value must be String, number, true, false, or null"));
  CHECK(ErrorOf(R"({"key_a": "value_one"})") == Aws("\"key_a\" must be an object or an array"));
  CHECK(ErrorOf(R"({"key": {"suffix": "value"}})", kBody) ==
        Aws("\"suffix\" must be an object or an array"));
  CHECK(ErrorOf(R"({"key": []})") == Aws("Empty arrays are not allowed"));
  CHECK(ErrorOf(R"({"key": {}})", kBody) == Aws("Empty objects are not allowed"));
  CHECK(ErrorOf(R"({"key": [{}]})") == Aws("Match expression name not found"));
}

TEST_CASE("SNS filter policy: unknown or misused operators") {
  CHECK(ErrorOf(R"({"key": [{"wrong-operator": true}]})") ==
        Aws("Unrecognized match type wrong-operator"));
  CHECK(ErrorOf(R"({"key": [{"wildcard": "a*"}]})") == Aws("Unrecognized match type wildcard"));
  CHECK(ErrorOf(R"({"key": [{"suffix": "value", "prefix": "value2"}]})") ==
        Aws("Only one key allowed in match expression"));
  CHECK(ErrorOf(R"({"key": [{"suffix": 100}]})") == Aws("suffix match pattern must be a string"));
  CHECK(ErrorOf(R"({"key": [{"suffix": ["a", "b"]}]})") ==
        Aws("suffix match pattern must be a string"));
  CHECK(ErrorOf(R"({"key": [{"prefix": null}]})") == Aws("prefix match pattern must be a string"));
  CHECK(ErrorOf(R"({"key": [{"equals-ignore-case": 1}]})") ==
        Aws("equals-ignore-case match pattern must be a string"));
  CHECK(ErrorOf(R"({"key": [{"exists": null}]})") ==
        Aws("exists match pattern must be either true or false."));
  CHECK(ErrorOf(R"({"key": [{"exists": "no"}]})") ==
        Aws("exists match pattern must be either true or false."));
  CHECK(ErrorOf(R"({"key": [{"anything-but": {"wrong-operator": null}}]})") ==
        Aws("Unsupported anything-but pattern: wrong-operator"));
  CHECK(ErrorOf(R"({"key": [{"anything-but": {"exists": false}}]})") ==
        Aws("Unsupported anything-but pattern: exists"));
  CHECK(ErrorOf(R"({"key": [{"anything-but": {"prefix": false}}]})") ==
        Aws("prefix match pattern must be a string"));
  CHECK(ErrorOf(R"({"key": [{"anything-but": {"suffix": ""}}]})") ==
        Aws("Null prefix/suffix not allowed"));
  CHECK(ErrorOf(R"({"key": [{"anything-but": [true]}]})") ==
        Aws("Inside anything but list, start|null|boolean is not supported."));
  CHECK(ErrorOf(R"({"key": [{"anything-but": ["a", 1]}]})") ==
        Aws("Inside anything but list, either all values are number or string, mixed type is not "
            "supported"));
  CHECK(ErrorOf(R"({"key": [{"anything-but": []}]})") ==
        Aws("Inside anything but list, either all values are number or string, mixed type is not "
            "supported"));
  CHECK(ErrorOf(R"({"key": [{"anything-but": null}]})") ==
        Aws("Value of anything-but must be an array or single string/number value."));
}

TEST_CASE("SNS filter policy: bad numeric expressions") {
  auto numeric = [](const std::string& args) {
    return ErrorOf(R"({"key": [{"numeric": )" + args + "}]}");
  };
  CHECK(numeric("[]") == Aws("Invalid member in numeric match: ]"));
  CHECK(numeric("5") == Aws("Value of numeric must be an array."));
  CHECK(numeric(R"(["operator"])") == Aws("Unrecognized numeric range operator: operator"));
  CHECK(numeric(R"([1, "<="])") == Aws("Invalid member in numeric match: 1"));
  CHECK(numeric(R"(["=", "000"])") == Aws("Value of equals must be numeric"));
  CHECK(numeric(R"([">="])") == Aws("Value of >= must be numeric"));
  CHECK(numeric(R"(["=", 1, "<", 5])") == Aws("Too many elements in numeric expression"));
  CHECK(numeric(R"(["<", 100, ">", 10])") == Aws("Too many elements in numeric expression"));
  CHECK(numeric(R"([">=", 1, ">", 2])") == Aws("Bad numeric range operator: >"));
  CHECK(numeric(R"([">", 3, "<", 1])") == Aws("Bottom must be less than top"));
  CHECK(numeric(R"([">", 3, "<", 3])") == Aws("Bottom must be less than top"));
  CHECK(numeric(R"([">", 20, "<="])") == Aws("Value of <= must be numeric"));
  CHECK(numeric(R"([">", 20, 30])") == Aws("Bad value in numeric range: 30"));
  CHECK(numeric(R"([">", 20, "test"])") == Aws("Bad numeric range operator: test"));
  CHECK(numeric(R"([">", "20", "<", "30"])") == Aws("Value of > must be numeric"));
  CHECK(numeric(R"([">", 20, "<", "30"])") == Aws("Value of < must be numeric"));
  CHECK(numeric(R"([">", 20, "<", 30, "<", 50])") ==
        Aws("Too many terms in numeric range expression"));
  CHECK(ErrorOf(R"({"key": [{"numeric": [">", 1], "prefix": "a"}]})") ==
        Aws("Too many elements in numeric expression"));
}

TEST_CASE("SNS filter policy: bad cidr blocks") {
  auto cidr = [](const std::string& arg) { return ErrorOf(R"({"ip": [{"cidr": )" + arg + "}]}"); };
  CHECK(cidr("24") == Aws("prefix match pattern must be a string"));
  CHECK(cidr(R"("10.0.0.0")") == Aws("Malformed CIDR, one '/' required"));
  CHECK(cidr(R"("10.0.0.0/8/8")") == Aws("Malformed CIDR, one '/' required"));
  CHECK(cidr(R"("10.0.0.0/x")") == Aws("Malformed CIDR, mask bits must be an integer"));
  CHECK(cidr(R"("10.0.0.0/-1")") == Aws("Malformed CIDR, mask bits must not be negative"));
  CHECK(cidr(R"("300.0.0.0/8")") == Aws("Nonstandard IP address: 300.0.0.0"));
  CHECK(cidr(R"("10.0.0.0/32")") == Aws("IPv4 mask bits must be < 32"));
  CHECK(cidr(R"("::/128")") == Aws("IPv6 mask bits must be < 128"));
  Policy(R"({"ip": [{"cidr": "10.0.0.0/+8"}]})", kAttributes);
}

TEST_CASE("SNS filter policy: at most five keys: all of them for attributes, top-level ones for the body") {
  const char* six =
      R"({"k1": ["a"], "k2": ["a"], "k3": ["a"], "k4": ["a"], "k5": ["a"], "k6": ["a"]})";
  CHECK(ErrorOf(six) == Aws("Filter policy can not have more than 5 keys"));
  CHECK(ErrorOf(six, kBody) == Aws("Filter policy can not have more than 5 keys"));
  Policy(R"({"k1": ["a"], "k2": ["a"], "k3": ["a"], "k4": ["a"], "k5": ["a"]})", kAttributes);
  // Keys inside $or branches count in the attributes scope.
  CHECK(ErrorOf(R"({"k1": ["a"], "k2": ["a"], "k3": ["a"], "k4": ["a"],
                   "$or": [{"k5": ["a"]}, {"k6": ["a"]}]})") ==
        Aws("Filter policy can not have more than 5 keys"));
  // Nested keys do not count in the body scope.
  Policy(R"({"state": ["SUCCESS"], "severity": [{"exists": true}], "message": [{"exists": true}],
            "finding": {"standard_control": [{"exists": true}], "region": [{"exists": true}],
                        "account": [{"exists": true}]}})",
         kBody);
}

TEST_CASE("SNS filter policy: nested policies belong to the MessageBody scope") {
  const char* nested = R"({"object": {"key": [{"prefix": "auto-"}]}})";
  CHECK(ErrorOf(nested) ==
        "Invalid parameter: Filter policy scope MessageAttributes does not support nested filter "
        "policy");
  Policy(nested, kBody);
  // A dotted key is not nesting.
  Policy(R"({"object.key": ["x"]})", kAttributes);
}

TEST_CASE("SNS filter policy: at most 150 combinations, with nesting depth and $or counted as AWS does") {
  std::string many = R"({"key": [)";
  for (int i = 0; i < 151; ++i) many += (i ? ",\"v" : "\"v") + std::to_string(i) + "\"";
  CHECK(ErrorOf(many + "]}") == Aws("Filter policy is too complex"));
  std::string at_limit = R"({"key": [)";
  for (int i = 0; i < 150; ++i) at_limit += (i ? ",\"v" : "\"v") + std::to_string(i) + "\"";
  Policy(at_limit + "]}", kAttributes);
  // 3 x 50 = 150 passes, 3 x 51 = 153 does not.
  std::string fifty = "[", fifty_one = "[";
  for (int i = 0; i < 51; ++i) {
    if (i < 50) fifty += (i ? "," : "") + std::to_string(i);
    fifty_one += (i ? "," : "") + std::to_string(i);
  }
  Policy(R"({"a": ["x", "y", "z"], "b": )" + fifty + "]}", kAttributes);
  CHECK(ErrorOf(R"({"a": ["x", "y", "z"], "b": )" + fifty_one + "]}") ==
        Aws("Filter policy is too complex"));
  // Nested arrays count their values times their depth: (3 x 4) x (2 x 3) x (1 x 3) = 216.
  CHECK(ErrorOf(R"({"key_a": {"key_b": {"key_c": ["v1", "v2", "v3", "v4"]}},
                   "key_d": {"key_e": ["v1", "v2", "v3"]},
                   "key_f": ["v1", "v2", "v3"]})",
                kBody) == Aws("Filter policy is too complex"));
  Policy(R"({"key_a": {"key_b": {"key_c": ["v1", "v2", "v3", "v4"]}},
             "key_d": {"key_e": ["v1", "v2", "v3"]}})",
         kBody);
  // $or branches add up: 4 x (6 + 4 x (4 + 4)) = 152; 3 x (6 + 4 x (4 + 7)) = 150.
  CHECK(ErrorOf(R"({"source": ["a", "b", "c", "d"],
                   "$or": [{"metricName": ["1", "2", "3", "4", "5", "6"]},
                           {"metricType": ["1", "2", "3", "4"],
                            "$or": [{"metricId": [1, 2, 3, 4]}, {"spaceId": [1, 2, 3, 4]}]}]})") ==
        Aws("Filter policy is too complex"));
  Policy(R"({"source": ["a", "b", "c"],
             "$or": [{"metricName": ["1", "2", "3", "4", "5", "6"]},
                     {"metricType": ["1", "2", "3", "4"],
                      "$or": [{"metricId": [1, 2, 3, 4]}, {"spaceId": [1, 2, 3, 4, 5, 6, 7]}]}]})",
         kAttributes);
  // (3 + 2) x (2 x 2) x (1 x 2 + 3 x 2) = 160.
  CHECK(ErrorOf(R"({"$or": [{"metricName": ["a", "b", "c"]}, {"namespace": ["a", "b"]}],
                   "detail": {"scope": ["a", "b"],
                              "$or": [{"source": ["a"]}, {"type": ["a", "b", "c"]}]}})",
                kBody) == Aws("Filter policy is too complex"));
}

TEST_CASE("SNS filter policy: deep nesting is refused in a policy and unmatched in a body") {
  std::string policy, body;
  for (int i = 0; i < 1001; ++i) policy += R"({"a":)";
  policy += R"(["x"])" + std::string(1001, '}');
  CHECK(ErrorOf(policy, kBody) == Aws("failed to parse JSON."));
  body = R"({"a": )" + std::string(100000, '[') + "1" + std::string(100000, ']') + "}";
  CHECK_FALSE(MatchBody(R"({"a": [1]})", body));
  CHECK(MatchBody(R"({"a": [1]})", R"({"a": [[[1]]]})"));
  CHECK_FALSE(MatchAttrs(R"({"a": [1]})", {{"a", Arr(std::string(100000, '['))}}));
}

TEST_CASE("SNS filter policy: a policy over 256 KB is rejected") {
  std::string big = R"({"key": [")" + std::string(256 * 1024, 'x') + R"("]})";
  CHECK(ErrorOf(big) == Aws("Filter policy is too long"));
}
