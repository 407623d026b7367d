#include "services/apigateway/proxy_events.h"

#include <rapidjson/document.h>

#include <catch2/catch.hpp>

#include <vector>

#include "base/strings.h"

namespace ll::apigw {
namespace {

const std::string kBinaryBody("\x89PNG\r\n\x1a\n\0\x01\xff", 11);

Api MakeApi(ApiKind kind, std::string stage, std::string method, std::string path) {
  Api api;
  api.id = "abcdefghij";
  api.kind = kind;
  api.stage = std::move(stage);
  Route r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.function = "Fn";
  api.routes.push_back(r);
  return api;
}

// A request with everything at once: repeated headers and query parameters, cookies, an encoded
// path segment and a binary body.
GatewayRequest FullRequest() {
  GatewayRequest r;
  r.method = "POST";
  r.path = "/items/a%20b";
  r.raw_query = "repeat=one&repeat=two&literalPlus=a+b&encodedPlus=a%2Bb&empty=";
  r.headers = {{"Host", "abcdefghij.execute-api.localhost"},
               {"User-Agent", "curl/8.7.1"},
               {"Content-Type", "image/png"},
               {"X-Probe", "first"},
               {"x-probe", "second"},
               {"Cookie", "session=abc123; theme=dark"}};
  r.body = kBinaryBody;
  r.source_ip = "10.1.2.3";
  r.domain_name = "abcdefghij.execute-api.localhost";
  r.request_id = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef";
  r.time_epoch_ms = 1428582896123;  // 09/Apr/2015:12:34:56
  return r;
}

GatewayRequest BareRequest() {
  GatewayRequest r;
  r.method = "GET";
  r.path = "/";
  r.domain_name = "localhost";
  r.request_id = "req-1";
  r.time_epoch_ms = 1428582896000;
  return r;
}

rapidjson::Document Parse(const std::string& json) {
  rapidjson::Document doc;
  doc.Parse(json.c_str(), json.size());
  REQUIRE_FALSE(doc.HasParseError());
  REQUIRE(doc.IsObject());
  return doc;
}

std::vector<std::string> Keys(const rapidjson::Value& v) {
  std::vector<std::string> out;
  for (const auto& m : v.GetObject()) out.emplace_back(m.name.GetString());
  return out;
}

std::string Str(const rapidjson::Value& v) { return std::string(v.GetString(), v.GetStringLength()); }

std::vector<std::string> Strings(const rapidjson::Value& v) {
  std::vector<std::string> out;
  for (const auto& item : v.GetArray()) out.push_back(Str(item));
  return out;
}

bool IsLowerAlnum(const std::string& s) {
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  }
  return !s.empty();
}

using Headers = std::vector<std::pair<std::string, std::string>>;

}  // namespace

