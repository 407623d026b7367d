#include "api/lambda_request.h"

#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

#include <fmt/format.h>

#include "api/lambda_errors.h"
#include "base/strings.h"
#include "model/error_names.h"
#include "model/function_ref.h"

namespace ll {
namespace {

constexpr size_t kMaxEnvironmentBytes = 4096;

// Keys Lambda sets itself and refuses in Environment.Variables.
constexpr std::string_view kReservedKeys[] = {"AWS_REGION",
                                              "AWS_DEFAULT_REGION",
                                              "AWS_EXECUTION_ENV",
                                              "AWS_LAMBDA_FUNCTION_NAME",
                                              "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
                                              "AWS_LAMBDA_FUNCTION_VERSION",
                                              "AWS_LAMBDA_INITIALIZATION_TYPE",
                                              "AWS_LAMBDA_LOG_GROUP_NAME",
                                              "AWS_LAMBDA_LOG_STREAM_NAME",
                                              "AWS_ACCESS_KEY",
                                              "AWS_ACCESS_KEY_ID",
                                              "AWS_SECRET_ACCESS_KEY",
                                              "AWS_SESSION_TOKEN",
                                              "AWS_LAMBDA_RUNTIME_API",
                                              "LAMBDA_TASK_ROOT",
                                              "LAMBDA_RUNTIME_DIR",
                                              "_HANDLER",
                                              "_X_AMZN_TRACE_ID"};

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// [a-zA-Z]([a-zA-Z0-9_])+
bool IsEnvironmentKey(const std::string& k) {
  if (k.size() < 2 || !IsAlpha(k[0])) return false;
  return std::all_of(k.begin() + 1, k.end(),
                     [](char c) { return IsAlpha(c) || IsDigit(c) || c == '_'; });
}

bool IsQualifierText(std::string_view q) {
  return std::all_of(q.begin(), q.end(), [](char c) {
    return IsAlpha(c) || IsDigit(c) || c == '$' || c == '_' || c == '-';
  });
}

const char* JsonTypeName(const rapidjson::Value& v) {
  if (v.IsString()) return "a string";
  if (v.IsNumber()) return "a number";
  if (v.IsBool()) return "a boolean";
  if (v.IsObject()) return "an object";
  if (v.IsArray()) return "an array";
  return "null";
}

}  // namespace

std::string FunctionArn(const ControlPlaneContext& ctx, const std::string& name,
                        const std::string& qualifier) {
  std::string arn =
      fmt::format("arn:aws:lambda:{}:{}:function:{}", ctx.region, ctx.account_id, name);
  if (!qualifier.empty()) arn += ":" + qualifier;
  return arn;
}

Status FunctionNotFound(const ControlPlaneContext& ctx, const std::string& name,
                        const std::string& qualifier) {
  return Status::Error(errors::kResourceNotFound,
                       "Function not found: " + FunctionArn(ctx, name, qualifier));
}

Result<TargetRef> ParseTarget(const ControlPlaneContext& ctx, const HttpRequest& req,
                              Qualifiers qualifiers, size_t match) {
  return ParseTarget(ctx.region, ctx.account_id, req, qualifiers, match);
}

Result<TargetRef> ParseTarget(const std::string& region, const std::string& account_id,
                              const HttpRequest& req, Qualifiers qualifiers, size_t match) {
  const std::string text = PercentDecode(req.matches[match].str());
  auto ref = ParseFunctionRef(text);
  if (!ref.ok()) return ref.status();
  std::string qualifier = req.Param("Qualifier");
  if (!qualifier.empty()) {
    Violations v;
    v.MaxLength("qualifier", qualifier, 128);
    if (!IsQualifierText(qualifier)) v.Pattern("qualifier", qualifier, "(|[a-zA-Z0-9$_-]+)");
    if (!v.empty()) return v.ToStatus();
  }
  if (!ref->qualifier.empty() && !qualifier.empty() && ref->qualifier != qualifier) {
    return Status::Error(errors::kInvalidParameterValue,
                         "The derived qualifier from the function name does not match the "
                         "specified qualifier.");
  }
  if (qualifier.empty()) qualifier = ref->qualifier;
  if (!ref->region.empty() && ref->region != region) {
    return Status::Error(errors::kResourceNotFound,
                         fmt::format("Functions from '{}' are not reachable in this region ('{}')",
                                     ref->region, region));
  }
  if (!ref->account_id.empty() && ref->account_id != account_id) {
    std::string arn =
        fmt::format("arn:aws:lambda:{}:{}:function:{}", region, ref->account_id, ref->name);
    if (!qualifier.empty()) arn += ":" + qualifier;
    return Status::Error(errors::kResourceNotFound, "Function not found: " + arn);
  }
  if (qualifiers == Qualifiers::kRejected && !qualifier.empty()) {
    return Status::Error(errors::kInvalidParameterValue,
                         fmt::format("This operation applies to the whole function: give '{}' "
                                     "without a version or alias qualifier (got '{}').",
                                     ref->name, qualifier));
  }
  return TargetRef{ref->name, qualifier};
}

Result<FunctionRecord> GetRecord(const ControlPlaneContext& ctx, const std::string& name) {
  auto rec = ctx.store->Get(name);
  if (!rec) return FunctionNotFound(ctx, name);
  return std::move(*rec);
}

Result<FunctionRead> ReadFunction(const ControlPlaneContext& ctx, const HttpRequest& req,
                                  Qualifiers qualifiers) {
  auto target = ParseTarget(ctx, req, qualifiers);
  if (!target.ok()) return target.status();
  auto rec = GetRecord(ctx, target->name);
  if (!rec.ok()) return rec.status();
  auto config = ConfigFor(ctx, *rec, target->qualifier);
  if (!config.ok()) return config.status();
  return FunctionRead{std::move(*target), std::move(*rec), std::move(*config)};
}

Status UpdateRecord(const ControlPlaneContext& ctx, const std::string& name,
                    const std::function<Status(FunctionRecord&)>& mutate) {
  bool found = false;
  Status s = ctx.store->Update(name, [&](FunctionRecord& rec) {
    found = true;
    return mutate(rec);
  });
  if (!s.ok() && !found) return FunctionNotFound(ctx, name);
  return s;
}

bool IsVersionNumber(std::string_view s) {
  return !s.empty() && s.size() <= 9 && std::all_of(s.begin(), s.end(), IsDigit);
}

Result<std::shared_ptr<const FunctionConfig>> ConfigFor(const ControlPlaneContext& ctx,
                                                        const FunctionRecord& rec,
                                                        const std::string& qualifier) {
  const std::string& name = rec.latest->name;
  std::string version = qualifier;
  if (!qualifier.empty() && qualifier != "$LATEST" && !IsVersionNumber(qualifier)) {
    auto alias = rec.aliases.find(qualifier);
    if (alias == rec.aliases.end()) return FunctionNotFound(ctx, name, qualifier);
    version = alias->second.function_version;
  }
  if (version.empty() || version == "$LATEST") return rec.latest;
  auto it = rec.versions.find(std::stoi(version));
  if (it == rec.versions.end()) return FunctionNotFound(ctx, name, qualifier);
  return it->second;
}

Result<rapidjson::Document> ParseJsonBody(const HttpRequest& req) {
  rapidjson::Document doc;
  if (req.body.empty()) {
    doc.SetObject();
    return doc;
  }
  doc.Parse(req.body.data(), req.body.size());
  if (doc.HasParseError()) {
    return Status::Error(
        errors::kInvalidRequestContent,
        fmt::format("Could not parse request body into json: {} (at offset {})",
                    rapidjson::GetParseError_En(doc.GetParseError()), doc.GetErrorOffset()));
  }
  if (!doc.IsObject()) {
    return Status::Error(errors::kInvalidRequestContent,
                         "Could not parse request body into json: the body must be a JSON object");
  }
  return doc;
}

Fields::Fields(const rapidjson::Value& object, std::string path)
    : object_(object), path_(std::move(path)) {}

const rapidjson::Value* Fields::Find(const char* key) const {
  if (!object_.IsObject()) return nullptr;
  auto it = object_.FindMember(key);
  if (it == object_.MemberEnd() || it->value.IsNull()) return nullptr;
  return &it->value;
}

void Fields::TypeError(const char* key, const char* expected) {
  if (!status_.ok()) return;
  status_ = Status::Error(errors::kInvalidRequestContent,
                          fmt::format("Could not parse request body into json: '{}{}' must be {}, "
                                      "got {}",
                                      path_, key, expected, JsonTypeName(*Find(key))));
}

bool Fields::Has(const char* key) const { return Find(key) != nullptr; }

std::optional<std::string> Fields::String(const char* key) {
  const rapidjson::Value* v = Find(key);
  if (!v) return std::nullopt;
  if (!v->IsString()) {
    TypeError(key, "a string");
    return std::nullopt;
  }
  return std::string(v->GetString(), v->GetStringLength());
}

std::optional<int64_t> Fields::Int(const char* key) {
  const rapidjson::Value* v = Find(key);
  if (!v) return std::nullopt;
  if (!v->IsInt64()) {
    TypeError(key, "an integer");
    return std::nullopt;
  }
  return v->GetInt64();
}

std::optional<double> Fields::Number(const char* key) {
  const rapidjson::Value* v = Find(key);
  if (!v) return std::nullopt;
  if (!v->IsNumber()) {
    TypeError(key, "a number");
    return std::nullopt;
  }
  return v->GetDouble();
}

std::optional<bool> Fields::Bool(const char* key) {
  const rapidjson::Value* v = Find(key);
  if (!v) return std::nullopt;
  if (!v->IsBool()) {
    TypeError(key, "a boolean");
    return std::nullopt;
  }
  return v->GetBool();
}

const rapidjson::Value* Fields::Object(const char* key) {
  const rapidjson::Value* v = Find(key);
  if (!v) return nullptr;
  if (!v->IsObject()) {
    TypeError(key, "an object");
    return nullptr;
  }
  return v;
}

std::optional<std::map<std::string, std::string>> Fields::StringMap(const char* key) {
  const rapidjson::Value* v = Object(key);
  if (!v) return std::nullopt;
  std::map<std::string, std::string> out;
  for (const auto& m : v->GetObject()) {
    if (!m.value.IsString()) {
      TypeError(key, "an object of strings");
      return std::nullopt;
    }
    out[std::string(m.name.GetString(), m.name.GetStringLength())] =
        std::string(m.value.GetString(), m.value.GetStringLength());
  }
  return out;
}

std::optional<std::vector<std::string>> Fields::StringList(const char* key) {
  const rapidjson::Value* v = Find(key);
  if (!v) return std::nullopt;
  if (!v->IsArray()) {
    TypeError(key, "an array of strings");
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (const auto& item : v->GetArray()) {
    if (!item.IsString()) {
      TypeError(key, "an array of strings");
      return std::nullopt;
    }
    out.emplace_back(item.GetString(), item.GetStringLength());
  }
  return out;
}

void Violations::Range(std::string_view field, int64_t value, int64_t min, int64_t max) {
  if (value < min) {
    Add(
        fmt::format("Value '{}' at '{}' failed to satisfy constraint: Member must have value "
                    "greater than or equal to {}",
                    value, field, min));
  } else if (value > max) {
    Add(
        fmt::format("Value '{}' at '{}' failed to satisfy constraint: Member must have value "
                    "less than or equal to {}",
                    value, field, max));
  }
}

void Violations::MaxLength(std::string_view field, std::string_view value, size_t max) {
  if (value.size() <= max) return;
  Add(
      fmt::format("Value '{}' at '{}' failed to satisfy constraint: Member must have length less "
                  "than or equal to {}",
                  value, field, max));
}

void Violations::Pattern(std::string_view field, std::string_view value, std::string_view pattern) {
  Add(
      fmt::format("Value '{}' at '{}' failed to satisfy constraint: Member must satisfy regular "
                  "expression pattern: {}",
                  value, field, pattern));
}

void Violations::Enum(std::string_view field, std::string_view value, std::string_view allowed) {
  Add(
      fmt::format("Value '{}' at '{}' failed to satisfy constraint: Member must satisfy enum "
                  "value set: [{}]",
                  value, field, allowed));
}

void Violations::Null(std::string_view field) {
  Add(fmt::format("Value null at '{}' failed to satisfy constraint: Member must not be null",
                  field));
}

void Violations::Add(std::string text) { items_.push_back(std::move(text)); }

Status Violations::ToStatus() const {
  if (items_.empty()) return Status::Ok();
  std::string msg =
      fmt::format("{} validation error{} detected: ", items_.size(), items_.size() == 1 ? "" : "s");
  for (size_t i = 0; i < items_.size(); ++i) {
    if (i) msg += "; ";
    msg += items_[i];
  }
  return Status::Error(errors::kValidation, msg);
}

Status ValidateEnvironment(const std::map<std::string, std::string>& vars) {
  for (const auto& [k, v] : vars) {
    if (!IsEnvironmentKey(k)) {
      return Status::Error(
          errors::kValidation,
          fmt::format("1 validation error detected: Value at 'environment.variables' failed to "
                      "satisfy constraint: Map keys must satisfy constraint: [Member must satisfy "
                      "regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+] (key '{}')",
                      k));
    }
  }
  std::string reserved;
  for (const auto& [k, v] : vars) {
    if (std::find(std::begin(kReservedKeys), std::end(kReservedKeys), k) !=
        std::end(kReservedKeys)) {
      if (!reserved.empty()) reserved += ",";
      reserved += k;
    }
  }
  if (!reserved.empty()) {
    return Status::Error(errors::kInvalidParameterValue,
                         "Lambda was unable to configure your environment variables because the "
                         "environment variables you have provided contains reserved keys that are "
                         "currently not supported for modification. Reserved keys used in this "
                         "request: " +
                             reserved);
  }
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  for (const auto& [k, v] : vars) {
    w.Key(k.data(), rapidjson::SizeType(k.size()));
    w.String(v.data(), rapidjson::SizeType(v.size()));
  }
  w.EndObject();
  if (buf.GetSize() > kMaxEnvironmentBytes) {
    return Status::Error(errors::kInvalidParameterValue,
                         "Lambda was unable to configure your environment variables because the "
                         "environment variables you have provided exceeded the 4KB limit. String "
                         "measured: " +
                             std::string(buf.GetString(), buf.GetSize()));
  }
  return Status::Ok();
}

Status CheckRevision(const std::optional<std::string>& given, const std::string& current) {
  if (!given || *given == current) return Status::Ok();
  return Status::Error(errors::kPreconditionFailed,
                       "The Revision Id provided does not match the latest Revision Id. Call the "
                       "GetFunction/GetAlias API to retrieve the latest Revision Id");
}

Result<int> ParseMaxItems(const HttpRequest& req, int cap) {
  if (!req.HasParam("MaxItems")) return cap;
  const std::string text = req.Param("MaxItems");
  int64_t value = 0;
  bool digits = !text.empty() && text.size() <= 9 && std::all_of(text.begin(), text.end(), IsDigit);
  if (!digits) {
    return Status::Error(errors::kInvalidParameterValue,
                         fmt::format("MaxItems must be a whole number, got '{}'", text));
  }
  value = std::stoll(text);
  Violations v;
  v.Range("maxItems", value, 1, 10000);
  if (!v.empty()) return v.ToStatus();
  return int(std::min<int64_t>(value, cap));
}

Page Paginate(const std::vector<std::string>& keys, const std::string& marker, int max_items) {
  Page page;
  if (!marker.empty()) {
    auto it = std::find(keys.begin(), keys.end(), marker);
    if (it != keys.end()) {
      page.begin = size_t(it - keys.begin()) + 1;
    } else {
      // The marker's item went away meanwhile: resume at the first key after it.
      page.begin = keys.size();
      for (size_t i = 0; i < keys.size(); ++i) {
        if (keys[i] > marker) {
          page.begin = i;
          break;
        }
      }
    }
  }
  page.end = std::min(keys.size(), page.begin + size_t(std::max(max_items, 1)));
  if (page.end < keys.size()) page.next_marker = keys[page.end - 1];
  return page;
}

void WriteJson(HttpResponse& res, int status, std::string body) {
  res.status = status;
  res.SetContent(std::move(body), "application/json");
}

HttpHandler Wrap(const ControlPlaneContext* ctx, ControlPlaneHandler handler) {
  return [ctx, handler = std::move(handler)](const HttpRequest& req, HttpResponse& res) {
    res.SetHeader("x-amzn-RequestId", NewUuid());
    Status s = handler(*ctx, req, res);
    if (!s.ok()) WriteLambdaError(res, s);
  };
}

}  // namespace ll
