// Authorization before a route's integration (authorizers.h), with a fake door into functions
// that records the authorizer events and answers as each test says, and a fake clock for the
// result cache's TTL. Expected values from the API Gateway Developer Guide ("Input to an API
// Gateway Lambda authorizer", "Output from ...", "Control access to HTTP APIs with AWS Lambda
// authorizers", "Require an API key on a method", identity sources missing -> 401 without
// calling the function, caching per identity source) and AWS's default gateway responses as
// clients see them (401 {"message":"Unauthorized"}, 403 {"Message":"User is not authorized to
// access this resource with an explicit deny"}, 500 {"message":null} for an authorizer failure,
// 403 {"message":"Forbidden"} for an API key; HTTP APIs 401 Unauthorized / 403 Forbidden /
// 500 Internal Server Error).
#include "services/apigateway/authorizers.h"

#include <rapidjson/document.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <map>
#include <mutex>

#include "base/fake_clock.h"
#include "http/http_message.h"
#include "model/error_names.h"
#include "services/apigateway/proxy_events.h"

namespace ll::apigw {
namespace {

using namespace std::chrono_literals;

constexpr char kApiId[] = "abcdefghij";
constexpr char kArnPrefix[] = "arn:aws:execute-api:us-east-1:000000000000:abcdefghij/Prod/";

// Functions answer what `answers` says for their name ("!" first: a function error with that
// errorMessage); an unknown name is not found.
class FakeFunctions : public InvokeSink {
 public:
  Result<ResolvedFunction> Resolve(const std::string& name, const std::string&) const override {
    if (!answers.count(name)) return Status::Error(errors::kResourceNotFound, "Function not found: " + name);
    auto config = std::make_shared<FunctionConfig>();
    config->name = name;
    ResolvedFunction fn;
    fn.config = config;
    return fn;
  }
  InvokeResult Invoke(const ResolvedFunction& fn, const Invocation& inv) override {
    std::lock_guard<std::mutex> lock(mu);
    events.push_back(inv.payload);
    InvokeResult r;
    const std::string& answer = answers.at(fn.config->name);
    if (!answer.empty() && answer[0] == '!') {
      r.outcome.function_error = true;
      r.outcome.payload = R"({"errorMessage":")" + answer.substr(1) + R"(","errorType":"Error"})";
    } else {
      r.outcome.payload = answer;
    }
    return r;
  }
  Status InvokeAsync(const ResolvedFunction&, Invocation) override { return Status::Ok(); }
  bool WaitForCapacity(const std::string&, std::optional<int>) override { return true; }

  std::mutex mu;
  std::map<std::string, std::string> answers;
  std::vector<std::string> events;
};

std::string Allow(const std::string& resource, const std::string& context = "{}") {
  return R"({"principalId":"user-7","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":")" +
         resource + R"("}]},"context":)" + context + "}";
}

std::string Deny(const std::string& resource) {
  return R"({"principalId":"user-7","policyDocument":{"Statement":[{"Action":"execute-api:Invoke","Effect":"Deny","Resource":")" +
         resource + R"("}]}})";
}

Authorizer Token(const std::string& name = "TokenAuth", int ttl_s = 300) {
  Authorizer a;
  a.name = name;
  a.type = Authorizer::Type::kToken;
  a.function = "AuthFn";
  a.identity_sources = {"method.request.header.Authorization"};
  a.ttl_s = ttl_s;
  return a;
}

Route MakeRoute(std::string method, std::string path, std::string authorizer, bool key = false) {
  Route r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.function = "Fn";
  r.authorizer = std::move(authorizer);
  r.api_key_required = key;
  return r;
}

Api RestApi(std::vector<Authorizer> authorizers, std::vector<Route> routes) {
  Api api;
  api.id = kApiId;
  api.kind = ApiKind::kRest;
  api.stage = "Prod";
  api.stage_variables = {{"tenant", "blue"}};
  api.authorizers = std::move(authorizers);
  api.routes = std::move(routes);
  return api;
}

Api HttpApi(std::vector<Authorizer> authorizers, std::vector<Route> routes) {
  Api api = RestApi(std::move(authorizers), std::move(routes));
  api.kind = ApiKind::kHttp;
  api.stage = "$default";
  for (Route& r : api.routes) r.payload_format = "2.0";
  return api;
}

