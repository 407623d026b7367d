// Versions and aliases: PublishVersion, ListVersionsByFunction, CreateAlias, GetAlias,
// UpdateAlias, DeleteAlias, ListAliases.
#include <algorithm>

#include <fmt/format.h>

#include "api/function_json.h"
#include "api/lambda_request.h"
#include "model/error_names.h"

namespace ll {
namespace {

constexpr int kMaxListPage = 50;

// True when publishing `latest` would freeze nothing new compared with `version`.
bool SameCodeAndConfig(const FunctionConfig& version, const FunctionConfig& latest) {
  return version.code_sha256 == latest.code_sha256 && version.code_dir == latest.code_dir &&
         version.runtime == latest.runtime && version.handler == latest.handler &&
         version.memory_mb == latest.memory_mb && version.timeout_s == latest.timeout_s &&
         version.environment == latest.environment && version.role == latest.role &&
         version.architectures == latest.architectures &&
         version.ephemeral_storage_mb == latest.ephemeral_storage_mb &&
         version.dead_letter_target_arn == latest.dead_letter_target_arn &&
         version.tracing_mode == latest.tracing_mode && version.layers == latest.layers;
}

Status PublishVersion(const ControlPlaneContext& ctx, const HttpRequest& req,
                      HttpResponse& res) {
  auto target = ParseTarget(ctx, req, Qualifiers::kRejected);
  if (!target.ok()) return target.status();
  auto doc = ParseJsonBody(req);
  if (!doc.ok()) return doc.status();
  Fields f(*doc);
  auto code_sha = f.String("CodeSha256");
  auto description = f.String("Description");
  auto revision = f.String("RevisionId");
  if (!f.status().ok()) return f.status();
  Violations v;
  if (description) v.MaxLength("description", *description, 256);
  if (!v.empty()) return v.ToStatus();
  std::shared_ptr<const FunctionConfig> published;
  Status s = UpdateRecord(ctx, target->name, [&](FunctionRecord& rec) {
    Status check = CheckRevision(revision, rec.latest->revision_id);
    if (!check.ok()) return check;
    if (code_sha && *code_sha != rec.latest->code_sha256) {
      return Status::Error(errors::kPreconditionFailed,
                           fmt::format("CodeSha256 ({}) is different from the CodeSha256 of "
                                       "$LATEST ({}): the code changed since you read it. Please "
                                       "try again with the current CodeSha256.",
                                       *code_sha, rec.latest->code_sha256));
    }
    published = PublishLatest(rec, description);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  WriteJson(res, 201, FunctionConfigurationJson(*published));
  return Status::Ok();
}

Status ListVersionsByFunction(const ControlPlaneContext& ctx, const HttpRequest& req,
                              HttpResponse& res) {
  auto target = ParseTarget(ctx, req, Qualifiers::kRejected);
  if (!target.ok()) return target.status();
  auto max_items = ParseMaxItems(req, kMaxListPage);
  if (!max_items.ok()) return max_items.status();
  auto rec = GetRecord(ctx, target->name);
  if (!rec.ok()) return rec.status();
  std::vector<std::shared_ptr<const FunctionConfig>> items = {rec->latest};
  std::vector<std::string> keys = {"$LATEST"};
  for (const auto& [number, config] : rec->versions) {
    items.push_back(config);
    keys.push_back(std::to_string(number));
  }
  Page page = Paginate(keys, req.Param("Marker"), *max_items);
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("Versions");
  w.StartArray();
  for (size_t i = page.begin; i < page.end; ++i) {
    WriteFunctionConfiguration(w, *items[i], FunctionArn(ctx, target->name, keys[i]));
  }
  w.EndArray();
  if (!page.next_marker.empty()) {
    w.Key("NextMarker");
    WriteString(w, page.next_marker);
  }
  w.EndObject();
  WriteJson(res, 200, std::string(buf.GetString(), buf.GetSize()));
  return Status::Ok();
}

// (?!^[0-9]+$)([a-zA-Z0-9-_]+), 1-128
void CheckAliasName(const std::string& name, Violations& v) {
  v.MaxLength("name", name, 128);
  bool chars = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
  if (!chars || IsVersionNumber(name)) v.Pattern("name", name, "(?!^[0-9]+$)([a-zA-Z0-9-_]+)");
}

void CheckVersionText(const std::string& version, Violations& v) {
  if (version != "$LATEST" && !IsVersionNumber(version)) {
    v.Pattern("functionVersion", version, "(\\$LATEST|[0-9]+)");
  }
}

// RoutingConfig.AdditionalVersionWeights into `out`; left empty when the body has no
// RoutingConfig, an empty map when it clears the routing.
Status ReadRouting(Fields& f, Violations& v, std::optional<std::map<std::string, double>>* out) {
  const rapidjson::Value* routing = f.Object("RoutingConfig");
  if (!routing) return f.status();
  Fields rf(*routing, "RoutingConfig.");
  const rapidjson::Value* weights = rf.Object("AdditionalVersionWeights");
  if (!rf.status().ok()) return rf.status();
  out->emplace();
  if (weights) {
    for (const auto& m : weights->GetObject()) {
      std::string version(m.name.GetString(), m.name.GetStringLength());
      if (!m.value.IsNumber()) {
        return Status::Error(errors::kInvalidRequestContent,
                             "Could not parse request body into json: "
                             "'RoutingConfig.AdditionalVersionWeights' values must be numbers");
      }
      double weight = m.value.GetDouble();
      if (!IsVersionNumber(version)) {
        v.Add(
            fmt::format("Value '{}' at 'routingConfig.additionalVersionWeights' failed to "
                        "satisfy constraint: Map keys must satisfy constraint: [Member must "
                        "satisfy regular expression pattern: [0-9]+]",
                        version));
      }
      if (weight < 0.0 || weight > 1.0) {
        v.Add(
            fmt::format("Value '{}' at 'routingConfig.additionalVersionWeights' failed to "
                        "satisfy constraint: Map value must satisfy constraint: [Member must "
                        "have value less than or equal to 1.0, Member must have value greater "
                        "than or equal to 0.0]",
                        weight));
      }
      (**out)[version] = weight;
    }
  }
  return Status::Ok();
}

Status CheckVersionExists(const ControlPlaneContext& ctx, const FunctionRecord& rec,
                          const std::string& version) {
  if (version == "$LATEST" || rec.versions.count(std::stoi(version))) return Status::Ok();
  return FunctionNotFound(ctx, rec.latest->name, version);
}

// What AWS checks of an alias's target against the function's versions.
Status CheckAliasTarget(const ControlPlaneContext& ctx, const FunctionRecord& rec,
                        const AliasConfig& alias) {
  Status s = CheckVersionExists(ctx, rec, alias.function_version);
  if (!s.ok()) return s;
  if (alias.additional_weights.empty()) return Status::Ok();
  if (alias.additional_weights.size() > 1) {
    return Status::Error(errors::kInvalidParameterValue,
                         "RoutingConfig.AdditionalVersionWeights can name only one version besides "
                         "FunctionVersion.");
  }
  if (alias.function_version == "$LATEST") {
    return Status::Error(errors::kInvalidParameterValue,
                         "$LATEST is not supported for an alias pointing to more than 1 version");
  }
  const std::string& extra = alias.additional_weights.begin()->first;
  if (extra == alias.function_version) {
    return Status::Error(
        errors::kInvalidParameterValue,
        fmt::format("Invalid function version {0}. Function version {0} is already "
                    "included in routing configuration.",
                    extra));
  }
  return CheckVersionExists(ctx, rec, extra);
}

Status AliasNotFound(const ControlPlaneContext& ctx, const std::string& function,
                     const std::string& alias) {
  return Status::Error(errors::kResourceNotFound,
                       "Alias not found: " + FunctionArn(ctx, function, alias));
}

Status CreateAlias(const ControlPlaneContext& ctx, const HttpRequest& req,
                   HttpResponse& res) {
  auto target = ParseTarget(ctx, req, Qualifiers::kRejected);
  if (!target.ok()) return target.status();
  auto doc = ParseJsonBody(req);
  if (!doc.ok()) return doc.status();
  Fields f(*doc);
  Violations v;
  AliasConfig alias;
  auto name = f.String("Name");
  auto version = f.String("FunctionVersion");
  auto description = f.String("Description");
  std::optional<std::map<std::string, double>> routing;
  Status read = ReadRouting(f, v, &routing);
  if (!read.ok()) return read;
  if (!f.status().ok()) return f.status();
  if (!name)
    v.Null("name");
  else
    CheckAliasName(*name, v);
  if (!version)
    v.Null("functionVersion");
  else
    CheckVersionText(*version, v);
  if (description) v.MaxLength("description", *description, 256);
  if (!v.empty()) return v.ToStatus();
  alias.name = *name;
  alias.function_version = *version;
  alias.description = description.value_or("");
  alias.additional_weights = routing.value_or(std::map<std::string, double>{});
  alias.revision_id = NewRevisionId();
  Status s = UpdateRecord(ctx, target->name, [&](FunctionRecord& rec) {
    if (rec.aliases.count(alias.name)) {
      return Status::Error(errors::kResourceConflict,
                           "Alias already exists: " + FunctionArn(ctx, target->name, alias.name));
    }
    Status check = CheckAliasTarget(ctx, rec, alias);
    if (!check.ok()) return check;
    rec.aliases[alias.name] = alias;
    return Status::Ok();
  });
  if (!s.ok()) return s;
  WriteJson(res, 201, AliasConfigurationJson(FunctionArn(ctx, target->name), alias));
  return Status::Ok();
}

Status GetAlias(const ControlPlaneContext& ctx, const HttpRequest& req,
                HttpResponse& res) {
  auto fn = ReadFunction(ctx, req, Qualifiers::kRejected);
  if (!fn.ok()) return fn.status();
  const std::string alias_name = PercentDecode(req.matches[2].str());
  auto it = fn->record.aliases.find(alias_name);
  if (it == fn->record.aliases.end()) return AliasNotFound(ctx, fn->target.name, alias_name);
  WriteJson(res, 200, AliasConfigurationJson(FunctionArn(ctx, fn->target.name), it->second));
  return Status::Ok();
}

Status UpdateAlias(const ControlPlaneContext& ctx, const HttpRequest& req,
                   HttpResponse& res) {
  auto target = ParseTarget(ctx, req, Qualifiers::kRejected);
  if (!target.ok()) return target.status();
  const std::string alias_name = PercentDecode(req.matches[2].str());
  auto doc = ParseJsonBody(req);
  if (!doc.ok()) return doc.status();
  Fields f(*doc);
  Violations v;
  auto version = f.String("FunctionVersion");
  auto description = f.String("Description");
  auto revision = f.String("RevisionId");
  std::optional<std::map<std::string, double>> routing;
  Status read = ReadRouting(f, v, &routing);
  if (!read.ok()) return read;
  if (!f.status().ok()) return f.status();
  if (version) CheckVersionText(*version, v);
  if (description) v.MaxLength("description", *description, 256);
  if (!v.empty()) return v.ToStatus();
  AliasConfig updated;
  Status s = UpdateRecord(ctx, target->name, [&](FunctionRecord& rec) {
    auto it = rec.aliases.find(alias_name);
    if (it == rec.aliases.end()) return AliasNotFound(ctx, target->name, alias_name);
    Status check = CheckRevision(revision, it->second.revision_id);
    if (!check.ok()) return check;
    updated = it->second;
    if (version) updated.function_version = *version;
    if (description) updated.description = *description;
    if (routing) updated.additional_weights = *routing;
    check = CheckAliasTarget(ctx, rec, updated);
    if (!check.ok()) return check;
    updated.revision_id = NewRevisionId();
    it->second = updated;
    return Status::Ok();
  });
  if (!s.ok()) return s;
  WriteJson(res, 200, AliasConfigurationJson(FunctionArn(ctx, target->name), updated));
  return Status::Ok();
}

Status DeleteAlias(const ControlPlaneContext& ctx, const HttpRequest& req,
                   HttpResponse& res) {
  auto target = ParseTarget(ctx, req, Qualifiers::kRejected);
  if (!target.ok()) return target.status();
  const std::string alias_name = PercentDecode(req.matches[2].str());
  Status s = UpdateRecord(ctx, target->name, [&](FunctionRecord& rec) {
    if (!rec.aliases.erase(alias_name)) return AliasNotFound(ctx, target->name, alias_name);
    rec.invoke_configs.erase(alias_name);
    rec.urls.erase(alias_name);  // the alias's URL goes with it
    return Status::Ok();
  });
  if (!s.ok()) return s;
  res.status = 204;
  return Status::Ok();
}

Status ListAliases(const ControlPlaneContext& ctx, const HttpRequest& req,
                   HttpResponse& res) {
  auto target = ParseTarget(ctx, req, Qualifiers::kRejected);
  if (!target.ok()) return target.status();
  const std::string version = req.Param("FunctionVersion");
  if (!version.empty()) {
    Violations v;
    CheckVersionText(version, v);
    if (!v.empty()) return v.ToStatus();
  }
  auto max_items = ParseMaxItems(req, kMaxListPage);
  if (!max_items.ok()) return max_items.status();
  auto rec = GetRecord(ctx, target->name);
  if (!rec.ok()) return rec.status();
  std::vector<const AliasConfig*> items;
  std::vector<std::string> keys;
  for (const auto& [name, alias] : rec->aliases) {
    if (!version.empty() && alias.function_version != version) continue;
    items.push_back(&alias);
    keys.push_back(name);
  }
  Page page = Paginate(keys, req.Param("Marker"), *max_items);
  const std::string function_arn = FunctionArn(ctx, target->name);
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("Aliases");
  w.StartArray();
  for (size_t i = page.begin; i < page.end; ++i)
    WriteAliasConfiguration(w, function_arn, *items[i]);
  w.EndArray();
  if (!page.next_marker.empty()) {
    w.Key("NextMarker");
    WriteString(w, page.next_marker);
  }
  w.EndObject();
  WriteJson(res, 200, std::string(buf.GetString(), buf.GetSize()));
  return Status::Ok();
}

}  // namespace

std::shared_ptr<const FunctionConfig> PublishLatest(FunctionRecord& rec,
                                                    const std::optional<std::string>& description) {
  if (!rec.versions.empty() && SameCodeAndConfig(*rec.versions.rbegin()->second, *rec.latest)) {
    return rec.versions.rbegin()->second;
  }
  int number = rec.last_version + 1;
  if (!rec.versions.empty()) number = std::max(number, rec.versions.rbegin()->first + 1);
  auto version = std::make_shared<FunctionConfig>(*rec.latest);
  version->version = std::to_string(number);
  if (description) version->description = *description;
  version->revision_id = NewRevisionId();
  version->last_modified = NowLastModified();
  rec.versions[number] = version;
  rec.last_version = number;
  return version;
}

void RegisterVersionAliasRoutes(HttpRouter& router, const ControlPlaneContext* ctx) {
  const std::string fn = R"(/2015-03-31/functions/([^/]+))";
  router.Post(fn + "/versions/?", Wrap(ctx, PublishVersion));
  router.Get(fn + "/versions/?", Wrap(ctx, ListVersionsByFunction));
  router.Post(fn + "/aliases/?", Wrap(ctx, CreateAlias));
  router.Get(fn + "/aliases/?", Wrap(ctx, ListAliases));
  router.Get(fn + "/aliases/([^/]+)/?", Wrap(ctx, GetAlias));
  router.Put(fn + "/aliases/([^/]+)/?", Wrap(ctx, UpdateAlias));
  router.Delete(fn + "/aliases/([^/]+)/?", Wrap(ctx, DeleteAlias));
}

}  // namespace ll
