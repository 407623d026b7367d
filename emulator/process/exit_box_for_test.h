// ExitBox (tests only): an exit callback for Reaper and Launcher, and a wait for its status.
#pragma once

#include <condition_variable>
#include <mutex>
#include <optional>

#include "process/reaper.h"

namespace ll {

struct ExitBox {
  std::mutex mu;
  std::condition_variable cv;
  std::optional<int> status;

  int Wait() {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return status.has_value(); });
    return *status;
  }
  Reaper::ExitCallback Callback() {
    return [this](int s) {
      std::lock_guard<std::mutex> lock(mu);
      status = s;
      cv.notify_all();
    };
  }
};

}  // namespace ll
