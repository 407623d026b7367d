#include "http/socket_io.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>

namespace ll {
namespace {

// sendfile has no MSG_NOSIGNAL: while this lives, a write to a vanished peer raises no
// SIGPIPE in this thread (it stays pending, and is taken back if it was ours).
class SigpipeBlock {
 public:
  SigpipeBlock() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    pending_before_ = sigismember(&pending, SIGPIPE) == 1;
  }
  ~SigpipeBlock() {
    if (raised_ && !pending_before_) {
      timespec zero{};
      sigtimedwait(&pipe_, nullptr, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  void Raised() { raised_ = true; }

 private:
  sigset_t pipe_;
  sigset_t old_;
  bool pending_before_ = false;
  bool raised_ = false;
};

}  // namespace

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

bool SendFile(int fd, int file_fd, uint64_t offset, uint64_t length, std::chrono::milliseconds stall) {
  // Non-blocking for the copy, so a peer that stops reading is noticed by poll's timeout
  // instead of holding the thread in sendfile; the socket's mode is restored after.
  const int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || (!(flags & O_NONBLOCK) && fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)) return false;
  bool ok = true;
  SigpipeBlock no_sigpipe;
  off_t at = off_t(offset);
  while (length > 0) {
    const size_t count = size_t(std::min<uint64_t>(length, 1u << 30));
    ssize_t n = sendfile(fd, file_fd, &at, count);
    if (n > 0) {
      length -= uint64_t(n);
      continue;
    }
    if (n == 0) {
      ok = false;  // the file is shorter than promised: the response cannot be completed
      break;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      if (errno == EPIPE) no_sigpipe.Raised();
      ok = false;
      break;
    }
    pollfd p{fd, POLLOUT, 0};
    int ready = poll(&p, 1, int(std::min<int64_t>(stall.count(), 1 << 30)));
    if (ready == 0 || (ready < 0 && errno != EINTR)) {
      ok = false;
      break;
    }
  }
  if (!(flags & O_NONBLOCK)) fcntl(fd, F_SETFL, flags);
  return ok;
}

}  // namespace ll
