// AWS::SNS::Topic and AWS::SNS::Subscription: topics created at start with their attributes,
// tags and inline subscriptions; subscriptions with their attributes. AWS::SNS::TopicPolicy
// and AWS::SQS::QueuePolicy are accepted and not enforced.
#include <fmt/format.h>

#include "template/resources/handlers.h"

namespace ll {
namespace {

bool IsTrue(const std::string& v) { return v == "true" || v == "True"; }

std::string GeneratedTopicName(const TemplateContext& context, const std::string& logical_id) {
  return fmt::format("{}-{:08X}", logical_id.substr(0, 200), ProjectHash(context));
}

}  // namespace

Result<ResourceSymbols> NameSnsTopic(const TemplateContext& context, const Resource& resource) {
  const YAML::Node& props = resource.properties;
  std::string name;
  bool fifo = false;
  if (props && props.IsMap() && props["FifoTopic"]) {
    auto f = context.resolver.Eval(props["FifoTopic"]);
    fifo = f.ok() && IsTrue(*f);
  }
  if (props && props.IsMap() && props["TopicName"]) {
    auto n = context.resolver.Eval(props["TopicName"]);
    if (!n.ok()) return TemplateError("topic " + resource.logical_id + ": TopicName: " + n.status().message());
    name = *n;
  } else {
    name = GeneratedTopicName(context, resource.logical_id) + (fifo ? ".fifo" : "");
  }
  ResourceSymbols symbols;
  symbols.name = name;
  symbols.ref = fmt::format("arn:aws:sns:{}:{}:{}", context.options.region, context.options.account_id, name);
  symbols.attributes["TopicArn"] = symbols.ref;
  symbols.attributes["TopicName"] = name;
  return symbols;
}

Status LoadSnsTopic(const TemplateContext& context, const Resource& resource, LoadedTemplate& out) {
  const std::string where = "topic " + resource.logical_id;
  const YAML::Node& props = resource.properties;
  TopicResource topic;
  topic.logical_id = resource.logical_id;
  topic.name = resource.name;
  const std::string arn = fmt::format("arn:aws:sns:{}:{}:{}", context.options.region,
                                      context.options.account_id, resource.name);
  if (props && props.IsMap()) {
    for (const char* key : {"DisplayName", "FifoTopic", "ContentBasedDeduplication", "KmsMasterKeyId",
                            "SignatureVersion", "TracingConfig", "FifoThroughputScope"}) {
      if (!props[key]) continue;
      auto v = context.resolver.Eval(props[key]);
      if (!v.ok()) return TemplateError(where + ": " + key + ": " + v.status().message());
      std::string value = *v;
      if (value == "True") value = "true";
      if (value == "False") value = "false";
      topic.attributes[key] = value;
    }
    for (const char* key : {"DeliveryPolicy", "DataProtectionPolicy", "ArchivePolicy"}) {
      if (!props[key]) continue;
      auto v = JsonOrString(context.resolver, props[key]);
      if (!v.ok()) return TemplateError(where + ": " + key + ": " + v.status().message());
      topic.attributes[key] = *v;
    }
    if (const YAML::Node& tags = props["Tags"]; tags && tags.IsSequence()) {
      for (const auto& tag : tags) {
        auto k = context.resolver.Eval(tag["Key"]);
        auto v = context.resolver.Eval(tag["Value"]);
        if (!k.ok() || !v.ok()) return TemplateError(where + ": Tags: each tag needs Key and Value");
        topic.tags[*k] = *v;
      }
    }
    if (const YAML::Node& subs = props["Subscription"]; subs && subs.IsSequence()) {
      int i = 0;
      for (const auto& sub : subs) {
        auto protocol = context.resolver.Eval(sub["Protocol"]);
        auto endpoint = context.resolver.Eval(sub["Endpoint"]);
        if (!protocol.ok() || !endpoint.ok()) {
          return TemplateError(where + ": Subscription: each needs Protocol and Endpoint");
        }
        out.topic_subscriptions.push_back({fmt::format("{}.Subscription[{}]", resource.logical_id, i++),
                                           arn, *protocol, *endpoint, {}});
      }
    }
  }
  out.topics.push_back(std::move(topic));
  return Status::Ok();
}

Status LoadSnsSubscription(const TemplateContext& context, const Resource& resource, LoadedTemplate& out) {
  const std::string where = "subscription " + resource.logical_id;
  const YAML::Node& props = resource.properties;
  if (!props || !props.IsMap() || !props["TopicArn"] || !props["Protocol"]) {
    return TemplateError(where + ": needs TopicArn and Protocol");
  }
  TopicSubscriptionResource sub;
  sub.logical_id = resource.logical_id;
  auto topic = context.resolver.Eval(props["TopicArn"]);
  auto protocol = context.resolver.Eval(props["Protocol"]);
  if (!topic.ok()) return TemplateError(where + ": TopicArn: " + topic.status().message());
  if (!protocol.ok()) return TemplateError(where + ": Protocol: " + protocol.status().message());
  sub.topic_arn = *topic;
  sub.protocol = *protocol;
  if (props["Endpoint"]) {
    auto endpoint = context.resolver.Eval(props["Endpoint"]);
    if (!endpoint.ok()) return TemplateError(where + ": Endpoint: " + endpoint.status().message());
    sub.endpoint = *endpoint;
  }
  for (const char* key : {"RawMessageDelivery", "FilterPolicyScope"}) {
    if (!props[key]) continue;
    auto v = context.resolver.Eval(props[key]);
    if (!v.ok()) return TemplateError(where + ": " + key + ": " + v.status().message());
    sub.attributes[key] = *v == "True" ? "true" : *v == "False" ? "false" : *v;
  }
  for (const char* key : {"FilterPolicy", "RedrivePolicy", "DeliveryPolicy", "ReplayPolicy"}) {
    if (!props[key]) continue;
    auto v = JsonOrString(context.resolver, props[key]);
    if (!v.ok()) return TemplateError(where + ": " + key + ": " + v.status().message());
    sub.attributes[key] = *v;
  }
  out.topic_subscriptions.push_back(std::move(sub));
  return Status::Ok();
}

Status LoadAcceptedPolicy(const TemplateContext&, const Resource&, LoadedTemplate&) {
  return Status::Ok();
}

}  // namespace ll
