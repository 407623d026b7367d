// App: the composition root. Builds everything from a template and options, starts it in
// order (runtimes, memory limiter, reaper, store, invoker, async queue, watcher, front server)
// and stops it in reverse.
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>

#include "api/front_server.h"
#include "api/lambda_api.h"
#include "api/lambda_control_plane.h"
#include "base/status.h"
#include "invoke/async_queue.h"
#include "invoke/destinations.h"
#include "invoke/function_door.h"
#include "invoke/invoker.h"
#include "process/launcher.h"
#include "process/memory_limit.h"
#include "process/reaper.h"
#include "runtimes/runtime_catalog.h"
#include "services/service.h"
#include "store/function_state.h"
#include "store/function_store.h"
#include "store/state_store.h"
#include "template/template_loader.h"
#include "triggers/mapping_registry.h"
#include "watch/code_watcher.h"

namespace ll {

struct AppOptions {
  std::filesystem::path template_path;
  std::string host = "127.0.0.1";
  int port = 4566;
  int api_port = 3000;  // API Gateway's routes from the template; 0: not served on a port of their own
  bool api_port_chosen = false;  // false: the default, and a busy port is only reported
  std::string jwks;                 // JWT authorizers' key set (file or URL); "": each issuer's
  bool jwt_skip_signature = false;  // JWT authorizers check claims only
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  int max_concurrency = 64;
  std::chrono::milliseconds idle_timeout{300000};
  std::chrono::milliseconds async_retry_delay{1000};
  std::filesystem::path state_dir;  // empty: <template folder>/.lambda-local
  bool ephemeral = false;           // keep no state (a temporary folder, removed at exit)
  bool watch = true;                // hot reload of template functions' code folders
  LogSink sink;
};

class App {
 public:
  // Loads the template and the saved state and prepares every function; serves nothing yet.
  static Result<std::unique_ptr<App>> Create(const AppOptions& options);
  ~App();  // Stop()

  // Starts the front server on options.port, then the template's queues and mappings.
  Status Serve();
  // Kills every function process and stops serving. Idempotent.
  void Stop();
  // Last resort when Stop() hangs: SIGKILLs every function process group. Thread-safe.
  void KillAllProcesses();
  // The step Stop() is in, for a watchdog's message.
  const char* stop_step() const { return stop_step_.load(); }

  FunctionStore& store() { return *store_; }
  // What is kept across restarts (disabled with --ephemeral); services add sections to it.
  StateStore& state_store() { return *state_store_; }
  Invoker& invoker() { return *invoker_; }
  const LoadedTemplate& loaded() const { return loaded_; }
  std::string memory_limit_description() const { return limiter_->Describe(); }
  const std::filesystem::path& state_dir() const { return state_dir_; }
  int port() const { return front_ ? front_->port() : 0; }

 private:
  App() = default;
  void Notice(const std::string& function, const std::string& line);
  // What the Lambda API needs of the app.
  std::pair<LambdaApiContext, ControlPlaneContext> LambdaContexts();

  AppOptions options_;
  LoadedTemplate loaded_;
  std::filesystem::path state_dir_;
  std::unique_ptr<StateStore> state_store_;  // outlives everything that keeps state in it
  std::unique_ptr<RuntimeCatalog> catalog_;
  std::unique_ptr<MemoryLimiter> limiter_;
  std::unique_ptr<Reaper> reaper_;  // lives until the App is destroyed
  std::unique_ptr<Launcher> launcher_;
  std::unique_ptr<FunctionStore> store_;
  std::unique_ptr<FunctionState> function_state_;
  std::unique_ptr<Invoker> invoker_;
  Destinations destinations_;
  std::unique_ptr<AsyncQueue> async_;
  std::unique_ptr<FunctionDoor> door_;
  std::unique_ptr<MappingRegistry> mappings_;
  std::unique_ptr<CodeWatcher> watcher_;
  ServiceRegistry services_;  // outlives the front server, which reads it
  std::unique_ptr<FrontServer> front_;
  std::atomic<const char*> stop_step_{"not stopping"};
};

}  // namespace ll
