#include "invoke/invoker.h"

#include <set>

#include <fmt/format.h>

#include "model/error_names.h"
#include "model/log_lines.h"

namespace ll {

struct Invoker::FunctionState {
  // Guarded by Invoker::mu_.
  int running = 0;
  std::vector<std::unique_ptr<Environment>> idle;  // most recently used last
  std::set<Environment*> live;                     // idle and busy, for Stop()
};

// A concurrency slot, given back on destruction.
class Invoker::Lease {
 public:
  Lease(Invoker* owner, FunctionState* fs) : owner_(owner), fs_(fs) {}
  ~Lease() { owner_->Release(*fs_); }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;

 private:
  Invoker* owner_;
  FunctionState* fs_;
};

Invoker::Invoker(const RuntimeCatalog* catalog, EnvironmentDeps deps, InvokerOptions options)
    : catalog_(catalog), deps_(std::move(deps)), options_(options) {
  janitor_ = std::thread([this] { Janitor(); });
}

Invoker::~Invoker() { Stop(); }

Invoker::FunctionState& Invoker::StateFor(const std::string& name) {
  auto& fs = functions_[name];
  if (!fs) fs = std::make_unique<FunctionState>();
  return *fs;
}

bool Invoker::TryAcquire(FunctionState& fs, std::optional<int> reserved, std::string* reason) {
  std::lock_guard<std::mutex> lock(mu_);
  if (reserved && fs.running >= *reserved) {
    *reason = errors::kReasonReservedLimit;
    return false;
  }
  if (running_ >= options_.max_concurrency) {
    *reason = errors::kReasonConcurrentLimit;
    return false;
  }
  ++fs.running;
  ++running_;
  return true;
}

void Invoker::Release(FunctionState& fs) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    --fs.running;
    --running_;
  }
  capacity_cv_.notify_all();
}

bool Invoker::WaitForCapacity(const std::string& function, std::optional<int> reserved) {
  std::unique_lock<std::mutex> lock(mu_);
  FunctionState& fs = StateFor(function);
  capacity_cv_.wait(lock, [&] {
    return stopping_ ||
           (running_ < options_.max_concurrency && (!reserved || fs.running < *reserved));
  });
  return !stopping_;
}

std::unique_ptr<Environment> Invoker::TakeEnvironment(FunctionState& fs, const FunctionConfig& fn,
                                                      const Invocation& inv,
                                                      InvokeOutcome* failure) {
  std::vector<std::unique_ptr<Environment>> stale;
  std::unique_ptr<Environment> found;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = fs.idle.end(); it != fs.idle.begin();) {
      --it;
      Environment* env = it->get();
      if (env->version() != fn.version) continue;
      if (env->revision_id() != fn.revision_id || !env->reusable()) {
        // Older code or configuration, or dead: it is not used again.
        fs.live.erase(env);
        stale.push_back(std::move(*it));
        it = fs.idle.erase(it);
        continue;
      }
      found = std::move(*it);
      fs.idle.erase(it);
      break;
    }
  }
  stale.clear();  // kills and reaps, outside the lock
  if (found) return found;

  std::string message;
  std::string error_type = errors::kRuntimeUnknown;
  auto launch = catalog_->Resolve(fn);
  if (!launch.ok()) {
    message = launch.status().message();
    error_type = launch.status().code();
  } else {
    auto env = Environment::Start(fn, *launch, deps_);
    if (env.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      if (!stopping_) {
        fs.live.insert(env->get());
        return std::move(env.value());
      }
      message = "lambda-local is shutting down";
    } else {
      error_type = env.status().code();
      message = env.status().message();
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

void Invoker::ReturnEnvironment(FunctionState& fs, std::unique_ptr<Environment> env) {
  env->last_used = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (env->reusable() && !stopping_) {
      fs.idle.push_back(std::move(env));
      return;
    }
    fs.live.erase(env.get());
  }
  env.reset();  // kills and reaps, outside the lock
}

InvokeResult Invoker::Invoke(const ResolvedFunction& fn, const Invocation& inv) {
  InvokeResult result;
  FunctionState* fs;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) {
      result.status = Status::Error(errors::kService, "lambda-local is shutting down");
      return result;
    }
    fs = &StateFor(fn.config->name);  // never erased before Stop, so the pointer stays valid
  }
  if (!TryAcquire(*fs, fn.reserved_concurrency, &result.throttle_reason)) {
    result.status = Status::Error(errors::kTooManyRequests, "Rate Exceeded.");
    return result;
  }
  Lease lease(this, fs);
  std::unique_ptr<Environment> env = TakeEnvironment(*fs, *fn.config, inv, &result.outcome);
  if (!env) return result;
  result.outcome = env->Invoke(inv);
  ReturnEnvironment(*fs, std::move(env));
  return result;
}

void Invoker::Forget(const std::string& function) {
  std::vector<std::unique_ptr<Environment>> idle;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = functions_.find(function);
    if (it == functions_.end()) return;
    for (auto& env : it->second->idle) {
      it->second->live.erase(env.get());
      idle.push_back(std::move(env));
    }
    it->second->idle.clear();
  }
  idle.clear();  // busy ones go when their invocation ends: their revision no longer matches
}

void Invoker::Janitor() {
  std::unique_lock<std::mutex> lock(mu_);
  const auto period = std::min<std::chrono::milliseconds>(options_.idle_timeout,
                                                          std::chrono::milliseconds(30000));
  while (!stopping_) {
    janitor_cv_.wait_for(lock, period);
    if (stopping_) return;
    const auto cutoff = std::chrono::steady_clock::now() - options_.idle_timeout;
    std::vector<std::unique_ptr<Environment>> expired;
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
  std::vector<std::unique_ptr<Environment>> idle;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ && !janitor_.joinable()) return;
    stopping_ = true;
    for (auto& [name, fs] : functions_) {
      // Busy environments end their invocation as killed; their owners then drop them.
      for (Environment* env : fs->live) env->Kill();
      for (auto& env : fs->idle) {
        fs->live.erase(env.get());
        idle.push_back(std::move(env));
      }
      fs->idle.clear();
    }
  }
  capacity_cv_.notify_all();
  janitor_cv_.notify_all();
  if (janitor_.joinable()) janitor_.join();
  idle.clear();
}

}  // namespace ll