GatewayRequest Request(std::string method, std::string path,
                       std::vector<std::pair<std::string, std::string>> headers = {}, std::string query = "") {
  GatewayRequest r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.raw_query = std::move(query);
  r.headers = std::move(headers);
  r.domain_name = "localhost";
  r.request_id = "req-1";
  r.time_epoch_ms = 1700000000000;
  return r;
}

rapidjson::Document Parse(const std::string& json) {
  rapidjson::Document doc;
  doc.Parse(json.c_str(), json.size());
  REQUIRE_FALSE(doc.HasParseError());
  REQUIRE(doc.IsObject());
  return doc;
}

std::string Str(const rapidjson::Value& v) { return std::string(v.GetString(), v.GetStringLength()); }

std::optional<std::string> Header(const GatewayResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (EqualsIgnoreCase(k, name)) return v;
  }
  return std::nullopt;
}

// One API with its authorization, and what runs it.
struct Fixture {
  explicit Fixture(Api a, std::vector<ApiKey> keys = {}) : api(std::move(a)) {
    functions.answers["AuthFn"] = Allow("*");
    AuthorizationOptions options;
    options.api_keys = std::move(keys);
    options.clock = &clock;
    options.log = [this](const std::string& line) { log.push_back(line); };
    auth.emplace(std::vector<Api>{api}, &functions, options);
  }

  // Authorizes `request` on the route MatchRoute picks.
  std::optional<GatewayResponse> Run(GatewayRequest& request) {
    std::optional<RouteMatch> match = MatchRoute(api, request.method, request.path);
    REQUIRE(match);
    return auth->Authorize(api, *match, request);
  }

  Api api;
  FakeFunctions functions;
  FakeClock clock;
  std::vector<std::string> log;
  std::optional<Authorization> auth;
};

}  // namespace

TEST_CASE("authorizer: a route without authorization goes on untouched") {
  Fixture f(RestApi({Token()}, {MakeRoute("GET", "/open", "")}));
  GatewayRequest request = Request("GET", "/open");
  CHECK_FALSE(f.Run(request));
  CHECK(f.functions.events.empty());
  CHECK(request.auth.authorizer_json.empty());
}

TEST_CASE("authorizer: REST TOKEN authorizer gets the token and the method ARN") {
  Fixture f(RestApi({Token()}, {MakeRoute("GET", "/items/{id}", "TokenAuth")}));
  f.functions.answers["AuthFn"] = Allow(std::string(kArnPrefix) + "GET/items/*", R"({"user":"ann","n":5,"admin":false})");
  GatewayRequest request = Request("GET", "/items/42", {{"authorization", "Bearer good"}});
  REQUIRE_FALSE(f.Run(request));
  REQUIRE(f.functions.events.size() == 1);
  rapidjson::Document event = Parse(f.functions.events[0]);
  CHECK(Str(event["type"]) == "TOKEN");
  CHECK(Str(event["authorizationToken"]) == "Bearer good");
  CHECK(Str(event["methodArn"]) == std::string(kArnPrefix) + "GET/items/42");
  CHECK(event.MemberCount() == 3);

  // The context reaches the function's event, stringified, with principalId.
  rapidjson::Document authorizer = Parse(request.auth.authorizer_json);
  CHECK(Str(authorizer["user"]) == "ann");
  CHECK(Str(authorizer["n"]) == "5");
  CHECK(Str(authorizer["admin"]) == "false");
  CHECK(Str(authorizer["principalId"]) == "user-7");
  CHECK(authorizer["integrationLatency"].IsInt64());
  rapidjson::Document proxy = Parse(ProxyEventV1(f.api, *MatchRoute(f.api, "GET", "/items/42"), request, "000000000000"));
  CHECK(Str(proxy["requestContext"]["authorizer"]["user"]) == "ann");
  CHECK(Str(proxy["requestContext"]["authorizer"]["principalId"]) == "user-7");
  // Where AWS writes it: right after resourceId.
  auto it = proxy["requestContext"].MemberBegin();
  CHECK(Str(it->name) == "resourceId");
  CHECK(Str((++it)->name) == "authorizer");
}

