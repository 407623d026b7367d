// Clock: the time every deadline of an execution environment is measured on, and the two
// waits that end at a deadline (a condition variable, poll). Production code uses Clock::Real(),
// the steady clock; tests use FakeClock, whose time moves only when the test advances it, so
// a timeout test waits for nothing.
#pragma once

#include <poll.h>

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace ll {

class Clock {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  virtual ~Clock() = default;
  // The steady clock. Lives as long as the process; thread-safe.
  static Clock* Real();

  virtual TimePoint Now() const = 0;
  // cv.wait_until(lock, deadline): kTimeout once `deadline` has passed, else kNoTimeout when
  // woken (perhaps spuriously, as a condition variable may be).
  virtual std::cv_status WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                                   TimePoint deadline) = 0;
  // poll(fds, count) until a descriptor is ready or `deadline` passes. Returns as poll does:
  // 0 at the deadline (at once, without a system call, when it has passed already).
  virtual int Poll(pollfd* fds, nfds_t count, TimePoint deadline) = 0;
};

}  // namespace ll
