// Create/Get/List/Update/DeleteEventSourceMapping, over the MappingRegistry.
#include <fmt/format.h>

#include "api/lambda_request.h"
#include "model/error_names.h"
#include "model/function_ref.h"
#include "triggers/mapping_registry.h"
#include "model/limits.h"

namespace ll {
namespace {


Status NotServed() {
  return Status::Error(errors::kInvalidParameterValue,
                       "Event source mappings need an event source service, and none is served");
}

// Reads the settings an SQS mapping has from a Create or Update body into `m`.
Status ReadSettings(const ControlPlaneContext& ctx, const rapidjson::Value& body, bool creating,
                    EventSourceMapping& m) {
  Fields f(body);
  if (auto name = f.String("FunctionName")) {
    auto ref = ParseFunctionRef(PercentDecode(*name));
    if (!ref.ok()) return ref.status();
    m.function_name = ref->name;
    m.qualifier = ref->qualifier;
  } else if (creating) {
    Violations v;
    v.Null("functionName");
    return v.ToStatus();
  }
  if (creating) {
    if (auto arn = f.String("EventSourceArn")) m.event_source_arn = *arn;
  }
  if (auto b = f.Int("BatchSize")) m.batch_size = int(*b);
  if (auto w = f.Int("MaximumBatchingWindowInSeconds")) m.maximum_batching_window_s = int(*w);
  if (auto e = f.Bool("Enabled")) m.enabled = *e;
  if (auto types = f.StringList("FunctionResponseTypes")) m.function_response_types = *types;
  if (const rapidjson::Value* scaling = f.Object("ScalingConfig")) {
    Fields sf(*scaling, "ScalingConfig.");
    if (auto c = sf.Int("MaximumConcurrency")) m.maximum_concurrency = int(*c);
    if (!sf.status().ok()) return sf.status();
  }
  if (const rapidjson::Value* criteria = f.Object("FilterCriteria")) {
    m.filter_patterns.clear();
    if (criteria->HasMember("Filters") && (*criteria)["Filters"].IsArray()) {
      for (const auto& filter : (*criteria)["Filters"].GetArray()) {
        if (filter.IsObject() && filter.HasMember("Pattern") && filter["Pattern"].IsString()) {
          m.filter_patterns.emplace_back(filter["Pattern"].GetString());
        }
      }
    }
  }
  if (!f.status().ok()) return f.status();
  if (creating && m.event_source_arn.empty()) {
    return Status::Error(errors::kInvalidParameterValue, "EventSourceArn is required");
  }
  (void)ctx;
  return Status::Ok();
}

std::string Json(const ControlPlaneContext& ctx, const EventSourceMapping& m, const char* state) {
  return EventSourceMappingJson(m, state, ctx.region, ctx.account_id);
}

const char* SteadyState(const EventSourceMapping& m) { return m.enabled ? "Enabled" : "Disabled"; }

Status Create(const ControlPlaneContext& ctx, const HttpRequest& req, HttpResponse& res) {
  if (!ctx.mappings) return NotServed();
  auto body = ParseJsonBody(req);
  if (!body.ok()) return body.status();
  EventSourceMapping m;
  Status s = ReadSettings(ctx, *body, true, m);
  if (!s.ok()) return s;
  auto created = ctx.mappings->Create(std::move(m));
  if (!created.ok()) return created.status();
  WriteJson(res, 202, Json(ctx, *created, "Creating"));
  return Status::Ok();
}

Status Get(const ControlPlaneContext& ctx, const HttpRequest& req, HttpResponse& res) {
  if (!ctx.mappings) return NotServed();
  auto m = ctx.mappings->Get(req.matches[1]);
  if (!m.ok()) return m.status();
  WriteJson(res, 200, Json(ctx, *m, SteadyState(*m)));
  return Status::Ok();
}

Status List(const ControlPlaneContext& ctx, const HttpRequest& req, HttpResponse& res) {
  std::vector<EventSourceMapping> all;
  if (ctx.mappings) all = ctx.mappings->List();
  std::string arn_filter = req.Param("EventSourceArn");
  std::string fn_filter = req.Param("FunctionName");
  std::string fn_name, fn_qualifier;
  if (!fn_filter.empty()) {
    auto ref = ParseFunctionRef(PercentDecode(fn_filter));
    if (!ref.ok()) return ref.status();
    fn_name = ref->name;
    fn_qualifier = ref->qualifier;
  }
  std::vector<EventSourceMapping> matching;
  for (auto& m : all) {
    if (!arn_filter.empty() && m.event_source_arn != arn_filter) continue;
    if (!fn_name.empty() && (m.function_name != fn_name ||
                             (!fn_qualifier.empty() && m.qualifier != fn_qualifier))) {
      continue;
    }
    matching.push_back(std::move(m));
  }
  auto max_items = ParseMaxItems(req, limits::kMappingsPage);
  if (!max_items.ok()) return max_items.status();
  std::vector<std::string> keys;
  for (const auto& m : matching) keys.push_back(m.uuid);
  Page page = Paginate(keys, req.Param("Marker"), *max_items);
  std::string out = "{\"EventSourceMappings\":[";
  for (size_t i = page.begin; i < page.end; ++i) {
    if (i > page.begin) out += ",";
    out += Json(ctx, matching[i], SteadyState(matching[i]));
  }
  out += "]";
  if (!page.next_marker.empty()) out += ",\"NextMarker\":\"" + page.next_marker + "\"";
  WriteJson(res, 200, out + "}");
  return Status::Ok();
}

Status Update(const ControlPlaneContext& ctx, const HttpRequest& req, HttpResponse& res) {
  if (!ctx.mappings) return NotServed();
  auto body = ParseJsonBody(req);
  if (!body.ok()) return body.status();
  bool was_enabled = true;
  auto updated = ctx.mappings->Update(req.matches[1], [&](EventSourceMapping& m) {
    was_enabled = m.enabled;
    return ReadSettings(ctx, *body, false, m);
  });
  if (!updated.ok()) return updated.status();
  const char* state = updated->enabled == was_enabled ? "Updating"
                      : updated->enabled              ? "Enabling"
                                                      : "Disabling";
  WriteJson(res, 202, Json(ctx, *updated, state));
  return Status::Ok();
}

Status Delete(const ControlPlaneContext& ctx, const HttpRequest& req, HttpResponse& res) {
  if (!ctx.mappings) return NotServed();
  auto m = ctx.mappings->Delete(req.matches[1]);
  if (!m.ok()) return m.status();
  WriteJson(res, 202, Json(ctx, *m, "Deleting"));
  return Status::Ok();
}

}  // namespace

void RegisterEventSourceMappingRoutes(HttpRouter& router, const ControlPlaneContext* ctx) {
  const std::string one = R"(/2015-03-31/event-source-mappings/([^/]+)/?)";
  router.Post(R"(/2015-03-31/event-source-mappings/?)", Wrap(ctx, Create));
  router.Get(R"(/2015-03-31/event-source-mappings/?)", Wrap(ctx, List));
  router.Get(one, Wrap(ctx, Get));
  router.Put(one, Wrap(ctx, Update));
  router.Delete(one, Wrap(ctx, Delete));
}

}  // namespace ll