TEST_CASE("authorizer: REST TOKEN without its header is 401 and the function never runs") {
  Fixture f(RestApi({Token()}, {MakeRoute("GET", "/items", "TokenAuth")}));
  for (auto headers : {std::vector<std::pair<std::string, std::string>>{},
                       std::vector<std::pair<std::string, std::string>>{{"Authorization", ""}},
                       std::vector<std::pair<std::string, std::string>>{{"X-Other", "token"}}}) {
    GatewayRequest request = Request("GET", "/items", headers);
    std::optional<GatewayResponse> refused = f.Run(request);
    REQUIRE(refused);
    CHECK(refused->status == 401);
    CHECK(refused->body == R"({"message":"Unauthorized"})");
    CHECK(Header(*refused, "x-amzn-ErrorType") == "UnauthorizedException");
  }
  CHECK(f.functions.events.empty());
}

TEST_CASE("authorizer: a token its ValidationExpression refuses is 401 without a call") {
  Authorizer a = Token();
  a.validation_expression = "^Bearer [a-z]+$";
  a.identity_sources = {"method.request.header.X-Token"};
  Fixture f(RestApi({a}, {MakeRoute("GET", "/items", "TokenAuth")}));
  GatewayRequest bad = Request("GET", "/items", {{"x-token", "Bearer 123"}});
  REQUIRE(f.Run(bad));
  CHECK(f.Run(bad)->status == 401);
  CHECK(f.functions.events.empty());
  GatewayRequest good = Request("GET", "/items", {{"X-TOKEN", "Bearer abc"}});
  CHECK_FALSE(f.Run(good));
  CHECK(f.functions.events.size() == 1);
}

TEST_CASE("authorizer: REST policies that do not allow the method are 403") {
  Fixture f(RestApi({Token()}, {MakeRoute("GET", "/items", "TokenAuth")}));
  SECTION("an explicit Deny") {
    f.functions.answers["AuthFn"] = Deny("*");
    GatewayRequest request = Request("GET", "/items", {{"Authorization", "t"}});
    std::optional<GatewayResponse> refused = f.Run(request);
    REQUIRE(refused);
    CHECK(refused->status == 403);
    CHECK(refused->body == R"({"Message":"User is not authorized to access this resource with an explicit deny"})");
    CHECK(Header(*refused, "x-amzn-ErrorType") == "AccessDeniedException");
  }
  SECTION("an Allow of another method") {
    f.functions.answers["AuthFn"] = Allow(std::string(kArnPrefix) + "POST/items");
    GatewayRequest request = Request("GET", "/items", {{"Authorization", "t"}});
    std::optional<GatewayResponse> refused = f.Run(request);
    REQUIRE(refused);
    CHECK(refused->status == 403);
    CHECK(refused->body == R"({"Message":"User is not authorized to access this resource"})");
  }
}

TEST_CASE("authorizer: a failing or broken authorizer is 500, an Unauthorized error 401") {
  Fixture f(RestApi({Token()}, {MakeRoute("GET", "/items", "TokenAuth")}));
  auto status_for = [&](const std::string& answer) {
    f.functions.answers["AuthFn"] = answer;
    GatewayRequest request = Request("GET", "/items", {{"Authorization", "token-" + answer}});
    std::optional<GatewayResponse> refused = f.Run(request);
    REQUIRE(refused);
    return *refused;
  };
  GatewayResponse unauthorized = status_for("!Unauthorized");
  CHECK(unauthorized.status == 401);
  CHECK(unauthorized.body == R"({"message":"Unauthorized"})");
  for (std::string broken : {"!boom", "not json", R"({"principalId":"p"})", "null", R"({"isAuthorized":true})"}) {
    INFO(broken);
    GatewayResponse failed = status_for(broken);
    CHECK(failed.status == 500);
    CHECK(failed.body == R"({"message":null})");
    CHECK(Header(failed, "x-amzn-ErrorType") == "AuthorizerConfigurationException");
  }
  CHECK_FALSE(f.log.empty());  // the console says why

  // An authorizer function that does not exist.
  f.api.authorizers[0].function = "Missing";
  Authorization other({f.api}, &f.functions, AuthorizationOptions{});
  GatewayRequest request = Request("GET", "/items", {{"Authorization", "t"}});
  auto refused = other.Authorize(f.api, *MatchRoute(f.api, "GET", "/items"), request);
  REQUIRE(refused);
  CHECK(refused->status == 500);
}

