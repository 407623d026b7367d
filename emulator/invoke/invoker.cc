#include "invoke/invoker.h"

#include <utility>

#include <fmt/format.h>

#include "model/error_names.h"
#include "model/log_lines.h"

namespace ll {

struct Invoker::FunctionState {
  // Guarded by Invoker::mu_.
  int running = 0;
  bool forgotten = false;  // Forget() came while invocations ran: erased when the last ends
  std::vector<std::shared_ptr<Environment>> idle;  // most recently used last
  // Idle and busy, so that Stop() can kill busy ones from outside their invocation.
  std::map<Environment*, std::weak_ptr<Environment>> live;
};

// A concurrency slot of one function and the environment it runs on; both go back on
// destruction.
class Invoker::Lease {
 public:
  Lease(Invoker* owner, FunctionMap::iterator fs) : owner_(owner), fs_(fs) {}
  ~Lease() {
    if (owner_) owner_->Release(*this);
  }
  Lease(Lease&& other) noexcept
      : env(std::move(other.env)), owner_(std::exchange(other.owner_, nullptr)), fs_(other.fs_) {}
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  Lease& operator=(Lease&&) = delete;

  FunctionState& state() { return *fs_->second; }
  FunctionMap::iterator where() const { return fs_; }

  std::shared_ptr<Environment> env;

 private:
  Invoker* owner_;
  FunctionMap::iterator fs_;  // valid while running > 0: a state is erased only at 0
};

Invoker::Invoker(const RuntimeCatalog* catalog, EnvironmentDeps deps, InvokerOptions options)
    : catalog_(catalog), deps_(std::move(deps)), options_(options), clock_(deps_.clock) {
  janitor_ = std::thread([this] { Janitor(); });
}

Invoker::~Invoker() { Stop(); }

size_t Invoker::functions_tracked() const {
  std::lock_guard<std::mutex> lock(mu_);
  return functions_.size();
}

std::optional<Invoker::Lease> Invoker::Acquire(const ResolvedFunction& fn, InvokeResult* result,
                                               std::vector<std::shared_ptr<Environment>>* stale) {
  const FunctionConfig& config = *fn.config;
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_) {
    result->status = Status::Error(errors::kService, "lambda-local is shutting down");
    return std::nullopt;
  }
  auto it = functions_.find(config.name);
  const int function_running = it == functions_.end() ? 0 : it->second->running;
  if (fn.reserved_concurrency && function_running >= *fn.reserved_concurrency) {
    result->throttle_reason = errors::kReasonReservedLimit;
  } else if (running_ >= options_.max_concurrency) {
    result->throttle_reason = errors::kReasonConcurrentLimit;
  }
  if (!result->throttle_reason.empty()) {
    result->status = Status::Error(errors::kTooManyRequests, "Rate Exceeded.");
    return std::nullopt;
  }
  if (it == functions_.end()) it = functions_.emplace(config.name, std::make_unique<FunctionState>()).first;
  FunctionState& fs = *it->second;
  fs.forgotten = false;  // a function of that name is in use again
  ++fs.running;
  ++running_;
  Lease lease(this, it);
  for (auto env = fs.idle.end(); env != fs.idle.begin();) {
    --env;
    if ((*env)->version() != config.version) continue;
    if ((*env)->revision_id() != config.revision_id || !(*env)->reusable()) {
      // Older code or configuration, or dead: it is not used again.
      fs.live.erase(env->get());
      stale->push_back(std::move(*env));
      env = fs.idle.erase(env);
      continue;
    }
    lease.env = std::move(*env);
    fs.idle.erase(env);
    break;
  }
  return lease;
}

void Invoker::Release(Lease& lease) {
  std::shared_ptr<Environment> drop;
  if (lease.env) lease.env->last_used = clock_->Now();
  {
    std::lock_guard<std::mutex> lock(mu_);
    FunctionState& fs = lease.state();
    if (lease.env) {
      if (!stopping_ && !fs.forgotten && lease.env->reusable()) {
        fs.idle.push_back(std::move(lease.env));
      } else {
        fs.live.erase(lease.env.get());
        drop = std::move(lease.env);
      }
    }
    --fs.running;
    --running_;
    if (fs.forgotten && fs.running == 0) functions_.erase(lease.where());
  }
  capacity_cv_.notify_all();
  drop.reset();  // kills and reaps, outside the lock
}

bool Invoker::WaitForCapacity(const std::string& function, std::optional<int> reserved) {
  std::unique_lock<std::mutex> lock(mu_);
  capacity_cv_.wait(lock, [&] {
    if (stopping_) return true;
    if (running_ >= options_.max_concurrency) return false;
    if (!reserved) return true;
    auto it = functions_.find(function);
    return (it == functions_.end() ? 0 : it->second->running) < *reserved;
  });
  return !stopping_;
}

