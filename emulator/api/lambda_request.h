// What every control-plane route shares: reading the {FunctionName} segment and JSON bodies,
// AWS-style validation messages, pagination, and the route wrapper that turns a returned
// Status into Lambda's error shape. Internal to api/lambda_*.cc.
#pragma once

#include "http/http_router.h"
#include <rapidjson/document.h>

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/lambda_control_plane.h"
#include "base/status.h"
#include "model/function_config.h"
#include "store/function_store.h"

namespace ll {

// arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]
std::string FunctionArn(const ControlPlaneContext& ctx, const std::string& name,
                        const std::string& qualifier = "");

// "Function not found: <arn>" (404).
Status FunctionNotFound(const ControlPlaneContext& ctx, const std::string& name,
                        const std::string& qualifier = "");

struct TargetRef {
  std::string name;
  std::string qualifier;  // from the name or ?Qualifier=; empty when none
};

enum class Qualifiers { kAllowed, kRejected };

// Reads the {FunctionName} path segment (name, ARN or partial ARN, percent-encoded) of
// req.matches[match] and ?Qualifier=. Refuses other regions/accounts and, with kRejected,
// any qualifier.
Result<TargetRef> ParseTarget(const ControlPlaneContext& ctx, const HttpRequest& req,
                              Qualifiers qualifiers, size_t match = 1);
// The same for callers without a ControlPlaneContext (the Invoke route).
Result<TargetRef> ParseTarget(const std::string& region, const std::string& account_id,
                              const HttpRequest& req, Qualifiers qualifiers, size_t match = 1);

// The record of `name`, or ResourceNotFoundException.
Result<FunctionRecord> GetRecord(const ControlPlaneContext& ctx, const std::string& name);

// What a read of one function needs: the target the path names, its record, and the
// configuration the qualifier names (the latest one when there is no qualifier).
struct FunctionRead {
  TargetRef target;
  FunctionRecord record;
  std::shared_ptr<const FunctionConfig> config;
};
// ParseTarget, GetRecord and ConfigFor in that order, each one's error answered as it is.
Result<FunctionRead> ReadFunction(const ControlPlaneContext& ctx, const HttpRequest& req,
                                  Qualifiers qualifiers);

// FunctionStore::Update, answering ResourceNotFoundException with this context's ARN when there
// is no such function. Errors `mutate` returns pass through unchanged.
Status UpdateRecord(const ControlPlaneContext& ctx, const std::string& name,
                    const std::function<Status(FunctionRecord&)>& mutate);

// The config a qualifier names in `rec`: "" / "$LATEST" -> latest, "N" -> version N,
// alias -> the alias's primary version. ResourceNotFoundException when there is none.
Result<std::shared_ptr<const FunctionConfig>> ConfigFor(const ControlPlaneContext& ctx,
                                                        const FunctionRecord& rec,
                                                        const std::string& qualifier);

bool IsVersionNumber(std::string_view s);

// The request body as a JSON object; an empty body is an empty object.
// InvalidRequestContentException when it is not JSON or not an object.
Result<rapidjson::Document> ParseJsonBody(const HttpRequest& req);

// Typed, optional members of one JSON object. JSON null counts as absent. A member of the
// wrong type is remembered (the first one) and read as absent; check status() at the end.
class Fields {
 public:
  explicit Fields(const rapidjson::Value& object, std::string path = "");

  bool Has(const char* key) const;
  std::optional<std::string> String(const char* key);
  std::optional<int64_t> Int(const char* key);
  std::optional<double> Number(const char* key);
  std::optional<bool> Bool(const char* key);
  // nullptr when absent; the object itself otherwise.
  const rapidjson::Value* Object(const char* key);
  std::optional<std::map<std::string, std::string>> StringMap(const char* key);
  std::optional<std::vector<std::string>> StringList(const char* key);

  const Status& status() const { return status_; }

 private:
  const rapidjson::Value* Find(const char* key) const;
  void TypeError(const char* key, const char* expected);