TEST_CASE("authorizer: results are cached per token and judged again per method") {
  Fixture f(RestApi({Token()}, {MakeRoute("GET", "/items", "TokenAuth"), MakeRoute("DELETE", "/items", "TokenAuth")}));
  f.functions.answers["AuthFn"] = Allow(std::string(kArnPrefix) + "GET/*");
  GatewayRequest first = Request("GET", "/items", {{"Authorization", "alice"}});
  CHECK_FALSE(f.Run(first));
  GatewayRequest again = Request("GET", "/items", {{"Authorization", "alice"}});
  CHECK_FALSE(f.Run(again));
  CHECK(f.functions.events.size() == 1);  // a cache hit
  CHECK(Parse(again.auth.authorizer_json)["integrationLatency"].GetInt64() == 0);
  // The cached policy does not cover DELETE: 403 without another call.
  GatewayRequest del = Request("DELETE", "/items", {{"Authorization", "alice"}});
  REQUIRE(f.Run(del));
  CHECK(f.Run(del)->status == 403);
  CHECK(f.functions.events.size() == 1);
  // Another token is another cache entry.
  GatewayRequest bob = Request("GET", "/items", {{"Authorization", "bob"}});
  CHECK_FALSE(f.Run(bob));
  CHECK(f.functions.events.size() == 2);
  // Past the TTL the authorizer runs again.
  f.clock.Advance(301s);
  CHECK_FALSE(f.Run(first));
  CHECK(f.functions.events.size() == 3);
}

TEST_CASE("authorizer: ReauthorizeEvery 0 caches nothing") {
  Fixture f(RestApi({Token("TokenAuth", 0)}, {MakeRoute("GET", "/items", "TokenAuth")}));
  for (int i = 0; i < 3; ++i) {
    GatewayRequest request = Request("GET", "/items", {{"Authorization", "same"}});
    CHECK_FALSE(f.Run(request));
  }
  CHECK(f.functions.events.size() == 3);
}

TEST_CASE("authorizer: REST REQUEST authorizer with headers, query strings and stage variables") {
  Authorizer a;
  a.name = "ReqAuth";
  a.type = Authorizer::Type::kRequest;
  a.function = "AuthFn";
  a.identity_sources = {"method.request.header.X-User", "method.request.querystring.tenant",
                        "stageVariables.tenant", "context.identity.sourceIp"};
  a.ttl_s = 300;
  Fixture f(RestApi({a}, {MakeRoute("POST", "/items/{id}", "ReqAuth")}));
  SECTION("every identity source present: the event is the proxy event's request, without a body") {
    GatewayRequest request = Request("POST", "/items/9", {{"X-User", "ann"}}, "tenant=t1&x=y");
    request.body = "secret body";
    REQUIRE_FALSE(f.Run(request));
    REQUIRE(f.functions.events.size() == 1);
    rapidjson::Document event = Parse(f.functions.events[0]);
    auto it = event.MemberBegin();
    CHECK(Str(it->name) == "type");
    CHECK(Str((++it)->name) == "methodArn");
    CHECK(Str(event["type"]) == "REQUEST");
    CHECK(Str(event["methodArn"]) == std::string(kArnPrefix) + "POST/items/9");
    CHECK(Str(event["resource"]) == "/items/{id}");
    CHECK(Str(event["path"]) == "/items/9");
    CHECK(Str(event["httpMethod"]) == "POST");
    CHECK(Str(event["headers"]["X-User"]) == "ann");
    CHECK(Str(event["queryStringParameters"]["tenant"]) == "t1");
    CHECK(Str(event["pathParameters"]["id"]) == "9");
    CHECK(Str(event["stageVariables"]["tenant"]) == "blue");
    CHECK(Str(event["requestContext"]["resourcePath"]) == "/items/{id}");
    CHECK_FALSE(event.HasMember("body"));
    CHECK_FALSE(event.HasMember("isBase64Encoded"));
  }
  SECTION("a missing one is 401 without a call") {
    GatewayRequest no_query = Request("POST", "/items/9", {{"X-User", "ann"}});
    REQUIRE(f.Run(no_query));
    CHECK(f.Run(no_query)->status == 401);
    GatewayRequest empty_header = Request("POST", "/items/9", {{"X-User", ""}}, "tenant=t1");
    REQUIRE(f.Run(empty_header));
    CHECK(f.functions.events.empty());
  }
  SECTION("the cache key is every identity value") {
    GatewayRequest t1 = Request("POST", "/items/9", {{"X-User", "ann"}}, "tenant=t1");
    GatewayRequest t2 = Request("POST", "/items/9", {{"X-User", "ann"}}, "tenant=t2");
    CHECK_FALSE(f.Run(t1));
    CHECK_FALSE(f.Run(t2));
    CHECK_FALSE(f.Run(t1));
    CHECK(f.functions.events.size() == 2);
  }
}

