#include "http/http_endpoint.h"

#include <catch2/catch.hpp>

#include <string>

using ll::ParseHttpEndpoint;

TEST_CASE("SNS endpoints: http and https URLs taken apart") {
  auto e = ParseHttpEndpoint("http://127.0.0.1:8080/hook?a=1");
  REQUIRE(e);
  CHECK_FALSE(e->https);
  CHECK(e->host == "127.0.0.1");
  CHECK(e->port == 8080);
  CHECK(e->path == "/hook?a=1");

  e = ParseHttpEndpoint("https://example.com");
  REQUIRE(e);
  CHECK(e->https);
  CHECK(e->port == 443);
  CHECK(e->path == "/");

  e = ParseHttpEndpoint("http://[::1]:9000?x=y");
  REQUIRE(e);
  CHECK(e->host == "::1");
  CHECK(e->port == 9000);
  CHECK(e->path == "/?x=y");
}

TEST_CASE("SNS endpoints: what Subscribe refuses") {
  for (const char* bad : {"ftp://x/", "http://", "http:///path", "http://host:0/", "http://host:65536/",
                          "http://host:/", "http://host:8a/", "http://user:pw@host/", "http://[::1/",
                          "http://ho st/", "https://[zz]/"}) {
    INFO(bad);
    CHECK_FALSE(ParseHttpEndpoint(bad));
  }
  CHECK_FALSE(ParseHttpEndpoint("http://" + std::string(254, 'a') + "/"));
  CHECK(ParseHttpEndpoint("http://" + std::string(253, 'a') + "/"));
  // A long path is fine: nothing recursive reads it.
  CHECK(ParseHttpEndpoint("http://h/" + std::string(100000, 'p')));
}
