// FrontServer: the single front port (default 127.0.0.1:4566). Routes each request once, by
// its head (api/service_router.h), keeps the service's name on the request (req.route) and
// hands it to the service registered under that name; a service not served answers an
// AWS-shaped NotImplemented in its own protocol.
#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "http/http_server.h"
#include "services/service.h"

namespace ll {

struct FrontOptions {
  std::string host = "127.0.0.1";
  int port = 4566;  // 0: any free port
  int max_connections = 1024;  // open client connections; each has a thread
};

class FrontServer {
 public:
  // `services` must outlive the server.
  FrontServer(FrontOptions options, const ServiceRegistry* services);
  ~FrontServer();  // Stop()

  // Binds and starts serving.
  Status Start();
  void Stop();
  int port() const { return port_; }

 private:
  void Route(HttpRequest& req, HttpResponse& res) const;

  FrontOptions options_;
  const ServiceRegistry* const services_;
  std::unique_ptr<HttpServer> server_;
  int port_ = 0;
};

}  // namespace ll
