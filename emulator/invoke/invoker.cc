#include "invoke/invoker.h"

#include <deque>
#include <set>

#include <fmt/format.h>

#include "model/error_names.h"
#include "model/log_lines.h"

namespace ll {

struct Invoker::FunctionState {
  std::shared_ptr<const FunctionConfig> config;
  Result<LaunchSpec> launch = Status::Error("", "");

  // Guarded by Invoker::mu_.
  int running = 0;
  std::vector<std::unique_ptr<Environment>> idle;  // most recently used last
  std::set<Environment*> live;                     // idle and busy, for Stop()
  std::deque<Invocation> async_queue;
  std::condition_variable async_cv;
  std::thread async_worker;
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

void Invoker::AddFunction(const FunctionConfig& fn) {
  auto fs = std::make_unique<FunctionState>();
  fs->config = std::make_shared<const FunctionConfig>(fn);
  fs->launch = catalog_->Resolve(fn);
  std::lock_guard<std::mutex> lock(mu_);
  functions_[fn.name] = std::move(fs);
}

std::shared_ptr<const FunctionConfig> Invoker::Find(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = functions_.find(name);
  return it == functions_.end() ? nullptr : it->second->config;
}

std::vector<std::shared_ptr<const FunctionConfig>> Invoker::List() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::shared_ptr<const FunctionConfig>> out;
  for (const auto& [name, fs] : functions_) out.push_back(fs->config);
  return out;
}

bool Invoker::TryAcquire(FunctionState& fs, std::string* reason) {
  std::lock_guard<std::mutex> lock(mu_);
  if (fs.config->reserved_concurrency && fs.running >= *fs.config->reserved_concurrency) {
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

std::unique_ptr<Environment> Invoker::TakeEnvironment(FunctionState& fs, const Invocation& inv,
                                                      InvokeOutcome* failure) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    while (!fs.idle.empty()) {
      std::unique_ptr<Environment> env = std::move(fs.idle.back());
      fs.idle.pop_back();
      if (env->reusable()) return env;
      fs.live.erase(env.get());
      // A dead idle environment: drop it (Kill only waits for a process already gone).
      mu_.unlock();
      env.reset();
      mu_.lock();
    }
  }
  std::string message;
  std::string error_type = errors::kRuntimeUnknown;
  if (!fs.launch.ok()) {
    message = fs.launch.status().message();
    error_type = fs.launch.status().code();
  } else {
    auto env = Environment::Start(*fs.config, fs.launch.value(), deps_);
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
      if (error_type == "Runtime.InvalidEntrypoint" &&
          fs.config->runtime.rfind("provided", 0) == 0) {
        message = fmt::format("Couldn't find valid bootstrap(s): [{}] ({})",
                              (fs.config->code_dir / "bootstrap").string(), message);
      }
    }
  }
  // The environment could not start: answer as AWS does, with a function error.
  std::string full = fmt::format("RequestId: {} Error: {}", inv.request_id, message);
  failure->function_error = true;
  failure->payload = PlatformErrorJson(error_type, full);
  failure->log = StartLine(inv.request_id, inv.version) + "\n" + full + "\n" + error_type + "\n" +
                 EndLine(inv.request_id) + "\n";
  if (deps_.sink) {
    deps_.sink(fs.config->name, StartLine(inv.request_id, inv.version));
    deps_.sink(fs.config->name, full);
    deps_.sink(fs.config->name, EndLine(inv.request_id));
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

InvokeResult Invoker::Invoke(const std::string& name, const Invocation& inv) {
  InvokeResult result;
  FunctionState* fs = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = functions_.find(name);
    if (it != functions_.end()) fs = it->second.get();
  }
  if (!fs) {
    result.status = Status::Error(errors::kResourceNotFound, "Function not found: " + name);
    return result;
  }
  if (!TryAcquire(*fs, &result.throttle_reason)) {
    result.status = Status::Error(errors::kTooManyRequests, "Rate Exceeded.");
    return result;
  }
  Lease lease(this, fs);
  std::unique_ptr<Environment> env = TakeEnvironment(*fs, inv, &result.outcome);
  if (!env) return result;
  result.outcome = env->Invoke(inv);
  ReturnEnvironment(*fs, std::move(env));
  return result;
}

Status Invoker::Enqueue(const std::string& name, Invocation inv) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_) return Status::Error(errors::kService, "lambda-local is shutting down");
  auto it = functions_.find(name);
  if (it == functions_.end()) {
    return Status::Error(errors::kResourceNotFound, "Function not found: " + name);
  }
  FunctionState& fs = *it->second;
  fs.async_queue.push_back(std::move(inv));
  if (!fs.async_worker.joinable()) {
    fs.async_worker = std::thread([this, &fs] { AsyncWorker(fs); });
  }
  fs.async_cv.notify_one();
  return Status::Ok();
}

void Invoker::AsyncWorker(FunctionState& fs) {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    fs.async_cv.wait(lock, [&] { return stopping_ || !fs.async_queue.empty(); });
    if (stopping_) return;
    Invocation inv = std::move(fs.async_queue.front());
    fs.async_queue.pop_front();
    while (true) {
      lock.unlock();
      InvokeResult r = Invoke(fs.config->name, inv);
      lock.lock();
      if (r.status.ok() || r.status.code() != errors::kTooManyRequests) break;
      if (fs.config->reserved_concurrency == 0) break;  // AWS drops these without retrying
      // Throttled: the event waits in its queue until a slot frees up, as in AWS.
      capacity_cv_.wait(lock, [&] {
        return stopping_ ||
               (running_ < options_.max_concurrency &&
                (!fs.config->reserved_concurrency || fs.running < *fs.config->reserved_concurrency));
      });
      if (stopping_) return;
    }
  }
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
  std::vector<std::thread> workers;
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
      fs->async_cv.notify_all();
      if (fs->async_worker.joinable()) workers.push_back(std::move(fs->async_worker));
    }
  }
  capacity_cv_.notify_all();
  janitor_cv_.notify_all();
  for (auto& t : workers) t.join();
  if (janitor_.joinable()) janitor_.join();
  idle.clear();
}

}  // namespace ll
