#include "services/sns/delivery_workers.h"

namespace ll::sns {

DeliveryWorkers::DeliveryWorkers(size_t threads, size_t max_due) : max_due_(max_due) {
  for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { Loop(); });
}

DeliveryWorkers::~DeliveryWorkers() { Stop(); }

bool DeliveryWorkers::PostAt(Clock::time_point due, Job job) {
  {
    std::unique_lock lock(mu_);
    const bool now = due == Clock::time_point::min();
    if (now && max_due_ > 0) room_.wait(lock, [&] { return stopping_ || due_ < max_due_; });
    if (stopping_) return false;
    jobs_.emplace(std::make_pair(due, next_id_++), std::move(job));
    if (now) ++due_;
  }
  cv_.notify_one();
  return true;
}

size_t DeliveryWorkers::Stop(bool run_due) {
  size_t dropped = 0;
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    threads.swap(threads_);
    const auto now = Clock::now();
    for (auto it = jobs_.begin(); it != jobs_.end();) {
      if (!run_due || it->first.first > now) {
        if (it->first.first == Clock::time_point::min()) --due_;
        it = jobs_.erase(it);
        ++dropped;
      } else {
        ++it;
      }
    }
  }
  cv_.notify_all();
  room_.notify_all();
  for (auto& t : threads) t.join();
  return dropped;
}

size_t DeliveryWorkers::pending() const {
  std::lock_guard lock(mu_);
  return jobs_.size();
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
    if (first->first.first == Clock::time_point::min()) {
      --due_;
      room_.notify_one();
    }
    jobs_.erase(first);
    lock.unlock();
    job();
    lock.lock();
  }
}

}  // namespace ll::sns
