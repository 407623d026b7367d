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

const std::map<std::string, EventReader>& EventReaders() {
  static const std::map<std::string, EventReader> readers = {
      {"SQS", ReadSqsEvent},
      {"S3", ReadS3Event},
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
