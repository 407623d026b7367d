// FunctionDoor: the InvokeSink of the running emulator: resolves through the function store,
// runs through the invoker, queues through the async queue. Also the "lambda" destination.
#pragma once

#include "invoke/async_queue.h"
#include "invoke/destinations.h"
#include "invoke/invoke_sink.h"
#include "invoke/invoker.h"
#include "store/function_store.h"

namespace ll {

class FunctionDoor : public InvokeSink {
 public:
  // Every pointer must outlive the door.
  FunctionDoor(const FunctionStore* store, Invoker* invoker, AsyncQueue* async)
      : store_(store), invoker_(invoker), async_(async) {}

  Result<ResolvedFunction> Resolve(const std::string& function,
                                   const std::string& qualifier) const override;
  InvokeResult Invoke(const ResolvedFunction& fn, const Invocation& inv) override;
  Status InvokeAsync(const ResolvedFunction& fn, Invocation inv) override;
  bool WaitForCapacity(const std::string& function, std::optional<int> reserved) override;
  std::optional<FunctionUrlTarget> FindUrl(std::string_view url_id) const override;

  // Delivers a destination record to the function an ARN names, asynchronously.
  DestinationSender AsDestination();

 private:
  const FunctionStore* const store_;
  Invoker* const invoker_;
  AsyncQueue* const async_;
};

}  // namespace ll
