#include "process/launcher.h"

#include <signal.h>
#include <unistd.h>

#include <string>
#include <utility>

namespace ll {

// Where a prepared child's exit goes: to the launch that took it, else back to the Launcher.
struct Launcher::Slot {
  std::mutex mu;
  // Guarded by mu.
  bool launched = false;
  bool exited = false;
  int status = 0;  // when exited before launched
  Reaper::ExitCallback target;
};

struct Launcher::Waiting {
  PreparedChild child;
  std::unique_ptr<MemoryBox> box;
  std::shared_ptr<Slot> slot;

  ~Waiting() {
    if (child.control_fd >= 0) close(child.control_fd);
    if (child.output_fd >= 0) close(child.output_fd);
  }
};

Launcher::Launcher(Reaper* reaper, MemoryLimiter* limiter) : reaper_(reaper), limiter_(limiter) {
  Refill();
}

Launcher::~Launcher() {
  std::unique_lock<std::mutex> lock(mu_);
  stopping_ = true;
  cv_.wait(lock, [&] { return !refilling_; });
  if (waiting_) {
    std::lock_guard<std::mutex> slot_lock(waiting_->slot->mu);
    if (!waiting_->slot->exited) kill(-waiting_->child.pid, SIGKILL);
  }
  // The exit callback captures `this`: wait for it.
  cv_.wait(lock, [&] { return unreaped_ == 0; });
}

Result<LaunchedProcess> Launcher::Launch(const SpawnSpec& spec, int64_t limit_bytes,
                                         ExitCallback on_exit) {
  std::unique_ptr<Waiting> waiting;
  {
    std::lock_guard<std::mutex> lock(mu_);
    waiting = std::move(waiting_);
  }
  if (waiting) {
    waiting->box->SetLimit(limit_bytes);
    std::shared_ptr<Slot> slot = waiting->slot;
    bool taken = false;
    std::optional<int> exited_before;  // it died after taking the spec, before it was bound
    auto child = Reaper::Launch(waiting->child, spec, [&] {
      taken = true;
      {
        std::lock_guard<std::mutex> lock(slot->mu);
        if (slot->exited) {
          exited_before = slot->status;
        } else {
          slot->launched = true;
          slot->target = std::move(on_exit);
        }
      }
      if (!exited_before) {
        std::lock_guard<std::mutex> lock(mu_);
        --unreaped_;  // its exit goes to the launch from now on
      }
    });
    waiting->child.control_fd = -1;  // closed by Launch
    waiting->child.output_fd = -1;   // the caller's now, or closed by Launch
    cv_.notify_all();
    Refill();  // while the runtime starts
    if (exited_before) on_exit(*exited_before);
    if (child.ok()) {
      waiting->box->Attach(child->pid);
      return LaunchedProcess{*child, std::move(waiting->box)};
    }
    if (taken) return child.status();
    // It died before taking the spec: once it is reaped (its box can go then), start a new
    // child instead.
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] {
      std::lock_guard<std::mutex> slot_lock(slot->mu);
      return slot->exited;
    });
  }
  std::unique_ptr<MemoryBox> box = limiter_ ? limiter_->NewBox() : nullptr;
  if (box) box->SetLimit(limit_bytes);
  SpawnSpec direct = spec;
  direct.cgroup_procs_path = box ? box->procs_path() : "";
  auto child = reaper_->Spawn(direct, std::move(on_exit));
  Refill();
  if (!child.ok()) return child.status();
  if (box) box->Attach(child->pid);
  return LaunchedProcess{*child, std::move(box)};
}

void Launcher::KillGroup(pid_t pid) { kill(-pid, SIGKILL); }

void Launcher::Refill() {
  if (!limiter_ || !limiter_->uses_cgroups()) return;  // no move into a cgroup to save
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ || waiting_ || refilling_) return;
    refilling_ = true;
    ++unreaped_;  // before the fork: the exit callback may run at once
  }
  auto waiting = std::make_unique<Waiting>();
  waiting->box = limiter_->NewBox();
  waiting->slot = std::make_shared<Slot>();
  bool ready = false;
  if (waiting->box) {
    std::shared_ptr<Slot> slot = waiting->slot;
    auto child = reaper_->Prepare(waiting->box->procs_path(), [this, slot](int status) {
      Reaper::ExitCallback target;
      bool launched;
      {
        std::lock_guard<std::mutex> lock(slot->mu);
        slot->exited = true;
        slot->status = status;
        launched = slot->launched;
        if (launched) target = std::move(slot->target);
      }
      if (launched) {  // a launched process: `this` is not touched
        if (target) target(status);
        return;
      }
      std::unique_ptr<Waiting> dead;
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (waiting_ && waiting_->slot == slot) dead = std::move(waiting_);
      }
      dead.reset();  // closes its descriptors and removes its box, outside the lock
      std::lock_guard<std::mutex> lock(mu_);
      --unreaped_;  // last, and notified under the lock: the destructor may return from here on
      cv_.notify_all();
    });
    if (child.ok()) {
      waiting->child = *child;
      ready = true;
    }
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    refilling_ = false;
    if (ready) {
      waiting_ = std::move(waiting);
    } else {
      --unreaped_;
    }
  }
  cv_.notify_all();
}

}  // namespace ll
