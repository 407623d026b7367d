// AWS::SQS::Queue: a queue created at start with the resource's SQS attributes.
#include <fmt/format.h>

#include "template/resources/handlers.h"

namespace ll {

Result<ResourceSymbols> NameSqsQueue(const TemplateContext& context, const Resource& resource) {
  const TemplateOptions& options = context.options;
  std::string name = resource.logical_id;
  YAML::Node props = resource.properties;
  if (props && props["QueueName"]) {
    auto n = context.resolver.Eval(props["QueueName"]);
    if (!n.ok()) {
      return TemplateError("queue " + resource.logical_id + ": QueueName: " + n.status().message());
    }
    name = *n;
  } else if (props && props["FifoQueue"]) {
    auto fifo = context.resolver.Eval(props["FifoQueue"]);
    if (fifo.ok() && (*fifo == "true" || *fifo == "True")) name += ".fifo";
  }
  std::string url = fmt::format("{}/{}/{}", options.endpoint, options.account_id, name);
  ResourceSymbols symbols;
  symbols.name = name;
  symbols.ref = url;
  symbols.attributes["Arn"] =
      fmt::format("arn:aws:sqs:{}:{}:{}", options.region, options.account_id, name);
  symbols.attributes["QueueName"] = name;
  symbols.attributes["QueueUrl"] = url;
  return symbols;
}

Status LoadSqsQueue(const TemplateContext& context, const Resource& resource,
                    LoadedTemplate& out) {
  const std::string where = "queue " + resource.logical_id;
  const YAML::Node& props = resource.properties;
  QueueResource q;
  q.logical_id = resource.logical_id;
  q.name = resource.name;
  if (props && props.IsMap()) {
    for (const char* key : {"VisibilityTimeout", "DelaySeconds", "MessageRetentionPeriod",
                            "MaximumMessageSize", "ReceiveMessageWaitTimeSeconds", "FifoQueue",
                            "ContentBasedDeduplication", "KmsMasterKeyId", "SqsManagedSseEnabled",
                            "DeduplicationScope", "FifoThroughputLimit"}) {
      if (!props[key]) continue;
      auto v = context.resolver.Eval(props[key]);
      if (!v.ok()) return TemplateError(where + ": " + key + ": " + v.status().message());
      std::string value = *v;
      if (value == "True") value = "true";
      if (value == "False") value = "false";
      q.attributes[key] = value;
    }
    for (const char* key : {"RedrivePolicy", "RedriveAllowPolicy"}) {
      if (!props[key]) continue;
      auto v = JsonOrString(context.resolver, props[key]);
      if (!v.ok()) return TemplateError(where + ": " + key + ": " + v.status().message());
      q.attributes[key] = *v;
    }
  }
  // Dead-letter targets first, so a redrive policy always names an existing queue.
  if (q.attributes.count("RedrivePolicy")) {
    out.queues.push_back(std::move(q));
  } else {
    out.queues.insert(out.queues.begin(), std::move(q));
  }
  return Status::Ok();
}

}  // namespace ll