TEST_CASE("authorizer: HTTP API 2.0 authorizer with simple responses") {
  Authorizer a;
  a.name = "Simple";
  a.type = Authorizer::Type::kRequest;
  a.function = "AuthFn";
  a.identity_sources = {"$request.header.Authorization", "$request.querystring.q"};
  a.payload_format = "2.0";
  a.simple_responses = true;
  Fixture f(HttpApi({a}, {MakeRoute("GET", "/pets/{id}", "Simple")}));
  f.functions.answers["AuthFn"] = R"({"isAuthorized":true,"context":{"user":"u1","level":3}})";
  GatewayRequest request = Request("GET", "/pets/1", {{"Authorization", "tok"}}, "q=a&q=b");
  REQUIRE_FALSE(f.Run(request));
  rapidjson::Document event = Parse(f.functions.events.at(0));
  CHECK(Str(event["version"]) == "2.0");
  CHECK(Str(event["type"]) == "REQUEST");
  CHECK(Str(event["routeArn"]) == "arn:aws:execute-api:us-east-1:000000000000:abcdefghij/$default/GET/pets/1");
  REQUIRE(event["identitySource"].IsArray());
  CHECK(Str(event["identitySource"][0]) == "tok");
  CHECK(Str(event["identitySource"][1]) == "a,b");  // HTTP APIs join repeated values
  CHECK(Str(event["routeKey"]) == "GET /pets/{id}");
  CHECK_FALSE(event.HasMember("body"));
  CHECK(request.auth.authorizer_json == R"({"lambda":{"user":"u1","level":3}})");
  rapidjson::Document proxy = Parse(ProxyEventV2(f.api, *MatchRoute(f.api, "GET", "/pets/1"), request, "000000000000"));
  CHECK(Str(proxy["requestContext"]["authorizer"]["lambda"]["user"]) == "u1");
  CHECK(proxy["requestContext"]["authorizer"]["lambda"]["level"].GetInt() == 3);

  f.functions.answers["AuthFn"] = R"({"isAuthorized":false})";
  GatewayRequest denied = Request("GET", "/pets/1", {{"Authorization", "tok"}}, "q=a");
  std::optional<GatewayResponse> refused = f.Run(denied);
  REQUIRE(refused);
  CHECK(refused->status == 403);
  CHECK(refused->body == R"({"message":"Forbidden"})");
  CHECK_FALSE(Header(*refused, "x-amzn-ErrorType"));
  GatewayRequest missing = Request("GET", "/pets/1", {}, "q=a");
  REQUIRE(f.Run(missing));
  CHECK(f.Run(missing)->status == 401);
  f.functions.answers["AuthFn"] = "!boom";
  GatewayRequest failing = Request("GET", "/pets/1", {{"Authorization", "tok"}}, "q=z");
  REQUIRE(f.Run(failing));
  CHECK(f.Run(failing)->status == 500);
  CHECK(f.Run(failing)->body == R"({"message":"Internal Server Error"})");
}

TEST_CASE("authorizer: HTTP API 1.0 authorizer gets the 1.0 event and answers a policy") {
  Authorizer a;
  a.name = "V1";
  a.type = Authorizer::Type::kRequest;
  a.function = "AuthFn";
  a.identity_sources = {"$request.header.X-Key"};
  a.payload_format = "1.0";
  Fixture f(HttpApi({a}, {MakeRoute("GET", "/pets", "V1")}));
  f.functions.answers["AuthFn"] = Allow("arn:aws:execute-api:us-east-1:000000000000:abcdefghij/*/GET/pets", R"({"k":"v"})");
  GatewayRequest request = Request("GET", "/pets", {{"x-key", "k1"}});
  REQUIRE_FALSE(f.Run(request));
  rapidjson::Document event = Parse(f.functions.events.at(0));
  CHECK(Str(event["version"]) == "1.0");
  CHECK(Str(event["type"]) == "REQUEST");
  CHECK(Str(event["methodArn"]) == "arn:aws:execute-api:us-east-1:000000000000:abcdefghij/$default/GET/pets");
  CHECK(Str(event["identitySource"]) == "k1");
  CHECK(Str(event["authorizationToken"]) == "k1");
  CHECK(request.auth.authorizer_json == R"({"lambda":{"k":"v"}})");

  f.functions.answers["AuthFn"] = Deny("*");
  GatewayRequest denied = Request("GET", "/pets", {{"x-key", "k2"}});
  REQUIRE(f.Run(denied));
  CHECK(f.Run(denied)->body == R"({"message":"Forbidden"})");
}

