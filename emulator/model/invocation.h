// The values that name one invocation and its result, shared by everything that starts a
// function (the Invoke API, async delivery, event sources) without knowing how it runs.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "base/status.h"
#include "model/function_config.h"

namespace ll {

struct EventInvokeConfig {
  std::optional<int> maximum_retry_attempts;      // 0-2; AWS default 2
  std::optional<int> maximum_event_age_s;         // 60-21600; AWS default 21600
  std::string on_success_arn;
  std::string on_failure_arn;
  double last_modified = 0;                       // epoch seconds
};

// What an invocation runs: one version's config, and how it was reached.
struct ResolvedFunction {
  std::shared_ptr<const FunctionConfig> config;
  std::string executed_version;      // "$LATEST" or the version number that runs
  std::string qualifier;             // as given: "", "$LATEST", "3", "prod"
  std::optional<int> reserved_concurrency;
  EventInvokeConfig invoke_config;   // for the qualifier, else the function's, else defaults
};

struct Invocation {
  std::string request_id;
  std::string payload;
  std::string client_context;  // decoded JSON
  std::string invoked_function_arn;
  std::string trace_id;
};

struct InvokeOutcome {
  bool function_error = false;  // answer with X-Amz-Function-Error: Unhandled
  std::string payload;          // the result, or the error JSON
  std::string log;              // this invocation's log, START through REPORT
};

struct InvokeResult {
  Status status;                // not ok: the invocation did not run (throttled, shutting down)
  std::string throttle_reason;  // TooManyRequestsException.Reason
  InvokeOutcome outcome;
};

}  // namespace ll
