// Function URLs on the Lambda API: Create/Get/Update/Delete/ListFunctionUrlConfigs. A URL
// belongs to the unqualified function or to one alias; services/apigateway serves it.
#include <fmt/format.h>

#include <chrono>

#include "api/function_json.h"
#include "api/lambda_request.h"
#include "base/strings.h"
#include "model/error_names.h"

namespace ll {
namespace {

constexpr int kMaxUrlListPage = 50;

// FunctionUrlQualifier: an alias name; neither a version number nor $LATEST.
bool IsUrlQualifier(std::string_view q) {
  if (q.empty() || q.size() > 128 || IsVersionNumber(q)) return false;
  return std::all_of(q.begin(), q.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

void CheckQualifier(const std::string& qualifier, Violations& v) {
  if (!qualifier.empty() && !IsUrlQualifier(qualifier)) {
    v.Pattern("qualifier", qualifier, "((?!^\\d+$)^[0-9a-zA-Z-_]+$)");
  }
}

// Reads the members of a Cors object, with AWS's limits.
Result<FunctionUrlCors> ParseCors(const rapidjson::Value& value, Violations& v) {
  if (!value.IsObject()) {
    return Status::Error(errors::kInvalidRequestContent, "Cors must be an object");
  }
  Fields f(value, "Cors.");
  FunctionUrlCors cors;
  cors.allow_credentials = f.Bool("AllowCredentials");
  cors.allow_headers = f.StringList("AllowHeaders");
  cors.allow_methods = f.StringList("AllowMethods");
  cors.allow_origins = f.StringList("AllowOrigins");
  cors.expose_headers = f.StringList("ExposeHeaders");
  if (auto max_age = f.Int("MaxAge")) {
    v.Range("cors.maxAge", *max_age, 0, 86400);
    cors.max_age = int(std::clamp<int64_t>(*max_age, 0, 86400));
  }
  if (!f.status().ok()) return f.status();
  auto each = [&](const std::optional<std::vector<std::string>>& list, std::string_view field,
                  size_t max_items, size_t min_length, size_t max_length) {
    if (!list) return;
    if (list->size() > max_items) {
      v.Add(fmt::format("Value '[{}]' at '{}' failed to satisfy constraint: Member must have "
                        "length less than or equal to {}",
                        fmt::join(*list, ", "), field, max_items));
    }
    for (const std::string& item : *list) {
      if (item.size() < min_length || item.size() > max_length) {
        v.Add(fmt::format("Value '[{}]' at '{}' failed to satisfy constraint: Member must satisfy "
                          "constraint: [Member must have length less than or equal to {}, Member "
                          "must have length greater than or equal to {}]",
                          fmt::join(*list, ", "), field, max_length, min_length));
        return;
      }
    }
  };
  each(cors.allow_headers, "cors.allowHeaders", 100, 0, 1024);
  each(cors.allow_methods, "cors.allowMethods", 6, 0, 6);
  each(cors.allow_origins, "cors.allowOrigins", 100, 1, 253);
  each(cors.expose_headers, "cors.exposeHeaders", 100, 0, 1024);
  return cors;
}

// AuthType, InvokeMode and Cors of a Create or Update body, into `url`.
Status ReadUrlFields(const rapidjson::Document& doc, bool create, FunctionUrlConfig& url) {
  Fields f(doc);
  auto auth_type = f.String("AuthType");
  auto invoke_mode = f.String("InvokeMode");
  const rapidjson::Value* cors = f.Object("Cors");
  if (!f.status().ok()) return f.status();
  Violations v;
  if (auth_type) {
    if (*auth_type != "NONE" && *auth_type != "AWS_IAM") v.Enum("authType", *auth_type, "[AWS_IAM, NONE]");
    url.auth_type = *auth_type;
  } else if (create) {
    v.Null("authType");
  }
  if (invoke_mode) {
    if (*invoke_mode != "BUFFERED" && *invoke_mode != "RESPONSE_STREAM") {
      v.Enum("invokeMode", *invoke_mode, "[BUFFERED, RESPONSE_STREAM]");
    }
    url.invoke_mode = *invoke_mode;
  }
  if (cors) {
    auto parsed = ParseCors(*cors, v);
    if (!parsed.ok()) return parsed.status();
    url.cors = std::move(*parsed);
  } else if (doc.IsObject() && doc.HasMember("Cors") && doc["Cors"].IsNull() && !create) {
    url.cors.reset();
  }
  return v.ToStatus();
}

void WriteStringList(JsonWriter& w, const char* key, const std::optional<std::vector<std::string>>& list) {
  if (!list) return;
  w.Key(key);
  w.StartArray();
  for (const std::string& s : *list) WriteString(w, s);
  w.EndArray();
}

// One FunctionUrlConfig as every operation reports it; Create leaves out LastModifiedTime.
void WriteUrl(JsonWriter& w, const ControlPlaneContext& ctx, const std::string& name,
              const std::string& qualifier, const FunctionUrlConfig& url, bool with_modified) {
  w.StartObject();
  w.Key("FunctionUrl");
  WriteString(w, FunctionUrlOf(url.url_id, ctx.region, ctx.default_host));
  w.Key("FunctionArn");
  WriteString(w, FunctionArn(ctx, name, qualifier));
  w.Key("AuthType");
  WriteString(w, url.auth_type);
  if (url.cors) {
    const FunctionUrlCors& c = *url.cors;
    w.Key("Cors");
    w.StartObject();
    if (c.allow_credentials) {
      w.Key("AllowCredentials");
      w.Bool(*c.allow_credentials);
    }
    WriteStringList(w, "AllowHeaders", c.allow_headers);
    WriteStringList(w, "AllowMethods", c.allow_methods);
    WriteStringList(w, "AllowOrigins", c.allow_origins);
    WriteStringList(w, "ExposeHeaders", c.expose_headers);
    if (c.max_age) {
      w.Key("MaxAge");
      w.Int(*c.max_age);
    }
    w.EndObject();
  }
  w.Key("CreationTime");
  WriteString(w, url.creation_time);
  if (with_modified) {
    w.Key("LastModifiedTime");
    WriteString(w, url.last_modified_time);
  }
  w.Key("InvokeMode");
  WriteString(w, url.invoke_mode);
  w.EndObject();
}

Status UrlNotFound() {
  return Status::Error(errors::kResourceNotFound, "The resource you requested does not exist.");
}

// The target of a URL operation: the function and an optional alias, validated.
Result<TargetRef> UrlTarget(const ControlPlaneContext& ctx, const HttpRequest& req) {
  auto target = ParseTarget(ctx, req, Qualifiers::kAllowed);
  if (!target.ok()) return target.status();
  Violations v;
  CheckQualifier(target->qualifier, v);
  if (!v.empty()) return v.ToStatus();
  return target;
}

// The record's alias named by `qualifier` must exist ("" needs nothing).
Status CheckAlias(const ControlPlaneContext& ctx, const FunctionRecord& rec, const TargetRef& target) {
  if (target.qualifier.empty() || rec.aliases.count(target.qualifier)) return Status::Ok();
  return FunctionNotFound(ctx, target.name, target.qualifier);
}

Status CreateUrl(const ControlPlaneContext& ctx, const HttpRequest& req, HttpResponse& res) {
  auto target = UrlTarget(ctx, req);
  if (!target.ok()) return target.status();
  auto doc = ParseJsonBody(req);
  if (!doc.ok()) return doc.status();
  FunctionUrlConfig url;
  if (Status s = ReadUrlFields(*doc, true, url); !s.ok()) return s;
  url.url_id = FunctionUrlId(ctx.account_id, ctx.region, target->name, target->qualifier);
  url.creation_time = IsoTimestampUtc(std::chrono::system_clock::now());
  url.last_modified_time = url.creation_time;
  Status s = UpdateRecord(ctx, target->name, [&](FunctionRecord& rec) {
    if (Status alias = CheckAlias(ctx, rec, *target); !alias.ok()) return alias;
    if (rec.urls.count(target->qualifier)) {
      return Status::Error(errors::kResourceConflict,
                           fmt::format("Failed to create function url config for [functionArn = "
                                       "{}]. Error message:  FunctionUrlConfig exists for this "
                                       "Lambda function",
                                       FunctionArn(ctx, target->name, target->qualifier)));
    }
    rec.urls[target->qualifier] = url;
    return Status::Ok();
  });
  if (!s.ok()) return s;
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  WriteUrl(w, ctx, target->name, target->qualifier, url, false);
  WriteJson(res, 201, std::string(buf.GetString(), buf.GetSize()));
  return Status::Ok();
}

Status GetUrl(const ControlPlaneContext& ctx, const HttpRequest& req, HttpResponse& res) {
  auto target = UrlTarget(ctx, req);
  if (!target.ok()) return target.status();
  auto rec = GetRecord(ctx, target->name);
  if (!rec.ok()) return rec.status();
  if (Status alias = CheckAlias(ctx, *rec, *target); !alias.ok()) return alias;
  auto it = rec->urls.find(target->qualifier);
  if (it == rec->urls.end()) return UrlNotFound();
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  WriteUrl(w, ctx, target->name, target->qualifier, it->second, true);
  WriteJson(res, 200, std::string(buf.GetString(), buf.GetSize()));
  return Status::Ok();
}

Status UpdateUrl(const ControlPlaneContext& ctx, const HttpRequest& req, HttpResponse& res) {
  auto target = UrlTarget(ctx, req);
  if (!target.ok()) return target.status();
  auto doc = ParseJsonBody(req);
  if (!doc.ok()) return doc.status();
  FunctionUrlConfig updated;
  Status s = UpdateRecord(ctx, target->name, [&](FunctionRecord& rec) {
    if (Status alias = CheckAlias(ctx, rec, *target); !alias.ok()) return alias;
    auto it = rec.urls.find(target->qualifier);
    if (it == rec.urls.end()) return UrlNotFound();
    FunctionUrlConfig url = it->second;
    if (Status read = ReadUrlFields(*doc, false, url); !read.ok()) return read;
    url.last_modified_time = IsoTimestampUtc(std::chrono::system_clock::now());
    url.from_template = false;  // changed through the API: kept as the API left it
    it->second = url;
    updated = url;
    return Status::Ok();
  });
  if (!s.ok()) return s;
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  WriteUrl(w, ctx, target->name, target->qualifier, updated, true);
  WriteJson(res, 200, std::string(buf.GetString(), buf.GetSize()));
  return Status::Ok();
}

Status DeleteUrl(const ControlPlaneContext& ctx, const HttpRequest& req, HttpResponse& res) {
  auto target = UrlTarget(ctx, req);
  if (!target.ok()) return target.status();
  Status s = UpdateRecord(ctx, target->name, [&](FunctionRecord& rec) {
    if (Status alias = CheckAlias(ctx, rec, *target); !alias.ok()) return alias;
    if (!rec.urls.erase(target->qualifier)) return UrlNotFound();
    return Status::Ok();
  });
  if (!s.ok()) return s;
  res.status = 204;
  return Status::Ok();
}

Status ListUrls(const ControlPlaneContext& ctx, const HttpRequest& req, HttpResponse& res) {
  auto target = ParseTarget(ctx, req, Qualifiers::kRejected);
  if (!target.ok()) return target.status();
  auto max_items = ParseMaxItems(req, kMaxUrlListPage);
  if (!max_items.ok()) return max_items.status();
  auto rec = GetRecord(ctx, target->name);
  if (!rec.ok()) return rec.status();
  std::vector<std::string> keys;
  for (const auto& [qualifier, url] : rec->urls) keys.push_back(qualifier);
  Page page = Paginate(keys, req.Param("Marker"), *max_items);
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("FunctionUrlConfigs");
  w.StartArray();
  for (size_t i = page.begin; i < page.end; ++i) {
    WriteUrl(w, ctx, target->name, keys[i], rec->urls.at(keys[i]), true);
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

}  // namespace

void RegisterFunctionUrlRoutes(HttpRouter& router, const ControlPlaneContext* ctx) {
  const std::string url = "/2021-10-31/functions/([^/]+)/url";
  router.Post(url + "/?", Wrap(ctx, CreateUrl));
  router.Get(url + "/?", Wrap(ctx, GetUrl));
  router.Put(url + "/?", Wrap(ctx, UpdateUrl));
  router.Delete(url + "/?", Wrap(ctx, DeleteUrl));
  router.Get(url + "s/?", Wrap(ctx, ListUrls));
}

}  // namespace ll
