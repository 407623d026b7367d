// InvokeSink: the one door through which services, event sources and HTTP fronts start a
// function, without knowing how functions are stored, leased or run. Implemented by
// FunctionDoor (the store + the invoker + the async queue); tests use a fake.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "model/function_url.h"
#include "model/invocation.h"

namespace ll {

// Runs functions synchronously: what the async queue and the event-source workers need of the
// invoker (and what their unit tests fake).
class SyncInvoker {
 public:
  virtual ~SyncInvoker() = default;
  // Runs `inv` on `fn` and waits for its outcome. Thread-safe.
  virtual InvokeResult Invoke(const ResolvedFunction& fn, const Invocation& inv) = 0;
  // Blocks until `function` could take one more invocation, or until shutdown (false).
  virtual bool WaitForCapacity(const std::string& function, std::optional<int> reserved) = 0;
};

class InvokeSink : public SyncInvoker {
 public:
  // The version `qualifier` ("" for the unqualified function) of `function` names.
  // ResourceNotFoundException when there is none.
  virtual Result<ResolvedFunction> Resolve(const std::string& function,
                                           const std::string& qualifier) const = 0;
  // Accepts `inv` for asynchronous delivery: AWS's retries, event age and destinations.
  virtual Status InvokeAsync(const ResolvedFunction& fn, Invocation inv) = 0;
  // The function a function URL's id names, with the URL's configuration; nullopt when no
  // function has that URL.
  virtual std::optional<FunctionUrlTarget> FindUrl(std::string_view url_id) const {
    return std::nullopt;
  }
};

}  // namespace ll
