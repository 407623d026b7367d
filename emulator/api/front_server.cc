#include "api/front_server.h"

#include <dirent.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <fmt/format.h>

#include "api/lambda_errors.h"
#include "api/service_router.h"
#include "base/strings.h"
#include "model/error_names.h"

namespace ll {
namespace {

// Large enough for a 50 MB zip sent base64 in JSON, and to read an oversized invoke and
// answer 413 in Lambda's own shape.
constexpr size_t kMaxRequestBytes = 80u << 20;

}  // namespace

FrontServer::FrontServer(FrontOptions options, const LambdaApiContext* lambda,
                         const ControlPlaneContext* control_plane)
    : options_(std::move(options)), server_(std::make_unique<httplib::Server>()) {
  httplib::Server& s = *server_;
  s.set_tcp_nodelay(true);
  // httplib's default also sets SO_REUSEPORT, which would let a second server share a busy port.
  s.set_socket_options([](int sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  s.set_keep_alive_max_count(1 << 30);
  // httplib holds a worker thread per open connection: let idle clients go after a while.
  s.set_keep_alive_timeout(5);
  s.set_payload_max_length(kMaxRequestBytes);
  const int threads = options_.worker_threads;
  s.new_task_queue = [threads] { return new httplib::ThreadPool(size_t(threads)); };

  s.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    RouteInputs in;
    const std::string& auth = req.get_header_value("Authorization");
    const std::string& credential = req.get_param_value("X-Amz-Credential");
    const std::string& target = req.get_header_value("X-Amz-Target");
    const std::string& content_type = req.get_header_value("Content-Type");
    in.authorization = auth;
    in.credential_param = credential;
    in.target = target;
    in.content_type = content_type;
    in.body = req.body;
    in.path = req.path;
    ServiceRoute route = RouteRequest(in);
    if (route.service == "lambda") return httplib::Server::HandlerResponse::Unhandled;
    WriteServiceNotServed(res, route, NewUuid());
    return httplib::Server::HandlerResponse::Handled;
  });

  RegisterInvokeRoutes(s, lambda);
  RegisterControlPlaneRoutes(s, control_plane);

  s.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (res.status == 404 && res.body.empty()) {
      res.set_header("x-amzn-RequestId", NewUuid());
      WriteLambdaError(res, Status::Error(errors::kUnknownOperation,
                                          fmt::format("{} {} is not an operation lambda-local serves",
                                                      req.method, req.path)));
      res.status = 404;
    } else if (res.status == 413 && res.body.empty()) {
      WriteLambdaError(res, Status::Error(errors::kRequestTooLarge,
                                          "Request must be smaller than 6291456 bytes for the "
                                          "InvokeFunction operation"));
    }
  });
  s.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "internal error";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    WriteLambdaError(res, Status::Error(errors::kService, what));
  });
}

FrontServer::~FrontServer() { Stop(); }

Status FrontServer::Start() {
  if (options_.port == 0) {
    port_ = server_->bind_to_any_port(options_.host);
  } else if (server_->bind_to_port(options_.host, options_.port)) {
    port_ = options_.port;
  }
  if (port_ <= 0) {
    return Status::Error("PortUnavailable",
                         fmt::format("cannot listen on {}:{}: the port is already in use or the "
                                     "address is not available (choose another with --port)",
                                     options_.host, options_.port));
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  return Status::Ok();
}

void FrontServer::Stop() {
  if (!thread_.joinable()) return;
  server_->stop();
  // httplib's workers sit out their keep-alive wait on idle client connections; shut those
  // sockets down so the workers return now. shutdown() does not close the descriptor.
  if (DIR* fds = opendir("/proc/self/fd")) {
    while (dirent* e = readdir(fds)) {
      int fd = atoi(e->d_name);
      if (fd <= 2) continue;
      sockaddr_storage addr{};
      socklen_t len = sizeof addr;
      if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) continue;
      int local_port = 0;
      if (addr.ss_family == AF_INET) {
        local_port = ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
      } else if (addr.ss_family == AF_INET6) {
        local_port = ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
      }
      if (local_port == port_) shutdown(fd, SHUT_RDWR);
    }
    closedir(fds);
  }
  thread_.join();
}

}  // namespace ll
