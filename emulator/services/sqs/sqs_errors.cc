#include "services/sqs/sqs_errors.h"

#include <fmt/format.h>

namespace ll::sqs {
namespace {

struct Entry {
  std::string_view code;
  std::string_view query_code;  // empty: the same as `code`
  int http_status;
  std::string_view json_type;  // empty: "com.amazonaws.sqs#<code>"
  bool sender_fault;
};

// Legacy query codes from the pre-JSON SQS model (moto's service-2.moto-extras.json).
constexpr Entry kEntries[] = {
    {errors::kQueueDoesNotExist, "AWS.SimpleQueueService.NonExistentQueue", 400, "", true},
    {errors::kQueueNameExists, "QueueAlreadyExists", 400, "", true},
    {errors::kEmptyBatchRequest, "AWS.SimpleQueueService.EmptyBatchRequest", 400, "", true},
    {errors::kTooManyEntriesInBatchRequest, "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
     400, "", true},
    {errors::kBatchEntryIdsNotDistinct, "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", 400, "",
     true},
    {errors::kBatchRequestTooLong, "AWS.SimpleQueueService.BatchRequestTooLong", 400, "", true},
    {errors::kInvalidBatchEntryId, "AWS.SimpleQueueService.InvalidBatchEntryId", 400, "", true},
    {errors::kMessageNotInflight, "AWS.SimpleQueueService.MessageNotInflight", 400, "", true},
    {errors::kPurgeQueueInProgress, "AWS.SimpleQueueService.PurgeQueueInProgress", 403, "", true},
    {errors::kUnsupportedOperation, "AWS.SimpleQueueService.UnsupportedOperation", 400, "", true},
    {errors::kOverLimit, "", 403, "", true},
    {errors::kReceiptHandleIsInvalid, "", 400, "", true},
    {errors::kInvalidAttributeName, "", 400, "", true},
    {errors::kInvalidAttributeValue, "", 400, "", true},
    {errors::kInvalidMessageContents, "", 400, "", true},
    {errors::kResourceNotFound, "", 400, "", true},
    {errors::kInvalidAddress, "", 400, "", true},
    {errors::kInvalidParameterValue, "", 400, "com.amazonaws.sqs#InvalidParameterValueException",
     true},
    {errors::kMissingParameter, "", 400,
     "com.amazon.coral.service#MissingRequiredParameterException", true},
    {errors::kInvalidAction, "", 400, "com.amazon.coral.service#UnknownOperationException", true},
    {errors::kMalformedRequest, "MalformedQueryString", 400,
     "com.amazon.coral.service#SerializationException", true},
    {errors::kInternalError, "", 500, "com.amazon.coral.service#InternalFailure", false},
};

}  // namespace

SqsErrorWire ErrorWire(std::string_view status_code) {
  for (const Entry& e : kEntries) {
    if (e.code != status_code) continue;
    SqsErrorWire wire;
    wire.http_status = e.http_status;
    wire.query_code = std::string(e.query_code.empty() ? e.code : e.query_code);
    wire.json_type = e.json_type.empty() ? fmt::format("com.amazonaws.sqs#{}", e.code)
                                         : std::string(e.json_type);
    wire.sender_fault = e.sender_fault;
    return wire;
  }
  SqsErrorWire wire;
  wire.query_code = std::string(status_code);
  wire.json_type = fmt::format("com.amazonaws.sqs#{}", status_code);
  return wire;
}

Status QueueDoesNotExist() {
  return Status::Error(errors::kQueueDoesNotExist, "The specified queue does not exist.");
}

Status MissingParameter(std::string_view name) {
  return Status::Error(errors::kMissingParameter,
                       fmt::format("The request must contain the parameter {}.", name));
}

Status InvalidParameterValue(std::string message) {
  return Status::Error(errors::kInvalidParameterValue, std::move(message));
}

Status ReceiptHandleIsInvalid(std::string_view handle) {
  return Status::Error(
      errors::kReceiptHandleIsInvalid,
      fmt::format("The input receipt handle \"{}\" is not a valid receipt handle.", handle));
}

}  // namespace ll::sqs
