#include "runtime_api/fake_runtime.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>

namespace ll {
namespace {

// A test that goes wrong fails instead of hanging: no answer takes this long on loopback.
constexpr int kReadTimeoutSeconds = 20;
constexpr std::string_view kInvocation = "/2018-06-01/runtime/invocation/";

}  // namespace

FakeRuntime::FakeRuntime(const std::string& address) {
  const size_t colon = address.rfind(':');
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(uint16_t(std::atoi(address.c_str() + colon + 1)));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);  // only ever loopback
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  timeval tv{kReadTimeoutSeconds, 0};
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  int yes = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
  if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) Close();
}

FakeRuntime::~FakeRuntime() { Close(); }

void FakeRuntime::Close() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

std::string FakeRuntime::Reply::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

bool FakeRuntime::SendRaw(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(size_t(n));
  }
  return true;
}

FakeRuntime::Reply FakeRuntime::Read() {
  Reply reply;
  auto fill = [this] {
    char buf[65536];
    ssize_t n;
    do {
      n = recv(fd_, buf, sizeof buf, 0);
    } while (n < 0 && errno == EINTR);
    if (n <= 0) return false;
    in_.append(buf, size_t(n));
    return true;
  };
  while (true) {
    size_t end;
    while ((end = in_.find("\r\n\r\n")) == std::string::npos) {
      if (!fill()) return reply;
    }
    std::string head = in_.substr(0, end);
    in_.erase(0, end + 4);
    size_t line_end = head.find("\r\n");
    std::string status_line = head.substr(0, line_end);
    const int status = std::atoi(status_line.c_str() + status_line.find(' ') + 1);
    if (status == 100) continue;
    reply.status = status;
    size_t at = line_end == std::string::npos ? head.size() : line_end + 2;
    while (at < head.size()) {
      size_t next = head.find("\r\n", at);
      if (next == std::string::npos) next = head.size();
      std::string line = head.substr(at, next - at);
      size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        for (char& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
        size_t value = line.find_first_not_of(' ', colon + 1);
        reply.headers[name] = value == std::string::npos ? "" : line.substr(value);
      }
      at = next + 2;
    }
    const size_t length = size_t(std::atoll(reply.Header("content-length").c_str()));
    while (in_.size() < length) {
      if (!fill()) {
        reply.status = 0;
        return reply;
      }
    }
    reply.body = in_.substr(0, length);
    in_.erase(0, length);
    return reply;
  }
}

bool FakeRuntime::PeerClosed() {
  if (!in_.empty()) return false;
  char c;
  ssize_t n;
  do {
    n = recv(fd_, &c, 1, 0);
  } while (n < 0 && errno == EINTR);
  if (n > 0) in_.push_back(c);
  return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

FakeRuntime::Reply FakeRuntime::Call(std::string_view method, std::string_view path,
                                     std::string_view body,
                                     const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string request;
  request.append(method).append(" ").append(path).append(" HTTP/1.1\r\nHost: runtime\r\n");
  request.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  for (const auto& [name, value] : headers) request.append(name).append(": ").append(value).append("\r\n");
  request.append("\r\n").append(body);
  if (!SendRaw(request)) return {};
  return Read();
}

FakeRuntime::Reply FakeRuntime::Next() { return Call("GET", "/2018-06-01/runtime/invocation/next"); }

FakeRuntime::Reply FakeRuntime::Respond(const std::string& request_id, std::string_view body) {
  return Call("POST", std::string(kInvocation) + request_id + "/response", body);
}

FakeRuntime::Reply FakeRuntime::Error(const std::string& request_id, const std::string& error_type,
                                      std::string_view body) {
  return Call("POST", std::string(kInvocation) + request_id + "/error", body,
              {{"Lambda-Runtime-Function-Error-Type", error_type}});
}

FakeRuntime::Reply FakeRuntime::InitError(const std::string& error_type, std::string_view body) {
  return Call("POST", "/2018-06-01/runtime/init/error", body,
              {{"Lambda-Runtime-Function-Error-Type", error_type}});
}

}  // namespace ll