TEST_CASE("API Gateway: REST proxy event (payload 1.0), field by field") {
  Api api = MakeApi(ApiKind::kRest, "Prod", "ANY", "/items/{id}");
  api.stage_variables = {{"env", "test"}};
  api.binary_media_types = {"image/*"};
  GatewayRequest request = FullRequest();
  std::optional<RouteMatch> match = MatchRoute(api, request.method, request.path);
  REQUIRE(match);
  rapidjson::Document e = Parse(ProxyEventV1(api, *match, request, "123456789012"));

  CHECK(Keys(e) == std::vector<std::string>{"resource", "path", "httpMethod", "headers",
                                            "multiValueHeaders", "queryStringParameters",
                                            "multiValueQueryStringParameters", "pathParameters",
                                            "stageVariables", "requestContext", "body",
                                            "isBase64Encoded"});
  CHECK(Str(e["resource"]) == "/items/{id}");
  CHECK(Str(e["path"]) == "/items/a%20b");  // as sent
  CHECK(Str(e["httpMethod"]) == "POST");
  // Names keep their case; the first spelling names a repeated header.
  CHECK(Keys(e["headers"]) ==
        std::vector<std::string>{"Host", "User-Agent", "Content-Type", "X-Probe", "Cookie"});
  CHECK(Str(e["headers"]["X-Probe"]) == "second");
  CHECK(Str(e["headers"]["Cookie"]) == "session=abc123; theme=dark");
  CHECK(Strings(e["multiValueHeaders"]["X-Probe"]) == std::vector<std::string>{"first", "second"});
  CHECK(Strings(e["multiValueHeaders"]["Host"]) ==
        std::vector<std::string>{"abcdefghij.execute-api.localhost"});
  const rapidjson::Value& q = e["queryStringParameters"];
  CHECK(Keys(q) == std::vector<std::string>{"repeat", "literalPlus", "encodedPlus", "empty"});
  CHECK(Str(q["repeat"]) == "two");
  CHECK(Str(q["literalPlus"]) == "a b");
  CHECK(Str(q["encodedPlus"]) == "a+b");
  CHECK(Str(q["empty"]) == "");
  CHECK(Strings(e["multiValueQueryStringParameters"]["repeat"]) ==
        std::vector<std::string>{"one", "two"});
  CHECK(Keys(e["pathParameters"]) == std::vector<std::string>{"id"});
  CHECK(Str(e["pathParameters"]["id"]) == "a%20b");
  CHECK(Str(e["stageVariables"]["env"]) == "test");
  CHECK(Str(e["body"]) == Base64Encode(kBinaryBody));
  CHECK(e["isBase64Encoded"].GetBool());

  const rapidjson::Value& c = e["requestContext"];
  CHECK(Keys(c) == std::vector<std::string>{"resourceId", "resourcePath", "httpMethod",
                                            "extendedRequestId", "requestTime", "path", "accountId",
                                            "protocol", "stage", "domainPrefix", "requestTimeEpoch",
                                            "requestId", "identity", "domainName", "deploymentId",
                                            "apiId"});
  CHECK(Str(c["resourceId"]).size() == 6);
  CHECK(IsLowerAlnum(Str(c["resourceId"])));
  CHECK(Str(c["resourcePath"]) == "/items/{id}");
  CHECK(Str(c["httpMethod"]) == "POST");
  CHECK(Str(c["extendedRequestId"]).size() == 16);
  CHECK(Str(c["extendedRequestId"]).back() == '=');
  CHECK(Str(c["requestTime"]) == "09/Apr/2015:12:34:56 +0000");
  CHECK(Str(c["path"]) == "/Prod/items/a%20b");
  CHECK(Str(c["accountId"]) == "123456789012");
  CHECK(Str(c["protocol"]) == "HTTP/1.1");
  CHECK(Str(c["stage"]) == "Prod");
  CHECK(Str(c["domainPrefix"]) == "abcdefghij");
  CHECK(c["requestTimeEpoch"].GetInt64() == 1428582896123);
  CHECK(Str(c["requestId"]) == "c6af9ac6-7b61-11e6-9a41-93e8deadbeef");
  CHECK(Str(c["domainName"]) == "abcdefghij.execute-api.localhost");
  CHECK(Str(c["deploymentId"]).size() == 6);
  CHECK(IsLowerAlnum(Str(c["deploymentId"])));
  CHECK(Str(c["apiId"]) == "abcdefghij");
  const rapidjson::Value& id = c["identity"];
  CHECK(Keys(id) == std::vector<std::string>{"cognitoIdentityPoolId", "accountId",
                                             "cognitoIdentityId", "caller", "sourceIp",
                                             "principalOrgId", "accessKey",
                                             "cognitoAuthenticationType",
                                             "cognitoAuthenticationProvider", "userArn",
                                             "userAgent", "user"});
  for (const auto& m : id.GetObject()) {
    const std::string name = m.name.GetString();
    if (name == "sourceIp" || name == "userAgent") continue;
    CHECK(m.value.IsNull());
  }
  CHECK(Str(id["sourceIp"]) == "10.1.2.3");
  CHECK(Str(id["userAgent"]) == "curl/8.7.1");

  // Resource and deployment ids stay put from one request to the next; request ids do not.
  rapidjson::Document again = Parse(ProxyEventV1(api, *match, request, "123456789012"));
  CHECK(Str(again["requestContext"]["resourceId"]) == Str(c["resourceId"]));
  CHECK(Str(again["requestContext"]["deploymentId"]) == Str(c["deploymentId"]));
  CHECK(Str(again["requestContext"]["extendedRequestId"]) != Str(c["extendedRequestId"]));
}

