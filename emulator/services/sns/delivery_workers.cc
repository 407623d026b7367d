#include "services/sns/delivery_workers.h"

namespace ll::sns {

DeliveryWorkers::DeliveryWorkers(size_t threads) {
  for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { Loop(); });
}

DeliveryWorkers::~DeliveryWorkers() { Stop(); }

bool DeliveryWorkers::PostAt(Clock::time_point due, Job job) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return false;
    jobs_.emplace(std::make_pair(due, next_id_++), std::move(job));
  }
  cv_.notify_one();
  return true;
}

size_t DeliveryWorkers::Stop() {
  size_t dropped = 0;
  {
    std::lock_guard lock(mu_);
    if (stopping_ && threads_.empty()) return 0;
    stopping_ = true;
    const auto now = Clock::now();
    for (auto it = jobs_.begin(); it != jobs_.end();) {
      if (it->first.first > now) {
        it = jobs_.erase(it);
        ++dropped;
      } else {
        ++it;
      }
    }
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
  threads_.clear();
  return dropped;
}

void DeliveryWorkers::Loop() {
  std::unique_lock lock(mu_);
  while (true) {
    if (jobs_.empty()) {
      if (stopping_) return;
      cv_.wait(lock);
      continue;
    }
    auto first = jobs_.begin();
    const auto due = first->first.first;
    if (due > Clock::now()) {
      if (stopping_) {
        jobs_.clear();
        return;
      }
      cv_.wait_until(lock, due);
      continue;
    }
    Job job = std::move(first->second);
    jobs_.erase(first);
    lock.unlock();
    job();
    lock.lock();
  }
}

}  // namespace ll::sns
