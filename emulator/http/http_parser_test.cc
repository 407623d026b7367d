#include "http/http_parser.h"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <string>

using namespace ll;

namespace {

constexpr uint64_t kMax = 1 << 20;

std::string Chunked(const std::string& body, size_t chunk) {
  std::string out = "POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (size_t at = 0; at < body.size(); at += chunk) {
    std::string_view piece = std::string_view(body).substr(at, chunk);
    out += fmt::format("{:x}\r\n", piece.size());
    out += piece;
    out += "\r\n";
  }
  out += "0\r\n\r\n";
  return out;
}

std::string Pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = char('a' + (i * 7) % 26);
  return s;
}

// Feeds `raw` to one parser `step` bytes more at a time, as reads would deliver it.
HttpParseResult FeedInSteps(HttpRequestParser& parser, std::string_view raw, size_t step, HttpRequest* req) {
  HttpParseResult r;
  for (size_t have = std::min(step, raw.size());; have = std::min(have + step, raw.size())) {
    r = parser.Parse(raw.substr(0, have), req);
    if (r.status != HttpParse::kIncomplete || have == raw.size()) return r;
  }
}

// Decodes a body from `raw` in pieces of `piece` bytes into at most `room` bytes per call.
HttpParse DecodeAll(HttpBodyDecoder& d, std::string_view raw, size_t piece, size_t room, std::string* out,
                    size_t* used_total) {
  size_t at = 0;
  HttpParse status = HttpParse::kIncomplete;
  size_t end = std::min(piece, raw.size());
  while (true) {
    size_t used = 0;
    std::string_view run;
    status = d.Decode(raw.substr(at, end - at), room, &used, &run);
    out->append(run);
    at += used;
    if (status != HttpParse::kIncomplete) break;
    if (at == end) {
      if (end == raw.size()) break;
      end = std::min(end + piece, raw.size());
    }
  }
  *used_total = at;
  return status;
}

}  // namespace

TEST_CASE("a chunked body fed one byte per read is parsed in linear work", "[http_parser]") {
  const std::string body = Pattern(512 * 1024);
  const std::string raw = Chunked(body, 4000) + "GET /next HTTP/1.1\r\n\r\n";
  HttpRequestParser parser(kMax);
  HttpRequest req;
  HttpParseResult r = FeedInSteps(parser, raw, 1, &req);
  REQUIRE(r.status == HttpParse::kComplete);
  CHECK(r.consumed == raw.size() - std::string("GET /next HTTP/1.1\r\n\r\n").size());
  CHECK(req.body == body);
  // Each byte is looked at a bounded number of times, however it was split (the head's last
  // 3 bytes are looked at again on each read, in case its blank line straddles two).
  CHECK(parser.examined() <= 5 * raw.size());
}

TEST_CASE("a head fed one byte per read is scanned once", "[http_parser]") {
  std::string raw = "PUT /x HTTP/1.1\r\n";
  for (int i = 0; i < 500; ++i) raw += fmt::format("X-Header-{}: {}\r\n", i, Pattern(40));
  raw += "Content-Length: 3\r\n\r\nabc";
  HttpRequestParser parser(kMax);
  HttpRequest req;
  HttpParseResult r = FeedInSteps(parser, raw, 1, &req);
  REQUIRE(r.status == HttpParse::kComplete);
  CHECK(req.headers.size() == 501);
  CHECK(req.body == "abc");
  CHECK(parser.examined() <= 5 * raw.size());
}

TEST_CASE("6 MiB of one-byte chunks fed one byte per read is decoded, and such framing is bounded",
          "[http_parser]") {
  const std::string body = Pattern(1 << 20);
  const std::string raw = Chunked(body, 1);  // 6 raw bytes per body byte
  REQUIRE(raw.size() > (6u << 20));
  HttpRequest req;
  {
    HttpRequestParser parser(8 << 20);
    HttpParseResult r = FeedInSteps(parser, raw, 1, &req);
    REQUIRE(r.status == HttpParse::kComplete);
    CHECK(r.consumed == raw.size());
    CHECK(req.body == body);
    CHECK(parser.examined() <= 5 * raw.size());
  }
  {
    // Over twice the body limit in raw bytes: refused, however small the body.
    HttpRequestParser parser(2 << 20);
    CHECK(FeedInSteps(parser, raw, 4096, &req).status == HttpParse::kTooLarge);
  }
}