TEST_CASE("API Gateway: REST proxy event sends null for what the request lacks") {
  Api api = MakeApi(ApiKind::kRest, "Prod", "GET", "/");
  GatewayRequest request = BareRequest();
  std::optional<RouteMatch> match = MatchRoute(api, request.method, request.path);
  REQUIRE(match);
  rapidjson::Document e = Parse(ProxyEventV1(api, *match, request, "123456789012"));
  for (const char* name : {"headers", "multiValueHeaders", "queryStringParameters",
                           "multiValueQueryStringParameters", "pathParameters", "stageVariables",
                           "body"}) {
    INFO(name);
    CHECK(e[name].IsNull());
  }
  CHECK_FALSE(e["isBase64Encoded"].GetBool());
  CHECK(Str(e["path"]) == "/");
  CHECK(Str(e["requestContext"]["path"]) == "/Prod/");
  CHECK(e["requestContext"]["identity"]["userAgent"].IsNull());
  CHECK(Str(e["requestContext"]["domainPrefix"]) == "localhost");
}

TEST_CASE("API Gateway: REST proxy event with a text body") {
  Api api = MakeApi(ApiKind::kRest, "Prod", "POST", "/");
  api.binary_media_types = {"image/png"};
  GatewayRequest request = BareRequest();
  request.method = "POST";
  request.headers = {{"content-type", "application/json"}};
  request.body = "{\"a\": 1}";
  std::optional<RouteMatch> match = MatchRoute(api, request.method, request.path);
  REQUIRE(match);
  rapidjson::Document e = Parse(ProxyEventV1(api, *match, request, "1"));
  CHECK(Str(e["body"]) == "{\"a\": 1}");
  CHECK_FALSE(e["isBase64Encoded"].GetBool());
}

