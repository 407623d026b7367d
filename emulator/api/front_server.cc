#include "api/front_server.h"

#include <fmt/format.h>

#include "api/lambda_errors.h"
#include "api/lambda_service.h"
#include "api/service_router.h"
#include "base/strings.h"
#include "http/http_body.h"
#include "model/error_names.h"
#include "model/limits.h"

namespace ll {
namespace {

ServiceRoute RouteOf(const HttpRequest& req) {
  RouteInputs in;
  const std::string auth = req.HeaderValue("Authorization");
  const std::string credential = req.Param("X-Amz-Credential");
  const std::string target = req.HeaderValue("X-Amz-Target");
  const std::string content_type = req.HeaderValue("Content-Type");
  const std::string host = req.HeaderValue("Host");
  in.authorization = auth;
  in.credential_param = credential;
  in.sigv2_presigned = req.HasParam("AWSAccessKeyId") && req.HasParam("Signature") &&
                       req.HasParam("Expires");
  in.target = target;
  in.host = host;
  in.path = req.path;
  in.content_type = content_type;
  in.body = req.body;
  in.body_known = req.body_reader == nullptr;
  // A query-protocol request may carry Action/Version in the query string instead of a body.
  std::string from_query;
  if (req.HasParam("Action") && (req.body.empty() || req.body_reader)) {
    from_query = "Action=" + req.Param("Action") + "&Version=" + req.Param("Version");
    in.body = from_query;
    in.body_known = true;
    in.content_type = "application/x-www-form-urlencoded";
  }
  return RouteRequest(in);
}

}  // namespace

FrontServer::FrontServer(FrontOptions options, const ServiceRegistry* services)
    : options_(std::move(options)), services_(services) {
  HttpServerOptions http;
  // The largest body any service takes (an S3 PUT); each service reads with its own limit.
  http.max_body_bytes = limits::kMaxFrontBodyBytes;
  http.max_connections = size_t(options_.max_connections);
  server_ = std::make_unique<HttpServer>(http);
  HttpServer& s = *server_;
  s.SetHandler([this](HttpRequest& req, HttpResponse& res) { Route(req, res); });

  s.SetErrorHandler([](const HttpRequest& req, HttpResponse& res) {
    if (res.status == 404) {
      WriteUnknownOperation(req, res);  // methods the catch-all does not cover
    } else if (res.status == 413) {
      WriteLambdaError(res, Status::Error(errors::kRequestTooLarge,
                                          fmt::format("Request must be smaller than {} bytes for the "
                                                      "InvokeFunction operation",
                                                      limits::kSyncPayloadBytes)));
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

void FrontServer::Route(HttpRequest& req, HttpResponse& res) const {
  ServiceRoute route = RouteOf(req);
  if (route.needs_body) {
    if (Status read = ReadBody(req, limits::kMaxRoutingFormBytes); !read.ok()) {
      res.status = read.code() == kHttpRequestTooLarge ? 413 : 400;  // the error handler answers
      return;
    }
    route = RouteOf(req);
  }
  Service* service = services_->Find(route.service);
  if (!service) {
    WriteServiceNotServed(res, route, NewUuid());
    return;
  }
  req.route = route.service;
  service->Handle(req, res);
}

FrontServer::~FrontServer() { Stop(); }

Status FrontServer::Start() {
  Status started = server_->Start(options_.host, options_.port);
  if (started.ok()) port_ = server_->port();
  return started;
}

void FrontServer::Stop() { server_->Stop(); }

}  // namespace ll
