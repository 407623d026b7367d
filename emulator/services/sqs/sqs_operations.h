// The SQS operations, independent of the wire: each takes its input in the JSON protocol's
// input shape (SqsParams) and returns an SqsOutput that sqs_json.cc or sqs_query.cc renders.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "services/sqs/message.h"
#include "services/sqs/sqs_params.h"
#include "services/sqs/sqs_service.h"

namespace ll::sqs {

struct BatchResultEntry {
  std::string id;
  std::optional<SendResult> send;  // SendMessageBatch only
};

struct BatchResultError {
  std::string id;
  std::string code;  // the query protocol's code, as AWS reports it in both protocols
  std::string message;
  bool sender_fault = true;
};

struct SqsOutput {
  enum class Kind {
    kEmpty,
    kQueueUrl,                // CreateQueue, GetQueueUrl
    kQueueUrls,               // ListQueues
    kDeadLetterSourceQueues,  // ListDeadLetterSourceQueues
    kAttributes,              // GetQueueAttributes
    kTags,                    // ListQueueTags
    kSendMessage,
    kSendMessageBatch,
    kReceiveMessage,
    kBatch,  // DeleteMessageBatch, ChangeMessageVisibilityBatch
  };
  Kind kind = Kind::kEmpty;
  std::string queue_url;
  std::vector<std::string> queue_urls;
  std::string next_token;
  std::map<std::string, std::string> entries;  // attributes or tags
  SendResult send;
  std::vector<ReceivedMessage> messages;  // attributes already filtered to those asked for
  std::vector<BatchResultEntry> successful;
  std::vector<BatchResultError> failed;
};

struct SqsCall {
  std::string operation;  // "SendMessage", ...
  std::string host;       // Host header, for queue URLs
};

// Runs one operation. InvalidAction for an unknown operation name.
Result<SqsOutput> ExecuteSqsOperation(SqsService& service, const SqsCall& call,
                                      const SqsParams& params);

// Per-area handlers (sqs_queue_operations.cc, sqs_message_operations.cc); nullopt when the
// operation is not theirs.
std::optional<Result<SqsOutput>> ExecuteQueueOperation(SqsService& service, const SqsCall& call,
                                                       const SqsParams& params);
std::optional<Result<SqsOutput>> ExecuteMessageOperation(SqsService& service, const SqsCall& call,
                                                         const SqsParams& params);

// The queue a request's QueueUrl names.
Result<std::shared_ptr<Queue>> ResolveQueue(SqsService& service, const SqsParams& params);

}  // namespace ll::sqs