TEST_CASE("API Gateway: HTTP API proxy event in payload 1.0") {
  Api api = MakeApi(ApiKind::kHttp, "dev", "ANY", "/items/{id}");
  GatewayRequest request = FullRequest();
  std::optional<RouteMatch> match = MatchRoute(api, request.method, request.path);
  REQUIRE(match);
  rapidjson::Document e = Parse(ProxyEventV1(api, *match, request, "123456789012"));

  CHECK(Keys(e) == std::vector<std::string>{"version", "resource", "path", "httpMethod", "headers",
                                            "multiValueHeaders", "queryStringParameters",
                                            "multiValueQueryStringParameters", "requestContext",
                                            "pathParameters", "stageVariables", "body",
                                            "isBase64Encoded"});
  CHECK(Str(e["version"]) == "1.0");
  CHECK(Str(e["resource"]) == "/items/{id}");
  CHECK(Str(e["path"]) == "/dev/items/a b");  // decoded, with the named stage
  CHECK(Str(e["headers"]["X-Probe"]) == "second");
  CHECK(Strings(e["multiValueQueryStringParameters"]["repeat"]) ==
        std::vector<std::string>{"one", "two"});
  CHECK(Str(e["pathParameters"]["id"]) == "a b");
  CHECK(e["stageVariables"].IsNull());
  CHECK(Str(e["body"]) == Base64Encode(kBinaryBody));  // image/png is not text
  CHECK(e["isBase64Encoded"].GetBool());

  const rapidjson::Value& c = e["requestContext"];
  CHECK(Keys(c) == std::vector<std::string>{"accountId", "apiId", "authorizer", "domainName",
                                            "domainPrefix", "extendedRequestId", "httpMethod",
                                            "identity", "path", "protocol", "requestId",
                                            "requestTime", "requestTimeEpoch", "resourceId",
                                            "resourcePath", "stage"});
  CHECK(c["authorizer"]["claims"].IsNull());
  CHECK(c["authorizer"]["scopes"].IsNull());
  CHECK(Str(c["extendedRequestId"]) == request.request_id);
  CHECK(Str(c["requestId"]) == request.request_id);
  CHECK(Str(c["path"]) == "/dev/items/a b");
  CHECK(Str(c["requestTime"]) == "09/Apr/2015:12:34:56 +0000");
  CHECK(Str(c["resourceId"]) == "ANY /items/{id}");
  CHECK(Str(c["resourcePath"]) == "/items/{id}");
  CHECK(Str(c["stage"]) == "dev");
  CHECK(Keys(c["identity"]) ==
        std::vector<std::string>{"accessKey", "accountId", "caller", "cognitoAmr",
                                 "cognitoAuthenticationProvider", "cognitoAuthenticationType",
                                 "cognitoIdentityId", "cognitoIdentityPoolId", "principalOrgId",
                                 "sourceIp", "user", "userAgent", "userArn"});
  CHECK(Str(c["identity"]["sourceIp"]) == "10.1.2.3");
  CHECK(Str(c["identity"]["userAgent"]) == "curl/8.7.1");

  // The $default stage adds nothing to the path; the $default route names itself.
  Api defaults = MakeApi(ApiKind::kHttp, "$default", "ANY", "$default");
  match = MatchRoute(defaults, "GET", "/x");
  REQUIRE(match);
  GatewayRequest bare = BareRequest();
  bare.path = "/x";
  e = Parse(ProxyEventV1(defaults, *match, bare, "1"));
  CHECK(Str(e["resource"]) == "$default");
  CHECK(Str(e["path"]) == "/x");
  CHECK(Str(e["requestContext"]["resourceId"]) == "$default");
  CHECK(Str(e["requestContext"]["resourcePath"]) == "$default");
  CHECK(Str(e["requestContext"]["stage"]) == "$default");
  CHECK(e["pathParameters"].IsNull());
  CHECK(e["body"].IsNull());
}

