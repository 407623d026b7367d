// MappingRegistry: every event source mapping, from the template and the Lambda API, and the
// one owner of their pollers: creating, updating (restart), disabling and deleting a mapping
// starts or stops its poller. Thread-safe.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/status.h"
#include "invoke/invoker.h"
#include "services/sqs/sqs_service.h"
#include "store/function_store.h"
#include "triggers/event_source_mapping.h"
#include "triggers/sqs_poller.h"

namespace ll {

class MappingRegistry {
 public:
  MappingRegistry(sqs::SqsService* sqs, FunctionStore* store, Invoker* invoker, std::string region,
                  std::string account_id, MappingNotice notice);
  ~MappingRegistry();  // Stop()

  // Validates as AWS does (function exists, queue exists, batch size and window, the queue's
  // visibility timeout at least the function's timeout, filters), assigns the UUID and starts
  // polling when enabled.
  Result<EventSourceMapping> Create(EventSourceMapping mapping);
  Result<EventSourceMapping> Get(const std::string& uuid) const;
  std::vector<EventSourceMapping> List() const;  // in creation order
  // Applies `mutate`, re-validates, restarts the poller with the new settings.
  Result<EventSourceMapping> Update(const std::string& uuid,
                                    const std::function<Status(EventSourceMapping&)>& mutate);
  // Stops polling; a batch being invoked completes.
  Result<EventSourceMapping> Delete(const std::string& uuid);
  // Stops every poller and joins its threads. Idempotent.
  void Stop();

  const std::string& region() const { return region_; }
  const std::string& account_id() const { return account_id_; }

 private:
  struct Entry {
    int64_t order = 0;
    EventSourceMapping mapping;
    std::unique_ptr<SqsPoller> poller;
  };
  Status Validate(EventSourceMapping& mapping, std::vector<FilterPattern>* filters) const;
  std::unique_ptr<SqsPoller> StartPoller(const EventSourceMapping& m, std::vector<FilterPattern> filters);

  sqs::SqsService* const sqs_;
  FunctionStore* const store_;
  Invoker* const invoker_;
  const std::string region_;
  const std::string account_id_;
  const MappingNotice notice_;

  mutable std::mutex mu_;
  // Guarded by mu_.
  std::map<std::string, Entry> entries_;
  std::vector<std::unique_ptr<SqsPoller>> retired_;  // stopped, joined at Stop()
  int64_t next_order_ = 0;
  bool stopped_ = false;
};

}  // namespace ll
