// FrontServer: the single front port (default 127.0.0.1:4566). Routes each request to its
// AWS service by SigV4 scope, then serves the Lambda API; other services answer "not served".
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "api/lambda_api.h"
#include "api/lambda_control_plane.h"
#include "base/status.h"

namespace httplib {
class Server;
}

namespace ll {
namespace sqs {
class SqsService;
}

struct FrontOptions {
  std::string host = "127.0.0.1";
  int port = 4566;  // 0: any free port
  int worker_threads = 80;
};

class FrontServer {
 public:
  // The contexts must outlive the server.
  // `sqs` may be null (SQS then answers "not served").
  FrontServer(FrontOptions options, const LambdaApiContext* lambda,
              const ControlPlaneContext* control_plane, sqs::SqsService* sqs);
  ~FrontServer();  // Stop()

  // Binds and starts serving on its own thread.
  Status Start();
  void Stop();
  int port() const { return port_; }

 private:
  FrontOptions options_;
  std::unique_ptr<httplib::Server> server_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace ll
