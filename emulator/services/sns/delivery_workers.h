// DeliveryWorkers: a few threads that run SNS delivery jobs, each now or at a given time (a
// retry's wait), so that neither a publisher nor a slow endpoint holds up anything else.
// Owns its threads: Stop (or the destructor) joins them.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace ll::sns {

class DeliveryWorkers {
 public:
  using Clock = std::chrono::steady_clock;
  using Job = std::function<void()>;

  // With `max_due` > 0, Post waits while that many jobs are due and not started, so that
  // publishers slow to the pace of deliveries rather than queue without bound.
  explicit DeliveryWorkers(size_t threads, size_t max_due = 0);
  ~DeliveryWorkers();
  DeliveryWorkers(const DeliveryWorkers&) = delete;
  DeliveryWorkers& operator=(const DeliveryWorkers&) = delete;

  // Runs `job` as soon as a thread is free; jobs posted together start in order. Thread-safe.
  // False (and `job` dropped) once stopping.
  bool Post(Job job) { return PostAt(Clock::time_point::min(), std::move(job)); }
  // Runs `job` at `due` or later. Dropped (false) once stopping.
  bool PostAt(Clock::time_point due, Job job);

  // Drops the waiting jobs (and the due ones too unless `run_due`), returns how many were
  // dropped, and joins the threads once the jobs running are done. Idempotent.
  size_t Stop(bool run_due = true);

  // Jobs waiting, due or not.
  size_t pending() const;

 private:
  void Loop();

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable room_;  // a due job was taken (for Post's wait)
  const size_t max_due_;
  // Guarded by mu_. Keyed by due time, then by arrival, so equal times run in order.
  std::map<std::pair<Clock::time_point, uint64_t>, Job> jobs_;
  uint64_t next_id_ = 0;
  size_t due_ = 0;  // jobs posted with Post and not yet taken
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace ll::sns
