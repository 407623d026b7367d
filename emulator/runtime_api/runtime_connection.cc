#include "runtime_api/runtime_connection.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "http/socket_io.h"

namespace ll {
namespace {

// Anything larger is refused before the Runtime API's own 6 MB limit is checked above it.
constexpr size_t kMaxBodyBytes = 64u << 20;
constexpr size_t kReadChunk = 64 * 1024;

}  // namespace

RuntimeConnection::RuntimeConnection(int fd) : fd_(fd), parser_(kMaxBodyBytes) {}

RuntimeConnection::~RuntimeConnection() { close(fd_); }

RuntimeConnection::Read RuntimeConnection::Next(HttpRequest* out) {
  while (true) {
    if (!in_.empty()) {
      HttpParseResult parsed = parser_.Parse(in_, &pending_);
      switch (parsed.status) {
        case HttpParse::kComplete:
          in_.erase(0, parsed.consumed);
          *out = std::move(pending_);
          pending_ = HttpRequest();
          parser_.Reset();
          continue_sent_ = false;
          return Read::kRequest;
        case HttpParse::kBad:
          return Read::kBad;
        case HttpParse::kTooLarge:
          return Read::kTooLarge;
        case HttpParse::kIncomplete:
          if (parsed.headers_done && pending_.expects_continue && !continue_sent_) {
            continue_sent_ = true;
            if (!Send("HTTP/1.1 100 Continue\r\n\r\n")) return Read::kClosed;
          }
          break;
      }
    }
    char buf[kReadChunk];
    ssize_t n = recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0) in_.append(buf, size_t(n));
    if (n == 0) return Read::kClosed;
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno == EAGAIN || errno == EWOULDBLOCK ? Read::kWouldBlock : Read::kClosed;
    }
  }
}

bool RuntimeConnection::Send(std::string_view head, std::string_view body,
                             std::chrono::steady_clock::time_point deadline) {
  return SendAll(fd_, head, body, deadline);
}

}  // namespace ll
