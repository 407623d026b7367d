// Reads a SAM / CloudFormation template (YAML with short intrinsic tags, or JSON) into
// FunctionConfigs. Resolves !Ref, !Sub, !GetAtt, !Join over Parameters and pseudo parameters.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/function_config.h"

namespace ll {

struct TemplateOptions {
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  std::map<std::string, std::string> parameter_overrides;
};

struct LoadedTemplate {
  std::vector<FunctionConfig> functions;
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
