#include "http/http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "http/http_body.h"

using namespace ll;

namespace {

// FNV-1a over a stream of pieces.
struct Hash {
  uint64_t value = 1469598103934665603ull;
  void Add(std::string_view bytes) {
    for (unsigned char c : bytes) value = (value ^ c) * 1099511628211ull;
  }
};

class Client {
 public:
  explicit Client(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int yes = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
    // A safety net so a broken server fails the test instead of hanging it; nothing is timed.
    timeval limit{60, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(uint16_t(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) throw std::runtime_error("connect");
  }
  ~Client() { close(fd_); }
  int fd() const { return fd_; }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      data.remove_prefix(size_t(n));
    }
    return true;
  }

  struct Reply {
    int status = 0;
    std::string head;
    std::string body;
    std::string Header(std::string_view name) const {
      std::string needle = fmt::format("\r\n{}: ", name);
      size_t at = head.find(needle);
      if (at == std::string::npos) return {};
      at += needle.size();
      return head.substr(at, head.find("\r\n", at) - at);
    }
  };

  // Reads one response: its head, then Content-Length bytes of body (none when `head_only`),
  // given to `sink` when set instead of kept. nullopt when the connection ended first.
  std::optional<Reply> Next(bool head_only = false, const std::function<void(std::string_view)>& sink = {}) {
    Reply reply;
    size_t end;
    while ((end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return std::nullopt;
    }
    reply.head = buf_.substr(0, end + 2);
    buf_.erase(0, end + 4);
    reply.status = std::atoi(reply.head.c_str() + 9);
    if (head_only) return reply;
    uint64_t left = std::strtoull(reply.Header("Content-Length").c_str(), nullptr, 10);
    while (left > 0) {
      if (buf_.empty() && !Fill()) return std::nullopt;
      const size_t n = size_t(std::min<uint64_t>(left, buf_.size()));
      if (sink) {
        sink(std::string_view(buf_).substr(0, n));
      } else {
        reply.body.append(buf_, 0, n);
      }
      buf_.erase(0, n);
      left -= n;
    }
    return reply;
  }

  // True when the server closed (or reset) the connection with nothing more to read.
  bool Ended() {
    if (!buf_.empty()) return false;
    return !Fill();
  }
  const std::string& buffered() const { return buf_; }

 private:
  bool Fill() {
    char chunk[256 * 1024];
    ssize_t n;
    do {
      n = recv(fd_, chunk, sizeof chunk, 0);
    } while (n < 0 && errno == EINTR);
    if (n <= 0) return false;
    buf_.append(chunk, size_t(n));
    return true;
  }

  int fd_ = -1;
  std::string buf_;
};

struct TestServer {
  // `setup` sets the server's other handlers: all are set before it starts.
  explicit TestServer(HttpHandler handler, HttpServerOptions options = {},
                      const std::function<void(HttpServer&)>& setup = {})
      : server(options) {
    server.SetHandler(std::move(handler));
    if (setup) setup(server);
    REQUIRE(server.Start("127.0.0.1", 0).ok());
  }
  HttpServer server;
  int port() const { return server.port(); }
};

// Answers "<method> <path> <body>" after reading the body whole.
void Echo(HttpRequest& req, HttpResponse& res) {
  Status read = ReadBody(req, 1 << 20);
  if (!read.ok()) {
    res.status = read.code() == kHttpRequestTooLarge ? 413 : 400;
    res.SetContent(read.code(), "text/plain");
    return;
  }
  res.SetContent(req.method + " " + req.path + " " + req.body, "text/plain");
}

std::string ChunkedBody(size_t total, size_t chunk, Hash* hash) {
  std::string out;
  for (size_t at = 0; at < total; at += chunk) {
    std::string piece(std::min(chunk, total - at), '\0');
    for (size_t i = 0; i < piece.size(); ++i) piece[i] = char((at + i) * 31 % 251);
    if (hash) hash->Add(piece);
    out += fmt::format("{:x}\r\n", piece.size());
    out += piece;
    out += "\r\n";
  }
  return out + "0\r\n\r\n";
}

}  // namespace

TEST_CASE("pipelined requests on one connection are answered in order", "[http_server]") {
  TestServer t(Echo);
  Client c(t.port());
  REQUIRE(c.Send("GET /a HTTP/1.1\r\n\r\n"
                 "POST /b HTTP/1.1\r\nContent-Length: 3\r\n\r\nxyz"
                 "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n"
                 "GET /d HTTP/1.1\r\nConnection: close\r\n\r\n"));
  CHECK(c.Next()->body == "GET /a ");
  CHECK(c.Next()->body == "POST /b xyz");
  CHECK(c.Next()->body == "POST /c hi");
  auto last = c.Next();
  REQUIRE(last);
  CHECK(last->body == "GET /d ");
  CHECK(last->Header("Connection") == "close");
  CHECK(c.Ended());
}

TEST_CASE("100 Continue is sent when the handler reads the body", "[http_server]") {
  TestServer t(Echo);
  Client c(t.port());
  REQUIRE(c.Send("PUT /obj HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"));
  auto go_on = c.Next(/*head_only=*/true);
  REQUIRE(go_on);
  CHECK(go_on->status == 100);
  REQUIRE(c.Send("hello"));
  auto reply = c.Next();
  REQUIRE(reply);
  CHECK(reply->status == 200);
  CHECK(reply->body == "PUT /obj hello");
}

TEST_CASE("a handler that answers without reading the body does not keep the client waiting",
          "[http_server]") {
  TestServer t([](HttpRequest& req, HttpResponse& res) { res.status = 413; });
  Client c(t.port());
  REQUIRE(c.Send("PUT /obj HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 5000000\r\n\r\n"));
  auto reply = c.Next();
  REQUIRE(reply);
  CHECK(reply->status == 413);  // not 100: the body was never asked for
  CHECK(reply->Header("Connection") == "close");
  CHECK(c.Ended());
}

TEST_CASE("a body over ReadBody's limit is refused without 100 Continue", "[http_server]") {
  TestServer t(Echo);
  Client c(t.port());
  REQUIRE(c.Send("PUT /obj HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2000000\r\n\r\n"));
  auto reply = c.Next();
  REQUIRE(reply);
  CHECK(reply->status == 413);
  CHECK(reply->body == kHttpRequestTooLarge);
  CHECK(reply->Header("Connection") == "close");
}

TEST_CASE("a chunked body over ReadBody's limit is refused and the connection closed", "[http_server]") {
  TestServer t(Echo);
  Client c(t.port());
  std::thread sender([&] { c.Send("POST /big HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" +
                                  ChunkedBody(3 << 20, 10000, nullptr)); });
  auto reply = c.Next();
  sender.join();
  REQUIRE(reply);
  CHECK(reply->status == 413);
  CHECK(reply->Header("Connection") == "close");
}

TEST_CASE("a slow client sending one byte at a time is served", "[http_server]") {
  TestServer t(Echo);
  Client c(t.port());
  const std::string request =
      "POST /slow HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4;x=y\r\ndefg\r\n0\r\n\r\n"
      "GET /next HTTP/1.1\r\n\r\n";
  for (char ch : request) REQUIRE(c.Send(std::string_view(&ch, 1)));
  CHECK(c.Next()->body == "POST /slow abcdefg");
  CHECK(c.Next()->body == "GET /next ");
}

TEST_CASE("connections over the cap are refused, and those within it served", "[http_server]") {
  HttpServerOptions options;
  options.max_connections = 1;
  TestServer t(Echo, options);
  Client first(t.port());
  REQUIRE(first.Send("GET /1 HTTP/1.1\r\n\r\n"));
  CHECK(first.Next()->body == "GET /1 ");  // the first connection's thread is running now

  Client refused(t.port());
  refused.Send("GET /2 HTTP/1.1\r\n\r\n");  // may fail: the server may have closed already
  CHECK(refused.Ended());                   // closed without an answer; the client may retry
  CHECK(refused.buffered().empty());

  REQUIRE(first.Send("GET /3 HTTP/1.1\r\n\r\n"));
  CHECK(first.Next()->body == "GET /3 ");
}

TEST_CASE("a refused upload still reads its answer: the rest is drained before closing", "[http_server]") {
  HttpServerOptions options;
  options.max_body_bytes = 1000;
  std::atomic<bool> handled{false};
  TestServer t(Echo, options, [&](HttpServer& s) {
    s.SetErrorHandler([&](HttpRequest&, HttpResponse& res) {
      handled = true;
      res.SetContent("too large", "text/plain");
    });
  });
  Client c(t.port());
  std::thread sender([&] {
    c.Send("PUT /obj HTTP/1.1\r\nContent-Length: 10000000\r\n\r\n");
    c.Send(std::string(4 << 20, 'x'));  // the server refuses while this is on its way
  });
  auto reply = c.Next();
  sender.join();
  REQUIRE(reply);
  CHECK(reply->status == 413);
  CHECK(reply->body == "too large");
  CHECK(reply->Header("Connection") == "close");
  CHECK(handled);
}

TEST_CASE("bad chunked framing in a body is a 400 and closes the connection", "[http_server]") {
  TestServer t(Echo);
  Client c(t.port());
  REQUIRE(c.Send("POST /b HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX\r\n0\r\n\r\n"));
  auto reply = c.Next();
  REQUIRE(reply);
  CHECK(reply->status == 400);
  CHECK(reply->Header("Connection") == "close");
  CHECK(c.Ended());
}

TEST_CASE("an unparseable head is answered by the error handler", "[http_server]") {
  TestServer t(Echo, {}, [](HttpServer& s) {
    s.SetErrorHandler([](HttpRequest& req, HttpResponse& res) {
      res.SetContent(fmt::format("{} for '{}'", res.status, req.method), "text/plain");
    });
  });
  Client c(t.port());
  REQUIRE(c.Send("GET / SPDY/3\r\n\r\n"));
  auto reply = c.Next();
  REQUIRE(reply);
  CHECK(reply->status == 400);
  CHECK(reply->body == "400 for ''");
}

TEST_CASE("a body the handler left unread is skipped, and the connection kept", "[http_server]") {
  HttpServerOptions options;
  options.drain_limit_bytes = 64 * 1024;
  TestServer t([](HttpRequest& req, HttpResponse& res) { res.SetContent(req.path, "text/plain"); }, options);
  Client c(t.port());
  REQUIRE(c.Send("POST /small HTTP/1.1\r\nContent-Length: 10000\r\n\r\n" + std::string(10000, 'a') +
                 "POST /chunked HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + ChunkedBody(20000, 300, nullptr) +
                 "GET /after HTTP/1.1\r\n\r\n"));
  CHECK(c.Next()->body == "/small");
  CHECK(c.Next()->body == "/chunked");
  CHECK(c.Next()->body == "/after");

  // Over the drain limit: answered, then closed rather than read on.
  std::thread sender([&] { c.Send("POST /large HTTP/1.1\r\nContent-Length: 1000000\r\n\r\n" + std::string(1000000, 'a')); });
  auto reply = c.Next();
  sender.join();
  REQUIRE(reply);
  CHECK(reply->body == "/large");
  CHECK(reply->Header("Connection") == "close");
}

TEST_CASE("HEAD gets the head the handler set and no body", "[http_server]") {
  char path[] = "/tmp/lambda_local_http_head_XXXXXX";
  int file = mkstemp(path);
  REQUIRE(file >= 0);
  REQUIRE(write(file, "0123456789", 10) == 10);
  close(file);
  TestServer t([&](HttpRequest& req, HttpResponse& res) {
    if (req.path == "/file") {
      res.SetFileBody(open(path, O_RDONLY | O_CLOEXEC), 2, 5, "application/octet-stream");
    } else if (req.path == "/declared") {
      res.SetHeader("Content-Length", "12345");
    } else {
      res.SetContent("hello", "text/plain");
    }
  });
  Client c(t.port());
  REQUIRE(c.Send("HEAD /text HTTP/1.1\r\n\r\nHEAD /file HTTP/1.1\r\n\r\nHEAD /declared HTTP/1.1\r\n\r\n"
                 "GET /file HTTP/1.1\r\n\r\n"));
  auto text = c.Next(/*head_only=*/true);
  REQUIRE(text);
  CHECK(text->status == 200);
  CHECK(text->Header("Content-Length") == "5");
  auto file_head = c.Next(/*head_only=*/true);
  REQUIRE(file_head);
  CHECK(file_head->Header("Content-Length") == "5");
  CHECK(file_head->Header("Content-Type") == "application/octet-stream");
  auto declared = c.Next(/*head_only=*/true);
  REQUIRE(declared);
  CHECK(declared->Header("Content-Length") == "12345");
  // Had any HEAD answer carried a body, this would not parse as the GET's answer.
  auto get = c.Next();
  REQUIRE(get);
  CHECK(get->status == 200);
  CHECK(get->body == "23456");
  unlink(path);
}

TEST_CASE("a file body is streamed whole", "[http_server]") {
  char path[] = "/tmp/lambda_local_http_file_XXXXXX";
  int file = mkstemp(path);
  REQUIRE(file >= 0);
  const size_t size = 64u << 20;
  Hash expected;
  {
    std::string block(1 << 20, '\0');
    for (size_t at = 0; at < size; at += block.size()) {
      for (size_t i = 0; i < block.size(); i += 8) {
        uint64_t v = (at + i) * 0x9E3779B97F4A7C15ull;
        std::memcpy(&block[i], &v, 8);
      }
      expected.Add(block);
      REQUIRE(write(file, block.data(), block.size()) == ssize_t(block.size()));
    }
  }
  close(file);
  TestServer t([&](HttpRequest& req, HttpResponse& res) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (req.path == "/range") {
      res.SetFileBody(fd, 1000, 5000, "application/octet-stream");
    } else if (req.path == "/short") {
      res.SetFileBody(fd, size - 10, 20, "application/octet-stream");  // the file ends first
    } else {
      res.SetFileBody(fd, 0, size, "application/octet-stream");
    }
  });
  Client c(t.port());
  REQUIRE(c.Send("GET /whole HTTP/1.1\r\n\r\nGET /range HTTP/1.1\r\n\r\n"));
  Hash got;
  uint64_t received = 0;
  auto whole = c.Next(false, [&](std::string_view piece) {
    got.Add(piece);
    received += piece.size();
  });
  REQUIRE(whole);
  CHECK(whole->Header("Content-Length") == std::to_string(size));
  CHECK(received == size);
  CHECK(got.value == expected.value);
  auto range = c.Next();
  REQUIRE(range);
  REQUIRE(range->body.size() == 5000);
  uint64_t v = 1000 / 8 * 8 * 0x9E3779B97F4A7C15ull;
  CHECK(std::memcmp(range->body.data(), &v, 8) == 0);

