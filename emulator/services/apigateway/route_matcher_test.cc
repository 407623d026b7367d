#include "services/apigateway/route_matcher.h"

#include <catch2/catch.hpp>

#include <initializer_list>
#include <utility>

namespace ll::apigw {
namespace {

Api MakeApi(ApiKind kind, std::initializer_list<std::pair<const char*, const char*>> routes) {
  Api api;
  api.id = "abcdefghij";
  api.kind = kind;
  for (const auto& [method, path] : routes) {
    Route r;
    r.method = method;
    r.path = path;
    r.function = std::string(method) + " " + path;  // names the route in failures
    api.routes.push_back(r);
  }
  return api;
}

// "METHOD path" of the route picked, or "none".
std::string Picked(const Api& api, std::string_view method, std::string_view path) {
  std::optional<RouteMatch> m = MatchRoute(api, method, path);
  return m ? m->route->function : "none";
}

}  // namespace

TEST_CASE("API Gateway: HTTP API routing follows AWS's documented example") {
  // docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html,
  // "Routing API requests".
  Api api = MakeApi(ApiKind::kHttp, {{"GET", "/pets/dog/1"},
                                     {"GET", "/pets/dog/{id}"},
                                     {"GET", "/pets/{proxy+}"},
                                     {"ANY", "/{proxy+}"},
                                     {"ANY", "$default"}});
  CHECK(Picked(api, "GET", "/pets/dog/1") == "GET /pets/dog/1");
  CHECK(Picked(api, "GET", "/pets/dog/2") == "GET /pets/dog/{id}");
  CHECK(Picked(api, "GET", "/pets/cat/1") == "GET /pets/{proxy+}");
  CHECK(Picked(api, "POST", "/test/5") == "ANY /{proxy+}");
  // A greedy variable needs at least one segment: the root falls to $default.
  CHECK(Picked(api, "GET", "/") == "ANY $default");

  std::optional<RouteMatch> m = MatchRoute(api, "GET", "/pets/dog/2");
  REQUIRE(m);
  CHECK(m->route_key == "GET /pets/dog/{id}");
  CHECK(m->path_parameters == std::map<std::string, std::string>{{"id", "2"}});
  m = MatchRoute(api, "GET", "/pets/cat/1");
  REQUIRE(m);
  CHECK(m->path_parameters == std::map<std::string, std::string>{{"proxy", "cat/1"}});
  m = MatchRoute(api, "DELETE", "/");
  REQUIRE(m);
  CHECK(m->route_key == "$default");
  CHECK(m->path_parameters.empty());
}

TEST_CASE("API Gateway: literal segments beat parameters, leftmost first") {
  Api api = MakeApi(ApiKind::kRest, {{"GET", "/{a}/b/c"}, {"GET", "/a/{b}/c"}, {"GET", "/a/b/{c}"}});
  CHECK(Picked(api, "GET", "/a/b/c") == "GET /a/b/{c}");
  CHECK(Picked(api, "GET", "/a/x/c") == "GET /a/{b}/c");
  CHECK(Picked(api, "GET", "/x/b/c") == "GET /{a}/b/c");
  CHECK(Picked(api, "GET", "/x/y/c") == "none");

  Api users = MakeApi(ApiKind::kRest, {{"GET", "/users/{id}"}, {"GET", "/users/me"}});
  CHECK(Picked(users, "GET", "/users/me") == "GET /users/me");
  CHECK(Picked(users, "GET", "/users/42") == "GET /users/{id}");
}

TEST_CASE("API Gateway: a route without a greedy variable beats a greedy one, whatever the method") {
  Api api = MakeApi(ApiKind::kHttp, {{"GET", "/items/{proxy+}"}, {"ANY", "/items/{id}"}});
  CHECK(Picked(api, "GET", "/items/1") == "ANY /items/{id}");
  CHECK(Picked(api, "GET", "/items/1/parts") == "GET /items/{proxy+}");
}

TEST_CASE("API Gateway: greedy routes, longest fixed prefix first") {
  Api api = MakeApi(ApiKind::kRest, {{"ANY", "/api/{proxy+}"}, {"ANY", "/api/v1/{proxy+}"}});
  CHECK(Picked(api, "GET", "/api/v1/users") == "ANY /api/v1/{proxy+}");
  CHECK(Picked(api, "GET", "/api/v2/users") == "ANY /api/{proxy+}");
  CHECK(Picked(api, "GET", "/api/v1") == "ANY /api/{proxy+}");
  CHECK(Picked(api, "GET", "/api") == "none");  // one or more segments
  std::optional<RouteMatch> m = MatchRoute(api, "GET", "/api/v1/a/b/c");
  REQUIRE(m);
  CHECK(m->path_parameters == std::map<std::string, std::string>{{"proxy", "a/b/c"}});
  CHECK(m->route_key == "/api/v1/{proxy+}");

  // Any name may be greedy.
  Api files = MakeApi(ApiKind::kRest, {{"GET", "/files/{path+}"}});
  m = MatchRoute(files, "GET", "/files/docs/a.txt");
  REQUIRE(m);
  CHECK(m->path_parameters == std::map<std::string, std::string>{{"path", "docs/a.txt"}});
}

TEST_CASE("API Gateway: a method route beats ANY on the same path, and a mismatched method falls through") {
  Api same = MakeApi(ApiKind::kRest, {{"ANY", "/items"}, {"GET", "/items"}});
  CHECK(Picked(same, "GET", "/items") == "GET /items");
  CHECK(Picked(same, "POST", "/items") == "ANY /items");

  // Measured on REST APIs (floci-io/floci#3399, ministackorg/ministack#1423): the path and the
  // method are resolved together.
  Api users = MakeApi(ApiKind::kRest, {{"GET", "/users/{userId}"}, {"PATCH", "/users/me"}});
  CHECK(Picked(users, "GET", "/users/me") == "GET /users/{userId}");
  CHECK(Picked(users, "PATCH", "/users/me") == "PATCH /users/me");
  CHECK(Picked(users, "POST", "/users/me") == "none");
  Api things = MakeApi(ApiKind::kRest, {{"GET", "/things/real"}, {"ANY", "/things/{proxy+}"}});
  CHECK(Picked(things, "GET", "/things/real") == "GET /things/real");
  CHECK(Picked(things, "POST", "/things/real") == "ANY /things/{proxy+}");
}

TEST_CASE("API Gateway: HEAD is not GET, and methods in a template may be lower-case") {
  Api api = MakeApi(ApiKind::kHttp, {{"get", "/items"}});
  CHECK(Picked(api, "GET", "/items") == "get /items");
  CHECK(Picked(api, "HEAD", "/items") == "none");
  std::optional<RouteMatch> m = MatchRoute(api, "GET", "/items");
  REQUIRE(m);
  CHECK(m->route_key == "GET /items");
  Api any = MakeApi(ApiKind::kHttp, {{"any", "/items"}});
  CHECK(Picked(any, "HEAD", "/items") == "any /items");
}

TEST_CASE("API Gateway: the root resource") {
  Api api = MakeApi(ApiKind::kRest, {{"GET", "/"}, {"ANY", "/{proxy+}"}});
  CHECK(Picked(api, "GET", "/") == "GET /");
  CHECK(Picked(api, "GET", "") == "GET /");
  CHECK(Picked(api, "POST", "/") == "none");
  CHECK(Picked(api, "POST", "/x") == "ANY /{proxy+}");
  std::optional<RouteMatch> m = MatchRoute(api, "GET", "/");
  REQUIRE(m);
  CHECK(m->route_key == "/");
}

TEST_CASE("API Gateway: paths are case-sensitive") {
  Api api = MakeApi(ApiKind::kHttp, {{"GET", "/Items"}});
  CHECK(Picked(api, "GET", "/Items") == "GET /Items");
  CHECK(Picked(api, "GET", "/items") == "none");
  CHECK(Picked(api, "get", "/Items") == "none");
}

TEST_CASE("API Gateway: one trailing slash is ignored") {
  Api api = MakeApi(ApiKind::kRest, {{"GET", "/items"}, {"GET", "/items/{id}"}, {"GET", "/files/{proxy+}"}});
  CHECK(Picked(api, "GET", "/items/") == "GET /items");
  CHECK(Picked(api, "GET", "/items/7/") == "GET /items/{id}");
  CHECK(Picked(api, "GET", "/files/") == "none");
  std::optional<RouteMatch> m = MatchRoute(api, "GET", "/items/7/");
  REQUIRE(m);
  CHECK(m->path_parameters.at("id") == "7");
  m = MatchRoute(api, "GET", "/files/a/b/");
  REQUIRE(m);
  CHECK(m->path_parameters.at("proxy") == "a/b/");  // the rest of the path as sent
  CHECK(Picked(api, "GET", "/items//") == "none");  // an empty {id}
}

TEST_CASE("API Gateway: encoded segments") {
  // REST APIs pass the values as sent; HTTP APIs decode the path before routing.
  Api rest = MakeApi(ApiKind::kRest, {{"GET", "/items/{id}"}, {"GET", "/files/{proxy+}"}});
  std::optional<RouteMatch> m = MatchRoute(rest, "GET", "/items/a%20b");
  REQUIRE(m);
  CHECK(m->path_parameters.at("id") == "a%20b");
  m = MatchRoute(rest, "GET", "/items/a%2Fb");
  REQUIRE(m);
  CHECK(m->path_parameters.at("id") == "a%2Fb");
  m = MatchRoute(rest, "GET", "/files/space%20value/x");
  REQUIRE(m);
  CHECK(m->path_parameters.at("proxy") == "space%20value/x");
  CHECK(Picked(rest, "GET", "/it%65ms/1") == "GET /items/{id}");  // literals compare decoded

  Api http = MakeApi(ApiKind::kHttp, {{"GET", "/items/{id}"}, {"GET", "/files/{proxy+}"}});
  m = MatchRoute(http, "GET", "/items/a%20b");
  REQUIRE(m);
  CHECK(m->path_parameters.at("id") == "a b");
  CHECK(Picked(http, "GET", "/items/a%2Fb") == "none");  // "/" splits once decoded
  m = MatchRoute(http, "GET", "/files/a%2Fb/%CE%BB");
  REQUIRE(m);
  CHECK(m->path_parameters.at("proxy") == "a/b/\xCE\xBB");
}

TEST_CASE("API Gateway: $default is an HTTP API's last resort") {
  Api http = MakeApi(ApiKind::kHttp, {{"ANY", "$default"}, {"GET", "/items"}});
  CHECK(Picked(http, "GET", "/items") == "GET /items");
  CHECK(Picked(http, "POST", "/items") == "ANY $default");
  CHECK(Picked(http, "GET", "/anything/else") == "ANY $default");

  Api rest = MakeApi(ApiKind::kRest, {{"ANY", "$default"}});
  CHECK(Picked(rest, "GET", "/items") == "none");

  Api none = MakeApi(ApiKind::kHttp, {{"GET", "/items"}});
  CHECK(Picked(none, "GET", "/other") == "none");
  CHECK_FALSE(MatchRoute(MakeApi(ApiKind::kHttp, {}), "GET", "/"));
}

}  // namespace ll::apigw
