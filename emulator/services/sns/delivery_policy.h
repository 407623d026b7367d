// DeliveryPolicy: how SNS retries an HTTP/S delivery (the topic's "http" section, or a
// subscription's own policy when the topic allows overrides), and the waits it implies.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace ll::sns {

// healthyRetryPolicy. AWS's default for HTTP/S: 3 retries 20 s apart.
struct RetryPolicy {
  int num_retries = 3;
  int num_no_delay_retries = 0;
  int num_min_delay_retries = 0;
  int num_max_delay_retries = 0;
  int min_delay_target_s = 20;
  int max_delay_target_s = 20;
  std::string backoff_function = "linear";  // linear | arithmetic | geometric | exponential
};

// The topic attribute DeliveryPolicy ({"http":{"defaultHealthyRetryPolicy":{...},
// "disableSubscriptionOverrides":...}}): InvalidParameter when malformed.
Status ValidateTopicDeliveryPolicy(std::string_view json);
// The subscription attribute DeliveryPolicy ({"healthyRetryPolicy":{...}}).
Status ValidateSubscriptionDeliveryPolicy(std::string_view json);

// A subscription policy's throttlePolicy.maxReceivesPerSecond, when it has one.
std::optional<int> MaxReceivesPerSecond(std::string_view subscription_policy);

// The policy an HTTP/S subscription's deliveries follow: the subscription's own unless the
// topic disables overrides, else the topic's, else AWS's default. Either JSON may be "".
RetryPolicy EffectiveRetryPolicy(std::string_view topic_policy, std::string_view subscription_policy);

// The topic's EffectiveDeliveryPolicy attribute (its DeliveryPolicy over AWS's defaults).
std::string EffectiveTopicDeliveryPolicy(std::string_view topic_policy);

// The wait before each retry, in order: the no-delay retries, the minimum-delay ones, the
// backoff phase from the minimum to the maximum delay, then the maximum-delay ones.
std::vector<std::chrono::milliseconds> RetryDelays(const RetryPolicy& policy);

}  // namespace ll::sns
