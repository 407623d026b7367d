// Function-wide settings: reserved concurrency (Put/Get/DeleteFunctionConcurrency), the account's
// limits and usage (GetAccountSettings), and asynchronous-invocation configs
// (Put/Update/Get/Delete/ListFunctionEventInvokeConfig[s]).
#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "api/function_json.h"
#include "api/lambda_request.h"
#include "base/strings.h"
#include "model/error_names.h"
#include "model/limits.h"

namespace ll {
namespace {


std::string ConcurrencyJson(std::optional<int> reserved) {
  return reserved ? fmt::format("{{\"ReservedConcurrentExecutions\":{}}}", *reserved) : "{}";
}

Status PutFunctionConcurrency(const ControlPlaneContext& ctx, const HttpRequest& req,
                              HttpResponse& res) {
  auto target = ParseTarget(ctx, req, Qualifiers::kRejected);
  if (!target.ok()) return target.status();
  auto doc = ParseJsonBody(req);
  if (!doc.ok()) return doc.status();
  Fields f(*doc);
  auto reserved = f.Int("ReservedConcurrentExecutions");
  if (!f.status().ok()) return f.status();
  Violations v;
  if (!reserved)
    v.Null("reservedConcurrentExecutions");
  else
    v.Range("reservedConcurrentExecutions", *reserved, 0, INT32_MAX);
  if (!v.empty()) return v.ToStatus();
  if (*reserved > ctx.max_concurrency) {
    return Status::Error(errors::kInvalidParameterValue,
                         fmt::format("Specified ReservedConcurrentExecutions for function ({}) is "
                                     "more than the account's concurrency limit of {} "
                                     "(lambda-local --max-concurrency).",
                                     *reserved, ctx.max_concurrency));
  }
  Status s = UpdateRecord(ctx, target->name, [&](FunctionRecord& rec) {
    // Same revision: warm environments keep serving, only the cap changes.
    auto fn = std::make_shared<FunctionConfig>(*rec.latest);
    fn->reserved_concurrency = int(*reserved);
    rec.latest = fn;
    return Status::Ok();
  });
  if (!s.ok()) return s;
  WriteJson(res, 200, ConcurrencyJson(int(*reserved)));
  return Status::Ok();
}

Status GetFunctionConcurrency(const ControlPlaneContext& ctx, const HttpRequest& req,
                              HttpResponse& res) {
  auto fn = ReadFunction(ctx, req, Qualifiers::kRejected);
  if (!fn.ok()) return fn.status();
  WriteJson(res, 200, ConcurrencyJson(fn->config->reserved_concurrency));
  return Status::Ok();
}

Status DeleteFunctionConcurrency(const ControlPlaneContext& ctx, const HttpRequest& req,
                                 HttpResponse& res) {
  auto target = ParseTarget(ctx, req, Qualifiers::kRejected);
  if (!target.ok()) return target.status();
  Status s = UpdateRecord(ctx, target->name, [&](FunctionRecord& rec) {
    auto fn = std::make_shared<FunctionConfig>(*rec.latest);
    fn->reserved_concurrency.reset();
    rec.latest = fn;
    return Status::Ok();
  });
  if (!s.ok()) return s;
  res.status = 204;
  return Status::Ok();
}

Status GetAccountSettings(const ControlPlaneContext& ctx, const HttpRequest&,
                          HttpResponse& res) {
  int64_t reserved = 0, code_size = 0, count = 0;
  for (const FunctionRecord& rec : ctx.store->List()) {
    ++count;
    reserved += rec.latest->reserved_concurrency.value_or(0);
    code_size += rec.latest->code_size;
    for (const auto& [number, config] : rec.versions) code_size += config->code_size;
  }
  WriteJson(res, 200,
            fmt::format("{{\"AccountLimit\":{{\"TotalCodeSize\":{},\"CodeSizeUnzipped\":{},"
                        "\"CodeSizeZipped\":{},\"ConcurrentExecutions\":{},"
                        "\"UnreservedConcurrentExecutions\":{}}},"
                        "\"AccountUsage\":{{\"TotalCodeSize\":{},\"FunctionCount\":{}}}}}",
                        limits::kTotalCodeBytes, limits::kCodeUnzippedBytes, limits::kCodeZippedBytes,
                        ctx.max_concurrency, std::max<int64_t>(0, ctx.max_concurrency - reserved),
                        code_size, count));
  return Status::Ok();
}

// ---- Event invoke configs ----

double NowEpochSeconds() { return double(NowEpochMs()) / 1000.0; }

// The qualifier an event-invoke-config request names ("$LATEST" when none), checked to exist.
struct InvokeConfigTarget {
  std::string name;
  std::string key;  // "$LATEST", "3", "prod"
  std::string arn;  // qualified with key
};

Result<InvokeConfigTarget> ResolveInvokeConfigTarget(const ControlPlaneContext& ctx,
                                                     const HttpRequest& req) {
  auto fn = ReadFunction(ctx, req, Qualifiers::kAllowed);
  if (!fn.ok()) return fn.status();
  InvokeConfigTarget out;
  out.name = fn->target.name;
  out.key = fn->target.qualifier.empty() ? "$LATEST" : fn->target.qualifier;
  out.arn = FunctionArn(ctx, out.name, out.key);
  return out;
}

Status NoInvokeConfig(const InvokeConfigTarget& t) {
  return Status::Error(errors::kResourceNotFound,
                       fmt::format("The function {} doesn't have an EventInvokeConfig", t.arn));
}

bool IsDestinationArn(const std::string& arn) {
  // arn:<partition>:<service>:...
  if (!StartsWith(arn, "arn:aws")) return false;
  size_t service_at = arn.find(':', 4);
  if (service_at == std::string::npos) return false;
  std::string service = arn.substr(service_at + 1, arn.find(':', service_at + 1) - service_at - 1);
  return service == "sqs" || service == "sns" || service == "lambda" || service == "events" ||
         service == "s3";
}

// The members of a Put/UpdateFunctionEventInvokeConfig body, applied onto `config`.
Status ApplyEventInvokeConfig(const rapidjson::Document& doc, EventInvokeConfig& config) {
  Fields f(doc);
  Violations v;
  auto retries = f.Int("MaximumRetryAttempts");
  auto age = f.Int("MaximumEventAgeInSeconds");
  const rapidjson::Value* destinations = f.Object("DestinationConfig");
  if (!f.status().ok()) return f.status();
  if (retries) {
    v.Range("maximumRetryAttempts", *retries, 0, 2);
    config.maximum_retry_attempts = int(std::clamp<int64_t>(*retries, 0, 2));
  }
  if (age) {
    v.Range("maximumEventAgeInSeconds", *age, 60, 21600);
    config.maximum_event_age_s = int(std::clamp<int64_t>(*age, 60, 21600));
  }
  if (!v.empty()) return v.ToStatus();
  if (!destinations) return Status::Ok();
  Fields df(*destinations, "DestinationConfig.");
  for (const char* which : {"OnSuccess", "OnFailure"}) {
    const rapidjson::Value* dest = df.Object(which);
    if (!df.status().ok()) return df.status();
    if (!dest) continue;
    Fields inner(*dest, std::string("DestinationConfig.") + which + ".");
    std::string arn = inner.String("Destination").value_or("");
    if (!inner.status().ok()) return inner.status();
    if (!arn.empty() && !IsDestinationArn(arn)) {
      return Status::Error(errors::kInvalidParameterValue,
                           fmt::format("The destination ARN {} is invalid: use the ARN of an SQS "
                                       "queue, SNS topic, Lambda function, EventBridge event bus "
                                       "or S3 bucket.",
                                       arn));
    }
    (std::string_view(which) == "OnSuccess" ? config.on_success_arn : config.on_failure_arn) = arn;
  }
  return Status::Ok();
}

// Put (overwrite) when `merge` is false, Update (merge onto the existing one) when true.
Status WriteEventInvokeConfig(const ControlPlaneContext& ctx, const HttpRequest& req,
                              HttpResponse& res, bool merge) {
  auto t = ResolveInvokeConfigTarget(ctx, req);
  if (!t.ok()) return t.status();
  auto doc = ParseJsonBody(req);
  if (!doc.ok()) return doc.status();
  EventInvokeConfig result;
  Status s = UpdateRecord(ctx, t->name, [&](FunctionRecord& rec) {
    EventInvokeConfig config;
    auto it = rec.invoke_configs.find(t->key);
    if (merge) {
      if (it == rec.invoke_configs.end()) return NoInvokeConfig(*t);
      config = it->second;
    }
    Status applied = ApplyEventInvokeConfig(*doc, config);
    if (!applied.ok()) return applied;
    config.last_modified = NowEpochSeconds();
    rec.invoke_configs[t->key] = config;
    result = config;
    return Status::Ok();
  });
  if (!s.ok()) return s;
  WriteJson(res, 200, EventInvokeConfigJson(t->arn, result));
  return Status::Ok();
}

Status PutFunctionEventInvokeConfig(const ControlPlaneContext& ctx, const HttpRequest& req,
                                    HttpResponse& res) {
  return WriteEventInvokeConfig(ctx, req, res, /*merge=*/false);
}

Status UpdateFunctionEventInvokeConfig(const ControlPlaneContext& ctx, const HttpRequest& req,
                                       HttpResponse& res) {
  return WriteEventInvokeConfig(ctx, req, res, /*merge=*/true);
}

Status GetFunctionEventInvokeConfig(const ControlPlaneContext& ctx, const HttpRequest& req,
                                    HttpResponse& res) {
  auto t = ResolveInvokeConfigTarget(ctx, req);
  if (!t.ok()) return t.status();
  auto rec = GetRecord(ctx, t->name);
  if (!rec.ok()) return rec.status();
  auto it = rec->invoke_configs.find(t->key);
  if (it == rec->invoke_configs.end()) return NoInvokeConfig(*t);
  WriteJson(res, 200, EventInvokeConfigJson(t->arn, it->second));
  return Status::Ok();
}

Status DeleteFunctionEventInvokeConfig(const ControlPlaneContext& ctx, const HttpRequest& req,
                                       HttpResponse& res) {
  auto t = ResolveInvokeConfigTarget(ctx, req);
  if (!t.ok()) return t.status();
  Status s = UpdateRecord(ctx, t->name, [&](FunctionRecord& rec) {
    if (!rec.invoke_configs.erase(t->key)) return NoInvokeConfig(*t);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  res.status = 204;
  return Status::Ok();
}

Status ListFunctionEventInvokeConfigs(const ControlPlaneContext& ctx, const HttpRequest& req,
                                      HttpResponse& res) {
  auto target = ParseTarget(ctx, req, Qualifiers::kRejected);
  if (!target.ok()) return target.status();
  auto max_items = ParseMaxItems(req, limits::kEventInvokeConfigsPage);
  if (!max_items.ok()) return max_items.status();
  auto rec = GetRecord(ctx, target->name);
  if (!rec.ok()) return rec.status();
  std::vector<std::string> keys;
  for (const auto& [key, config] : rec->invoke_configs) keys.push_back(key);
  Page page = Paginate(keys, req.Param("Marker"), *max_items);
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("FunctionEventInvokeConfigs");
  w.StartArray();
  for (size_t i = page.begin; i < page.end; ++i) {
    WriteEventInvokeConfig(w, FunctionArn(ctx, target->name, keys[i]),
                           rec->invoke_configs.at(keys[i]));
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

void RegisterFunctionSettingsRoutes(HttpRouter& router, const ControlPlaneContext* ctx) {
  router.Put(R"(/2017-10-31/functions/([^/]+)/concurrency/?)", Wrap(ctx, PutFunctionConcurrency));
  router.Delete(R"(/2017-10-31/functions/([^/]+)/concurrency/?)",
                Wrap(ctx, DeleteFunctionConcurrency));
  router.Get(R"(/2019-09-30/functions/([^/]+)/concurrency/?)", Wrap(ctx, GetFunctionConcurrency));
  router.Get(R"(/2016-08-19/account-settings/?)", Wrap(ctx, GetAccountSettings));

  const std::string eic = R"(/2019-09-25/functions/([^/]+)/event-invoke-config)";
  router.Get(eic + "/list/?", Wrap(ctx, ListFunctionEventInvokeConfigs));
  router.Put(eic + "/?", Wrap(ctx, PutFunctionEventInvokeConfig));
  router.Post(eic + "/?", Wrap(ctx, UpdateFunctionEventInvokeConfig));
  router.Get(eic + "/?", Wrap(ctx, GetFunctionEventInvokeConfig));
  router.Delete(eic + "/?", Wrap(ctx, DeleteFunctionEventInvokeConfig));
}

}  // namespace ll