TEST_CASE("authorizer: API keys in x-api-key") {
  Fixture f(RestApi({}, {MakeRoute("GET", "/keyed", "", true), MakeRoute("GET", "/free", "")}),
            {ApiKey{"keyid12345", "a-key-of-twenty-chars-or-more"}});
  for (auto headers : {std::vector<std::pair<std::string, std::string>>{},
                       std::vector<std::pair<std::string, std::string>>{{"x-api-key", "wrong"}}}) {
    GatewayRequest request = Request("GET", "/keyed", headers);
    std::optional<GatewayResponse> refused = f.Run(request);
    REQUIRE(refused);
    CHECK(refused->status == 403);
    CHECK(refused->body == R"({"message":"Forbidden"})");
    CHECK(Header(*refused, "x-amzn-ErrorType") == "ForbiddenException");
  }
  GatewayRequest good = Request("GET", "/keyed", {{"X-API-Key", "a-key-of-twenty-chars-or-more"}});
  CHECK_FALSE(f.Run(good));
  CHECK(good.auth.api_key == "a-key-of-twenty-chars-or-more");
  rapidjson::Document proxy = Parse(ProxyEventV1(f.api, *MatchRoute(f.api, "GET", "/keyed"), good, "000000000000"));
  CHECK(Str(proxy["requestContext"]["identity"]["apiKey"]) == "a-key-of-twenty-chars-or-more");
  CHECK(Str(proxy["requestContext"]["identity"]["apiKeyId"]) == "keyid12345");
  GatewayRequest free = Request("GET", "/free");
  CHECK_FALSE(f.Run(free));
}

TEST_CASE("authorizer: the authorizer runs before the API key is checked") {
  Fixture f(RestApi({Token()}, {MakeRoute("GET", "/both", "TokenAuth", true)}), {ApiKey{"id", "the-key"}});
  GatewayRequest no_token = Request("GET", "/both", {{"x-api-key", "the-key"}});
  REQUIRE(f.Run(no_token));
  CHECK(f.Run(no_token)->status == 401);
  GatewayRequest no_key = Request("GET", "/both", {{"Authorization", "t"}});
  REQUIRE(f.Run(no_key));
  CHECK(f.Run(no_key)->status == 403);
  CHECK(f.functions.events.size() == 1);  // the second refusal came from the cache's allow
  GatewayRequest both = Request("GET", "/both", {{"Authorization", "t"}, {"x-api-key", "the-key"}});
  CHECK_FALSE(f.Run(both));
  CHECK_FALSE(both.auth.authorizer_json.empty());
  CHECK(both.auth.api_key == "the-key");
}

TEST_CASE("authorizer: AWS_IAM takes any SigV4-signed request") {
  Fixture rest(RestApi({}, {MakeRoute("GET", "/iam", kIamAuthorizer)}));
  GatewayRequest unsigned_request = Request("GET", "/iam", {{"Authorization", "Bearer x"}});
  std::optional<GatewayResponse> refused = rest.Run(unsigned_request);
  REQUIRE(refused);
  CHECK(refused->status == 403);
  CHECK(refused->body == R"({"message":"Missing Authentication Token"})");
  GatewayRequest signed_request = Request(
      "GET", "/iam",
      {{"Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/execute-api/aws4_request, "
                         "SignedHeaders=host;x-amz-date, Signature=abc"}});
  CHECK_FALSE(rest.Run(signed_request));
  CHECK(signed_request.auth.access_key == "AKIDEXAMPLE");
  GatewayRequest presigned = Request("GET", "/iam", {},
                                     "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDQUERY%2F20240101%2Fus-east-1%2F"
                                     "execute-api%2Faws4_request&X-Amz-Signature=abc");
  CHECK_FALSE(rest.Run(presigned));
  CHECK(presigned.auth.access_key == "AKIDQUERY");

  Fixture http(HttpApi({}, {MakeRoute("GET", "/iam", kIamAuthorizer)}));
  GatewayRequest http_unsigned = Request("GET", "/iam");
  REQUIRE(http.Run(http_unsigned));
  CHECK(http.Run(http_unsigned)->body == R"({"message":"Forbidden"})");
  GatewayRequest http_signed = Request("GET", "/iam", {{"authorization", "AWS4-HMAC-SHA256 Credential=AK/x"}});
  CHECK_FALSE(http.Run(http_signed));
  CHECK(Str(Parse(http_signed.auth.authorizer_json)["iam"]["accessKey"]) == "AK");
}

