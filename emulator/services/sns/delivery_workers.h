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

  explicit DeliveryWorkers(size_t threads);
  ~DeliveryWorkers();
  DeliveryWorkers(const DeliveryWorkers&) = delete;
  DeliveryWorkers& operator=(const DeliveryWorkers&) = delete;

  // Runs `job` as soon as a thread is free; jobs posted together start in order. Thread-safe.
  void Post(Job job) { PostAt(Clock::time_point::min(), std::move(job)); }
  // Runs `job` at `due` or later. Dropped (false) once stopping.
  bool PostAt(Clock::time_point due, Job job);

  // Runs the jobs already due, drops the waiting ones (their count is returned), and joins the
  // threads. Idempotent.
  size_t Stop();

 private:
  void Loop();

  std::mutex mu_;
  std::condition_variable cv_;
  // Guarded by mu_. Keyed by due time, then by arrival, so equal times run in order.
  std::map<std::pair<Clock::time_point, uint64_t>, Job> jobs_;
  uint64_t next_id_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace ll::sns
