#include "runtime_api/runtime_api_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "model/error_names.h"
#include "model/log_lines.h"

namespace ll {
namespace {

constexpr std::string_view kJson = "application/json";
constexpr std::string_view kInvocationPrefix = "/2018-06-01/runtime/invocation/";

std::string_view ErrorSuffix(std::string_view path, std::string_view* request_id) {
  for (std::string_view suffix : {std::string_view("/response"), std::string_view("/error")}) {
    if (path.size() > kInvocationPrefix.size() + suffix.size() && path.starts_with(kInvocationPrefix) &&
        path.ends_with(suffix)) {
      std::string_view id = path.substr(kInvocationPrefix.size(),
                                        path.size() - kInvocationPrefix.size() - suffix.size());
      if (id.find('/') != std::string_view::npos) return {};
      *request_id = id;
      return suffix;
    }
  }
  return {};
}

// A header value may come from a caller (the client context): never let it end the header.
std::string_view HeaderSafe(std::string_view value, std::string* storage) {
  if (value.find_first_of("\r\n") == std::string_view::npos) return value;
  storage->assign(value);
  for (char& c : *storage) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return *storage;
}

}  // namespace

RuntimeApiServer::RuntimeApiServer(RuntimeApiBackend* backend) : backend_(backend) {}

RuntimeApiServer::~RuntimeApiServer() { Stop(); }

bool RuntimeApiServer::Start() {
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (listen_fd_ < 0) return false;
  int yes = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      listen(listen_fd_, 64) != 0 ||
      getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(listen_fd_);
    listen_fd_ = -1;
    return false;
  }
  port_ = ntohs(addr.sin_port);
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (epoll_fd_ < 0 || wake_fd_ < 0) return false;
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = listen_fd_;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &ev);
  ev.data.fd = wake_fd_;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);
  thread_ = std::thread([this] { Loop(); });
  return true;
}

std::string RuntimeApiServer::address() const { return "127.0.0.1:" + std::to_string(port_); }

void RuntimeApiServer::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
    resumed_.clear();
  }
  if (thread_.joinable()) {
    uint64_t one = 1;
    (void)!write(wake_fd_, &one, sizeof one);
    thread_.join();
  }
  conns_.clear();
  for (int* fd : {&listen_fd_, &epoll_fd_, &wake_fd_}) {
    if (*fd >= 0) close(*fd);
    *fd = -1;
  }
}

void RuntimeApiServer::Loop() {
  epoll_event events[32];
  while (true) {
    int n = epoll_wait(epoll_fd_, events, 32, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    for (int i = 0; i < n; ++i) {
      const int fd = events[i].data.fd;
      if (fd == listen_fd_) {
        Accept();
      } else if (fd == wake_fd_) {
        uint64_t count;
        (void)!read(wake_fd_, &count, sizeof count);
        std::vector<std::shared_ptr<RuntimeConnection>> resumed;
        {
          std::lock_guard<std::mutex> lock(mu_);
          if (stopping_) return;
          resumed.swap(resumed_);
        }
        for (auto& conn : resumed) {
          if (conn->finished) {
            Close(conn);
          } else {
            Drive(conn);
          }
        }
      } else if (auto it = conns_.find(fd); it != conns_.end()) {
        std::shared_ptr<RuntimeConnection> conn = it->second;
        Drive(conn);
      }
    }
  }
}

void RuntimeApiServer::Accept() {
  while (true) {
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        // The pending connection would wake the loop again at once: stop watching the
        // listener until a connection closes.
        epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
        accept_paused_ = true;
      }
      return;
    }
    int yes = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
    conns_[fd] = std::make_shared<RuntimeConnection>(fd);
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
    ev.data.fd = fd;
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
  }
}

void RuntimeApiServer::Drive(const std::shared_ptr<RuntimeConnection>& conn) {
  HttpRequest req;
  while (true) {
    switch (conn->Next(&req)) {
      case RuntimeConnection::Read::kRequest:
        switch (Serve(conn, req)) {
          case Served::kContinue:
            continue;
          case Served::kParked:
            return;
          case Served::kClose:
            Close(conn);
            return;
        }
        return;
      case RuntimeConnection::Read::kWouldBlock:
        Rearm(*conn);
        return;
      case RuntimeConnection::Read::kBad:
        conn->Send(HttpResponseHead(400, kJson, 0));
        Close(conn);
        return;
      case RuntimeConnection::Read::kTooLarge:
        conn->Send(HttpResponseHead(413, kJson, 0));
        Close(conn);
        return;
      case RuntimeConnection::Read::kClosed:
        Close(conn);
        return;
    }
  }
}

