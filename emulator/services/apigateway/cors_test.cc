#include "services/apigateway/cors.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>

#include "http/http_message.h"
#include "services/apigateway/route_matcher.h"

namespace ll::apigw {
namespace {

Api MakeApi(ApiKind kind, std::initializer_list<std::pair<const char*, const char*>> routes) {
  Api api;
  api.id = "abcdefghij";
  api.logical_id = kind == ApiKind::kRest ? "ServerlessRestApi" : "ServerlessHttpApi";
  api.kind = kind;
  for (const auto& [method, path] : routes) {
    Route r;
    r.method = method;
    r.path = path;
    r.function = std::string(method) + " " + path;
    api.routes.push_back(r);
  }
  return api;
}

GatewayRequest Request(std::string method, std::string path,
                       std::initializer_list<std::pair<const char*, const char*>> headers) {
  GatewayRequest r;
  r.method = std::move(method);
  r.path = std::move(path);
  for (const auto& [k, v] : headers) r.headers.emplace_back(k, v);
  return r;
}

// Every value of that header name (any case), in order.
std::vector<std::string> All(const GatewayResponse& r, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& [k, v] : r.headers) {
    if (EqualsIgnoreCase(k, name)) out.push_back(v);
  }
  return out;
}

std::optional<std::string> One(const GatewayResponse& r, std::string_view name) {
  std::vector<std::string> all = All(r, name);
  REQUIRE(all.size() <= 1);
  if (all.empty()) return std::nullopt;
  return all.front();
}

// The route MatchRoute picks: its function, "CORS" for SAM's MOCK, or "none".
std::string Picked(const Api& api, std::string_view method, std::string_view path) {
  std::optional<RouteMatch> m = MatchRoute(api, method, path);
  if (!m) return "none";
  return m->route->cors_preflight ? "CORS " + m->route->path : m->route->function;
}

Api RestWithCors() {
  Api api = MakeApi(ApiKind::kRest, {{"GET", "/items"},
                                     {"DELETE", "/items"},
                                     {"GET", "/items/{id}"},
                                     {"ANY", "/files/{proxy+}"},
                                     {"OPTIONS", "/own"},
                                     {"POST", "/own"}});
  api.cors.enabled = true;
  api.cors.allow_origins = {"https://app.example.com"};
  AddRestPreflightRoutes(api);
  return api;
}

Api HttpWithCors() {
  Api api = MakeApi(ApiKind::kHttp, {{"GET", "/hello"}, {"PUT", "/hello"}});
  api.cors.enabled = true;
  api.cors.allow_origins = {"https://app.example.com", "http://localhost:3000"};
  api.cors.allow_methods = {"GET", "PUT"};
  api.cors.allow_headers = {"content-type", "x-custom"};
  api.cors.expose_headers = {"x-request-id", "date"};
  api.cors.max_age = "300";
  return api;
}

}  // namespace

TEST_CASE("cors: SAM adds a REST OPTIONS method on every path without one of its own") {
  Api api = RestWithCors();
  std::vector<std::string> added;
  for (const Route& r : api.routes) {
    if (r.cors_preflight) {
      CHECK(r.method == "OPTIONS");
      CHECK(r.function.empty());
      added.push_back(r.path);
    }
  }
  CHECK(added == std::vector<std::string>{"/items", "/items/{id}", "/files/{proxy+}"});

  // The generated OPTIONS takes its path (a path parameter too), beats ANY on the same path,
  // and leaves the template's own OPTIONS and other methods alone.
  CHECK(Picked(api, "OPTIONS", "/items") == "CORS /items");
  CHECK(Picked(api, "OPTIONS", "/items/42") == "CORS /items/{id}");
  CHECK(Picked(api, "OPTIONS", "/files/a/b.txt") == "CORS /files/{proxy+}");
  CHECK(Picked(api, "GET", "/files/a/b.txt") == "ANY /files/{proxy+}");
  CHECK(Picked(api, "OPTIONS", "/own") == "OPTIONS /own");
  CHECK(Picked(api, "GET", "/items") == "GET /items");
  // A path the API does not have still has no method.
  CHECK(Picked(api, "OPTIONS", "/nowhere") == "none");
}

