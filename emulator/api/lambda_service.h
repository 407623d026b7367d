// LambdaService: the Lambda API (Invoke and the control plane) as the front port's "lambda"
// service: its own route table, Lambda's error shapes for what no route serves.
#pragma once

#include "api/lambda_api.h"
#include "api/lambda_control_plane.h"
#include "http/http_router.h"
#include "services/service.h"

namespace ll {

class LambdaService : public Service {
 public:
  LambdaService(LambdaApiContext invoke, ControlPlaneContext control_plane);
  void Handle(HttpRequest& req, HttpResponse& res) override;

 private:
  const LambdaApiContext invoke_;
  const ControlPlaneContext control_plane_;
  HttpRouter routes_;
};

// Puts the Lambda API on the front port as "lambda".
void InstallLambda(ServiceContext& context, LambdaApiContext invoke, ControlPlaneContext control_plane);

// Lambda's answer to a method and path no route serves (404 UnknownOperationException).
void WriteUnknownOperation(const HttpRequest& req, HttpResponse& res);

}  // namespace ll
