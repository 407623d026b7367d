#include "invoke/timed_invoker.h"

#include <algorithm>

namespace ll {

struct TimedInvoker::Call {
  ResolvedFunction fn;
  Invocation inv;
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;  // guarded by mu
  InvokeResult result;  // guarded by mu; set when done
};

TimedInvoker::TimedInvoker(SyncInvoker* invoker, std::chrono::milliseconds linger)
    : invoker_(invoker), linger_(linger) {}

void TimedInvoker::Stop() {
  std::vector<std::thread> workers;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    workers.swap(workers_);
  }
  work_cv_.notify_all();
  for (std::thread& t : workers) t.join();
}

std::optional<InvokeResult> TimedInvoker::Invoke(const ResolvedFunction& fn, const Invocation& inv,
                                                 std::chrono::milliseconds timeout) {
  JoinFinished();
  auto call = std::make_shared<Call>();
  call->fn = fn;
  call->inv = inv;
  {
    std::lock_guard lock(mu_);
    if (stopping_) {
      InvokeResult stopped;
      stopped.status = Status::Error("ServiceException", "lambda-local is stopping");
      return stopped;
    }
    queue_.push_back(call);
    // Every waiting call has a worker of its own: one never waits behind another's function.
    if (queue_.size() > idle_) {
      workers_.emplace_back([this] { Work(); });
    } else {
      work_cv_.notify_one();
    }
  }
  std::unique_lock lock(call->mu);
  if (!call->cv.wait_for(lock, timeout, [&] { return call->done; })) return std::nullopt;
  return std::move(call->result);
}

void TimedInvoker::Work() {
  std::unique_lock lock(mu_);
  for (;;) {
    while (!queue_.empty()) {
      std::shared_ptr<Call> call = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      InvokeResult result = invoker_->Invoke(call->fn, call->inv);
      {
        std::lock_guard call_lock(call->mu);
        call->result = std::move(result);
        call->done = true;
      }
      call->cv.notify_one();
      lock.lock();
    }
    if (stopping_) return;
    ++idle_;
    const bool woken = work_cv_.wait_for(lock, linger_, [this] { return stopping_ || !queue_.empty(); });
    --idle_;
    if (woken) continue;  // a call, or stopping (then the loop above returns)
    // Idle for `linger`: end. The destructor or the next call joins this thread.
    finished_.push_back(std::this_thread::get_id());
    return;
  }
}

void TimedInvoker::JoinFinished() {
  std::vector<std::thread> ended;
  {
    std::lock_guard lock(mu_);
    if (finished_.empty()) return;
    for (std::thread::id id : finished_) {
      auto it = std::find_if(workers_.begin(), workers_.end(), [&](const std::thread& t) { return t.get_id() == id; });
      if (it != workers_.end()) {
        ended.push_back(std::move(*it));
        workers_.erase(it);
      }
    }
    finished_.clear();
  }
  for (std::thread& t : ended) t.join();
}

}  // namespace ll