  const rapidjson::Value& object_;
  std::string path_;  // "Environment." for nested objects, for messages
  Status status_;
};

// Collects constraint violations and reports them as AWS does:
// "2 validation errors detected: Value '3000' at 'timeout' failed to satisfy constraint:
// Member must have value less than or equal to 900; Value ...".
class Violations {
 public:
  // `field` is the camelCase wire path AWS names, e.g. "timeout", "environment.variables".
  void Range(std::string_view field, int64_t value, int64_t min, int64_t max);
  void MaxLength(std::string_view field, std::string_view value, size_t max);
  void Pattern(std::string_view field, std::string_view value, std::string_view pattern);
  void Enum(std::string_view field, std::string_view value, std::string_view allowed);
  void Null(std::string_view field);  // a required member is missing
  void Add(std::string text);         // a whole "Value ... failed to satisfy ..." phrase

  bool empty() const { return items_.empty(); }
  Status ToStatus() const;  // ok when empty, else ValidationException

 private:
  std::vector<std::string> items_;
};

// Environment.Variables as AWS checks them: key pattern (ValidationException), reserved keys
// and the 4 KB limit measured on the serialized map (InvalidParameterValueException).
Status ValidateEnvironment(const std::map<std::string, std::string>& vars);

// 412 PreconditionFailedException when `given` is set and differs from `current`.
Status CheckRevision(const std::optional<std::string>& given, const std::string& current);

// ?MaxItems= clamped to [1, cap]; `cap` when absent. ValidationException when malformed.
Result<int> ParseMaxItems(const HttpRequest& req, int cap);

// The slice of `keys` one page covers: after ?Marker= (the key of the last item of the previous
// page), at most max_items long.
struct Page {
  size_t begin = 0;
  size_t end = 0;
  std::string next_marker;  // empty on the last page
};
Page Paginate(const std::vector<std::string>& keys, const std::string& marker, int max_items);

void WriteJson(HttpResponse& res, int status, std::string body);

// A control-plane handler: answers `res` on success, returns the error otherwise.
using ControlPlaneHandler =
    std::function<Status(const ControlPlaneContext&, const HttpRequest&, HttpResponse&)>;
// Adds x-amzn-RequestId and writes a returned error with WriteLambdaError.
HttpHandler Wrap(const ControlPlaneContext* ctx, ControlPlaneHandler handler);

// Route groups, each in its own file; RegisterControlPlaneRoutes calls them all.
void RegisterFunctionRoutes(HttpRouter& router, const ControlPlaneContext* ctx);
void RegisterVersionAliasRoutes(HttpRouter& router, const ControlPlaneContext* ctx);
void RegisterFunctionSettingsRoutes(HttpRouter& router, const ControlPlaneContext* ctx);
void RegisterPermissionTagRoutes(HttpRouter& router, const ControlPlaneContext* ctx);
void RegisterEventSourceMappingRoutes(HttpRouter& router, const ControlPlaneContext* ctx);
void RegisterFunctionUrlRoutes(HttpRouter& router, const ControlPlaneContext* ctx);

}  // namespace ll

namespace ll {

// ---- Code packages (lambda_code.cc) ----

struct StoredCode {
  std::filesystem::path zip_path;  // state_dir/functions/<name>/<sha256-hex>.zip
  std::filesystem::path code_dir;  // state_dir/functions/<name>/<sha256-hex>/ (absolute)
  std::string sha256_base64;
  int64_t size = 0;
};

// Decodes Code.ZipFile / ZipFile (base64) and keeps the package under the state directory,
// unpacked. Packages are named by content, so uploading the same zip again reuses them.
// With `dry_run` nothing is written. InvalidZipFileException for a bad zip.
Result<StoredCode> StoreCodePackage(const ControlPlaneContext& ctx, const std::string& name,
                                    const std::string& zip_base64, bool dry_run = false);

// Where GetFunction says the package of `version` can be downloaded.
std::string CodeLocation(const HttpRequest& req, const std::string& name,
                         const std::string& version);

// Everything kept on disk for API-created function `name` (its packages).
std::filesystem::path FunctionStateDir(const ControlPlaneContext& ctx, const std::string& name);

void RegisterCodeRoutes(HttpRouter& router, const ControlPlaneContext* ctx);

// ---- Versions (lambda_versions_aliases.cc) ----

// Publishes rec.latest as the next version unless nothing changed since the last published
// version, in which case that version is returned. `description` overrides the latest's.
std::shared_ptr<const FunctionConfig> PublishLatest(FunctionRecord& rec,
                                                    const std::optional<std::string>& description);

}  // namespace ll