void RuntimeApiServer::Rearm(const RuntimeConnection& conn) {
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
  ev.data.fd = conn.fd();
  epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, conn.fd(), &ev);
}

void RuntimeApiServer::Close(const std::shared_ptr<RuntimeConnection>& conn) {
  conn->finished = true;
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, conn->fd(), nullptr);
  conns_.erase(conn->fd());  // the socket closes with the last holder
  if (accept_paused_) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = listen_fd_;
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &ev);
    accept_paused_ = false;
  }
}

void RuntimeApiServer::Resume(std::shared_ptr<RuntimeConnection> conn) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_) return;
  if (!conn->finished && !conn->has_buffered()) {
    Rearm(*conn);  // epoll_ctl is safe from any thread; the loop sees it from now on
    return;
  }
  resumed_.push_back(std::move(conn));
  uint64_t one = 1;
  (void)!write(wake_fd_, &one, sizeof one);
}

RuntimeApiServer::Served RuntimeApiServer::Serve(const std::shared_ptr<RuntimeConnection>& conn,
                                                 HttpRequest& req,
                                                 std::chrono::steady_clock::time_point deadline) {
  RuntimeReply reply;
  std::string_view content_type = kJson;
  std::string_view request_id;
  std::string_view suffix;
  const std::string& path = req.path;
  if (req.method == "GET" && path == "/2018-06-01/runtime/invocation/next") {
    // The event answers this request later; a runtime that asked to close gets it, then EOF.
    conn->close_after_event = !req.keep_alive;
    std::optional<RuntimeReply> refusal = backend_->OnNext(conn);
    if (!refusal) return Served::kParked;
    reply = std::move(*refusal);
  } else if (req.method == "POST" && !(suffix = ErrorSuffix(path, &request_id)).empty()) {
    std::string id(request_id);
    std::string body = std::move(req.body);
    if (suffix == "/response") {
      reply = backend_->PostResponse(conn.get(), id, std::move(body));
    } else {
      reply = backend_->PostError(conn.get(), id,
                                  std::string(req.Header("lambda-runtime-function-error-type")),
                                  std::move(body));
    }
  } else if (req.method == "POST" && path == "/2018-06-01/runtime/init/error") {
    reply = backend_->PostInitError(std::string(req.Header("lambda-runtime-function-error-type")),
                                    std::move(req.body));
  } else if (req.method == "GET" && path == "/2018-06-01/ping") {
    reply = {200, "pong"};
    content_type = "text/plain";
  } else {
    reply = {404, PlatformErrorJson(errors::kRuntimeApiNotFound, "Not found: " + path)};
  }
  if (!conn->Send(HttpResponseHead(reply.status, content_type, reply.body.size()), reply.body, deadline)) {
    conn->finished = true;
    return Served::kClose;
  }
  if (!req.keep_alive) {
    conn->finished = true;
    return Served::kClose;
  }
  return Served::kContinue;
}

bool RuntimeApiServer::SendEvent(RuntimeConnection& conn, const NextEvent& ev,
                                 std::chrono::steady_clock::time_point deadline) {
  std::string deadline_ms = std::to_string(ev.deadline_ms);
  std::string trace_id, client_context, cognito;
  std::vector<std::pair<std::string_view, std::string_view>> headers = {
      {"Lambda-Runtime-Aws-Request-Id", ev.request_id},
      {"Lambda-Runtime-Deadline-Ms", deadline_ms},
      {"Lambda-Runtime-Invoked-Function-Arn", ev.invoked_function_arn},
  };
  if (!ev.trace_id.empty()) {
    headers.emplace_back("Lambda-Runtime-Trace-Id", HeaderSafe(ev.trace_id, &trace_id));
  }
  if (!ev.client_context.empty()) {
    headers.emplace_back("Lambda-Runtime-Client-Context", HeaderSafe(ev.client_context, &client_context));
  }
  if (!ev.cognito_identity.empty()) {
    headers.emplace_back("Lambda-Runtime-Cognito-Identity", HeaderSafe(ev.cognito_identity, &cognito));
  }
  return conn.Send(HttpResponseHead(200, kJson, ev.payload.size(), headers), ev.payload, deadline);
}

}  // namespace ll
