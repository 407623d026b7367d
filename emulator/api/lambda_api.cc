#include "api/lambda_api.h"

#include "http/http_router.h"
#include <rapidjson/encodedstream.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <chrono>

#include <fmt/format.h>

#include "api/lambda_errors.h"
#include "api/lambda_request.h"
#include "base/strings.h"
#include "invoke/async_queue.h"
#include "invoke/invoker.h"
#include "store/function_store.h"
#include "model/error_names.h"
#include "model/limits.h"

namespace ll {
namespace {


std::string NewTraceId() {
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count();
  return fmt::format("Root=1-{:08x}-{};Parent={};Sampled=0", secs, RandomHex(24), RandomHex(16));
}

// Resolves the {FunctionName} path segment and ?Qualifier= to one version of a function.
Result<ResolvedFunction> ResolveTarget(const LambdaApiContext& ctx, const HttpRequest& req) {
  auto target = ParseTarget(ctx.options.region, ctx.options.account_id, req, Qualifiers::kAllowed);
  if (!target.ok()) return target.status();
  return ctx.store->Resolve(target->name, target->qualifier);
}

void HandleInvoke(const LambdaApiContext& ctx, HttpRequest& req, HttpResponse& res) {
  const LambdaApiOptions& options = ctx.options;
  const std::string request_id = NewUuid();
  res.SetHeader("x-amzn-RequestId", request_id);
  auto target = ResolveTarget(ctx, req);
  if (!target.ok()) return WriteLambdaError(res, target.status());

  std::string type = req.HeaderValue("X-Amz-Invocation-Type");
  if (type.empty()) type = "RequestResponse";
  if (type != "RequestResponse" && type != "Event" && type != "DryRun") {
    return WriteLambdaError(
        res, Status::Error(errors::kValidation,
                           "1 validation error detected: Value '" + type +
                               "' at 'invocationType' failed to satisfy constraint: Member must "
                               "satisfy enum value set: [Event, RequestResponse, DryRun]"));
  }
  std::string log_type = req.HeaderValue("X-Amz-Log-Type");
  if (!log_type.empty() && log_type != "None" && log_type != "Tail") {
    return WriteLambdaError(
        res, Status::Error(errors::kValidation,
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
  if (size > limits::kSyncPayloadBytes) {
    return WriteLambdaError(
        res, Status::Error(errors::kRequestTooLarge,
                           fmt::format("Request must be smaller than {} bytes for the "
                                       "InvokeFunction operation",
                                       limits::kSyncPayloadBytes)));
  }
  // The body moves into the invocation: the payload is not copied on the invoke path.
  std::string payload = req.body.empty() ? std::string("{}") : std::move(req.body);
  {
    // Validate without building a document; also rejects anything after the value.
    rapidjson::MemoryStream bytes(payload.data(), payload.size());
    rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> in(bytes);
    rapidjson::BaseReaderHandler<> ignore;
    rapidjson::Reader reader;
    rapidjson::ParseResult parsed = reader.Parse(in, ignore);
    if (parsed.IsError()) {
      return WriteLambdaError(
          res, Status::Error(errors::kInvalidRequestContent,
                             fmt::format("Could not parse request body into json: Could not parse "
                                         "payload into json: {} (at offset {})",
                                         rapidjson::GetParseError_En(parsed.Code()), parsed.Offset())));
    }
  }
  std::string client_context;
  if (std::string encoded = req.HeaderValue("X-Amz-Client-Context"); !encoded.empty()) {
    auto decoded = Base64Decode(encoded);
    if (encoded.size() > limits::kClientContextBytes || !decoded) {
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
  inv.invoked_function_arn = target->config->Arn();
  if (!target->qualifier.empty()) inv.invoked_function_arn += ":" + target->qualifier;
  inv.trace_id = NewTraceId();

  if (type == "Event") {
    Status s = ctx.async->Enqueue(*target, std::move(inv));
    if (!s.ok()) return WriteLambdaError(res, s);
    res.status = 202;
    return;
  }

  inv.client_context = std::move(client_context);
  InvokeResult r = ctx.invoker->Invoke(*target, inv);
  if (!r.status.ok()) return WriteLambdaError(res, r.status, r.throttle_reason);
  res.status = 200;
  res.SetHeader("X-Amz-Executed-Version", target->executed_version);
  if (r.outcome.function_error) res.SetHeader("X-Amz-Function-Error", "Unhandled");
  if (log_type == "Tail") {
    std::string_view log = r.outcome.log;
    if (log.size() > limits::kLogTailBytes) log = log.substr(log.size() - limits::kLogTailBytes);
    res.SetHeader("X-Amz-Log-Result", Base64Encode(log));
  }
  res.SetContent(std::move(r.outcome.payload), "application/json");
}

void HandleInvokeAsync(const LambdaApiContext& ctx, HttpRequest& req,
                       HttpResponse& res) {
  const std::string request_id = NewUuid();
  res.SetHeader("x-amzn-RequestId", request_id);
  auto target = ResolveTarget(ctx, req);
  if (!target.ok()) return WriteLambdaError(res, target.status());
  Invocation inv;
  inv.request_id = request_id;
  inv.payload = req.body.empty() ? std::string("{}") : std::move(req.body);
  inv.invoked_function_arn = target->config->Arn();
  inv.trace_id = NewTraceId();
  Status s = ctx.async->Enqueue(*target, std::move(inv));
  if (!s.ok()) return WriteLambdaError(res, s);
  res.status = 202;
  res.SetContent("{\"Status\":202}", "application/json");
}

}  // namespace

void RegisterInvokeRoutes(HttpRouter& router, const LambdaApiContext* context) {
  router.Post(R"(/2015-03-31/functions/([^/]+)/invocations/?)",
              [context](HttpRequest& req, HttpResponse& res) {
                HandleInvoke(*context, req, res);
              });
  router.Post(R"(/2014-11-13/functions/([^/]+)/invoke-async/?)",
              [context](HttpRequest& req, HttpResponse& res) {
                HandleInvokeAsync(*context, req, res);
              });
}

}  // namespace ll
