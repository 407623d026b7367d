// The records of SNS's state: topics and their subscriptions, as kept in memory and in the
// state store (sections "sns.topics" and "sns.subscriptions", JSON values keyed by ARN).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "services/sns/filter_policy.h"

namespace ll::sns {

using AttributeMap = std::map<std::string, std::string>;

struct Subscription {
  std::string arn;
  std::string topic_arn;
  std::string protocol;  // lambda, sqs, http, https, email, email-json, sms, application, firehose
  std::string endpoint;
  AttributeMap attributes;  // as set: RawMessageDelivery, FilterPolicy, RedrivePolicy, ...
  bool pending = false;     // waiting for ConfirmSubscription
  bool authenticated = false;
  std::string token;        // pending only
  std::optional<FilterPolicy> filter;  // FilterPolicy parsed (with its scope)

  std::string Attribute(std::string_view name) const;
  bool raw() const { return Attribute("RawMessageDelivery") == "true"; }
};

struct Topic {
  std::string arn;
  std::string name;
  bool fifo = false;
  AttributeMap attributes;  // as set: DisplayName, Policy, DeliveryPolicy, ...
  std::map<std::string, std::string> tags;
  std::vector<std::shared_ptr<const Subscription>> subscriptions;  // not kept in the topic's record
  uint64_t deleted_subscriptions = 0;

  std::string Attribute(std::string_view name) const;
  bool content_based_deduplication() const { return Attribute("ContentBasedDeduplication") == "true"; }
  int signature_version() const { return Attribute("SignatureVersion") == "2" ? 2 : 1; }
};

std::string TopicRecordJson(const Topic& topic);
Result<Topic> ParseTopicRecord(std::string_view json);
std::string SubscriptionRecordJson(const Subscription& subscription);
// The filter policy is parsed again from the attributes.
Result<Subscription> ParseSubscriptionRecord(std::string_view json);

// The filter policy of `attributes` (FilterPolicy, FilterPolicyScope), nullopt when none is set.
Result<std::optional<FilterPolicy>> FilterOf(const AttributeMap& attributes);

}  // namespace ll::sns
