// Reads a SAM / CloudFormation template (YAML with short intrinsic tags, or JSON) into
// FunctionConfigs, queues and mappings. Resolves !Ref, !Sub, !GetAtt, !Join over Parameters and
// pseudo parameters (intrinsics.h); each resource type is read by its handler
// (resource_handlers.h).
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/function_config.h"

namespace ll {

struct TemplateOptions {
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  std::string endpoint = "http://localhost:4566";  // for queue URLs (!Ref of a queue)
  std::map<std::string, std::string> parameter_overrides;
};

// An AWS::SQS::Queue resource: created at start with these SQS attributes.
struct QueueResource {
  std::string logical_id;
  std::string name;
  std::map<std::string, std::string> attributes;  // SQS attribute names, string values
};

// An event source mapping from `Events: Type: SQS` or AWS::Lambda::EventSourceMapping.
struct MappingResource {
  std::string logical_id;
  std::string function_name;
  std::string event_source_arn;
  std::optional<int> batch_size;
  std::optional<int> maximum_batching_window_s;
  bool enabled = true;
  std::vector<std::string> function_response_types;
  std::optional<int> maximum_concurrency;
  std::vector<std::string> filter_patterns;  // each Pattern as a JSON string
};

struct LoadedTemplate {
  std::vector<FunctionConfig> functions;
  std::vector<QueueResource> queues;  // dead-letter targets first
  std::vector<MappingResource> mappings;
  std::vector<std::string> ignored;  // "LogicalId (AWS::Type)" for resources not emulated
};

// `base_dir` is the folder CodeUri paths are relative to.
Result<LoadedTemplate> ParseTemplate(std::string_view text, const std::filesystem::path& base_dir,
                                     const TemplateOptions& options);
Result<LoadedTemplate> LoadTemplateFile(const std::filesystem::path& path,
                                        const TemplateOptions& options);
// template.yaml, template.yml or template.json in `dir`; empty path when none exists.
std::filesystem::path FindDefaultTemplate(const std::filesystem::path& dir);

}  // namespace ll
