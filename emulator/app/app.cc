#include "app/app.h"

#include <set>

#include <fmt/format.h>

namespace ll {

Result<std::unique_ptr<App>> App::Create(const AppOptions& options) {
  std::unique_ptr<App> app(new App());
  app->options_ = options;
  TemplateOptions topts;
  topts.region = options.region;
  topts.account_id = options.account_id;
  auto loaded = LoadTemplateFile(options.template_path, topts);
  if (!loaded.ok()) return loaded.status();
  app->loaded_ = std::move(*loaded);

  std::set<std::string> runtimes;
  for (const auto& fn : app->loaded_.functions) {
    if (!RuntimeCatalog::IsSupported(fn.runtime)) {
      return Status::Error("InvalidRuntimeException",
                           fmt::format("function {}: unknown runtime '{}' (supported: {})",
                                       fn.logical_id, fn.runtime, RuntimeCatalog::SupportedList()));
    }
    runtimes.insert(fn.runtime);
  }
  // Before the Reaper exists: resolving interpreters spawns and waits for helper processes.
  auto catalog = RuntimeCatalog::Create(runtimes);
  if (!catalog.ok()) return catalog.status();
  app->catalog_ = std::make_unique<RuntimeCatalog>(std::move(*catalog));
  app->limiter_ = MemoryLimiter::Create();
  app->reaper_ = std::make_unique<Reaper>();

  EnvironmentDeps deps;
  deps.reaper = app->reaper_.get();
  deps.limiter = app->limiter_.get();
  deps.sink = options.sink;
  if (const char* path = getenv("PATH")) deps.host.path = path;
  if (const char* v = getenv("AWS_ACCESS_KEY_ID"); v && *v) deps.host.access_key_id = v;
  if (const char* v = getenv("AWS_SECRET_ACCESS_KEY"); v && *v) deps.host.secret_access_key = v;
  if (const char* v = getenv("AWS_SESSION_TOKEN"); v && *v) deps.host.session_token = v;
  if (options.port > 0) {
    std::string host = options.host == "0.0.0.0" ? "127.0.0.1" : options.host;
    deps.host.endpoint_url = fmt::format("http://{}:{}", host, options.port);
  }
  InvokerOptions iopts;
  iopts.max_concurrency = options.max_concurrency;
  iopts.idle_timeout = options.idle_timeout;
  app->invoker_ = std::make_unique<Invoker>(app->catalog_.get(), deps, iopts);
  for (const auto& fn : app->loaded_.functions) app->invoker_->AddFunction(fn);
  return app;
}

App::~App() { Stop(); }

Status App::Serve() {
  FrontOptions fopts;
  fopts.host = options_.host;
  fopts.port = options_.port;
  fopts.worker_threads = options_.max_concurrency + 16;
  fopts.lambda.region = options_.region;
  fopts.lambda.account_id = options_.account_id;
  front_ = std::make_unique<FrontServer>(invoker_.get(), fopts);
  return front_->Start();
}

void App::Stop() {
  // Functions first, so requests waiting on them finish and the server can stop.
  if (invoker_) invoker_->Stop();
  if (front_) front_->Stop();
  reaper_.reset();
}

}  // namespace ll
