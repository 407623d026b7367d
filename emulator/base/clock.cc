#include "base/clock.h"

#include <algorithm>
#include <cstdint>

namespace ll {
namespace {

class RealClock : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::steady_clock::now(); }

  std::cv_status WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                           TimePoint deadline) override {
    return cv.wait_until(lock, deadline);
  }

  int Poll(pollfd* fds, nfds_t count, TimePoint deadline) override {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Now());
    if (left.count() < 0) return 0;
    // One millisecond more, so that poll's rounding down never wakes us just before the deadline.
    return poll(fds, count, int(std::min<int64_t>(left.count() + 1, 1 << 30)));
  }
};

}  // namespace

Clock* Clock::Real() {
  static RealClock* const clock = new RealClock;  // never destroyed: threads may outlive statics
  return clock;
}

}  // namespace ll
