// Functions: CreateFunction, GetFunction, GetFunctionConfiguration, ListFunctions,
// UpdateFunctionCode, UpdateFunctionConfiguration, DeleteFunction. Also the entry point that
// registers every control-plane route.
#include <algorithm>

#include <fmt/format.h>

#include "api/function_json.h"
#include "api/lambda_request.h"
#include "base/strings.h"
#include "model/error_names.h"
#include "model/function_ref.h"
#include "runtimes/runtime_catalog.h"
#include "model/limits.h"

namespace ll {
namespace {

namespace fs = std::filesystem;


bool IsProvidedRuntime(const std::string& runtime) { return StartsWith(runtime, "provided"); }

Status Unsupported(const std::string& what) {
  return Status::Error(errors::kInvalidParameterValue,
                       what +
                           " is not supported by lambda-local: upload the package as "
                           "Code.ZipFile (ZipFile for UpdateFunctionCode).");
}

// The configuration members CreateFunction and UpdateFunctionConfiguration share, read into
// `fn`. Type errors are returned; constraint violations go to `v`.
Status ApplyConfiguration(Fields& f, FunctionConfig& fn, Violations& v) {
  if (auto role = f.String("Role")) fn.role = *role;
  if (auto handler = f.String("Handler")) {
    v.MaxLength("handler", *handler, 128);
    if (handler->empty() || handler->find_first_of(" \t\r\n") != std::string::npos) {
      v.Pattern("handler", *handler, "[^\\s]+");
    }
    fn.handler = *handler;
  }
  if (auto description = f.String("Description")) {
    v.MaxLength("description", *description, 256);
    fn.description = *description;
  }
  if (auto timeout = f.Int("Timeout")) {
    v.Range("timeout", *timeout, 1, 900);
    fn.timeout_s = int(std::clamp<int64_t>(*timeout, 1, 900));
  }
  if (auto memory = f.Int("MemorySize")) {
    v.Range("memorySize", *memory, 128, 10240);
    fn.memory_mb = int(std::clamp<int64_t>(*memory, 128, 10240));
  }
  if (auto runtime = f.String("Runtime")) fn.runtime = *runtime;
  if (const rapidjson::Value* env = f.Object("Environment")) {
    Fields ef(*env, "Environment.");
    auto vars = ef.StringMap("Variables");
    if (!ef.status().ok()) return ef.status();
    fn.environment = vars.value_or(std::map<std::string, std::string>{});
  }
  if (const rapidjson::Value* dlq = f.Object("DeadLetterConfig")) {
    Fields df(*dlq, "DeadLetterConfig.");
    auto target = df.String("TargetArn");
    if (!df.status().ok()) return df.status();
    fn.dead_letter_target_arn = target.value_or("");
  }
  if (const rapidjson::Value* tracing = f.Object("TracingConfig")) {
    Fields tf(*tracing, "TracingConfig.");
    auto mode = tf.String("Mode");
    if (!tf.status().ok()) return tf.status();
    if (mode && *mode != "Active" && *mode != "PassThrough") {
      v.Enum("tracingConfig.mode", *mode, "Active, PassThrough");
    }
    fn.tracing_mode = mode.value_or("PassThrough");
  }
  if (auto layers = f.StringList("Layers")) {
    if (layers->size() > limits::kLayersPerFunction) {
      v.Add(
          fmt::format("Value '[{} layers]' at 'layers' failed to satisfy constraint: Member must "
                      "have length less than or equal to {}",
                      layers->size(), limits::kLayersPerFunction));
    }
    fn.layers = *layers;
  }
  if (const rapidjson::Value* storage = f.Object("EphemeralStorage")) {
    Fields sf(*storage, "EphemeralStorage.");
    auto size = sf.Int("Size");
    if (!sf.status().ok()) return sf.status();
    if (!size) {
      v.Null("ephemeralStorage.size");
    } else {
      v.Range("ephemeralStorage.size", *size, 512, 10240);
      fn.ephemeral_storage_mb = int(std::clamp<int64_t>(*size, 512, 10240));
    }
  }
  return f.status();
}

Status ApplyArchitectures(Fields& f, FunctionConfig& fn, Violations& v) {
  auto archs = f.StringList("Architectures");
  if (!archs) return f.status();
  if (archs->size() != 1) {
    v.Add(
        fmt::format("Value '[{}]' at 'architectures' failed to satisfy constraint: Member must "
                    "have length equal to 1",
                    fmt::join(*archs, ", ")));
  } else if ((*archs)[0] != "x86_64" && (*archs)[0] != "arm64") {
    v.Enum("architectures", (*archs)[0], "x86_64, arm64");
  }
  fn.architectures = *archs;
  return Status::Ok();
}

// What AWS checks after the constraints: the runtime and the handler it needs.
Status CheckRuntime(const FunctionConfig& fn) {
  if (fn.runtime.empty()) {
    return Status::Error(errors::kInvalidParameterValue,
                         "Runtime is required for a function of PackageType Zip. Supported "
                         "runtimes: " +
                             RuntimeCatalog::SupportedList());
  }
  if (!RuntimeCatalog::IsSupported(fn.runtime)) {
    return Status::Error(
        errors::kInvalidParameterValue,
        fmt::format("The runtime parameter of {} is not supported by lambda-local. "
                    "Supported runtimes: {}",
                    fn.runtime, RuntimeCatalog::SupportedList()));
  }
  if (fn.handler.empty() && !IsProvidedRuntime(fn.runtime)) {
    return Status::Error(
        errors::kInvalidParameterValue,
        fmt::format("Handler is required for runtime {} (e.g. \"app.handler\").", fn.runtime));
  }
  return ValidateEnvironment(fn.environment);
}

// The ZipFile of a Code object (CreateFunction) or of an UpdateFunctionCode body.
Result<std::string> ZipFileOf(Fields& f, const char* what) {
  auto zip = f.String("ZipFile");
  if (!f.status().ok()) return f.status();
  if (f.Has("S3Bucket") || f.Has("S3Key")) return Unsupported(std::string(what) + " from S3");
  if (f.Has("ImageUri")) return Unsupported("A container image (ImageUri)");
  if (!zip) {
    return Status::Error(errors::kInvalidParameterValue,
                         "Please provide a source for function code: ZipFile (base64 of a zip).");
  }
  return *zip;
}

Status CreateFunction(const ControlPlaneContext& ctx, const HttpRequest& req,
                      HttpResponse& res) {
  auto doc = ParseJsonBody(req);
  if (!doc.ok()) return doc.status();
  Fields f(*doc);
  Violations v;
  auto name_text = f.String("FunctionName");
  if (!name_text) v.Null("functionName");
  if (!f.Has("Role")) v.Null("role");
  const rapidjson::Value* code = f.Object("Code");
  if (!code && f.status().ok()) v.Null("code");
  if (!f.status().ok()) return f.status();
  if (!v.empty()) return v.ToStatus();

  v.MaxLength("functionName", *name_text, 140);
  if (!v.empty()) return v.ToStatus();
  auto ref = ParseFunctionRef(*name_text);
  if (!ref.ok()) return ref.status();
  if (!ref->qualifier.empty()) {
    return Status::Error(errors::kInvalidParameterValue,
                         "FunctionName must not carry a version or alias qualifier: " + *name_text);
  }
  if ((!ref->region.empty() && ref->region != ctx.region) ||
      (!ref->account_id.empty() && ref->account_id != ctx.account_id)) {
    return Status::Error(errors::kInvalidParameterValue,
                         fmt::format("Functions can only be created in {} for account {} here; "
                                     "got {}",
                                     ctx.region, ctx.account_id, *name_text));
  }
  const std::string name = ref->name;
  if (auto package_type = f.String("PackageType"); package_type && *package_type != "Zip") {
    if (*package_type != "Image")
      v.Enum("packageType", *package_type, "Zip, Image");
    else
      return Unsupported("PackageType Image");
  }

  FunctionConfig fn;
  fn.name = name;
  fn.region = ctx.region;
  fn.account_id = ctx.account_id;
  Status s = ApplyConfiguration(f, fn, v);
  if (s.ok()) s = ApplyArchitectures(f, fn, v);
  if (!s.ok()) return s;
  auto publish = f.Bool("Publish");
  auto tags = f.StringMap("Tags");
  if (!f.status().ok()) return f.status();
  if (!v.empty()) return v.ToStatus();
  s = CheckRuntime(fn);
  if (!s.ok()) return s;

  if (ctx.store->Get(name)) {
    return Status::Error(errors::kResourceConflict, "Function already exist: " + name);
  }
  Fields cf(*code, "Code.");
  auto zip = ZipFileOf(cf, "Code");
  if (!zip.ok()) return zip.status();
  auto stored = StoreCodePackage(ctx, name, *zip);
  if (!stored.ok()) return stored.status();

  fn.code_dir = stored->code_dir;
  fn.code_sha256 = stored->sha256_base64;
  fn.code_size = stored->size;
  fn.last_modified = NowLastModified();
  fn.revision_id = NewRevisionId();

  FunctionRecord rec;
  rec.latest = std::make_shared<const FunctionConfig>(fn);
  rec.zip_path = stored->zip_path.string();
  if (tags) rec.tags = *tags;
  std::shared_ptr<const FunctionConfig> answer = rec.latest;
  if (publish.value_or(false)) answer = PublishLatest(rec, std::nullopt);
  s = ctx.store->Create(std::move(rec));
  if (!s.ok()) return s;
  WriteJson(res, 201, FunctionConfigurationJson(*answer));
  return Status::Ok();
}

Status GetFunction(const ControlPlaneContext& ctx, const HttpRequest& req,
                   HttpResponse& res) {
  auto fn = ReadFunction(ctx, req, Qualifiers::kAllowed);
  if (!fn.ok()) return fn.status();
  GetFunctionView view;
  view.config = fn->config.get();
  view.arn = FunctionArn(ctx, fn->target.name, fn->target.qualifier);
  view.code_location = CodeLocation(req, fn->target.name, fn->config->version);
  view.tags = &fn->record.tags;
  view.reserved_concurrency = fn->record.latest->reserved_concurrency;
  WriteJson(res, 200, GetFunctionJson(view));
  return Status::Ok();
}

Status GetFunctionConfiguration(const ControlPlaneContext& ctx, const HttpRequest& req,
                                HttpResponse& res) {
  auto fn = ReadFunction(ctx, req, Qualifiers::kAllowed);
  if (!fn.ok()) return fn.status();
  WriteJson(res, 200, FunctionConfigurationJson(
                          *fn->config, FunctionArn(ctx, fn->target.name, fn->target.qualifier)));
  return Status::Ok();
}

Status ListFunctions(const ControlPlaneContext& ctx, const HttpRequest& req,
                     HttpResponse& res) {
  const std::string function_version = req.Param("FunctionVersion");
  if (!function_version.empty() && function_version != "ALL") {
    Violations v;
    v.Enum("functionVersion", function_version, "ALL");
    return v.ToStatus();
  }
  const bool all = function_version == "ALL";
  auto max_items = ParseMaxItems(req, limits::kFunctionsPage);
  if (!max_items.ok()) return max_items.status();

  // One entry per function, or per version with FunctionVersion=ALL ($LATEST first).
  std::vector<std::shared_ptr<const FunctionConfig>> items;
  std::vector<std::string> keys;
  for (const FunctionRecord& rec : ctx.store->List()) {
    items.push_back(rec.latest);
    keys.push_back(rec.latest->name);
    if (!all) continue;
    for (const auto& [number, config] : rec.versions) {
      items.push_back(config);
      keys.push_back(rec.latest->name + ":" + std::to_string(number));
    }
  }
  Page page = Paginate(keys, req.Param("Marker"), *max_items);
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("Functions");
  w.StartArray();
  for (size_t i = page.begin; i < page.end; ++i) WriteFunctionConfiguration(w, *items[i]);
  w.EndArray();
  if (!page.next_marker.empty()) {
    w.Key("NextMarker");
    WriteString(w, page.next_marker);
  }
  w.EndObject();
  WriteJson(res, 200, std::string(buf.GetString(), buf.GetSize()));
  return Status::Ok();
}

Status UpdateFunctionCode(const ControlPlaneContext& ctx, const HttpRequest& req,
                          HttpResponse& res) {
  auto target = ParseTarget(ctx, req, Qualifiers::kRejected);
  if (!target.ok()) return target.status();
  auto doc = ParseJsonBody(req);
  if (!doc.ok()) return doc.status();
  Fields f(*doc);
  Violations v;
  FunctionConfig archs;
  Status s = ApplyArchitectures(f, archs, v);
  auto publish = f.Bool("Publish");
  auto dry_run = f.Bool("DryRun");
  auto revision = f.String("RevisionId");
  if (!s.ok()) return s;
  if (!f.status().ok()) return f.status();
  if (!v.empty()) return v.ToStatus();
  auto zip = ZipFileOf(f, "Code");
  if (!zip.ok()) return zip.status();
  auto rec = GetRecord(ctx, target->name);  // 404 before anything is written
  if (!rec.ok()) return rec.status();
  auto stored = StoreCodePackage(ctx, target->name, *zip, dry_run.value_or(false));
  if (!stored.ok()) return stored.status();

  auto apply = [&](FunctionRecord& r) -> std::shared_ptr<const FunctionConfig> {
    auto fn = std::make_shared<FunctionConfig>(*r.latest);
    fn->code_dir = stored->code_dir;
    fn->code_sha256 = stored->sha256_base64;
    fn->code_size = stored->size;
    if (f.Has("Architectures")) fn->architectures = archs.architectures;
    fn->last_modified = NowLastModified();
    fn->revision_id = NewRevisionId();
    r.latest = fn;
    r.zip_path = stored->zip_path.string();
    return publish.value_or(false) ? PublishLatest(r, std::nullopt) : r.latest;
  };
  std::shared_ptr<const FunctionConfig> answer;
  if (dry_run.value_or(false)) {
    s = CheckRevision(revision, rec->latest->revision_id);
    if (!s.ok()) return s;
    answer = apply(*rec);
  } else {
    s = UpdateRecord(ctx, target->name, [&](FunctionRecord& r) {
      Status check = CheckRevision(revision, r.latest->revision_id);
      if (!check.ok()) return check;
      answer = apply(r);
      return Status::Ok();
    });
    if (!s.ok()) return s;
  }
  WriteJson(res, 200, FunctionConfigurationJson(*answer));
  return Status::Ok();
}

Status UpdateFunctionConfiguration(const ControlPlaneContext& ctx, const HttpRequest& req,
                                   HttpResponse& res) {
  auto target = ParseTarget(ctx, req, Qualifiers::kRejected);
  if (!target.ok()) return target.status();
  auto doc = ParseJsonBody(req);
  if (!doc.ok()) return doc.status();
  std::shared_ptr<const FunctionConfig> answer;
  Status s = UpdateRecord(ctx, target->name, [&](FunctionRecord& r) {
    Fields f(*doc);
    Violations v;
    auto fn = std::make_shared<FunctionConfig>(*r.latest);
    Status applied = ApplyConfiguration(f, *fn, v);
    auto revision = f.String("RevisionId");
    if (!applied.ok()) return applied;
    if (!f.status().ok()) return f.status();
    if (!v.empty()) return v.ToStatus();
    Status check = CheckRuntime(*fn);
    if (!check.ok()) return check;
    check = CheckRevision(revision, r.latest->revision_id);
    if (!check.ok()) return check;
    fn->last_modified = NowLastModified();
    fn->revision_id = NewRevisionId();
    r.latest = fn;
    answer = fn;
    return Status::Ok();
  });
  if (!s.ok()) return s;
  WriteJson(res, 200, FunctionConfigurationJson(*answer));
  return Status::Ok();
}

Status DeleteVersion(const ControlPlaneContext& ctx, const TargetRef& target) {
  const std::string& q = target.qualifier;
  if (q == "$LATEST") {
    return Status::Error(errors::kInvalidParameterValue,
                         "$LATEST version cannot be deleted without deleting the function.");
  }
  if (!IsVersionNumber(q)) {
    return Status::Error(errors::kInvalidParameterValue,
                         fmt::format("Deletion of aliases is not supported by DeleteFunction: "
                                     "use DeleteAlias to delete alias '{}'.",
                                     q));
  }
  return UpdateRecord(ctx, target.name, [&](FunctionRecord& r) {
    if (!r.versions.count(std::stoi(q))) return FunctionNotFound(ctx, target.name, q);
    std::vector<std::string> users;
    for (const auto& [alias_name, alias] : r.aliases) {
      if (alias.function_version == q || alias.additional_weights.count(q))
        users.push_back(alias_name);
    }
    if (!users.empty()) {
      return Status::Error(errors::kResourceConflict,
                           fmt::format("Unable to delete version because the following aliases "
                                       "reference it: [{}]",
                                       fmt::join(users, ", ")));
    }
    r.versions.erase(std::stoi(q));
    r.invoke_configs.erase(q);
    return Status::Ok();
  });
}

Status DeleteFunction(const ControlPlaneContext& ctx, const HttpRequest& req,
                      HttpResponse& res) {
  auto target = ParseTarget(ctx, req, Qualifiers::kAllowed);
  if (!target.ok()) return target.status();
  if (!target->qualifier.empty()) {
    Status s = DeleteVersion(ctx, *target);
    if (!s.ok()) return s;
    res.status = 204;
    return Status::Ok();
  }
  auto rec = GetRecord(ctx, target->name);
  if (!rec.ok()) return rec.status();
  Status s = ctx.store->Delete(target->name);
  if (!s.ok()) return FunctionNotFound(ctx, target->name);
  if (ctx.on_function_deleted) ctx.on_function_deleted(target->name);
  // Template functions run from the project folder: only uploaded packages are ours to remove.
  if (!rec->from_template && !ctx.store->Get(target->name)) {
    std::error_code ec;
    fs::remove_all(FunctionStateDir(ctx, target->name), ec);
  }
  res.status = 204;
  return Status::Ok();
}

}  // namespace

void RegisterFunctionRoutes(HttpRouter& router, const ControlPlaneContext* ctx) {
  const std::string fn = R"(/2015-03-31/functions/([^/]+))";
  router.Post(R"(/2015-03-31/functions/?)", Wrap(ctx, CreateFunction));
  router.Get(R"(/2015-03-31/functions/?)", Wrap(ctx, ListFunctions));
  router.Get(fn + "/?", Wrap(ctx, GetFunction));
  router.Delete(fn + "/?", Wrap(ctx, DeleteFunction));
  router.Get(fn + "/configuration/?", Wrap(ctx, GetFunctionConfiguration));
  router.Put(fn + "/configuration/?", Wrap(ctx, UpdateFunctionConfiguration));
  router.Put(fn + "/code/?", Wrap(ctx, UpdateFunctionCode));
}

void RegisterControlPlaneRoutes(HttpRouter& router, const ControlPlaneContext* context) {
  RegisterFunctionRoutes(router, context);
  RegisterVersionAliasRoutes(router, context);
  RegisterFunctionSettingsRoutes(router, context);
  RegisterPermissionTagRoutes(router, context);
  RegisterEventSourceMappingRoutes(router, context);
  RegisterFunctionUrlRoutes(router, context);
  RegisterCodeRoutes(router, context);
}

}  // namespace ll
