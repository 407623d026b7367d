#include "http/http_server.h"
#include "model/error_names.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include <fmt/format.h>

#include "http/http_connection.h"

namespace ll {

HttpServer::HttpServer(HttpServerOptions options) : options_(options) {}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::SetHandler(HttpHandler handler) { handler_ = std::move(handler); }
void HttpServer::SetErrorHandler(HttpHandler handler) { error_handler_ = std::move(handler); }
void HttpServer::SetExceptionHandler(
    std::function<void(const HttpRequest&, HttpResponse&, std::exception_ptr)> handler) {
  exception_handler_ = std::move(handler);
}

Status HttpServer::Start(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (getaddrinfo(host.c_str(), service.c_str(), &hints, &found) != 0 || !found) {
    return Status::Error(errors::kPortUnavailable, fmt::format("cannot resolve {}", host));
  }
  for (addrinfo* a = found; a && listen_fd_ < 0; a = a->ai_next) {
    int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, 1024) == 0) {
      listen_fd_ = fd;
    } else {
      close(fd);
    }
  }
  freeaddrinfo(found);
  if (listen_fd_ < 0) {
    return Status::Error(errors::kPortUnavailable,
                         fmt::format("cannot listen on {}:{}: the port is already in use or the "
                                     "address is not available (choose another with --port)",
                                     host, port));
  }
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = addr.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port)
                                     : ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
  return Status::Ok();
}

void HttpServer::Stop() {
  std::list<Connection> connections;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
    if (listen_fd_ >= 0) shutdown(listen_fd_, SHUT_RDWR);  // accept() returns
    // Idle keep-alive connections end now; one in a handler ends when its request does.
    for (Connection& c : connections_) {
      if (c.fd >= 0) shutdown(c.fd, SHUT_RDWR);
    }
  }
  if (acceptor_.joinable()) acceptor_.join();
  if (listen_fd_ >= 0) close(listen_fd_);
  listen_fd_ = -1;
  {
    std::lock_guard<std::mutex> lock(mu_);
    connections.swap(connections_);
  }
  for (Connection& c : connections) {
    if (c.thread.joinable()) c.thread.join();
  }
}

std::vector<std::thread> HttpServer::TakeFinishedLocked() {
  std::vector<std::thread> finished;
  for (auto it = connections_.begin(); it != connections_.end();) {
    if (it->done) {
      finished.push_back(std::move(it->thread));
      it = connections_.erase(it);
    } else {
      ++it;
    }
  }
  return finished;
}

void HttpServer::AcceptLoop() {
  while (true) {
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    const int accept_errno = errno;
    std::vector<std::thread> finished;
    bool stop = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      finished = TakeFinishedLocked();
      stop = stopping_;
      if (stop && fd >= 0) {
        close(fd);
        fd = -1;
      }
      if (!stop && fd >= 0) {
        if (connections_.size() >= options_.max_connections) {
          close(fd);  // the client sees a reset and may retry
        } else {
          int yes = 1;
          setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
          timeval idle{options_.idle_timeout_s, 0};
          setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &idle, sizeof idle);
          Connection& conn = connections_.emplace_back();
          conn.fd = fd;
          try {
            conn.thread = std::thread([this, c = &conn] { Serve(c); });
          } catch (const std::system_error&) {
            connections_.pop_back();  // no thread to be had (a pids limit): refuse this one
            close(fd);
          }
        }
      }
    }
    for (std::thread& t : finished) t.join();
    if (stop) break;
    if (fd < 0 && (accept_errno == EMFILE || accept_errno == ENFILE || accept_errno == ENOBUFS ||
                   accept_errno == ENOMEM)) {
      // Out of descriptors or memory: the pending connection stays queued; back off briefly
      // instead of spinning on it.
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
}

void HttpServer::Serve(Connection* conn) {
  const int fd = conn->fd;
  HttpConnection connection(fd, options_.max_body_bytes, std::chrono::seconds(options_.idle_timeout_s));
  HttpRequest req;
  while (true) {
    const HttpParse head = connection.ReadHead(&req);
    if (head == HttpParse::kIncomplete) break;  // closed, idle timeout, or shut down by Stop
    HttpResponse res;
    bool keep_alive = false;
    if (head == HttpParse::kComplete) {
      req.body_reader = connection.has_body() ? &connection : nullptr;
      Handle(req, res);
      req.body_reader = nullptr;
      keep_alive = req.keep_alive && connection.FinishBody(options_.drain_limit_bytes);
    } else {
      // Unparseable or over the limits: answer and close, the framing cannot be trusted.
      res.status = head == HttpParse::kTooLarge ? 413 : 400;
      if (!connection.head_parsed()) req = HttpRequest();
      if (error_handler_) error_handler_(req, res);
    }
    if (!connection.WriteResponse(req, res, keep_alive)) break;
    if (!keep_alive) {
      if (!connection.request_finished()) DrainBeforeClose(fd);
      break;
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  close(fd);
  conn->fd = -1;
  conn->done = true;
}

// After refusing a request whose body is still arriving, read (and drop) what the client
// sends for a moment before closing: closing with unread bytes sends a reset, which can
// destroy the refusal before the client reads it.
void HttpServer::DrainBeforeClose(int fd) {
  shutdown(fd, SHUT_WR);
  timeval linger{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &linger, sizeof linger);
  char buf[64 * 1024];
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (std::chrono::steady_clock::now() < until && recv(fd, buf, sizeof buf, 0) > 0) {
  }
}

void HttpServer::Handle(HttpRequest& req, HttpResponse& res) {
  try {
    if (handler_) {
      handler_(req, res);
    } else {
      res.status = 404;
    }
    if (res.status == -1) res.status = 200;
  } catch (...) {
    res = HttpResponse();
    if (exception_handler_) exception_handler_(req, res, std::current_exception());
    if (res.status == -1) res.status = 500;
  }
  if (res.status >= 400 && res.body.empty() && !res.has_file_body() && error_handler_) error_handler_(req, res);
}

}  // namespace ll
