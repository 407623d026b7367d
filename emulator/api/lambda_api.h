// The Lambda data plane on the front port: Invoke (sync, Event, DryRun) and the legacy
// InvokeAsync. The control plane lives in lambda_control_plane.h.
#pragma once

#include <string>
#include "http/http_router.h"
#include "model/limits.h"

namespace ll {

class AsyncQueue;
class FunctionStore;
class Invoker;

struct LambdaApiOptions {
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  size_t max_async_payload = limits::kAsyncPayloadBytes;
};

struct LambdaApiContext {
  FunctionStore* store = nullptr;
  Invoker* invoker = nullptr;
  AsyncQueue* async = nullptr;
  LambdaApiOptions options;
};

// `context` must outlive the server.
void RegisterInvokeRoutes(HttpRouter& router, const LambdaApiContext* context);

}  // namespace ll
