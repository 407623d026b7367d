#include "api/front_server.h"

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

ServiceRoute RouteOf(const HttpRequest& req) {
  RouteInputs in;
  const std::string auth = req.HeaderValue("Authorization");
  const std::string credential = req.Param("X-Amz-Credential");
  const std::string target = req.HeaderValue("X-Amz-Target");
  const std::string content_type = req.HeaderValue("Content-Type");
  // A query-protocol request may carry Action/Version in the query string instead of a body.
  std::string_view body = req.body;
  std::string type = content_type;
  std::string from_query;
  if (body.empty() && req.HasParam("Action")) {
    from_query = "Action=" + req.Param("Action") + "&Version=" + req.Param("Version");
    body = from_query;
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
void WriteUnknownOperation(const HttpRequest& req, HttpResponse& res) {
  res.SetHeader("x-amzn-RequestId", NewUuid());
  WriteLambdaError(res, Status::Error(errors::kUnknownOperation,
                                      fmt::format("{} {} is not an operation lambda-local serves",
                                                  req.method, req.path)));
  res.status = 404;
}

}  // namespace

FrontServer::FrontServer(FrontOptions options, const LambdaApiContext* lambda,
                         const ControlPlaneContext* control_plane, sqs::SqsService* sqs)
    : options_(std::move(options)) {
  HttpServerOptions http;
  // Large enough for a 50 MB zip sent base64 in JSON, and to read an oversized invoke and
  // answer 413 in Lambda's own shape.
  http.max_body_bytes = kMaxRequestBytes;
  http.max_connections = size_t(options_.max_connections);
  server_ = std::make_unique<HttpServer>(http);
  HttpServer& s = *server_;

  // Requests whose headers already name a service we do not serve are answered before routing.
  auto pre_routing = [](const HttpRequest& req, HttpResponse& res) {
    ServiceRoute route = RouteOf(req);
    if (route.service == "lambda" || route.service == "sqs" || !route.by_headers) return false;
    WriteServiceNotServed(res, route, NewUuid());
    return true;
  };

  RegisterInvokeRoutes(lambda_routes_, lambda);
  RegisterControlPlaneRoutes(lambda_routes_, control_plane);

  // Everything no Lambda route took: SQS (JSON or query), or an unknown operation.
  auto catch_all = [sqs](HttpRequest& req, HttpResponse& res) {
    ServiceRoute route = RouteOf(req);
    if (route.service == "sqs" && sqs) {
      sqs::SqsHttpRequest in;
      in.method = req.method;
      in.path = req.path;
      if (size_t q = req.target.find('?'); q != std::string::npos) in.query = req.target.substr(q + 1);
      in.target = req.HeaderValue("X-Amz-Target");
      in.content_type = req.HeaderValue("Content-Type");
      in.body = std::move(req.body);  // routed already: the body is not needed again
      in.host = req.HeaderValue("Host");
      in.query_mode_header = req.HeaderValue("x-amzn-query-mode") == "true";
      sqs::SqsHttpResponse out = sqs::HandleSqs(*sqs, in);
      res.status = out.status;
      for (const auto& [k, v] : out.headers) res.SetHeader(k, v);
      res.SetContent(std::move(out.body), out.content_type);
      return;
    }
    if (route.service != "lambda") {
      WriteServiceNotServed(res, route, NewUuid());
      return;
    }
    WriteUnknownOperation(req, res);
  };
  s.SetHandler([this, pre_routing, catch_all](HttpRequest& req, HttpResponse& res) {
    if (Status read = ReadBody(req, kMaxRequestBytes); !read.ok()) {
      res.status = read.code() == kHttpRequestTooLarge ? 413 : 400;  // the error handler answers
      return;
    }
    if (pre_routing(req, res) || lambda_routes_.Dispatch(req, res)) return;
    if (req.method == "POST" || req.method == "GET" || req.method == "PUT" || req.method == "DELETE") {
      catch_all(req, res);
    } else {
      res.status = 404;
    }
  });

  s.SetErrorHandler([](const HttpRequest& req, HttpResponse& res) {
    if (res.status == 404) {
      WriteUnknownOperation(req, res);  // methods the catch-all does not cover
    } else if (res.status == 413) {
      WriteLambdaError(res, Status::Error(errors::kRequestTooLarge,
                                          "Request must be smaller than 6291456 bytes for the "
                                          "InvokeFunction operation"));
    } else if (res.status == 400) {
      WriteLambdaError(res, Status::Error(errors::kInvalidRequestContent, "The request is not valid HTTP/1.1"));
    }
  });
  s.SetExceptionHandler([](const HttpRequest&, HttpResponse& res, std::exception_ptr ep) {
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
  Status started = server_->Start(options_.host, options_.port);
  if (started.ok()) port_ = server_->port();
  return started;
}

void FrontServer::Stop() { server_->Stop(); }

}  // namespace ll
