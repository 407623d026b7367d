#include "runtime_api/runtime_api_server.h"

#include <httplib.h>

#include "model/error_names.h"

namespace ll {
namespace {

constexpr char kJson[] = "application/json";
// Anything larger is cut off by the HTTP layer; the Runtime API's own limit is checked below it.
constexpr size_t kMaxBodyBytes = 64u << 20;

void Reply(httplib::Response& res, const RuntimeReply& reply) {
  res.status = reply.status;
  res.set_content(reply.body, kJson);
}

std::string ErrorType(const httplib::Request& req) {
  return req.get_header_value("Lambda-Runtime-Function-Error-Type");
}

}  // namespace

RuntimeApiServer::RuntimeApiServer(RuntimeApiBackend* backend)
    : backend_(backend), server_(std::make_unique<httplib::Server>()) {
  httplib::Server& s = *server_;
  s.set_tcp_nodelay(true);
  // httplib's default also sets SO_REUSEPORT, which would let a second server share a busy port.
  s.set_socket_options([](int sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  // A runtime keeps one connection for its whole life and may spend the function's whole
  // timeout between /next and /response: never close it for idleness or request count.
  s.set_keep_alive_max_count(1 << 30);
  s.set_keep_alive_timeout(3600);
  s.set_read_timeout(3600, 0);
  s.set_payload_max_length(kMaxBodyBytes);
  s.new_task_queue = [] { return new httplib::ThreadPool(4); };

  s.Get("/2018-06-01/runtime/invocation/next", [this](const httplib::Request&, httplib::Response& res) {
    RuntimeReply refusal;
    std::optional<NextEvent> ev = backend_->WaitNext(&refusal);
    if (!ev) {
      Reply(res, refusal);
      return;
    }
    res.status = 200;
    res.set_header("Lambda-Runtime-Aws-Request-Id", ev->request_id);
    res.set_header("Lambda-Runtime-Deadline-Ms", std::to_string(ev->deadline_ms));
    res.set_header("Lambda-Runtime-Invoked-Function-Arn", ev->invoked_function_arn);
    if (!ev->trace_id.empty()) res.set_header("Lambda-Runtime-Trace-Id", ev->trace_id);
    if (!ev->client_context.empty()) res.set_header("Lambda-Runtime-Client-Context", ev->client_context);
    if (!ev->cognito_identity.empty()) {
      res.set_header("Lambda-Runtime-Cognito-Identity", ev->cognito_identity);
    }
    res.set_content(std::move(ev->payload), kJson);
  });
  s.Post(R"(/2018-06-01/runtime/invocation/([^/]+)/response)",
         [this](const httplib::Request& req, httplib::Response& res) {
           Reply(res, backend_->PostResponse(req.matches[1], req.body));
         });
  s.Post(R"(/2018-06-01/runtime/invocation/([^/]+)/error)",
         [this](const httplib::Request& req, httplib::Response& res) {
           Reply(res, backend_->PostError(req.matches[1], ErrorType(req), req.body));
         });
  s.Post("/2018-06-01/runtime/init/error", [this](const httplib::Request& req, httplib::Response& res) {
    Reply(res, backend_->PostInitError(ErrorType(req), req.body));
  });
  s.Get("/2018-06-01/ping", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("pong", "text/plain");
  });
  s.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (res.status == 404) {
      res.set_content("{\"errorMessage\":\"Not found: " + req.path + "\",\"errorType\":\"NotFound\"}", kJson);
    }
  });
}

RuntimeApiServer::~RuntimeApiServer() { Stop(); }

bool RuntimeApiServer::Start() {
  port_ = server_->bind_to_any_port("127.0.0.1");
  if (port_ <= 0) return false;
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  return true;
}

std::string RuntimeApiServer::address() const { return "127.0.0.1:" + std::to_string(port_); }

void RuntimeApiServer::Stop() {
  if (!thread_.joinable()) return;
  server_->stop();
  thread_.join();
}

}  // namespace ll
