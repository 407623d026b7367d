#include "api/function_json.h"

namespace ll {
namespace {

constexpr char kUnknownLastModified[] = "1970-01-01T00:00:00.000+0000";

void Field(JsonWriter& w, const char* key, std::string_view value) {
  w.Key(key);
  WriteString(w, value);
}

void Field(JsonWriter& w, const char* key, int64_t value) {
  w.Key(key);
  w.Int64(value);
}

// {"<key>": {"<inner>": "<value>"}}
void Nested(JsonWriter& w, const char* key, const char* inner, std::string_view value) {
  w.Key(key);
  w.StartObject();
  Field(w, inner, value);
  w.EndObject();
}

std::string Finish(const rapidjson::StringBuffer& buf) {
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace

void WriteString(JsonWriter& w, std::string_view s) {
  w.String(s.data(), rapidjson::SizeType(s.size()));
}

void WriteStringMap(JsonWriter& w, const std::map<std::string, std::string>& m) {
  w.StartObject();
  for (const auto& [k, v] : m) {
    w.Key(k.data(), rapidjson::SizeType(k.size()));
    WriteString(w, v);
  }
  w.EndObject();
}

void WriteFunctionConfiguration(JsonWriter& w, const FunctionConfig& fn, std::string_view arn) {
  w.StartObject();
  Field(w, "FunctionName", fn.name);
  Field(w, "FunctionArn", arn.empty() ? std::string_view(fn.VersionArn()) : arn);
  Field(w, "Runtime", fn.runtime);
  Field(w, "Role",
        fn.role.empty() ? "arn:aws:iam::" + fn.account_id + ":role/lambda-local" : fn.role);
  Field(w, "Handler", fn.handler);
  Field(w, "CodeSize", fn.code_size);
  Field(w, "Description", fn.description);
  Field(w, "Timeout", fn.timeout_s);
  Field(w, "MemorySize", fn.memory_mb);
  Field(w, "LastModified", fn.last_modified.empty() ? kUnknownLastModified : fn.last_modified);
  Field(w, "CodeSha256", fn.code_sha256);
  Field(w, "Version", fn.version);
  if (!fn.environment.empty()) {
    w.Key("Environment");
    w.StartObject();
    w.Key("Variables");
    WriteStringMap(w, fn.environment);
    w.EndObject();
  }
  Nested(w, "TracingConfig", "Mode", fn.tracing_mode);
  if (!fn.revision_id.empty()) Field(w, "RevisionId", fn.revision_id);
  if (!fn.layers.empty()) {
    w.Key("Layers");
    w.StartArray();
    for (const auto& layer : fn.layers) {
      w.StartObject();
      Field(w, "Arn", layer);
      Field(w, "CodeSize", 0);
      w.EndObject();
    }
    w.EndArray();
  }
  if (!fn.dead_letter_target_arn.empty()) {
    Nested(w, "DeadLetterConfig", "TargetArn", fn.dead_letter_target_arn);
  }
  Field(w, "State", "Active");
  Field(w, "LastUpdateStatus", "Successful");
  Field(w, "PackageType", "Zip");
  w.Key("Architectures");
  w.StartArray();
  for (const auto& a : fn.architectures) WriteString(w, a);
  w.EndArray();
  w.Key("EphemeralStorage");
  w.StartObject();
  Field(w, "Size", fn.ephemeral_storage_mb);
  w.EndObject();
  w.Key("LoggingConfig");
  w.StartObject();
  Field(w, "LogFormat", "Text");
  Field(w, "LogGroup", "/aws/lambda/" + fn.name);
  w.EndObject();
  w.Key("SnapStart");
  w.StartObject();
  Field(w, "ApplyOn", "None");
  Field(w, "OptimizationStatus", "Off");
  w.EndObject();
  w.EndObject();
}

std::string FunctionConfigurationJson(const FunctionConfig& fn, std::string_view arn) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  WriteFunctionConfiguration(w, fn, arn);
  return Finish(buf);
}

std::string GetFunctionJson(const GetFunctionView& view) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("Configuration");
  WriteFunctionConfiguration(w, *view.config, view.arn);
  w.Key("Code");
  w.StartObject();
  Field(w, "RepositoryType", "S3");
  Field(w, "Location", view.code_location);
  w.EndObject();
  if (view.tags && !view.tags->empty()) {
    w.Key("Tags");
    WriteStringMap(w, *view.tags);
  }
  if (view.reserved_concurrency) {
    w.Key("Concurrency");
    w.StartObject();
    Field(w, "ReservedConcurrentExecutions", *view.reserved_concurrency);
    w.EndObject();
  }
  w.EndObject();
  return Finish(buf);
}

void WriteAliasConfiguration(JsonWriter& w, const std::string& function_arn,
                             const AliasConfig& alias) {
  w.StartObject();
  Field(w, "AliasArn", function_arn + ":" + alias.name);
  Field(w, "Name", alias.name);
  Field(w, "FunctionVersion", alias.function_version);
  Field(w, "Description", alias.description);
  if (!alias.additional_weights.empty()) {
    w.Key("RoutingConfig");
    w.StartObject();
    w.Key("AdditionalVersionWeights");
    w.StartObject();
    for (const auto& [version, weight] : alias.additional_weights) {
      w.Key(version.c_str());
      w.Double(weight);
    }
    w.EndObject();
    w.EndObject();
  }
  Field(w, "RevisionId", alias.revision_id);
  w.EndObject();
}

std::string AliasConfigurationJson(const std::string& function_arn, const AliasConfig& alias) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  WriteAliasConfiguration(w, function_arn, alias);
  return Finish(buf);
}

void WriteEventInvokeConfig(JsonWriter& w, const std::string& qualified_arn,
                            const EventInvokeConfig& config) {
  w.StartObject();
  w.Key("LastModified");
  w.Double(config.last_modified);
  Field(w, "FunctionArn", qualified_arn);
  if (config.maximum_retry_attempts)
    Field(w, "MaximumRetryAttempts", *config.maximum_retry_attempts);
  if (config.maximum_event_age_s) Field(w, "MaximumEventAgeInSeconds", *config.maximum_event_age_s);
  w.Key("DestinationConfig");
  w.StartObject();
  if (!config.on_success_arn.empty()) Nested(w, "OnSuccess", "Destination", config.on_success_arn);
  if (!config.on_failure_arn.empty()) Nested(w, "OnFailure", "Destination", config.on_failure_arn);
  w.EndObject();
  w.EndObject();
}

std::string EventInvokeConfigJson(const std::string& qualified_arn,
                                  const EventInvokeConfig& config) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  WriteEventInvokeConfig(w, qualified_arn, config);
  return Finish(buf);
}

}  // namespace ll