TEST_CASE("cors: no REST OPTIONS routes without Cors, nor for HTTP APIs") {
  Api rest = MakeApi(ApiKind::kRest, {{"GET", "/items"}});
  AddRestPreflightRoutes(rest);
  CHECK(rest.routes.size() == 1);
  Api http = MakeApi(ApiKind::kHttp, {{"GET", "/items"}});
  http.cors.enabled = true;
  http.cors.allow_origins = {"*"};
  AddRestPreflightRoutes(http);
  CHECK(http.routes.size() == 1);
}

TEST_CASE("cors: the REST MOCK lists the path's methods as SAM does, whatever the Origin") {
  Api api = RestWithCors();
  auto preflight = [&](const char* path) {
    std::optional<RouteMatch> m = MatchRoute(api, "OPTIONS", path);
    REQUIRE(m);
    REQUIRE(m->route->cors_preflight);
    return RestPreflight(api, *m->route);
  };
  GatewayResponse r = preflight("/items");
  CHECK(r.status == 200);
  CHECK(One(r, "Access-Control-Allow-Origin") == "https://app.example.com");
  CHECK(One(r, "Access-Control-Allow-Methods") == "DELETE,GET,OPTIONS");
  CHECK_FALSE(One(r, "Access-Control-Allow-Headers"));
  CHECK_FALSE(One(r, "Access-Control-Max-Age"));
  CHECK_FALSE(One(r, "Access-Control-Allow-Credentials"));
  CHECK(One(r, "Content-Type") == "application/json");
  // Header names as SAM's method response declares them.
  CHECK(r.headers[1].first == "Access-Control-Allow-Origin");

  CHECK(One(preflight("/items/7"), "Access-Control-Allow-Methods") == "GET,OPTIONS");
  // ANY: every method SAM knows.
  CHECK(One(preflight("/files/x"), "Access-Control-Allow-Methods") == "DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT");
}

TEST_CASE("cors: the REST MOCK answers with the configured values") {
  Api api = RestWithCors();
  api.cors.allow_methods = {"GET,PUT"};
  api.cors.allow_headers = {"Content-Type,X-Custom"};
  api.cors.max_age = "600";
  api.cors.allow_credentials = true;
  std::optional<RouteMatch> m = MatchRoute(api, "OPTIONS", "/items");
  REQUIRE(m);
  GatewayResponse r = RestPreflight(api, *m->route);
  CHECK(One(r, "Access-Control-Allow-Methods") == "GET,PUT");  // as given: SAM adds nothing
  CHECK(One(r, "Access-Control-Allow-Headers") == "Content-Type,X-Custom");
  CHECK(One(r, "Access-Control-Max-Age") == "600");
  CHECK(One(r, "Access-Control-Allow-Credentials") == "true");
}

TEST_CASE("cors: origins AllowOrigins admits") {
  CHECK(OriginAllowed({"*"}, "https://anything.example"));
  CHECK(OriginAllowed({"https://a.example.com"}, "https://a.example.com"));
  CHECK_FALSE(OriginAllowed({"https://a.example.com"}, "https://b.example.com"));
  CHECK_FALSE(OriginAllowed({"https://a.example.com"}, "http://a.example.com"));
  CHECK_FALSE(OriginAllowed({"https://a.example.com"}, "https://a.example.com:8443"));
  // Compared exactly, as configured.
  CHECK_FALSE(OriginAllowed({"https://A.example.com"}, "https://a.example.com"));
  // The scheme wildcards AWS documents.
  CHECK(OriginAllowed({"https://*"}, "https://a.example.com"));
  CHECK_FALSE(OriginAllowed({"https://*"}, "http://a.example.com"));
  CHECK(OriginAllowed({"http://*"}, "http://127.0.0.1:8080"));
  CHECK_FALSE(OriginAllowed({"http://*"}, "http://"));
  // A wildcard inside a host is not one AWS documents: only that literal text matches.
  CHECK_FALSE(OriginAllowed({"https://*.example.com"}, "https://a.example.com"));
  // No Origin, no CORS; "null" (a sandboxed page) only when listed or "*".
  CHECK_FALSE(OriginAllowed({"*"}, ""));
  CHECK_FALSE(OriginAllowed({"https://a.example.com"}, "null"));
  CHECK(OriginAllowed({"https://a.example.com", "null"}, "null"));
  CHECK_FALSE(OriginAllowed({}, "https://a.example.com"));
}

