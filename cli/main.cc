// lambda-local: the command line. Parses arguments and hands everything else to ll::App.
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/app.h"
#include "base/log.h"
#include "base/strings.h"

namespace {

constexpr char kVersion[] = "0.1.0";

int Fail(const std::string& message) {
  ll::WriteLine(ll::LogStream::kErr, "lambda-local: error: " + message);
  return 1;
}

struct CommonFlags {
  std::string template_path;
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  int max_concurrency = 64;
  int idle_timeout_s = 300;
  std::string state_dir;
  bool ephemeral = false;
  bool no_watch = false;
  double async_retry_delay_s = 1.0;
};

void AddCommonFlags(CLI::App* cmd, CommonFlags* f) {
  cmd->add_option("--template,-t", f->template_path,
                  "SAM/CloudFormation template (default: template.yaml, template.yml or "
                  "template.json in the current folder)");
  cmd->add_option("--region", f->region, "AWS region the functions live in")->capture_default_str();
  cmd->add_option("--account-id", f->account_id, "AWS account id used in ARNs")->capture_default_str();
  cmd->add_option("--max-concurrency", f->max_concurrency,
                  "Account-wide limit on running invocations (429 beyond it)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--idle-timeout", f->idle_timeout_s,
                  "Seconds an idle execution environment is kept warm")
      ->capture_default_str()
      ->check(CLI::Range(1, 86400));
  cmd->add_option("--state-dir", f->state_dir,
                  "Folder for functions created through the API (default: .lambda-local/ beside "
                  "the template)");
  cmd->add_flag("--ephemeral", f->ephemeral, "Keep no state: API-created functions die with the process");
  cmd->add_flag("--no-watch", f->no_watch, "Do not reload a template function when its code changes");
  cmd->add_option("--async-retry-delay", f->async_retry_delay_s,
                  "Seconds before the first retry of a failed Event invoke (the second waits twice "
                  "as long); AWS waits about 60")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 3600.0));
}

ll::Result<std::filesystem::path> ResolveTemplate(const std::string& given) {
  if (!given.empty()) {
    if (!std::filesystem::exists(given)) {
      return ll::Status::Error("NoTemplate", fmt::format("template {} does not exist", given));
    }
    return std::filesystem::path(given);
  }
  std::filesystem::path found = ll::FindDefaultTemplate(std::filesystem::current_path());
  if (found.empty()) {
    return ll::Status::Error("NoTemplate",
                             fmt::format("no template.yaml, template.yml or template.json in {} "
                                         "(use --template)",
                                         std::filesystem::current_path().string()));
  }
  return found;
}

ll::AppOptions ToAppOptions(const CommonFlags& f, const std::filesystem::path& tpl) {
  ll::AppOptions o;
  o.template_path = tpl;
  o.region = f.region;
  o.account_id = f.account_id;
  o.max_concurrency = f.max_concurrency;
  o.idle_timeout = std::chrono::seconds(f.idle_timeout_s);
  o.state_dir = f.state_dir;
  o.ephemeral = f.ephemeral;
  o.watch = !f.no_watch;
  o.async_retry_delay = std::chrono::milliseconds(int64_t(f.async_retry_delay_s * 1000));
  return o;
}

// What only `start` takes.
struct StartFlags {
  std::string host = "127.0.0.1";
  int port = 4566;
  int api_port = 3000;
  bool api_port_chosen = false;
  std::string jwks;
  bool jwt_skip_signature = false;
};

int RunStart(const CommonFlags& flags, const StartFlags& start, const sigset_t& signals) {
  auto tpl = ResolveTemplate(flags.template_path);
  if (!tpl.ok()) return Fail(tpl.status().message());
  ll::AppOptions options = ToAppOptions(flags, *tpl);
  options.host = start.host;
  options.port = start.port;
  options.api_port = start.api_port;
  options.api_port_chosen = start.api_port_chosen;
  options.jwks = start.jwks;
  options.jwt_skip_signature = start.jwt_skip_signature;
  options.sink = [](const std::string& fn, std::string_view line) {
    // Runtimes join a multi-line record with \r so it stays one record; show it as lines.
    // A call may also carry several records separated by \n.
    std::string text = fmt::format("[{}] ", fn);
    for (char c : line) {
      if (c == '\r' || c == '\n') {
        text += fmt::format("\n[{}] ", fn);
      } else {
        text += c;
      }
    }
    ll::WriteLine(ll::LogStream::kOut, text);
  };
  auto app = ll::App::Create(options);
  if (!app.ok()) return Fail(app.status().message());
  ll::Status serving = (*app)->Serve();
  if (!serving.ok()) return Fail(serving.message());

  const auto& loaded = (*app)->loaded();
  ll::WriteLine(ll::LogStream::kOut,
                fmt::format("lambda-local {}: {} function(s) from {}", kVersion,
                            loaded.functions.size(), tpl->string()));
  for (const auto& fn : loaded.functions) {
    ll::WriteLine(ll::LogStream::kOut, fmt::format("  {:<24} {:<16} {}", fn.name, fn.runtime, fn.Arn()));
  }
  if (!loaded.ignored.empty()) {
    std::string list;
    for (const auto& r : loaded.ignored) list += (list.empty() ? "" : ", ") + r;
    ll::WriteLine(ll::LogStream::kOut, "ignored resources (not emulated): " + list);
  }
  for (const auto& notice : loaded.notices) ll::WriteLine(ll::LogStream::kOut, "note: " + notice);
  ll::WriteLine(ll::LogStream::kOut, "memory limit: " + (*app)->memory_limit_description());
  ll::WriteLine(ll::LogStream::kOut,
                fmt::format("lambda-local ready on http://{}:{}", start.host, (*app)->port()));

  int sig = 0;
  sigwait(&signals, &sig);
  ll::WriteLine(ll::LogStream::kOut, fmt::format("lambda-local: {} received, stopping", strsignal(sig)));
  // Stopping must not hang a developer's terminal or a CI job: if it has not finished in time,
  // kill every function process and leave anyway, saying which is the case.
  std::mutex done_mu;
  std::condition_variable done_cv;
  bool done = false;
  ll::App* raw = app->get();
  std::thread watchdog([&] {
    std::unique_lock<std::mutex> lock(done_mu);
    if (!done_cv.wait_for(lock, std::chrono::seconds(8), [&] { return done; })) {
      raw->KillAllProcesses();
      ll::WriteLine(ll::LogStream::kErr,
                    fmt::format("lambda-local: stopping took longer than 8 s (at: {}); function "
                                "processes killed, exiting",
                                raw->stop_step()));
      _exit(0);
    }
  });
  (*app)->Stop();
  {
    std::lock_guard<std::mutex> lock(done_mu);
    done = true;
  }
  done_cv.notify_all();
  watchdog.join();
  return 0;
}

