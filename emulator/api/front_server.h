// FrontServer: the single front port (default 127.0.0.1:4566). Routes each request to its
// AWS service by SigV4 scope, then serves the Lambda API; other services answer "not served".
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "api/lambda_api.h"
#include "api/lambda_control_plane.h"
#include "base/status.h"
#include "http/http_router.h"
#include "http/http_server.h"

namespace ll {
namespace sqs {
class SqsService;
}

struct FrontOptions {
  std::string host = "127.0.0.1";
  int port = 4566;  // 0: any free port
  int max_connections = 1024;  // open client connections; each has a thread
};

class FrontServer {
 public:
  // The contexts must outlive the server.
  // `sqs` may be null (SQS then answers "not served").
  FrontServer(FrontOptions options, const LambdaApiContext* lambda,
              const ControlPlaneContext* control_plane, sqs::SqsService* sqs);
  ~FrontServer();  // Stop()

  // Binds and starts serving.
  Status Start();
  void Stop();
  int port() const { return port_; }

 private:
  FrontOptions options_;
  HttpRouter lambda_routes_;  // read by the server's threads: declared first, destroyed last
  std::unique_ptr<HttpServer> server_;
  int port_ = 0;
};

}  // namespace ll