TEST_CASE("API Gateway: HTTP API proxy event in payload 2.0, field by field") {
  Api api = MakeApi(ApiKind::kHttp, "$default", "POST", "/items/{id}");
  api.stage_variables = {{"env", "test"}};
  GatewayRequest request = FullRequest();
  std::optional<RouteMatch> match = MatchRoute(api, request.method, request.path);
  REQUIRE(match);
  rapidjson::Document e = Parse(ProxyEventV2(api, *match, request, "123456789012"));

  CHECK(Keys(e) == std::vector<std::string>{"version", "routeKey", "rawPath", "rawQueryString",
                                            "cookies", "headers", "queryStringParameters",
                                            "requestContext", "body", "pathParameters",
                                            "isBase64Encoded", "stageVariables"});
  CHECK(Str(e["version"]) == "2.0");
  CHECK(Str(e["routeKey"]) == "POST /items/{id}");
  CHECK(Str(e["rawPath"]) == "/items/a b");
  CHECK(Str(e["rawQueryString"]) == request.raw_query);
  CHECK(Strings(e["cookies"]) == std::vector<std::string>{"session=abc123", "theme=dark"});
  CHECK(Keys(e["headers"]) ==
        std::vector<std::string>{"host", "user-agent", "content-type", "x-probe"});
  CHECK(Str(e["headers"]["x-probe"]) == "first,second");
  CHECK(Str(e["headers"]["content-type"]) == "image/png");
  const rapidjson::Value& q = e["queryStringParameters"];
  CHECK(Str(q["repeat"]) == "one,two");
  CHECK(Str(q["literalPlus"]) == "a b");
  CHECK(Str(q["encodedPlus"]) == "a+b");
  CHECK(Str(q["empty"]) == "");
  CHECK(Str(e["body"]) == Base64Encode(kBinaryBody));
  CHECK(Keys(e["pathParameters"]) == std::vector<std::string>{"id"});
  CHECK(Str(e["pathParameters"]["id"]) == "a b");
  CHECK(e["isBase64Encoded"].GetBool());
  CHECK(Str(e["stageVariables"]["env"]) == "test");

  const rapidjson::Value& c = e["requestContext"];
  CHECK(Keys(c) == std::vector<std::string>{"accountId", "apiId", "domainName", "domainPrefix",
                                            "http", "requestId", "routeKey", "stage", "time",
                                            "timeEpoch"});
  CHECK(Str(c["accountId"]) == "123456789012");
  CHECK(Str(c["apiId"]) == "abcdefghij");
  CHECK(Str(c["domainName"]) == "abcdefghij.execute-api.localhost");
  CHECK(Str(c["domainPrefix"]) == "abcdefghij");
  CHECK(Keys(c["http"]) ==
        std::vector<std::string>{"method", "path", "protocol", "sourceIp", "userAgent"});
  CHECK(Str(c["http"]["method"]) == "POST");
  CHECK(Str(c["http"]["path"]) == "/items/a b");
  CHECK(Str(c["http"]["protocol"]) == "HTTP/1.1");
  CHECK(Str(c["http"]["sourceIp"]) == "10.1.2.3");
  CHECK(Str(c["http"]["userAgent"]) == "curl/8.7.1");
  CHECK(Str(c["requestId"]) == request.request_id);
  CHECK(Str(c["routeKey"]) == "POST /items/{id}");
  CHECK(Str(c["stage"]) == "$default");
  CHECK(Str(c["time"]) == "09/Apr/2015:12:34:56 +0000");
  CHECK(c["timeEpoch"].GetInt64() == 1428582896123);
}

TEST_CASE("API Gateway: payload 2.0 leaves out what the request lacks") {
  Api api = MakeApi(ApiKind::kHttp, "dev", "ANY", "$default");
  GatewayRequest request = BareRequest();
  request.path = "/a%20b/";
  std::optional<RouteMatch> match = MatchRoute(api, request.method, request.path);
  REQUIRE(match);
  rapidjson::Document e = Parse(ProxyEventV2(api, *match, request, "1"));
  CHECK(Keys(e) == std::vector<std::string>{"version", "routeKey", "rawPath", "rawQueryString",
                                            "headers", "requestContext", "isBase64Encoded"});
  CHECK(Str(e["routeKey"]) == "$default");
  CHECK(Str(e["rawPath"]) == "/dev/a b/");  // a named stage stays in the path
  CHECK(Str(e["rawQueryString"]) == "");
  CHECK(e["headers"].ObjectEmpty());
  CHECK_FALSE(e["isBase64Encoded"].GetBool());
  CHECK(Str(e["requestContext"]["http"]["userAgent"]) == "");
  CHECK(Str(e["requestContext"]["routeKey"]) == "$default");
}

TEST_CASE("API Gateway: payload 2.0 sends a text body as it is") {
  Api api = MakeApi(ApiKind::kHttp, "$default", "POST", "/");
  GatewayRequest request = BareRequest();
  request.method = "POST";
  request.headers = {{"Content-Type", "application/json; charset=utf-8"}, {"cookie", "a=1"},
                     {"Cookie", "b=2;c=3"}};
  request.body = "{\"greeting\": \"h\xC3\xA9llo\"}";
  std::optional<RouteMatch> match = MatchRoute(api, request.method, request.path);
  REQUIRE(match);
  rapidjson::Document e = Parse(ProxyEventV2(api, *match, request, "1"));
  CHECK(Str(e["body"]) == request.body);
  CHECK_FALSE(e["isBase64Encoded"].GetBool());
  CHECK(Strings(e["cookies"]) == std::vector<std::string>{"a=1", "b=2", "c=3"});
  CHECK(Keys(e["headers"]) == std::vector<std::string>{"content-type"});
}

