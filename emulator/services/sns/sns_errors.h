// Every SNS error lambda-local emits: the Status code is the query protocol's <Code> (the
// botocore model's error code), and HttpStatusOf gives the status AWS answers it with.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace ll::sns {

namespace errors {
inline constexpr char kInvalidParameter[] = "InvalidParameter";
inline constexpr char kParameterValueInvalid[] = "ParameterValueInvalid";
inline constexpr char kNotFound[] = "NotFound";
inline constexpr char kResourceNotFound[] = "ResourceNotFound";
inline constexpr char kAuthorizationError[] = "AuthorizationError";
inline constexpr char kInternalError[] = "InternalError";
inline constexpr char kTooManyEntriesInBatchRequest[] = "TooManyEntriesInBatchRequest";
inline constexpr char kEmptyBatchRequest[] = "EmptyBatchRequest";
inline constexpr char kBatchEntryIdsNotDistinct[] = "BatchEntryIdsNotDistinct";
inline constexpr char kBatchRequestTooLong[] = "BatchRequestTooLong";
inline constexpr char kInvalidBatchEntryId[] = "InvalidBatchEntryId";
inline constexpr char kTagLimitExceeded[] = "TagLimitExceeded";
inline constexpr char kFilterPolicyLimitExceeded[] = "FilterPolicyLimitExceeded";
// Common query-protocol errors, not modelled as exception shapes.
inline constexpr char kInvalidAction[] = "InvalidAction";
inline constexpr char kMissingParameter[] = "MissingParameter";
inline constexpr char kValidationError[] = "ValidationError";
}  // namespace errors

int HttpStatusOf(std::string_view code);

// "Invalid parameter: <what>", AWS's wording for most validation errors.
Status InvalidParameter(std::string_view what);
Status TopicNotFound();
Status SubscriptionNotFound();

}  // namespace ll::sns
