#include "http/socket_io.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>

namespace ll {

bool SendAll(int fd, std::string_view head, std::string_view body,
             std::chrono::steady_clock::time_point deadline) {
  iovec iov[2] = {{const_cast<char*>(head.data()), head.size()},
                  {const_cast<char*>(body.data()), body.size()}};
  int count = body.empty() ? 1 : 2;
  iovec* next = iov;
  while (count > 0) {
    msghdr msg{};
    msg.msg_iov = next;
    msg.msg_iovlen = size_t(count);
    ssize_t n = sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return false;
      // The peer is not reading: wait for room, but not past the deadline.
      int wait_ms = -1;
      if (deadline != std::chrono::steady_clock::time_point::max()) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;
        wait_ms = int(std::min<int64_t>(left.count() + 1, 1 << 30));
      }
      pollfd p{fd, POLLOUT, 0};
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
