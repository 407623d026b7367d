#include "services/sns/template_topics.h"

#include "model/error_names.h"

namespace ll::sns {
namespace {

Status Refused(const std::string& what, const std::string& logical_id, const Status& why) {
  return Status::Error(errors::kInvalidTemplate, what + " " + logical_id + ": " + why.message());
}

}  // namespace

Status ProvisionTopics(const LoadedTemplate& loaded, SnsService& sns) {
  for (const TopicResource& t : loaded.topics) {
    // Created with what cannot change; the rest set, so a kept topic takes the template's values.
    AttributeMap at_creation;
    if (auto fifo = t.attributes.find("FifoTopic"); fifo != t.attributes.end()) at_creation.insert(*fifo);
    auto arn = sns.CreateTopic(t.name, at_creation, {});
    if (!arn.ok()) return Refused("topic", t.logical_id, arn.status());
    for (const auto& [k, v] : t.attributes) {
      if (k == "FifoTopic") continue;
      if (Status s = sns.SetTopicAttribute(*arn, k, v); !s.ok()) return Refused("topic", t.logical_id, s);
    }
    if (!t.tags.empty()) {
      if (Status s = sns.TagResource(*arn, t.tags); !s.ok()) return Refused("topic", t.logical_id, s);
    }
  }
  for (const TopicSubscriptionResource& sub : loaded.topic_subscriptions) {
    auto arn = sns.Subscribe(sub.topic_arn, sub.protocol, sub.endpoint, {}, true);
    if (!arn.ok()) return Refused("subscription", sub.logical_id, arn.status());
    // FilterPolicyScope before FilterPolicy: the policy is checked in its scope.
    if (auto scope = sub.attributes.find("FilterPolicyScope"); scope != sub.attributes.end()) {
      if (Status s = sns.SetSubscriptionAttribute(*arn, scope->first, scope->second); !s.ok()) {
        return Refused("subscription", sub.logical_id, s);
      }
    }
    for (const auto& [k, v] : sub.attributes) {
      if (k == "FilterPolicyScope") continue;
      if (Status s = sns.SetSubscriptionAttribute(*arn, k, v); !s.ok()) {
        return Refused("subscription", sub.logical_id, s);
      }
    }
  }
  return Status::Ok();
}

}  // namespace ll::sns