  // A file shorter than promised cannot end its response: the connection closes.
  REQUIRE(c.Send("GET /short HTTP/1.1\r\n\r\n"));
  CHECK_FALSE(c.Next().has_value());
  unlink(path);
}

TEST_CASE("a large upload is streamed to the handler through its body reader", "[http_server]") {
  std::atomic<bool> body_was_empty{false};
  std::atomic<uint64_t> read_bytes{0};
  std::atomic<uint64_t> largest_read{0};
  std::atomic<uint64_t> hash{0};
  TestServer t([&](HttpRequest& req, HttpResponse& res) {
    body_was_empty = req.body.empty();
    if (!req.body_reader) {
      res.status = 500;  // no assertion here: this runs on the server's thread
      return;
    }
    std::optional<uint64_t> declared = req.body_reader->content_length();
    Hash h;
    uint64_t n = 0;
    char buf[64 * 1024];
    while (true) {
      Result<size_t> got = req.body_reader->Read(buf, sizeof buf);
      if (!got.ok()) {
        res.status = 400;
        return;
      }
      if (*got == 0) break;
      h.Add(std::string_view(buf, *got));
      n += *got;
      largest_read = std::max<uint64_t>(largest_read, *got);
    }
    read_bytes = n;
    hash = h.value;
    res.SetContent(declared ? std::to_string(*declared) : "chunked", "text/plain");
  });
  const size_t total = 48u << 20;
  Hash sent;
  const std::string body = ChunkedBody(total, 100000, &sent);
  Client c(t.port());
  std::thread sender([&] { c.Send("PUT /upload HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + body); });
  auto reply = c.Next();
  sender.join();
  REQUIRE(reply);
  CHECK(reply->status == 200);
  CHECK(reply->body == "chunked");
  CHECK(body_was_empty);
  CHECK(read_bytes == total);
  CHECK(hash == sent.value);
  CHECK(largest_read <= 64 * 1024);

  // A declared length is read the same way.
  std::string plain(3 << 20, 'q');
  std::thread sender2([&] { c.Send(fmt::format("PUT /upload HTTP/1.1\r\nContent-Length: {}\r\n\r\n", plain.size()) + plain); });
  auto second = c.Next();
  sender2.join();
  REQUIRE(second);
  CHECK(second->body == std::to_string(plain.size()));
  CHECK(read_bytes == plain.size());
}

TEST_CASE("a handler that throws is answered by the exception handler", "[http_server]") {
  TestServer t([](HttpRequest&, HttpResponse&) { throw std::runtime_error("boom"); }, {}, [](HttpServer& s) {
    s.SetExceptionHandler([](const HttpRequest&, HttpResponse& res, std::exception_ptr ep) {
      try {
        std::rethrow_exception(ep);
      } catch (const std::exception& e) {
        res.SetContent(e.what(), "text/plain");
      }
      res.status = 500;
    });
  });
  Client c(t.port());
  REQUIRE(c.Send("GET / HTTP/1.1\r\n\r\n"));
  auto reply = c.Next();
  REQUIRE(reply);
  CHECK(reply->status == 500);
  CHECK(reply->body == "boom");
}
