#include "app/app.h"

#include <unistd.h>

#include <chrono>
#include <set>

#include <fmt/format.h>

#include "base/strings.h"
#include "model/error_names.h"
#include "api/lambda_service.h"
#include "services/apigateway/install.h"
#include "services/s3/install.h"
#include "services/sns/install.h"
#include "services/sqs/install.h"

namespace ll {
namespace {

constexpr char kStateDatabase[] = "state.db";
constexpr char kLegacyStateFile[] = "state.json";  // before state.db; imported once

}  // namespace

Result<std::unique_ptr<App>> App::Create(const AppOptions& options) {
  std::unique_ptr<App> app(new App());
  app->options_ = options;
  TemplateOptions topts;
  topts.region = options.region;
  topts.account_id = options.account_id;
  topts.endpoint = fmt::format("http://localhost:{}", options.port > 0 ? options.port : 4566);
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

  // State folder: where API-created functions keep their code and the store its state.
  std::error_code ec;
  if (options.ephemeral) {
    app->state_dir_ = std::filesystem::temp_directory_path() /
                      fmt::format("lambda-local-{}-{}", getpid(), RandomHex(8));
  } else if (!options.state_dir.empty()) {
    app->state_dir_ = std::filesystem::absolute(options.state_dir, ec);
  } else {
    app->state_dir_ =
        std::filesystem::absolute(options.template_path, ec).parent_path() / ".lambda-local";
  }
  std::filesystem::create_directories(app->state_dir_, ec);
  if (ec) {
    return Status::Error("StateDirUnavailable",
                         fmt::format("cannot create the state folder {}: {}",
                                     app->state_dir_.string(), ec.message()));
  }

  if (options.ephemeral) {
    app->state_store_ = StateStore::Disabled();
  } else {
    auto opened = StateStore::Open(app->state_dir_ / kStateDatabase);
    if (!opened.ok()) return opened.status();
    app->state_store_ = std::move(*opened);
  }

  app->store_ = std::make_unique<FunctionStore>();
  const std::string now = NowLastModified();
  for (auto fn : app->loaded_.functions) {
    fn.revision_id = NewRevisionId();
    fn.last_modified = now;
    app->store_->PutTemplateFunction(fn);
  }
  app->function_state_ =
      std::make_unique<FunctionState>(app->state_store_.get(), app->store_.get());
  if (!options.ephemeral) {
    Status s = app->function_state_->Load(app->state_dir_ / kLegacyStateFile);
    if (!s.ok()) return s;
  }
  // The template's function URLs, made again at each start (after what the API kept).
  for (const FunctionUrlResource& r : app->loaded_.function_urls) {
    FunctionUrlConfig url;
    url.url_id = FunctionUrlId(options.account_id, options.region, r.function_name, r.qualifier);
    url.auth_type = r.auth_type;
    url.invoke_mode = r.invoke_mode;
    url.cors = r.cors;
    url.creation_time = IsoTimestampUtc(std::chrono::system_clock::now());
    url.last_modified_time = url.creation_time;
    url.from_template = true;
    Status s = app->store_->Update(r.function_name, [&](FunctionRecord& rec) {
      rec.urls[r.qualifier] = url;
      return Status::Ok();
    });
    if (!s.ok()) {
      return Status::Error(errors::kInvalidTemplate,
                           fmt::format("{}: the function {} is not in the template", r.source, r.function_name));
    }
  }
  if (!options.ephemeral) {
    FunctionState* function_state = app->function_state_.get();
    App* raw = app.get();
    app->store_->set_on_change([function_state, raw](const std::string& name) {
      Status s = function_state->Save(name);
      if (!s.ok()) raw->Notice("lambda-local", "state not saved: " + s.message());
    });
  }

  app->limiter_ = MemoryLimiter::Create();
  app->reaper_ = std::make_unique<Reaper>();
  app->launcher_ = std::make_unique<Launcher>(app->reaper_.get(), app->limiter_.get());

  EnvironmentDeps deps;
  deps.supervisor = app->launcher_.get();
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

  AsyncOptions aopts;
  aopts.retry_delay = options.async_retry_delay;
  App* raw = app.get();
  auto notice = [raw](const std::string& fn, const std::string& line) { raw->Notice(fn, line); };
  app->async_ = std::make_unique<AsyncQueue>(app->invoker_.get(), &app->destinations_, aopts, notice);
  app->door_ = std::make_unique<FunctionDoor>(app->store_.get(), app->invoker_.get(),
                                              app->async_.get());
  app->destinations_.Register("lambda", app->door_->AsDestination());
  app->mappings_ = std::make_unique<MappingRegistry>(app->door_.get(), options.region,
                                                     options.account_id, notice);

  // The services on the front port: each is one Install call.
  ServiceContext services;
  services.options.region = options.region;
  services.options.account_id = options.account_id;
  services.options.default_host = fmt::format("localhost:{}", options.port > 0 ? options.port : 4566);
  services.options.bind_host = options.host;
  services.options.api_port = options.api_port;
  services.options.api_port_chosen = options.api_port_chosen;
  services.options.jwks = options.jwks;
  services.options.jwt_skip_signature = options.jwt_skip_signature;
  services.services = &app->services_;
  services.functions = app->door_.get();
  services.destinations = &app->destinations_;
  services.mappings = app->mappings_.get();
  services.notice = notice;
  services.store = app->state_store_.get();
  services.state_dir = app->state_dir_;
  auto [invoke, control_plane] = app->LambdaContexts();
  control_plane.default_host = services.options.default_host;
  InstallLambda(services, std::move(invoke), std::move(control_plane));
  sqs::InstallSqs(services);
  if (Status installed = s3::InstallS3(services); !installed.ok()) return installed;
  if (Status installed = sns::InstallSns(services); !installed.ok()) return installed;
  apigw::InstallApiGateway(services);

  // The template's resources exist before anything can send to them or map them.
  if (Status provisioned = app->services_.ProvisionAll(app->loaded_); !provisioned.ok()) {
    return provisioned;
  }
  // Mappings created through the API come back with their UUIDs; template ones are made anew.
  {
    StateSection kept = app->state_store_->Section("lambda.event_source_mappings");
    std::vector<EventSourceMapping> restored;
    Status read = kept.ForEach([&](std::string_view, std::string_view value) {
      auto m = ParseMappingState(value);
      if (m.ok()) {
        restored.push_back(std::move(*m));
      } else {
        raw->Notice("lambda-local", m.status().message());
      }
    });
    if (!read.ok()) return read;
    for (auto& m : restored) app->mappings_->Restore(std::move(m));
    app->mappings_->SetPersistence(MappingPersistence{
        [kept](const EventSourceMapping& m) { return kept.Put(m.uuid, MappingStateJson(m)); },
        [kept](const std::string& uuid) { return kept.Delete(uuid); }});
  }
  for (const auto& mr : app->loaded_.mappings) {
    EventSourceMapping m;
    m.function_name = mr.function_name;
    m.event_source_arn = mr.event_source_arn;
    m.batch_size = mr.batch_size.value_or(10);
    m.maximum_batching_window_s = mr.maximum_batching_window_s.value_or(0);
    m.enabled = mr.enabled;
    m.function_response_types = mr.function_response_types;
    m.maximum_concurrency = mr.maximum_concurrency;
    m.filter_patterns = mr.filter_patterns;
    m.from_template = true;
    if (size_t colon = m.function_name.find(':'); colon != std::string::npos) {
      m.qualifier = m.function_name.substr(colon + 1);
      m.function_name.resize(colon);
    }
    auto created = app->mappings_->Create(std::move(m));
    if (!created.ok()) {
      return Status::Error(errors::kInvalidTemplate, fmt::format("event source mapping {}: {}",
                                                          mr.logical_id, created.status().message()));
    }
  }

  if (options.watch) {
    // A change below a template function's CodeUri gives it a new revision: idle environments
    // of the old one are not reused, so the next invoke runs the code now on disk.
    FunctionStore* store = app->store_.get();
    std::map<std::filesystem::path, std::vector<std::string>> by_dir;
    for (const auto& fn : app->loaded_.functions) by_dir[fn.code_dir].push_back(fn.name);
    app->watcher_ = std::make_unique<CodeWatcher>([store, by_dir](const std::filesystem::path& root) {
      auto it = by_dir.find(root);
      if (it == by_dir.end()) return;
      for (const auto& name : it->second) {
        (void)store->Update(name, [](FunctionRecord& rec) {
          auto next = std::make_shared<FunctionConfig>(*rec.latest);
          next->revision_id = NewRevisionId();
          next->last_modified = NowLastModified();
          rec.latest = std::move(next);
          return Status::Ok();
        });
      }
    });
    for (const auto& [dir, names] : by_dir) app->watcher_->Watch(dir);
  }

  return app;
}

App::~App() {
  Stop();
  if (options_.ephemeral && !state_dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(state_dir_, ec);
  }
}

void App::Notice(const std::string& function, const std::string& line) {
  if (options_.sink) options_.sink(function, line);
}

std::pair<LambdaApiContext, ControlPlaneContext> App::LambdaContexts() {
  LambdaApiContext invoke;
  invoke.store = store_.get();
  invoke.invoker = invoker_.get();
  invoke.async = async_.get();
  invoke.options.region = options_.region;
  invoke.options.account_id = options_.account_id;
  ControlPlaneContext control;
  control.store = store_.get();
  control.state_dir = state_dir_;
  control.region = options_.region;
  control.account_id = options_.account_id;
  control.max_concurrency = options_.max_concurrency;
  control.mappings = mappings_.get();
  Invoker* invoker = invoker_.get();
  control.on_function_deleted = [invoker](const std::string& name) { invoker->Forget(name); };
  return {invoke, control};
}

Status App::Serve() {
  FrontOptions fopts;
  fopts.host = options_.host;
  fopts.port = options_.port;
  front_ = std::make_unique<FrontServer>(fopts, &services_);
  if (Status started = front_->Start(); !started.ok()) return started;
  return services_.ServeAll();
}

void App::KillAllProcesses() {
  if (reaper_) reaper_->KillAll();
}

void App::Stop() {
  stop_step_ = "code watcher";
  if (watcher_) watcher_->Stop();
  // Pollers first (they stop receiving), then functions, so requests and async lanes waiting
  // on them finish; then the queues wake their long polls; then the server.
  stop_step_ = "event source mappings";
  if (mappings_) mappings_->Stop();
  stop_step_ = "execution environments";
  if (invoker_) invoker_->Stop();
  stop_step_ = "async queue";
  if (async_) async_->Stop();
  stop_step_ = "services";
  services_.ShutdownAll();
  stop_step_ = "front server";
  if (front_) front_->Stop();
  stop_step_ = "stopped";
}

}  // namespace ll
