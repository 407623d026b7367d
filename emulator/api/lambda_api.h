// The Lambda API routes on the front port: Invoke (sync, Event, DryRun), the legacy
// InvokeAsync, and the read side of the control plane (GetFunction, ListFunctions).
#pragma once

#include <string>

namespace httplib {
class Server;
}

namespace ll {

class Invoker;

struct LambdaApiOptions {
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  size_t max_async_payload = 1048576;  // AWS: 1 MB since October 2025 (256 KB before)
};

void RegisterLambdaRoutes(httplib::Server& server, Invoker* invoker, const LambdaApiOptions& options);

}  // namespace ll
