#include "api/lambda_service.h"

#include <fmt/format.h>

#include "api/lambda_errors.h"
#include "base/strings.h"
#include "http/http_body.h"
#include "model/error_names.h"
#include "model/limits.h"

namespace ll {
namespace {

}  // namespace

void WriteUnknownOperation(const HttpRequest& req, HttpResponse& res) {
  res.SetHeader("x-amzn-RequestId", NewUuid());
  WriteLambdaError(res, Status::Error(errors::kUnknownOperation,
                                      fmt::format("{} {} is not an operation lambda-local serves",
                                                  req.method, req.path)));
  res.status = 404;
}

LambdaService::LambdaService(LambdaApiContext invoke, ControlPlaneContext control_plane)
    : invoke_(std::move(invoke)), control_plane_(std::move(control_plane)) {
  RegisterInvokeRoutes(routes_, &invoke_);
  RegisterControlPlaneRoutes(routes_, &control_plane_);
}

void InstallLambda(ServiceContext& context, LambdaApiContext invoke, ControlPlaneContext control_plane) {
  context.services->Add("lambda", std::make_unique<LambdaService>(std::move(invoke),
                                                                  std::move(control_plane)));
}

void LambdaService::Handle(HttpRequest& req, HttpResponse& res) {
  if (Status read = ReadBody(req, limits::kMaxRequestBytes); !read.ok()) {
    res.status = read.code() == kHttpRequestTooLarge ? 413 : 400;  // the front's error handler answers
    return;
  }
  if (!routes_.Dispatch(req, res)) WriteUnknownOperation(req, res);
}

}  // namespace ll
