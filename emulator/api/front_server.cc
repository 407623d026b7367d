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
#include "services/sqs/sqs_http.h"

namespace ll {
namespace {

// Large enough for a 50 MB zip sent base64 in JSON, and to read an oversized invoke and
// answer 413 in Lambda's own shape.
constexpr size_t kMaxRequestBytes = 80u << 20;

ServiceRoute RouteOf(const httplib::Request& req, bool with_body) {
  RouteInputs in;
  const std::string auth = req.get_header_value("Authorization");
  const std::string credential = req.get_param_value("X-Amz-Credential");
  const std::string target = req.get_header_value("X-Amz-Target");
  const std::string content_type = req.get_header_value("Content-Type");
  // A query-protocol request may carry Action/Version in the query string instead of a body.
  std::string body = with_body ? req.body : std::string();
  std::string type = content_type;
  if (with_body && body.empty() && req.has_param("Action")) {
    body = "Action=" + req.get_param_value("Action") + "&Version=" + req.get_param_value("Version");
    type = "application/x-www-form-urlencoded";
  }
  in.authorization = auth;
  in.credential_param = credential;
  in.target = target;
  in.content_type = type;
  in.body = body;
  in.path = req.path;
  return RouteRequest(in);
}

// Lambda's answer to a method and path no route serves.
void WriteUnknownOperation(const httplib::Request& req, httplib::Response& res) {
  res.set_header("x-amzn-RequestId", NewUuid());
  WriteLambdaError(res, Status::Error(errors::kUnknownOperation,
                                      fmt::format("{} {} is not an operation lambda-local serves",
                                                  req.method, req.path)));
  res.status = 404;
}

}  // namespace

FrontServer::FrontServer(FrontOptions options, const LambdaApiContext* lambda,
                         const ControlPlaneContext* control_plane, sqs::SqsService* sqs)
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

  // httplib calls the pre-routing handler before it reads the body, so only requests whose
  // headers already name a service we do not serve are answered here; the rest go to the
  // routes, and requests no Lambda route takes reach the catch-all below with their body.
  s.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    ServiceRoute route = RouteOf(req, /*with_body=*/false);
    if (route.service == "lambda" || route.service == "sqs" || !route.by_headers) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    WriteServiceNotServed(res, route, NewUuid());
    return httplib::Server::HandlerResponse::Handled;
  });

  RegisterInvokeRoutes(s, lambda);
  RegisterControlPlaneRoutes(s, control_plane);

  // Everything no Lambda route took: SQS (JSON or query), or an unknown operation.
  auto catch_all = [sqs](const httplib::Request& req, httplib::Response& res) {
    ServiceRoute route = RouteOf(req, /*with_body=*/true);
    if (route.service == "sqs" && sqs) {
      sqs::SqsHttpRequest in;
      in.method = req.method;
      in.path = req.path;
      if (size_t q = req.target.find('?'); q != std::string::npos) in.query = req.target.substr(q + 1);
      in.target = req.get_header_value("X-Amz-Target");
      in.content_type = req.get_header_value("Content-Type");
      in.body = req.body;
      in.host = req.get_header_value("Host");
      in.query_mode_header = req.get_header_value("x-amzn-query-mode") == "true";
      sqs::SqsHttpResponse out = sqs::HandleSqs(*sqs, in);
      res.status = out.status;
      for (const auto& [k, v] : out.headers) res.set_header(k, v);
      res.set_content(std::move(out.body), out.content_type);
      return;
    }
    if (route.service != "lambda") {
      WriteServiceNotServed(res, route, NewUuid());
      return;
    }
    WriteUnknownOperation(req, res);
  };
  // Debian's httplib caps form-encoded bodies of plain handlers at 8 KB; a ContentReader
  // handler reads any body up to the payload limit (SQS query requests can be 1 MB).
  // httplib tries content-reader routes before all others, so this one must not match the
  // Lambda API's date-prefixed paths.
  s.Post(R"(/(?!\d{4}-\d{2}-\d{2}/|_lambda-local/).*)", [catch_all](const httplib::Request& req, httplib::Response& res,
                           const httplib::ContentReader& reader) {
    httplib::Request with_body = req;
    with_body.body.clear();
    reader([&](const char* data, size_t length) {
      with_body.body.append(data, length);
      return true;
    });
    catch_all(with_body, res);
  });
  s.Post(".*", catch_all);
  s.Get(".*", catch_all);
  s.Put(".*", catch_all);
  s.Delete(".*", catch_all);

  s.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (res.status == 404 && res.body.empty()) {
      WriteUnknownOperation(req, res);  // methods the catch-all routes do not cover
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
