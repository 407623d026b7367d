#include "template/resources/function_events.h"

#include <map>
#include <string>

#include <fmt/format.h>

#include "template/resources/event_source_mapping.h"
#include "template/resources/handlers.h"

namespace ll {
namespace {

// Translates one event of a function; `event_id` is "Function.Event".
using EventReader = Status (*)(const TemplateContext& context, const Resource& function,
                               const std::string& event_id, const YAML::Node& event,
                               LoadedTemplate& out);

Status ReadSqsEvent(const TemplateContext& context, const Resource& function,
                    const std::string& event_id, const YAML::Node& event, LoadedTemplate& out) {
  auto m = ReadMappingProperties(context.resolver, event_id, function.name, event["Properties"],
                                 "Queue");
  if (!m.ok()) return m.status();
  out.mappings.push_back(std::move(*m));
  return Status::Ok();
}

// Type: S3 -> a notification of the bucket (Properties: Bucket, Events, Filter), delivered to
// the function asynchronously.
Status ReadS3Event(const TemplateContext& context, const Resource& function,
                   const std::string& event_id, const YAML::Node& event, LoadedTemplate& out) {
  const YAML::Node& props = event["Properties"];
  if (!props || !props.IsMap() || !props["Bucket"] || !props["Events"]) {
    return TemplateError(event_id + ": an S3 event needs Bucket and Events");
  }
  auto bucket = context.resolver.Eval(props["Bucket"]);
  if (!bucket.ok()) return TemplateError(event_id + ": Bucket: " + bucket.status().message());
  BucketTarget target;
  target.kind = "lambda";
  target.arn = fmt::format("arn:aws:lambda:{}:{}:function:{}", context.options.region,
                           context.options.account_id, function.name);
  target.id = event_id;
  auto events = EvalStringOrList(context.resolver, props["Events"]);
  if (!events.ok()) return TemplateError(event_id + ": Events: " + events.status().message());
  target.events = std::move(*events);
  if (Status s = ReadS3KeyFilter(context.resolver, props["Filter"], target); !s.ok()) {
    return TemplateError(event_id + ": " + s.message());
  }
  out.bucket_events.emplace_back(*bucket, std::move(target));
  return Status::Ok();
}

// Type: SNS -> a subscription of the function to the topic (Properties: Topic, FilterPolicy,
// FilterPolicyScope, RedrivePolicy), or with SqsSubscription a queue between the two, as SAM
// makes it: the topic delivers to the queue, the queue is mapped to the function.
Status ReadSnsEvent(const TemplateContext& context, const Resource& function,
                    const std::string& event_id, const YAML::Node& event, LoadedTemplate& out) {
  const YAML::Node& props = event["Properties"];
  if (!props || !props.IsMap() || !props["Topic"]) return TemplateError(event_id + ": an SNS event needs Topic");
  auto topic = context.resolver.Eval(props["Topic"]);
  if (!topic.ok()) return TemplateError(event_id + ": Topic: " + topic.status().message());
  TopicSubscriptionResource sub;
  sub.logical_id = event_id;
  sub.topic_arn = *topic;
  for (const char* key : {"FilterPolicy", "RedrivePolicy"}) {
    if (!props[key]) continue;
    auto v = JsonOrString(context.resolver, props[key]);
    if (!v.ok()) return TemplateError(event_id + ": " + key + ": " + v.status().message());
    sub.attributes[key] = *v;
  }
  if (props["FilterPolicyScope"]) {
    auto v = context.resolver.Eval(props["FilterPolicyScope"]);
    if (!v.ok()) return TemplateError(event_id + ": FilterPolicyScope: " + v.status().message());
    sub.attributes["FilterPolicyScope"] = *v;
  }
  const YAML::Node& via_queue = props["SqsSubscription"];
  bool queued = false;
  if (via_queue && via_queue.IsMap()) {
    queued = true;
  } else if (via_queue) {
    auto v = context.resolver.Eval(via_queue);
    queued = v.ok() && (*v == "true" || *v == "True");
  }
  if (!queued) {
    sub.protocol = "lambda";
    sub.endpoint = fmt::format("arn:aws:lambda:{}:{}:function:{}", context.options.region,
                               context.options.account_id, function.name);
    out.topic_subscriptions.push_back(std::move(sub));
    return Status::Ok();
  }
  // SAM names the queue <Function><Event>Queue; a QueueArn of the object form replaces it.
  const std::string event_name = event_id.substr(event_id.find('.') + 1);
  std::string queue_arn;
  if (via_queue.IsMap() && via_queue["QueueArn"]) {
    auto arn = context.resolver.Eval(via_queue["QueueArn"]);
    if (!arn.ok()) return TemplateError(event_id + ": SqsSubscription.QueueArn: " + arn.status().message());
    queue_arn = *arn;
  } else {
    QueueResource q;
    q.logical_id = function.logical_id + event_name + "Queue";
    q.name = q.logical_id;
    queue_arn = fmt::format("arn:aws:sqs:{}:{}:{}", context.options.region, context.options.account_id, q.name);
    out.queues.insert(out.queues.begin(), std::move(q));
  }
  sub.protocol = "sqs";
  sub.endpoint = queue_arn;
  out.topic_subscriptions.push_back(std::move(sub));
  MappingResource m;
  m.logical_id = function.logical_id + event_name + "EventSourceMapping";
  m.function_name = function.name;
  m.event_source_arn = queue_arn;
  if (via_queue.IsMap()) {
    if (via_queue["BatchSize"]) {
      auto b = EvalInt(context.resolver, via_queue["BatchSize"], event_id + ": SqsSubscription.BatchSize");
      if (!b.ok()) return b.status();
      m.batch_size = *b;
    }
    if (via_queue["Enabled"]) {
      auto e = context.resolver.Eval(via_queue["Enabled"]);
      m.enabled = !(e.ok() && (*e == "false" || *e == "False"));
    }
  }
  out.mappings.push_back(std::move(m));
  return Status::Ok();
}

Status ReadRestApiEvent(const TemplateContext& context, const Resource& function,
                        const std::string& event_id, const YAML::Node& event, LoadedTemplate& out) {
  return ReadApiEvent(context, function, event_id, event, out, false);
}

Status ReadHttpApiEvent(const TemplateContext& context, const Resource& function,
                        const std::string& event_id, const YAML::Node& event, LoadedTemplate& out) {
  return ReadApiEvent(context, function, event_id, event, out, true);
}

const std::map<std::string, EventReader>& EventReaders() {
  static const std::map<std::string, EventReader> readers = {
      {"SQS", ReadSqsEvent},
      {"S3", ReadS3Event},
      {"SNS", ReadSnsEvent},
      {"Api", ReadRestApiEvent},
      {"HttpApi", ReadHttpApiEvent},
  };
  return readers;
}

}  // namespace

Status ReadFunctionEvents(const TemplateContext& context, const Resource& function,
                          LoadedTemplate& out) {
  YAML::Node props = function.properties;
  YAML::Node events =
      props && props.IsMap() ? props["Events"] : YAML::Node(YAML::NodeType::Undefined);
  if (!events || !events.IsMap()) return Status::Ok();
  for (const auto& ev : events) {
    const std::string type = ev.second["Type"] ? ev.second["Type"].as<std::string>() : "?";
    const std::string event_id = function.logical_id + "." + ev.first.as<std::string>();
    auto reader = EventReaders().find(type);
    if (reader == EventReaders().end()) {
      out.ignored.push_back(event_id + " (event " + type + ")");
      continue;
    }
    Status s = reader->second(context, function, event_id, ev.second, out);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace ll
