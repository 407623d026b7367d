#include "runtime_api/runtime_connection.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace ll {
namespace {

// Anything larger is refused before the Runtime API's own 6 MB limit is checked above it.
constexpr size_t kMaxBodyBytes = 64u << 20;
constexpr size_t kReadChunk = 64 * 1024;

}  // namespace

RuntimeConnection::~RuntimeConnection() { close(fd_); }

RuntimeConnection::Read RuntimeConnection::Next(HttpRequest* out) {
  while (true) {
    if (!in_.empty()) {
      HttpParseResult parsed = ParseHttpRequest(in_, kMaxBodyBytes, out);
      switch (parsed.status) {
        case HttpParse::kComplete:
          in_.erase(0, parsed.consumed);
          continue_sent_ = false;
          return Read::kRequest;
        case HttpParse::kBad:
          return Read::kBad;
        case HttpParse::kTooLarge:
          return Read::kTooLarge;
        case HttpParse::kIncomplete:
          if (parsed.headers_done && out->expects_continue && !continue_sent_) {
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
  iovec iov[2] = {{const_cast<char*>(head.data()), head.size()},
                  {const_cast<char*>(body.data()), body.size()}};
  int count = body.empty() ? 1 : 2;
  iovec* next = iov;
  while (count > 0) {
    msghdr msg{};
    msg.msg_iov = next;
    msg.msg_iovlen = size_t(count);
    ssize_t n = sendmsg(fd_, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return false;
      // The runtime is not reading: wait for room, but not past the deadline.
      int wait_ms = -1;
      if (deadline != std::chrono::steady_clock::time_point::max()) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;
        wait_ms = int(std::min<int64_t>(left.count() + 1, 1 << 30));
      }
      pollfd p{fd_, POLLOUT, 0};
      if (poll(&p, 1, wait_ms) < 0 && errno != EINTR) return false;
      continue;
    }
    size_t sent = size_t(n);
    while (count > 0 && sent >= next->iov_len) {
      sent -= next->iov_len;
      ++next;
      --count;
    }
    if (count > 0) {
      next->iov_base = static_cast<char*>(next->iov_base) + sent;
      next->iov_len -= sent;
    }
  }
  return true;
}

}  // namespace ll
