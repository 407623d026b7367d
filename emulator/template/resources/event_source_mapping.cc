// AWS::Lambda::EventSourceMapping: a queue polled for a function.
#include "template/resources/event_source_mapping.h"

#include <optional>

#include <fmt/format.h>

#include "template/resources/handlers.h"

namespace ll {
namespace {

Result<std::optional<int>> OptionalInt(const Resolver& resolver, const YAML::Node& props,
                                       const char* key, const std::string& where) {
  if (!props || !props.IsMap() || !props[key]) return std::optional<int>();
  auto v = EvalInt(resolver, props[key], where + ": " + key);
  if (!v.ok()) return v.status();
  return std::optional<int>(*v);
}

}  // namespace

Result<MappingResource> ReadMappingProperties(const Resolver& resolver,
                                              const std::string& logical_id,
                                              const std::string& function_name,
                                              const YAML::Node& props, const char* source_key) {
  const std::string where = "event source mapping " + logical_id;
  MappingResource m;
  m.logical_id = logical_id;
  m.function_name = function_name;
  if (!props || !props.IsMap() || !props[source_key]) {
    return TemplateError(fmt::format("{}: {} is required", where, source_key));
  }
  auto arn = resolver.Eval(props[source_key]);
  if (!arn.ok()) return TemplateError(where + ": " + arn.status().message());
  m.event_source_arn = *arn;
  auto batch = OptionalInt(resolver, props, "BatchSize", where);
  if (!batch.ok()) return batch.status();
  m.batch_size = *batch;
  auto window = OptionalInt(resolver, props, "MaximumBatchingWindowInSeconds", where);
  if (!window.ok()) return window.status();
  m.maximum_batching_window_s = *window;
  if (props["Enabled"]) {
    auto e = resolver.Eval(props["Enabled"]);
    if (!e.ok()) return e.status();
    m.enabled = *e != "false" && *e != "False";
  }
  if (YAML::Node types = props["FunctionResponseTypes"]; types && types.IsSequence()) {
    for (const auto& t : types) m.function_response_types.push_back(t.as<std::string>());
  }
  if (YAML::Node scaling = props["ScalingConfig"]; scaling && scaling.IsMap()) {
    auto c = OptionalInt(resolver, scaling, "MaximumConcurrency", where);
    if (!c.ok()) return c.status();
    m.maximum_concurrency = *c;
  }
  if (YAML::Node criteria = props["FilterCriteria"]; criteria && criteria["Filters"]) {
    for (const auto& f : criteria["Filters"]) {
      if (!f["Pattern"]) continue;
      auto p = JsonOrString(resolver, f["Pattern"]);
      if (!p.ok()) return p.status();
      m.filter_patterns.push_back(*p);
    }
  }
  return m;
}

Status LoadEventSourceMapping(const TemplateContext& context, const Resource& resource,
                              LoadedTemplate& out) {
  YAML::Node props = resource.properties;
  if (!props || !props["FunctionName"]) {
    return TemplateError("event source mapping " + resource.logical_id +
                         ": FunctionName is required");
  }
  auto function_name = context.resolver.Eval(props["FunctionName"]);
  if (!function_name.ok()) return function_name.status();
  auto m = ReadMappingProperties(context.resolver, resource.logical_id, *function_name, props,
                                 "EventSourceArn");
  if (!m.ok()) return m.status();
  out.mappings.push_back(std::move(*m));
  return Status::Ok();
}

}  // namespace ll