TEST_CASE("API Gateway: which request bodies are binary") {
  auto with_type = [](const char* content_type) {
    GatewayRequest r;
    if (content_type) r.headers = {{"Content-Type", content_type}};
    r.body = "x";
    return r;
  };
  Api rest;
  rest.kind = ApiKind::kRest;
  CHECK_FALSE(BodyIsBinary(rest, with_type("image/png")));  // no binary media types
  rest.binary_media_types = {"image/png", "video/*", "application~1zip"};
  CHECK(BodyIsBinary(rest, with_type("image/png")));
  CHECK(BodyIsBinary(rest, with_type("Image/PNG; charset=binary")));
  CHECK(BodyIsBinary(rest, with_type("video/mp4")));
  CHECK(BodyIsBinary(rest, with_type("application/zip")));
  CHECK_FALSE(BodyIsBinary(rest, with_type("image/gif")));
  CHECK_FALSE(BodyIsBinary(rest, with_type("application/json")));
  CHECK_FALSE(BodyIsBinary(rest, with_type(nullptr)));
  rest.binary_media_types = {"*/*"};
  CHECK(BodyIsBinary(rest, with_type("text/plain")));
  CHECK(BodyIsBinary(rest, with_type(nullptr)));
  rest.binary_media_types = {"application/json"};
  CHECK(BodyIsBinary(rest, with_type(nullptr)));  // no Content-Type reads as application/json

  Api http;
  http.kind = ApiKind::kHttp;
  http.binary_media_types = {"*/*"};  // HTTP APIs have none; ignored
  for (const char* text : {"text/plain", "text/html; charset=utf-8", "TEXT/CSV", "application/json",
                           "application/xml", "application/javascript"}) {
    INFO(text);
    CHECK_FALSE(BodyIsBinary(http, with_type(text)));
  }
  for (const char* binary : {"application/octet-stream", "image/png",
                             "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"}) {
    INFO(binary);
    CHECK(BodyIsBinary(http, with_type(binary)));
  }
  CHECK(BodyIsBinary(http, with_type(nullptr)));
}

TEST_CASE("API Gateway: payload 1.0 results") {
  std::optional<GatewayResponse> r = ParseProxyResultV1(
      R"({"statusCode": 201, "headers": {"A": "1", "Both": "h", "N": 5, "B": true, "Gone": null},
          "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"], "both": ["m1", "m2"]},
          "body": "hi", "isBase64Encoded": false})");
  REQUIRE(r);
  CHECK(r->status == 201);
  CHECK(r->headers == Headers{{"A", "1"}, {"N", "5"}, {"B", "true"}, {"Set-Cookie", "a=1"},
                              {"Set-Cookie", "b=2"}, {"both", "m1"}, {"both", "m2"}});
  CHECK(r->body == "hi");

  r = ParseProxyResultV1(R"({"statusCode": 204})");
  REQUIRE(r);
  CHECK(r->status == 204);
  CHECK(r->headers.empty());
  CHECK(r->body.empty());

  r = ParseProxyResultV1(R"({"statusCode": 200, "headers": null, "multiValueHeaders": null,
                             "body": null, "isBase64Encoded": null, "extra": [1]})");
  REQUIRE(r);
  CHECK(r->body.empty());

  r = ParseProxyResultV1(
      "{\"statusCode\": 200, \"body\": \"" + Base64Encode(kBinaryBody) + "\", \"isBase64Encoded\": true}");
  REQUIRE(r);
  CHECK(r->body == kBinaryBody);

  // Cookies belong to payload 2.0: a 1.0 result's are ignored.
  r = ParseProxyResultV1(R"({"statusCode": 200, "cookies": ["a=1"]})");
  REQUIRE(r);
  CHECK(r->headers.empty());
}

