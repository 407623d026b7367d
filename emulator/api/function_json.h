// JSON shapes of the Lambda control plane, in AWS's member names: FunctionConfiguration,
// GetFunction's answer, AliasConfiguration, FunctionEventInvokeConfig.
#pragma once

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "model/function_config.h"
#include "store/function_store.h"

namespace ll {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void WriteString(JsonWriter& w, std::string_view s);
void WriteStringMap(JsonWriter& w, const std::map<std::string, std::string>& m);

// FunctionConfiguration of `fn`. FunctionArn is `arn` when given (e.g. qualified by the alias
// or "$LATEST" the caller named), else fn.VersionArn().
void WriteFunctionConfiguration(JsonWriter& w, const FunctionConfig& fn, std::string_view arn = {});
std::string FunctionConfigurationJson(const FunctionConfig& fn, std::string_view arn = {});

// GetFunction: {Configuration, Code{RepositoryType, Location}, Tags, Concurrency}.
struct GetFunctionView {
  const FunctionConfig* config = nullptr;
  std::string arn;            // FunctionArn to report, see above
  std::string code_location;  // URL the package can be downloaded from
  const std::map<std::string, std::string>* tags = nullptr;
  std::optional<int> reserved_concurrency;
};
std::string GetFunctionJson(const GetFunctionView& view);

// AliasConfiguration; `function_arn` is the unqualified ARN of the function.
void WriteAliasConfiguration(JsonWriter& w, const std::string& function_arn,
                             const AliasConfig& alias);
std::string AliasConfigurationJson(const std::string& function_arn, const AliasConfig& alias);

// FunctionEventInvokeConfig; `qualified_arn` names the qualifier ("...:fn:$LATEST").
void WriteEventInvokeConfig(JsonWriter& w, const std::string& qualified_arn,
                            const EventInvokeConfig& config);
std::string EventInvokeConfigJson(const std::string& qualified_arn,
                                  const EventInvokeConfig& config);

}  // namespace ll
