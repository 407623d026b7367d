#include "base/fake_clock.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

namespace ll {

FakeClock::FakeClock() : now_(std::chrono::steady_clock::now().time_since_epoch().count()) {}

Clock::TimePoint FakeClock::Now() const { return TimePoint(TimePoint::duration(now_.load())); }

void FakeClock::Advance(std::chrono::nanoseconds by) {
  std::lock_guard<std::mutex> wake_lock(wake_mu_);
  std::vector<std::function<void()>> wakes;
  {
    // Under mu_: a waiter registered after this sees the new time; one registered before is woken.
    std::lock_guard<std::mutex> lock(mu_);
    now_ += std::chrono::duration_cast<TimePoint::duration>(by).count();
    for (const auto& [key, wake] : waiters_) wakes.push_back(wake);
  }
  for (const auto& wake : wakes) wake();
}

int FakeClock::AddWaiter(std::function<void()> wake) {
  std::lock_guard<std::mutex> lock(mu_);
  const int key = next_key_++;
  waiters_.emplace(key, std::move(wake));
  waiters_changed_.notify_all();
  return key;
}

void FakeClock::RemoveWaiter(int key) {
  std::lock_guard<std::mutex> wake_lock(wake_mu_);
  std::lock_guard<std::mutex> lock(mu_);
  waiters_.erase(key);
}

void FakeClock::AwaitWaiters(int count) {
  std::unique_lock<std::mutex> lock(mu_);
  waiters_changed_.wait(lock, [&] { return int(waiters_.size()) >= count; });
}

std::cv_status FakeClock::WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                                    TimePoint deadline) {
  std::mutex* const mu = lock.mutex();
  // Advance notifies under the waiter's own mutex: the caller holds it until cv.wait releases
  // it, so a notification cannot fall between the time check below and the wait.
  const int key = AddWaiter([&cv, mu] {
    std::lock_guard<std::mutex> guard(*mu);
    cv.notify_all();
  });
  if (Now() < deadline) cv.wait(lock);
  const std::cv_status status = Now() >= deadline ? std::cv_status::timeout : std::cv_status::no_timeout;
  lock.unlock();  // Advance may be waiting for it to wake this waiter
  RemoveWaiter(key);
  lock.lock();
  return status;
}

int FakeClock::Poll(pollfd* fds, nfds_t count, TimePoint deadline) {
  const int wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd < 0) return -1;
  const int key = AddWaiter([wake_fd] {
    uint64_t one = 1;
    (void)!write(wake_fd, &one, sizeof one);
  });
  std::vector<pollfd> all(fds, fds + count);
  all.push_back({wake_fd, POLLIN, 0});
  int result = 0;
  while (Now() < deadline) {
    for (auto& p : all) p.revents = 0;
    const int n = poll(all.data(), all.size(), -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      result = -1;
      break;
    }
    if (all.back().revents) {
      uint64_t drained;
      (void)!read(wake_fd, &drained, sizeof drained);
    }
    result = n - (all.back().revents ? 1 : 0);
    if (result > 0) {
      for (nfds_t i = 0; i < count; ++i) fds[i].revents = all[i].revents;
      break;
    }
  }
  const int saved_errno = errno;
  RemoveWaiter(key);
  close(wake_fd);
  errno = saved_errno;
  return result;
}

}  // namespace ll
