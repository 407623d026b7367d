#include "api/lambda_api.h"

#include <httplib.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <chrono>

#include <fmt/format.h>

#include "api/function_json.h"
#include "api/lambda_errors.h"
#include "base/strings.h"
#include "invoke/invoker.h"
#include "model/error_names.h"
#include "model/function_ref.h"

namespace ll {
namespace {

constexpr size_t kMaxSyncPayload = 6291456;
constexpr size_t kMaxClientContext = 3583;
constexpr size_t kLogTailBytes = 4096;

std::string PercentDecode(const std::string& s) {
  if (s.find('%') == std::string::npos) return s;
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() + 0 && isxdigit(s[i + 1]) && isxdigit(s[i + 2])) {
      out += char(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string NewTraceId() {
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count();
  return fmt::format("Root=1-{:08x}-{};Parent={};Sampled=0", secs, RandomHex(24), RandomHex(16));
}

struct Target {
  std::shared_ptr<const FunctionConfig> fn;
  std::string qualifier;
};

// Resolves the {FunctionName} path segment and ?Qualifier= to a function.
Result<Target> ResolveTarget(Invoker* invoker, const LambdaApiOptions& options,
                             const std::string& raw_name, const httplib::Request& req) {
  auto ref = ParseFunctionRef(PercentDecode(raw_name));
  if (!ref.ok()) return ref.status();
  std::string qualifier = req.get_param_value("Qualifier");
  if (!ref->qualifier.empty() && !qualifier.empty() && ref->qualifier != qualifier) {
    return Status::Error(errors::kInvalidParameterValue,
                         "The derived qualifier from the function name does not match the "
                         "specified qualifier.");
  }
  if (qualifier.empty()) qualifier = ref->qualifier;
  std::string arn = fmt::format("arn:aws:lambda:{}:{}:function:{}", options.region,
                                options.account_id, ref->name);
  if (!qualifier.empty()) arn += ":" + qualifier;
  if (!ref->region.empty() && ref->region != options.region) {
    return Status::Error(errors::kResourceNotFound,
                         fmt::format("Functions from '{}' are not reachable in this region ('{}')",
                                     ref->region, options.region));
  }
  auto fn = invoker->Find(ref->name);
  // Only $LATEST exists until versions are published.
  if (!fn || (!qualifier.empty() && qualifier != "$LATEST") ||
      (!ref->account_id.empty() && ref->account_id != options.account_id)) {
    return Status::Error(errors::kResourceNotFound, "Function not found: " + arn);
  }
  return Target{fn, qualifier};
}

void HandleInvoke(Invoker* invoker, const LambdaApiOptions& options, const httplib::Request& req,
                  httplib::Response& res) {
  const std::string request_id = NewUuid();
  res.set_header("x-amzn-RequestId", request_id);
  auto target = ResolveTarget(invoker, options, req.matches[1], req);
  if (!target.ok()) return WriteLambdaError(res, target.status());

  std::string type = req.get_header_value("X-Amz-Invocation-Type");
  if (type.empty()) type = "RequestResponse";
  if (type != "RequestResponse" && type != "Event" && type != "DryRun") {
    return WriteLambdaError(
        res, Status::Error("ValidationException",
                           "1 validation error detected: Value '" + type +
                               "' at 'invocationType' failed to satisfy constraint: Member must "
                               "satisfy enum value set: [Event, RequestResponse, DryRun]"));
  }
  std::string log_type = req.get_header_value("X-Amz-Log-Type");
  if (!log_type.empty() && log_type != "None" && log_type != "Tail") {
    return WriteLambdaError(
        res, Status::Error("ValidationException",
                           "1 validation error detected: Value '" + log_type +
                               "' at 'logType' failed to satisfy constraint: Member must satisfy "
                               "enum value set: [None, Tail]"));
  }
  const size_t size = req.body.size();
  if (type == "Event" && size > options.max_async_payload) {
    return WriteLambdaError(
        res, Status::Error(errors::kRequestTooLarge,
                           fmt::format("{} byte payload is too large for the Event invocation type "
                                       "(limit {} bytes)",
                                       size, options.max_async_payload)));
  }
  if (size > kMaxSyncPayload) {
    return WriteLambdaError(
        res, Status::Error(errors::kRequestTooLarge,
                           fmt::format("Request must be smaller than {} bytes for the "
                                       "InvokeFunction operation",
                                       kMaxSyncPayload)));
  }
  std::string payload = req.body.empty() ? "{}" : req.body;
  {
    rapidjson::Document doc;
    doc.Parse(payload.data(), payload.size());  // also rejects anything after the value
    if (doc.HasParseError()) {
      return WriteLambdaError(
          res, Status::Error(errors::kInvalidRequestContent,
                             fmt::format("Could not parse request body into json: Could not parse "
                                         "payload into json: {} (at offset {})",
                                         rapidjson::GetParseError_En(doc.GetParseError()),
                                         doc.GetErrorOffset())));
    }
  }
  std::string client_context;
  if (std::string encoded = req.get_header_value("X-Amz-Client-Context"); !encoded.empty()) {
    auto decoded = Base64Decode(encoded);
    if (encoded.size() > kMaxClientContext || !decoded) {
      return WriteLambdaError(res, Status::Error(errors::kInvalidRequestContent,
                                                 "Client context must be a valid Base64-encoded "
                                                 "JSON object of at most 3583 bytes."));
    }
    client_context = std::move(*decoded);
  }

  if (type == "DryRun") {
    res.status = 204;
    return;
  }

  Invocation inv;
  inv.request_id = request_id;
  inv.payload = std::move(payload);
  inv.invoked_function_arn = target->fn->Arn();
  if (!target->qualifier.empty()) inv.invoked_function_arn += ":" + target->qualifier;
  inv.trace_id = NewTraceId();

  if (type == "Event") {
    Status s = invoker->Enqueue(target->fn->name, std::move(inv));
    if (!s.ok()) return WriteLambdaError(res, s);
    res.status = 202;
    return;
  }

  inv.client_context = std::move(client_context);
  InvokeResult r = invoker->Invoke(target->fn->name, inv);
  if (!r.status.ok()) return WriteLambdaError(res, r.status, r.throttle_reason);
  res.status = 200;
  res.set_header("X-Amz-Executed-Version", "$LATEST");
  if (r.outcome.function_error) res.set_header("X-Amz-Function-Error", "Unhandled");
  if (log_type == "Tail") {
    std::string_view log = r.outcome.log;
    if (log.size() > kLogTailBytes) log = log.substr(log.size() - kLogTailBytes);
    res.set_header("X-Amz-Log-Result", Base64Encode(log));
  }
  res.set_content(std::move(r.outcome.payload), "application/json");
}

void HandleInvokeAsync(Invoker* invoker, const LambdaApiOptions& options,
                       const httplib::Request& req, httplib::Response& res) {
  const std::string request_id = NewUuid();
  res.set_header("x-amzn-RequestId", request_id);
  auto target = ResolveTarget(invoker, options, req.matches[1], req);
  if (!target.ok()) return WriteLambdaError(res, target.status());
  Invocation inv;
  inv.request_id = request_id;
  inv.payload = req.body.empty() ? "{}" : req.body;
  inv.invoked_function_arn = target->fn->Arn();
  inv.trace_id = NewTraceId();
  Status s = invoker->Enqueue(target->fn->name, std::move(inv));
  if (!s.ok()) return WriteLambdaError(res, s);
  res.status = 202;
  res.set_content("{\"Status\":202}", "application/json");
}

}  // namespace

void RegisterLambdaRoutes(httplib::Server& server, Invoker* invoker, const LambdaApiOptions& options) {
  server.Post(R"(/2015-03-31/functions/([^/]+)/invocations/?)",
              [invoker, options](const httplib::Request& req, httplib::Response& res) {
                HandleInvoke(invoker, options, req, res);
              });
  server.Post(R"(/2014-11-13/functions/([^/]+)/invoke-async/?)",
              [invoker, options](const httplib::Request& req, httplib::Response& res) {
                HandleInvokeAsync(invoker, options, req, res);
              });
  server.Get(R"(/2015-03-31/functions/?)", [invoker](const httplib::Request& req,
                                                     httplib::Response& res) {
    res.set_header("x-amzn-RequestId", NewUuid());
    auto all = invoker->List();
    std::string marker = req.get_param_value("Marker");
    int max_items = 50;
    if (req.has_param("MaxItems")) {
      try {
        max_items = std::clamp(std::stoi(req.get_param_value("MaxItems")), 1, 50);
      } catch (const std::exception&) {
        return WriteLambdaError(res, Status::Error(errors::kInvalidParameterValue,
                                                   "MaxItems must be a number"));
      }
    }
    // List() is in name order, so the marker is simply the last name of the previous page.
    std::string body = "{\"Functions\":[";
    int n = 0;
    bool more = false;
    std::string last;
    for (const auto& fn : all) {
      if (!marker.empty() && fn->name <= marker) continue;
      if (n == max_items) {
        more = true;
        break;
      }
      if (n++) body += ",";
      body += FunctionConfigurationJson(*fn);
      last = fn->name;
    }
    body += "]";
    if (more) body += ",\"NextMarker\":" + JsonQuote(last);
    body += "}";
    res.set_content(body, "application/json");
  });
  server.Get(R"(/2015-03-31/functions/([^/]+)/?)", [invoker, options](const httplib::Request& req,
                                                                      httplib::Response& res) {
    res.set_header("x-amzn-RequestId", NewUuid());
    auto target = ResolveTarget(invoker, options, req.matches[1], req);
    if (!target.ok()) return WriteLambdaError(res, target.status());
    res.set_content(FunctionJson(*target->fn), "application/json");
  });
  server.Get(R"(/2015-03-31/functions/([^/]+)/configuration/?)",
             [invoker, options](const httplib::Request& req, httplib::Response& res) {
               res.set_header("x-amzn-RequestId", NewUuid());
               auto target = ResolveTarget(invoker, options, req.matches[1], req);
               if (!target.ok()) return WriteLambdaError(res, target.status());
               res.set_content(FunctionConfigurationJson(*target->fn), "application/json");
             });
}

}  // namespace ll