TEST_CASE("cors: an HTTP API answers a preflight from an allowed origin itself") {
  Api api = HttpWithCors();
  GatewayRequest req = Request("OPTIONS", "/hello",
                               {{"Origin", "https://app.example.com"},
                                {"Access-Control-Request-Method", "PUT"},
                                {"Access-Control-Request-Headers", "content-type,x-custom"}});
  REQUIRE(IsHttpPreflight(api, req));
  GatewayResponse r = HttpPreflight(api, req);
  CHECK(r.status == 204);
  CHECK(r.body.empty());
  CHECK_FALSE(One(r, "content-type"));
  CHECK(One(r, "access-control-allow-origin") == "https://app.example.com");
  CHECK(One(r, "access-control-allow-methods") == "GET,PUT");
  CHECK(One(r, "access-control-allow-headers") == "content-type,x-custom");
  CHECK(One(r, "access-control-max-age") == "300");
  CHECK_FALSE(One(r, "access-control-allow-credentials"));
  CHECK_FALSE(One(r, "access-control-expose-headers"));  // only actual responses expose
  // HTTP APIs send lower-case names.
  for (const auto& [name, value] : r.headers) {
    CAPTURE(name);
    CHECK(std::none_of(name.begin(), name.end(), [](char c) { return c >= 'A' && c <= 'Z'; }));
  }

  // Any path: there is no route for /elsewhere at all.
  GatewayRequest elsewhere = Request("OPTIONS", "/elsewhere",
                                     {{"origin", "http://localhost:3000"}, {"access-control-request-method", "GET"}});
  REQUIRE(IsHttpPreflight(api, elsewhere));
  CHECK(One(HttpPreflight(api, elsewhere), "access-control-allow-origin") == "http://localhost:3000");
}

TEST_CASE("cors: an HTTP API's preflight from another origin gets no CORS headers") {
  Api api = HttpWithCors();
  GatewayRequest req =
      Request("OPTIONS", "/hello", {{"Origin", "https://evil.example"}, {"Access-Control-Request-Method", "PUT"}});
  REQUIRE(IsHttpPreflight(api, req));
  GatewayResponse r = HttpPreflight(api, req);
  CHECK(r.status == 204);
  CHECK(r.headers.empty());
  CHECK(r.body.empty());
}

TEST_CASE("cors: what counts as an HTTP API preflight") {
  Api api = HttpWithCors();
  CHECK_FALSE(IsHttpPreflight(api, Request("OPTIONS", "/hello", {{"Origin", "https://app.example.com"}})));
  CHECK_FALSE(IsHttpPreflight(api, Request("OPTIONS", "/hello", {{"Access-Control-Request-Method", "PUT"}})));
  CHECK_FALSE(IsHttpPreflight(
      api,
      Request("PUT", "/hello", {{"Origin", "https://app.example.com"}, {"Access-Control-Request-Method", "PUT"}})));
  Api without = HttpWithCors();
  without.cors = {};
  const GatewayRequest preflight =
      Request("OPTIONS", "/hello", {{"Origin", "https://app.example.com"}, {"Access-Control-Request-Method", "PUT"}});
  CHECK_FALSE(IsHttpPreflight(without, preflight));
  Api rest = RestWithCors();
  CHECK_FALSE(IsHttpPreflight(rest, preflight));
}

