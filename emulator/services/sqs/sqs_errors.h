// Every SQS error lambda-local emits, in one place: the Status code each one carries (the
// JSON protocol's shape name), and how each wire protocol spells it (CONTRACT.md §8.2).
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace ll::sqs {

// Status codes (the botocore model's exception shape names, or AWS's common error codes).
namespace errors {
inline constexpr char kQueueDoesNotExist[] = "QueueDoesNotExist";
inline constexpr char kQueueNameExists[] = "QueueNameExists";
inline constexpr char kEmptyBatchRequest[] = "EmptyBatchRequest";
inline constexpr char kTooManyEntriesInBatchRequest[] = "TooManyEntriesInBatchRequest";
inline constexpr char kBatchEntryIdsNotDistinct[] = "BatchEntryIdsNotDistinct";
inline constexpr char kBatchRequestTooLong[] = "BatchRequestTooLong";
inline constexpr char kInvalidBatchEntryId[] = "InvalidBatchEntryId";
inline constexpr char kMessageNotInflight[] = "MessageNotInflight";
inline constexpr char kReceiptHandleIsInvalid[] = "ReceiptHandleIsInvalid";
inline constexpr char kInvalidAttributeName[] = "InvalidAttributeName";
inline constexpr char kInvalidAttributeValue[] = "InvalidAttributeValue";
inline constexpr char kInvalidMessageContents[] = "InvalidMessageContents";
inline constexpr char kPurgeQueueInProgress[] = "PurgeQueueInProgress";
inline constexpr char kOverLimit[] = "OverLimit";
inline constexpr char kUnsupportedOperation[] = "UnsupportedOperation";
inline constexpr char kResourceNotFound[] = "ResourceNotFoundException";
inline constexpr char kInvalidAddress[] = "InvalidAddress";
// Common errors, not modelled as exception shapes.
inline constexpr char kInvalidParameterValue[] = "InvalidParameterValue";
inline constexpr char kMissingParameter[] = "MissingParameter";
inline constexpr char kInvalidAction[] = "InvalidAction";
inline constexpr char kMalformedRequest[] = "MalformedRequest";
inline constexpr char kInternalError[] = "InternalError";
}  // namespace errors

// How one error goes on the wire.
struct SqsErrorWire {
  int http_status = 400;
  std::string json_type;   // JSON 1.0 "__type", e.g. "com.amazonaws.sqs#QueueDoesNotExist"
  std::string query_code;  // query <Code> and x-amzn-query-error, e.g.
                           // "AWS.SimpleQueueService.NonExistentQueue"
  bool sender_fault = true;
};

// The wire form of a Status code above; unknown codes are treated as sender errors named as is.
SqsErrorWire ErrorWire(std::string_view status_code);

// Constructors for the errors whose message AWS words the same way every time.
Status QueueDoesNotExist();
Status MissingParameter(std::string_view name);
Status InvalidParameterValue(std::string message);
Status ReceiptHandleIsInvalid(std::string_view handle);

}  // namespace ll::sqs
