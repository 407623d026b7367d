// The SQS event source: a mapping's batches are ReceiveMessage calls on its queue, a settled
// record is a deleted message, and an unsettled one reappears after its visibility timeout.
// SqsSourceKind validates mappings of queues as AWS does.
#pragma once

#include <memory>
#include <string>

#include "services/sqs/sqs_service.h"
#include "triggers/event_source.h"
#include "model/limits.h"

namespace ll::sqs {

class SqsSourceKind : public SourceKind {
 public:
  // `sqs` must outlive the kind and every source it opens.
  explicit SqsSourceKind(SqsService* sqs) : sqs_(sqs) {}

  std::string Describe() const override { return "SQS queues"; }
  Status Validate(const EventSourceMapping& mapping, const FunctionConfig& function) const override;
  int DefaultConcurrency() const override { return limits::kSqsDefaultMappingConcurrency; }
  std::unique_ptr<EventSource> Open(const EventSourceMapping& mapping) const override;

  // The Lambda record of one message (CONTRACT.md §6.3), in `pool`.
  static rapidjson::Value Record(const ReceivedMessage& m, const std::string& queue_arn,
                                 const std::string& region, RecordPool& pool);

 private:
  SqsService* const sqs_;
};

}  // namespace ll::sqs
