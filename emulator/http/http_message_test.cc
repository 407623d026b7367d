#include "http/http_message.h"

#include <catch2/catch.hpp>
#include <fmt/format.h>

using namespace ll;

namespace {
constexpr size_t kMax = 1 << 20;
}

TEST_CASE("a GET with no body is complete at the blank line") {
  HttpRequest req;
  std::string raw = "GET /2018-06-01/runtime/invocation/next?x=1 HTTP/1.1\r\nHost: a\r\nUser-Agent: B\r\n\r\n";
  auto r = ParseHttpRequest(raw + "GET /next", kMax, &req);
  REQUIRE(r.status == HttpParse::kComplete);
  CHECK(r.consumed == raw.size());
  CHECK(req.method == "GET");
  CHECK(req.path == "/2018-06-01/runtime/invocation/next");
  CHECK(req.Header("user-agent") == "B");
  CHECK(req.keep_alive);
  CHECK(req.body.empty());
}

TEST_CASE("a body framed by Content-Length arrives in pieces") {
  HttpRequest req;
  std::string raw = "POST /r HTTP/1.1\r\nContent-Length: 5\r\nlambda-runtime-function-error-type: X\r\n\r\nhello";
  for (size_t cut = 0; cut < raw.size(); ++cut) {
    auto partial = ParseHttpRequest(std::string_view(raw).substr(0, cut), kMax, &req);
    CHECK(partial.status == HttpParse::kIncomplete);
  }
  auto r = ParseHttpRequest(raw, kMax, &req);
  REQUIRE(r.status == HttpParse::kComplete);
  CHECK(req.body == "hello");
  CHECK(req.Header("lambda-runtime-function-error-type") == "X");
}

TEST_CASE("a chunked body is decoded, extensions and trailers skipped") {
  HttpRequest req;
  std::string raw =
      "POST /r HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-T: 1\r\n\r\n";
  auto r = ParseHttpRequest(raw, kMax, &req);
  REQUIRE(r.status == HttpParse::kComplete);
  CHECK(r.consumed == raw.size());
  CHECK(req.body == "hello world");
  CHECK(ParseHttpRequest(raw.substr(0, raw.size() - 2), kMax, &req).status == HttpParse::kIncomplete);
}

TEST_CASE("Expect: 100-continue is reported once the head is complete") {
  HttpRequest req;
  auto r = ParseHttpRequest("POST /r HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n", kMax, &req);
  CHECK(r.status == HttpParse::kIncomplete);
  CHECK(r.headers_done);
  CHECK(req.expects_continue);
}

TEST_CASE("Connection: close and HTTP/1.0 end keep-alive") {
  HttpRequest req;
  REQUIRE(ParseHttpRequest("GET / HTTP/1.1\r\nConnection: close\r\n\r\n", kMax, &req).status == HttpParse::kComplete);
  CHECK_FALSE(req.keep_alive);
  REQUIRE(ParseHttpRequest("GET / HTTP/1.0\r\n\r\n", kMax, &req).status == HttpParse::kComplete);
  CHECK_FALSE(req.keep_alive);
  REQUIRE(ParseHttpRequest("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", kMax, &req).status ==
          HttpParse::kComplete);
  CHECK(req.keep_alive);
}

TEST_CASE("malformed or oversized requests are refused") {
  HttpRequest req;
  CHECK(ParseHttpRequest("garbage\r\n\r\n", kMax, &req).status == HttpParse::kBad);
  CHECK(ParseHttpRequest("GET / SPDY/3\r\n\r\n", kMax, &req).status == HttpParse::kBad);
  CHECK(ParseHttpRequest("GET nopath HTTP/1.1\r\n\r\n", kMax, &req).status == HttpParse::kBad);
  CHECK(ParseHttpRequest("GET / HTTP/1.1\r\nNoColon\r\n\r\n", kMax, &req).status == HttpParse::kBad);
  CHECK(ParseHttpRequest("POST / HTTP/1.1\r\nContent-Length : 5\r\n\r\nhello", kMax, &req).status == HttpParse::kBad);
  CHECK(ParseHttpRequest(std::string(20, '\r') + "GET / HTTP/1.1\r\n\r\n", kMax, &req).status == HttpParse::kBad);
  CHECK(ParseHttpRequest("\r\n\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\n\r\n", kMax, &req).status == HttpParse::kBad);
  CHECK(ParseHttpRequest("\r\nGET / HTTP/1.1\r\n\r\n", kMax, &req).status == HttpParse::kComplete);
  CHECK(ParseHttpRequest("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: " + std::string(70000, 'a'),
                         kMax, &req).status == HttpParse::kTooLarge);
  CHECK(ParseHttpRequest("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", kMax, &req).status == HttpParse::kBad);
  CHECK(ParseHttpRequest("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", kMax, &req).status ==
        HttpParse::kBad);
  CHECK(ParseHttpRequest("POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", kMax, &req)
            .status == HttpParse::kBad);
  CHECK(ParseHttpRequest("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", kMax, &req).status == HttpParse::kBad);
  CHECK(ParseHttpRequest("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", kMax, &req).status ==
        HttpParse::kBad);
  CHECK(ParseHttpRequest("POST / HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n", kMax, &req).status ==
        HttpParse::kTooLarge);
  CHECK(ParseHttpRequest("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n", kMax, &req).status ==
        HttpParse::kTooLarge);
  CHECK(ParseHttpRequest("GET / HTTP/1.1\r\nX: " + std::string(70000, 'a'), kMax, &req).status ==
        HttpParse::kTooLarge);
}

TEST_CASE("the response head carries status, type, length and extra headers") {
  CHECK(HttpResponseHead(202, "application/json", 15) ==
        "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n");
  CHECK(HttpResponseHead(200, "text/plain", 4, {{"A", "b"}}) ==
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 4\r\nA: b\r\n\r\n");
}

TEST_CASE("a chunked body arriving in pieces is incomplete until its last byte") {
  std::string whole = "POST /r HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  std::string expected;
  for (int i = 0; i < 50; ++i) {
    std::string chunk(100 + i, char('a' + i % 26));
    whole += fmt::format("{:x}\r\n{}\r\n", chunk.size(), chunk);
    expected += chunk;
  }
  whole += "0\r\n\r\n";
  HttpRequest req;
  for (size_t cut = 1; cut < whole.size(); cut += 97) {
    CHECK(ParseHttpRequest(std::string_view(whole).substr(0, cut), kMax, &req).status == HttpParse::kIncomplete);
  }
  HttpParseResult done = ParseHttpRequest(whole + "GET", kMax, &req);
  CHECK(done.status == HttpParse::kComplete);
  CHECK(done.consumed == whole.size());
  CHECK(req.body == expected);
}
