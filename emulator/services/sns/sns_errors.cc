#include "services/sns/sns_errors.h"

namespace ll::sns {

int HttpStatusOf(std::string_view code) {
  if (code == errors::kNotFound || code == errors::kResourceNotFound) return 404;
  if (code == errors::kAuthorizationError || code == errors::kFilterPolicyLimitExceeded) return 403;
  if (code == errors::kInternalError) return 500;
  return 400;
}

Status InvalidParameter(std::string_view what) {
  return Status::Error(errors::kInvalidParameter, "Invalid parameter: " + std::string(what));
}

Status TopicNotFound() { return Status::Error(errors::kNotFound, "Topic does not exist"); }

Status SubscriptionNotFound() {
  return Status::Error(errors::kNotFound, "Subscription does not exist");
}

}  // namespace ll::sns
