// The Lambda control plane on the front port: functions, versions, aliases, concurrency,
// event-invoke configs, permissions, tags, account settings, and the code download URL.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include "http/http_router.h"

namespace ll {

class FunctionStore;
class MappingRegistry;

struct ControlPlaneContext {
  FunctionStore* store = nullptr;
  // API-created functions keep their code under state_dir/functions/<name>/.
  std::filesystem::path state_dir;
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  // "localhost:4566": the front port, for the function URLs it serves.
  std::string default_host = "localhost:4566";
  int max_concurrency = 64;  // account ConcurrentExecutions limit
  // Called after a function (all its versions) is deleted, so warm environments can go.
  std::function<void(const std::string& name)> on_function_deleted;
  // Event source mappings; null when no event source service is served.
  MappingRegistry* mappings = nullptr;
};

// Registers every control-plane route. `context` must outlive the server.
void RegisterControlPlaneRoutes(HttpRouter& router, const ControlPlaneContext* context);

}  // namespace ll
