// FakeClock (tests only): a Clock whose time moves only when the test calls Advance, which
// also wakes every wait in progress, so code under test sees its deadlines pass at once.
// It starts at the real steady clock's reading, so a deadline taken from it and handed to a
// real wait (a socket send) stays sensible. Thread-safe.
#pragma once

#include <atomic>
#include <functional>
#include <map>

#include "base/clock.h"

namespace ll {

class FakeClock : public Clock {
 public:
  FakeClock();

  TimePoint Now() const override;
  // Waits on `cv` with no real timeout: returns when notified (by the code under test or by
  // Advance) or at once when `deadline` has passed. Unlocks and relocks `lock` once more
  // before returning, as a spurious wakeup might.
  std::cv_status WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                           TimePoint deadline) override;
  // Polls `fds` and a descriptor of its own that Advance writes to.
  int Poll(pollfd* fds, nfds_t count, TimePoint deadline) override;

  // Moves time forward and wakes every wait in progress.
  void Advance(std::chrono::nanoseconds by);
  // Blocks until at least `count` waits are in progress: how a test knows that the code
  // under test has taken its deadline and is waiting for it.
  void AwaitWaiters(int count);

 private:
  // Registers `wake`, to be called by Advance; returns its key.
  int AddWaiter(std::function<void()> wake);
  void RemoveWaiter(int key);

  std::atomic<TimePoint::rep> now_;
  // Held by Advance while it wakes waiters and by RemoveWaiter, so a waiter's wake function
  // is never called after its wait has returned. Taken before mu_.
  std::mutex wake_mu_;
  mutable std::mutex mu_;
  std::condition_variable waiters_changed_;
  // Guarded by mu_.
  std::map<int, std::function<void()>> waiters_;
  int next_key_ = 0;
};

}  // namespace ll