TEST_CASE("authorizer: a JWT authorizer refuses a request without a token, or without keys to check it") {
  Authorizer jwt;
  jwt.name = "Jwt";
  jwt.type = Authorizer::Type::kJwt;
  jwt.identity_sources = {"$request.header.Authorization"};
  jwt.jwt_issuer = "https://issuer.example";
  jwt.jwt_audience = {"a"};
  Fixture f(HttpApi({jwt}, {MakeRoute("GET", "/jwt", "Jwt")}));
  GatewayRequest none = Request("GET", "/jwt");
  auto refused = f.Run(none);
  REQUIRE(refused);
  CHECK(refused->status == 401);
  // A token, but no key set for the issuer (its discovery failed): refused too.
  GatewayRequest some = Request("GET", "/jwt", {{"Authorization", "Bearer a.b.c"}});
  refused = f.Run(some);
  REQUIRE(refused);
  CHECK(refused->status == 401);
  CHECK(f.functions.events.empty());
}

TEST_CASE("authorizer: identity values and method ARNs") {
  Api api = RestApi({}, {MakeRoute("GET", "/a/{b}", "")});
  GatewayRequest request = Request("GET", "/a/x%20y", {{"X-H", "1"}, {"x-h", "2"}, {"User-Agent", "ua"}}, "q=1&q=2");
  request.source_ip = "10.0.0.9";
  RouteMatch match = *MatchRoute(api, "GET", "/a/x%20y");
  CHECK(Authorization::IdentityValue(api, match, request, "method.request.header.x-h") == "2");
  CHECK(Authorization::IdentityValue(api, match, request, "method.request.querystring.q") == "2");
  CHECK(Authorization::IdentityValue(api, match, request, "stageVariables.tenant") == "blue");
  CHECK(Authorization::IdentityValue(api, match, request, "context.identity.sourceIp") == "10.0.0.9");
  CHECK(Authorization::IdentityValue(api, match, request, "context.identity.userAgent") == "ua");
  CHECK(Authorization::IdentityValue(api, match, request, "context.httpMethod") == "GET");
  CHECK_FALSE(Authorization::IdentityValue(api, match, request, "stageVariables.nope"));
  CHECK_FALSE(Authorization::IdentityValue(api, match, request, "context.nope"));
  CHECK_FALSE(Authorization::IdentityValue(api, match, request, "method.request.path.b"));
  api.kind = ApiKind::kHttp;
  CHECK(Authorization::IdentityValue(api, match, request, "$request.header.X-H") == "1,2");
  CHECK(Authorization::IdentityValue(api, match, request, "$request.querystring.q") == "1,2");
  CHECK(Authorization::IdentityValue(api, match, request, "$stageVariables.tenant") == "blue");
  CHECK(Authorization::IdentityValue(api, match, request, "$context.identity.sourceIp") == "10.0.0.9");

  FakeFunctions functions;
  AuthorizationOptions options;
  options.region = "eu-west-1";
  options.account_id = "123456789012";
  Authorization auth({}, &functions, options);
  CHECK(auth.MethodArn(RestApi({}, {}), request) == "arn:aws:execute-api:eu-west-1:123456789012:abcdefghij/Prod/GET/a/x%20y");
  CHECK(auth.MethodArn(RestApi({}, {}), Request("POST", "/")) ==
        "arn:aws:execute-api:eu-west-1:123456789012:abcdefghij/Prod/POST/");
}

}  // namespace ll::apigw