std::shared_ptr<Environment> Invoker::StartEnvironment(FunctionState& fs, const FunctionConfig& fn,
                                                       const Invocation& inv,
                                                       InvokeOutcome* failure) {
  std::string message;
  std::string error_type = errors::kRuntimeUnknown;
  auto launch = catalog_->Resolve(fn);
  if (!launch.ok()) {
    message = launch.status().message();
    error_type = launch.status().code();
  } else {
    auto started = Environment::Start(fn, *launch, deps_);
    if (started.ok()) {
      std::shared_ptr<Environment> env = std::move(started.value());
      std::unique_lock<std::mutex> lock(mu_);
      if (!stopping_) {
        fs.live.emplace(env.get(), env);
        return env;
      }
      lock.unlock();
      env.reset();  // kills and reaps, outside the lock
      message = "lambda-local is shutting down";
    } else {
      error_type = started.status().code();
      message = started.status().message();
      if (error_type == errors::kRuntimeInvalidEntrypoint && fn.runtime.rfind("provided", 0) == 0) {
        message = fmt::format("Couldn't find valid bootstrap(s): [{}] ({})",
                              (fn.code_dir / "bootstrap").string(), message);
      }
    }
  }
  // The environment could not start: answer as AWS does, with a function error.
  std::string full = fmt::format("RequestId: {} Error: {}", inv.request_id, message);
  failure->function_error = true;
  failure->payload = PlatformErrorJson(error_type, full);
  failure->log = StartLine(inv.request_id, fn.version) + "\n" + full + "\n" + error_type + "\n" +
                 EndLine(inv.request_id) + "\n";
  if (deps_.sink) {
    deps_.sink(fn.name, StartLine(inv.request_id, fn.version));
    deps_.sink(fn.name, full);
    deps_.sink(fn.name, EndLine(inv.request_id));
  }
  return nullptr;
}

InvokeResult Invoker::Invoke(const ResolvedFunction& fn, const Invocation& inv) {
  InvokeResult result;
  std::vector<std::shared_ptr<Environment>> stale;
  std::optional<Lease> lease = Acquire(fn, &result, &stale);
  stale.clear();  // kills and reaps, outside the lock
  if (!lease) return result;
  if (!lease->env) {
    // Only this thread touches the lease's state outside the lock, and only through
    // StartEnvironment, which locks.
    lease->env = StartEnvironment(lease->state(), *fn.config, inv, &result.outcome);
    if (!lease->env) return result;
  }
  result.outcome = lease->env->Invoke(inv);
  return result;  // the lease gives the environment and the slot back
}

void Invoker::Forget(const std::string& function) {
  std::vector<std::shared_ptr<Environment>> idle;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = functions_.find(function);
    if (it == functions_.end()) return;
    FunctionState& fs = *it->second;
    for (auto& env : fs.idle) {
      fs.live.erase(env.get());
      idle.push_back(std::move(env));
    }
    fs.idle.clear();
    if (fs.running == 0) {
      functions_.erase(it);
    } else {
      fs.forgotten = true;  // the last invocation to end erases it
    }
  }
  idle.clear();  // kills and reaps, outside the lock
}

void Invoker::Janitor() {
  std::unique_lock<std::mutex> lock(mu_);
  const auto period = std::min<std::chrono::milliseconds>(options_.idle_timeout,
                                                          std::chrono::milliseconds(30000));
  while (!stopping_) {
    clock_->WaitUntil(janitor_cv_, lock, clock_->Now() + period);
    if (stopping_) return;
    const auto cutoff = clock_->Now() - options_.idle_timeout;
    std::vector<std::shared_ptr<Environment>> expired;
    for (auto& [name, fs] : functions_) {
      auto& idle = fs->idle;
      for (auto it = idle.begin(); it != idle.end();) {
        if ((*it)->last_used < cutoff) {
          fs->live.erase(it->get());
          expired.push_back(std::move(*it));
          it = idle.erase(it);
        } else {
          ++it;
        }
      }
    }
    lock.unlock();
    expired.clear();  // kills and reaps, outside the lock
    lock.lock();
  }
}

void Invoker::Stop() {
  std::vector<std::shared_ptr<Environment>> envs;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ && !janitor_.joinable()) return;
    stopping_ = true;
    for (auto& [name, fs] : functions_) {
      // Busy ones stay live: their invocations end as killed and their leases drop them.
      for (auto& [raw, weak] : fs->live) {
        if (std::shared_ptr<Environment> env = weak.lock()) envs.push_back(std::move(env));
      }
      for (auto& env : fs->idle) fs->live.erase(env.get());
      fs->idle.clear();
    }
  }
  capacity_cv_.notify_all();
  janitor_cv_.notify_all();
  for (auto& env : envs) env->Kill();  // outside the lock
  if (janitor_.joinable()) janitor_.join();
  envs.clear();
}

}  // namespace ll