TEST_CASE("cors: '*' answers '*', unless credentials are allowed") {
  Api api = HttpWithCors();
  api.cors.allow_origins = {"*"};
  GatewayRequest req =
      Request("OPTIONS", "/hello", {{"Origin", "http://127.0.0.1:9000"}, {"Access-Control-Request-Method", "PUT"}});
  CHECK(One(HttpPreflight(api, req), "access-control-allow-origin") == "*");

  api.cors.allow_origins = {"http://*"};
  api.cors.allow_credentials = true;
  GatewayResponse r = HttpPreflight(api, req);
  CHECK(One(r, "access-control-allow-origin") == "http://127.0.0.1:9000");
  CHECK(One(r, "access-control-allow-credentials") == "true");
}

TEST_CASE("cors: an HTTP API's headers replace the integration's CORS headers") {
  Api api = HttpWithCors();
  api.cors.allow_credentials = true;
  GatewayResponse from_function;
  from_function.headers = {{"Content-Type", "application/json"},
                           {"Access-Control-Allow-Origin", "*"},
                           {"access-control-allow-methods", "DELETE"},
                           {"ACCESS-CONTROL-EXPOSE-HEADERS", "x-secret"},
                           {"X-Other", "kept"}};

  GatewayResponse r = from_function;
  ApplyHttpCors(api, Request("GET", "/hello", {{"Origin", "https://app.example.com"}}), r);
  CHECK(All(r, "access-control-allow-origin") == std::vector<std::string>{"https://app.example.com"});
  CHECK(One(r, "access-control-allow-credentials") == "true");
  CHECK(One(r, "access-control-expose-headers") == "x-request-id,date");
  CHECK_FALSE(One(r, "access-control-allow-methods"));
  CHECK(One(r, "X-Other") == "kept");
  CHECK(One(r, "Content-Type") == "application/json");

  // Another origin: the function's CORS headers are dropped all the same, none are added.
  r = from_function;
  ApplyHttpCors(api, Request("GET", "/hello", {{"Origin", "https://evil.example"}}), r);
  CHECK(All(r, "access-control-allow-origin").empty());
  CHECK(All(r, "access-control-expose-headers").empty());
  CHECK(One(r, "X-Other") == "kept");

  // No Origin (not a browser's cross-origin call): likewise.
  r = from_function;
  ApplyHttpCors(api, Request("GET", "/hello", {}), r);
  CHECK(All(r, "access-control-allow-origin").empty());

  // A REST API's function answers for itself: SAM adds nothing to proxy responses.
  Api rest = RestWithCors();
  r = from_function;
  ApplyHttpCors(rest, Request("GET", "/items", {{"Origin", "https://app.example.com"}}), r);
  CHECK(r.headers == from_function.headers);
}

TEST_CASE("cors: which API answers a preflight on the shared API port") {
  Api rest = RestWithCors();
  Api plain = MakeApi(ApiKind::kHttp, {{"PUT", "/plain"}});
  Api first = HttpWithCors();
  first.id = "first00000";
  Api second = MakeApi(ApiKind::kHttp, {{"POST", "/second"}});
  second.id = "second0000";
  second.cors = first.cors;
  const std::vector<Api> apis = {rest, plain, first, second};
  auto answering = [&](const char* path, const char* method) -> std::string {
    const Api* api = PreflightApi(apis, Request("OPTIONS", path,
                                                {{"Origin", "https://app.example.com"},
                                                 {"Access-Control-Request-Method", method}}));
    return api ? api->id : "routed";
  };
  CHECK(answering("/second", "POST") == "second0000");  // the API whose route takes the call
  CHECK(answering("/hello", "PUT") == "first00000");
  CHECK(answering("/unknown", "PUT") == "first00000");  // any path: the first with CORS
  CHECK(answering("/items", "GET") == "routed");        // the REST API's OPTIONS keeps its path
  CHECK(PreflightApi(apis, Request("OPTIONS", "/hello", {{"Origin", "https://app.example.com"}})) == nullptr);
  CHECK(PreflightApi({rest, plain}, Request("OPTIONS", "/plain", {{"Origin", "https://app.example.com"},
                                                                  {"Access-Control-Request-Method", "PUT"}})) ==
        nullptr);
}

}  // namespace ll::apigw
