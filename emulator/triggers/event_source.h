// EventSource: what one event source mapping reads from (an SQS queue today; a DynamoDB or
// Kinesis stream next), driven by a MappingWorker. SourceKind: the per-service half that
// validates a mapping against its source and opens the source for a worker.
#pragma once

#include <rapidjson/document.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "model/function_config.h"
#include "triggers/event_source_mapping.h"
#include "triggers/filter_pattern.h"

namespace ll {

// One record of a batch, as the function sees it inside {"Records":[...]}.
struct SourceRecord {
  std::string id;             // batchItemFailures' itemIdentifier (SQS: the messageId)
  std::string ack;            // what Acknowledge needs to settle it (SQS: the receipt handle)
  rapidjson::Value value;     // the record, in the allocator Receive was given
};

// Where a batch's record values live: one pool per batch, freed with it.
using RecordPool = rapidjson::MemoryPoolAllocator<>;

class EventSource {
 public:
  virtual ~EventSource() = default;

  // Up to `max` records, waiting up to `wait` for the first, their values built in `pool`.
  // Returns early, empty, once `stop` is set and Wake() is called. An error when the source is
  // gone (the worker says so once and looks again later, in case it is created anew).
  virtual Result<std::vector<SourceRecord>> Receive(size_t max, std::chrono::milliseconds wait,
                                                    const std::atomic<bool>& stop,
                                                    RecordPool& pool) = 0;
  // Makes a waiting Receive re-check its stop flag. Thread-safe.
  virtual void Wake() = 0;
  // Settles records that are done with: processed, or dropped by the filters. A record never
  // settled comes back by the source's own rule (SQS: after its visibility timeout, counting a
  // receive, so the queue's redrive policy applies). Thread-safe.
  virtual void Acknowledge(const std::vector<const SourceRecord*>& done) = 0;
  // Whether `record` passes `filter` (SQS applies Lambda's rule for the body).
  virtual bool Matches(const FilterPattern& filter, const rapidjson::Value& record) const {
    return filter.Matches(record);
  }
};

class SourceKind {
 public:
  virtual ~SourceKind() = default;

  // What the "unsupported event source" error lists as served, e.g. "SQS queues".
  virtual std::string Describe() const = 0;
  // Checks the mapping against its source and `function` as AWS does (the source exists, the
  // batch size and window are in range for it, ...): InvalidParameterValueException otherwise.
  virtual Status Validate(const EventSourceMapping& mapping, const FunctionConfig& function) const = 0;
  // How many batches a mapping runs at once when ScalingConfig does not say.
  virtual int DefaultConcurrency() const = 0;
  // The source a worker for the validated `mapping` reads.
  virtual std::unique_ptr<EventSource> Open(const EventSourceMapping& mapping) const = 0;
};

}  // namespace ll