TEST_CASE("the result does not depend on where the reads split the request", "[http_parser]") {
  const std::vector<std::string> requests = {
      "GET /a?x=1&y=%20 HTTP/1.1\r\nHost: h\r\n\r\n",
      "POST /r HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
      "POST /r HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-T: 1\r\n\r\n",
      "\r\nGET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
      "POST /r HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloX\r\n",
      "POST /r HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + std::string(2000, '1') + "\r\n",
      "POST /r HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n" + std::string(70000, 'a') + "\r\n\r\n",
      // Heads of exactly the limit (request line, "X: ", value) and one byte over it.
      "GET / HTTP/1.1\r\nX: " + std::string(kMaxHttpHeadBytes - 19, 'a') + "\r\n\r\n",
      "GET / HTTP/1.1\r\nX: " + std::string(kMaxHttpHeadBytes - 18, 'a') + "\r\n\r\n",
  };
  for (const std::string& raw : requests) {
    HttpRequest whole_req;
    HttpParseResult whole = ParseHttpRequest(raw, kMax, &whole_req);
    for (size_t step : {1, 2, 3, 7, 64, 4096}) {
      HttpRequestParser parser(kMax);
      HttpRequest req;
      HttpParseResult r = FeedInSteps(parser, raw, step, &req);
      INFO(raw.substr(0, 80) << " step " << step);
      CHECK(r.status == whole.status);
      CHECK(r.consumed == whole.consumed);
      CHECK(req.body == whole_req.body);
    }
  }
}

TEST_CASE("the body decoder hands out runs no larger than the room given", "[http_parser]") {
  const std::string body = Pattern(100000);
  std::string raw = Chunked(body, 3000);
  raw = raw.substr(raw.find("\r\n\r\n") + 4);
  for (size_t piece : {1, 5, 100, 65536}) {
    for (size_t room : {1, 10, 4096}) {
      HttpBodyDecoder d = HttpBodyDecoder::ForChunked(kMax);
      std::string out;
      size_t used = 0;
      REQUIRE(DecodeAll(d, raw, piece, room, &out, &used) == HttpParse::kComplete);
      CHECK(out == body);
      CHECK(used == raw.size());
      CHECK(d.done());
      CHECK(d.decoded() == body.size());
    }
  }
  HttpBodyDecoder d = HttpBodyDecoder::ForLength(5);
  std::string out;
  size_t used = 0;
  CHECK(DecodeAll(d, "helloGET", 2, 3, &out, &used) == HttpParse::kComplete);
  CHECK(out == "hello");
  CHECK(used == 5);
}

TEST_CASE("chunked framing limits: size line, body, trailers", "[http_parser]") {
  auto decode = [](std::string raw, uint64_t max) {
    HttpBodyDecoder d = HttpBodyDecoder::ForChunked(max);
    std::string out;
    size_t used = 0;
    return DecodeAll(d, raw, 7, 1 << 20, &out, &used);
  };
  CHECK(decode("5;" + std::string(kMaxChunkLineBytes, 'e') + "\r\nhello\r\n0\r\n\r\n", kMax) == HttpParse::kBad);
  CHECK(decode("5;" + std::string(kMaxChunkLineBytes - 10, 'e') + "\r\nhello\r\n0\r\n\r\n", kMax) ==
        HttpParse::kComplete);
  CHECK(decode("5\r\nhello\r\n0\r\n\r\n", 4) == HttpParse::kTooLarge);
  CHECK(decode("5\r\nhello\r\n0\r\n\r\n", 5) == HttpParse::kComplete);
  CHECK(decode("ffffffffffffffff\r\n", kMax) == HttpParse::kTooLarge);
  CHECK(decode("10000000000000000\r\n", kMax) == HttpParse::kBad);  // does not fit 64 bits
  CHECK(decode("0\r\n" + std::string(kMaxHttpHeadBytes, 'x') + "\r\n\r\n", kMax) == HttpParse::kTooLarge);
  CHECK(decode("0\r\nA: 1\r\nB: 2\r\n\r\n", kMax) == HttpParse::kComplete);
  CHECK(decode("5\r\nhello\n0\r\n\r\n", kMax) == HttpParse::kBad);  // data must end in CRLF
  CHECK(decode("-5\r\n", kMax) == HttpParse::kBad);
  CHECK(decode("\r\n", kMax) == HttpParse::kBad);
}

TEST_CASE("a request head says how its body is framed", "[http_parser]") {
  HttpRequestParser parser(kMax);
  HttpRequest req;
  std::string raw = "PUT /o HTTP/1.1\r\nContent-Length: 12\r\n\r\nhello";
  REQUIRE(parser.ParseHead(raw, &req) == HttpParse::kComplete);
  CHECK(parser.head_size() == raw.size() - 5);
  CHECK(req.body.empty());
  CHECK_FALSE(parser.body().chunked());
  CHECK(parser.body().remaining_length() == 12);

  parser.Reset();
  REQUIRE(parser.ParseHead("GET / HTTP/1.1\r\n\r\n", &req) == HttpParse::kComplete);
  CHECK(parser.body().done());

  parser.Reset();
  CHECK(parser.ParseHead("PUT / HTTP/1.1\r\nContent-Length: 1048577\r\n\r\n", &req) == HttpParse::kTooLarge);
  CHECK(parser.head_parsed());

  // A large declared length is exact in 64 bits.
  HttpRequestParser big(uint64_t(1) << 40);
  REQUIRE(big.ParseHead("PUT / HTTP/1.1\r\nContent-Length: 5368709120\r\n\r\n", &req) == HttpParse::kComplete);
  CHECK(big.body().remaining_length() == 5368709120ull);
}