TEST_CASE("API Gateway: malformed payload 1.0 results") {
  for (const char* bad : {
           "",
           "not json",
           "[1]",
           "\"hello\"",
           "42",
           "null",
           "{}",
           R"({"body": "no status"})",
           R"({"statusCode": "200"})",
           R"({"statusCode": 200.5})",
           R"({"statusCode": 42})",
           R"({"statusCode": 600})",
           R"({"statusCode": 200, "body": {"a": 1}})",
           R"({"statusCode": 200, "body": 5})",
           R"({"statusCode": 200, "headers": ["a"]})",
           R"({"statusCode": 200, "headers": {"a": {"b": 1}}})",
           R"({"statusCode": 200, "headers": {"a": ["b"]}})",
           R"({"statusCode": 200, "multiValueHeaders": {"a": "b"}})",
           R"({"statusCode": 200, "multiValueHeaders": {"a": [{}]}})",
           R"({"statusCode": 200, "multiValueHeaders": []})",
           R"({"statusCode": 200, "isBase64Encoded": "true"})",
           R"({"statusCode": 200, "body": "!!!", "isBase64Encoded": true})",
       }) {
    INFO(bad);
    CHECK_FALSE(ParseProxyResultV1(bad));
  }
}

TEST_CASE("API Gateway: payload 2.0 results") {
  std::optional<GatewayResponse> r = ParseProxyResultV2(
      R"({"statusCode": 200, "cookies": ["a=1; Path=/", "b=2"], "headers": {"x-a": "1,2"},
          "multiValueHeaders": {"x-b": ["ignored"]}, "body": "ok"})");
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->headers == Headers{{"x-a", "1,2"}, {"Set-Cookie", "a=1; Path=/"}, {"Set-Cookie", "b=2"}});
  CHECK(r->body == "ok");

  r = ParseProxyResultV2(
      "{\"statusCode\": 201, \"body\": \"" + Base64Encode("hello") + "\", \"isBase64Encoded\": true}");
  REQUIRE(r);
  CHECK(r->status == 201);
  CHECK(r->body == "hello");

  // Valid JSON without a statusCode: AWS infers 200, application/json and the result as the body
  // (http-api-develop-integrations-lambda.html, "Lambda function response for format 2.0").
  struct Case {
    const char* payload;
    const char* body;
  } inferred[] = {
      {R"("Hello from Lambda!")", "Hello from Lambda!"},
      {R"({ "message": "Hello from Lambda!" })", R"({ "message": "Hello from Lambda!" })"},
      {"42", "42"},
      {"[1, 2]", "[1, 2]"},
      {"true", "true"},
      {"null", "null"},
      {R"({"body": "no status"})", R"({"body": "no status"})"},
  };
  for (const Case& c : inferred) {
    INFO(c.payload);
    r = ParseProxyResultV2(c.payload);
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->headers == Headers{{"Content-Type", "application/json"}});
    CHECK(r->body == c.body);
  }
}

TEST_CASE("API Gateway: malformed payload 2.0 results") {
  for (const char* bad : {
           "",
           "not json",
           "{\"statusCode\": 200",
           R"({"statusCode": "200"})",
           R"({"statusCode": null})",
           R"({"statusCode": 200, "body": {"a": 1}})",
           R"({"statusCode": 200, "cookies": "a=1"})",
           R"({"statusCode": 200, "cookies": [1]})",
           R"({"statusCode": 200, "headers": {"a": []}})",
           R"({"statusCode": 200, "body": "!!!", "isBase64Encoded": true})",
       }) {
    INFO(bad);
    CHECK_FALSE(ParseProxyResultV2(bad));
  }
}

}  // namespace ll::apigw
