// RuntimeConnection over a socketpair: requests that arrive a byte at a time, pipelined
// requests, and the parser's work staying in proportion to the bytes.
#include "runtime_api/runtime_connection.h"

#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include <catch2/catch.hpp>

using namespace ll;

namespace {

struct Pair {
  Pair() { REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0); }
  ~Pair() { close(fds[1]); }  // fds[0] belongs to the connection
  void Write(std::string_view bytes) {
    REQUIRE(write(fds[1], bytes.data(), bytes.size()) == ssize_t(bytes.size()));
  }
  int fds[2];
};

}  // namespace

TEST_CASE("runtime connection: a request read a byte at a time is parsed once", "[runtime_api]") {
  Pair pair;
  RuntimeConnection conn(pair.fds[0]);
  const std::string body(64 * 1024, 'x');
  const std::string request =
      "POST /2018-06-01/runtime/invocation/id-1/response HTTP/1.1\r\nHost: x\r\n"
      "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  HttpRequest out;
  for (size_t i = 0; i + 1 < request.size(); ++i) {
    pair.Write(request.substr(i, 1));
    REQUIRE(conn.Next(&out) == RuntimeConnection::Read::kWouldBlock);
  }
  pair.Write(request.substr(request.size() - 1));
  REQUIRE(conn.Next(&out) == RuntimeConnection::Read::kRequest);
  CHECK(out.method == "POST");
  CHECK(out.body == body);
  CHECK_FALSE(conn.has_buffered());
  // Re-parsing after every read would look at about request.size()^2 / 2 bytes.
  CHECK(conn.bytes_examined() < 3 * request.size());
}

TEST_CASE("runtime connection: pipelined requests come out one by one", "[runtime_api]") {
  Pair pair;
  RuntimeConnection conn(pair.fds[0]);
  pair.Write(
      "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n"
      "POST /2018-06-01/runtime/invocation/a/response HTTP/1.1\r\nContent-Length: 2\r\n\r\nok"
      "POST /2018-06-01/runtime/invocation/b/response HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n0\r\n\r\n");
  HttpRequest out;
  REQUIRE(conn.Next(&out) == RuntimeConnection::Read::kRequest);
  CHECK(out.method == "GET");
  CHECK(out.body.empty());
  REQUIRE(conn.Next(&out) == RuntimeConnection::Read::kRequest);
  CHECK(out.body == "ok");
  REQUIRE(conn.Next(&out) == RuntimeConnection::Read::kRequest);
  CHECK(out.body == "abc");
  CHECK(conn.Next(&out) == RuntimeConnection::Read::kWouldBlock);
}

TEST_CASE("runtime connection: a bad request is reported, a closed peer too", "[runtime_api]") {
  {
    Pair pair;
    RuntimeConnection conn(pair.fds[0]);
    pair.Write("NOT HTTP AT ALL\r\n\r\n");
    HttpRequest out;
    CHECK(conn.Next(&out) == RuntimeConnection::Read::kBad);
  }
  {
    Pair pair;
    RuntimeConnection conn(pair.fds[0]);
    pair.Write("GET / HTTP/1.1\r\n");
    close(pair.fds[1]);
    pair.fds[1] = -1;
    HttpRequest out;
    CHECK(conn.Next(&out) == RuntimeConnection::Read::kClosed);
  }
}