int RunInvoke(const CommonFlags& flags, const std::string& name, const std::string& event_path,
              const sigset_t& signals) {
  auto tpl = ResolveTemplate(flags.template_path);
  if (!tpl.ok()) return Fail(tpl.status().message());
  std::string event = "{}";
  if (!event_path.empty()) {
    std::stringstream buf;
    if (event_path == "-") {
      buf << std::cin.rdbuf();
    } else {
      std::ifstream in(event_path, std::ios::binary);
      if (!in) return Fail("cannot read event file " + event_path);
      buf << in.rdbuf();
    }
    event = buf.str();
  }
  ll::AppOptions options = ToAppOptions(flags, *tpl);
  options.port = 0;
  options.sink = [](const std::string&, std::string_view line) {
    ll::WriteLine(ll::LogStream::kErr, line);
  };
  auto app = ll::App::Create(options);
  if (!app.ok()) return Fail(app.status().message());
  std::string function_name = name;
  for (const auto& f : (*app)->loaded().functions) {
    if (f.logical_id == name) function_name = f.name;  // a logical id works as well
  }
  auto fn = (*app)->store().Resolve(function_name, "");
  if (!fn.ok()) {
    std::string names;
    for (const auto& f : (*app)->loaded().functions) names += (names.empty() ? "" : ", ") + f.name;
    return Fail(fmt::format("no function named {} in {} (functions: {})", name, tpl->string(), names));
  }

  // Ctrl-C kills the function's process group instead of orphaning it.
  std::atomic<bool> interrupted{false};
  ll::App* raw = app->get();
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    if (sig != SIGUSR1) {
      interrupted = true;
      raw->invoker().Stop();
    }
  });

  ll::Invocation inv;
  inv.request_id = ll::NewUuid();
  inv.payload = event.empty() ? "{}" : event;
  inv.invoked_function_arn = fn->config->Arn();
  ll::InvokeResult r = (*app)->invoker().Invoke(*fn, inv);
  pthread_kill(waiter.native_handle(), SIGUSR1);
  waiter.join();
  (*app)->Stop();
  if (interrupted) return 130;
  if (!r.status.ok()) return Fail(r.status.message());
  std::string out = r.outcome.payload + "\n";
  fwrite(out.data(), 1, out.size(), stdout);
  fflush(stdout);
  return r.outcome.function_error ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  // glibc gives each thread that allocates its own 64 MB arena, up to 8 per core, and never
  // returns one: a burst of connection, lane and mapping threads would keep ~1 GB of address
  // space reserved after they end. Four arenas serve two cores without contention.
  mallopt(M_ARENA_MAX, 4);
  // Signals are taken synchronously by sigwait; every thread started later inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  CLI::App cli{"lambda-local: a local AWS Lambda emulator"};
  cli.set_version_flag("--version,-V", std::string("lambda-local ") + kVersion);
  cli.require_subcommand(1);

  CommonFlags start_flags;
  StartFlags start_only;
  CLI::App* start = cli.add_subcommand("start", "Serve the template's functions on one port");
  AddCommonFlags(start, &start_flags);
  start->add_option("--port,-p", start_only.port, "Port to serve on")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  start->add_option("--host", start_only.host, "Address to bind")->capture_default_str();
  start->add_option("--api-port", start_only.api_port,
                    "Port serving the template's API Gateway routes (as `sam local start-api`); 0: none")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  start->add_option("--jwks", start_only.jwks,
                    "JSON Web Key Set (a file or an http(s) URL) that JWT authorizers check tokens "
                    "with (default: each issuer's, from <issuer>/.well-known/openid-configuration)");
  start->add_flag("--jwt-skip-signature", start_only.jwt_skip_signature,
                  "JWT authorizers check a token's claims but not its signature");

  CommonFlags invoke_flags;
  std::string name;
  std::string event_path;
  CLI::App* invoke = cli.add_subcommand("invoke", "Run one invocation without a server");
  AddCommonFlags(invoke, &invoke_flags);
  invoke->add_option("name", name, "Function name or logical id")->required();
  invoke->add_option("--event,-e", event_path, "Event JSON file, or - for standard input");

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e);
  }
  try {
    if (start->parsed()) {
      start_only.api_port_chosen = start->count("--api-port") > 0;
      return RunStart(start_flags, start_only, signals);
    }
    if (invoke->parsed()) return RunInvoke(invoke_flags, name, event_path, signals);
  } catch (const std::exception& e) {
    return Fail(e.what());
  }
  return 0;
}
