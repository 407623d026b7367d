#include "http/http_router.h"

#include <catch2/catch.hpp>

using namespace ll;

namespace {

HttpRequest Request(std::string method, std::string path) {
  HttpRequest req;
  req.method = std::move(method);
  req.path = std::move(path);
  return req;
}

}  // namespace

TEST_CASE("the first route matching method and whole path runs, with its groups", "[http_router]") {
  HttpRouter router;
  std::string ran;
  router.Get("/fn/([^/]+)", [&](HttpRequest& req, HttpResponse&) { ran = "get " + req.matches[1].str(); });
  router.Get("/fn/.*", [&](HttpRequest&, HttpResponse&) { ran = "second"; });
  router.Head("/fn/([^/]+)", [&](HttpRequest&, HttpResponse&) { ran = "head"; });
  router.Add("PATCH", "/fn/([^/]+)", [&](HttpRequest&, HttpResponse&) { ran = "patch"; });

  HttpResponse res;
  HttpRequest get = Request("GET", "/fn/a");
  CHECK(router.Dispatch(get, res));
  CHECK(ran == "get a");
  HttpRequest deeper = Request("GET", "/fn/a/b");
  CHECK(router.Dispatch(deeper, res));
  CHECK(ran == "second");
  HttpRequest head = Request("HEAD", "/fn/a");
  CHECK(router.Dispatch(head, res));
  CHECK(ran == "head");
  HttpRequest patch = Request("PATCH", "/fn/a");
  CHECK(router.Dispatch(patch, res));
  CHECK(ran == "patch");

  ran.clear();
  HttpRequest post = Request("POST", "/fn/a");
  CHECK_FALSE(router.Dispatch(post, res));
  HttpRequest prefix = Request("GET", "/fn");
  CHECK_FALSE(router.Dispatch(prefix, res));
  CHECK(ran.empty());
}
