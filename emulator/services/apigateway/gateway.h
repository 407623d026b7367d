// Gateway: API Gateway in front of functions. Finds a request's route among the template's
// APIs, builds the Lambda proxy event (payload 1.0 or 2.0), invokes the function through the
// one door, and answers with what it returned, or with API Gateway's own errors (403/404 with
// no route, 502 for a function error or a malformed result, 429 when throttled), with CORS as
// the template configures it (cors.h), after the route's authorizer and API key (authorizers.h).
//
// Thread-safety: immutable after construction but for the authorizers' result cache, which
// guards itself; Serve* may run on any number of threads.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "http/http_message.h"
#include "base/clock.h"
#include "invoke/invoke_sink.h"
#include "invoke/timed_invoker.h"
#include "services/apigateway/api.h"
#include "services/apigateway/authorizers.h"
#include "services/apigateway/route_matcher.h"

namespace ll::apigw {

struct GatewayOptions {
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  // One access line per request: "GET /items/1 200 1.234 ms Fn".
  std::function<void(const std::string&)> access_log;
  std::vector<ApiKey> api_keys;  // what `x-api-key` may hold on routes that require a key
  Clock* clock = nullptr;        // the authorizers' cache TTLs; nullptr: the real clock
  // JWT authorizers' keys by issuer, or no signature checks (authorizers.h).
  std::map<std::string, std::shared_ptr<const JwksKeys>> jwt_keys;
  bool jwt_skip_signature = false;
};

// The request a proxy event describes, from what the server parsed (its body moved), at `path`
// (as sent, without the stage); a new request id, the Host without its port as the domain.
GatewayRequest GatewayRequestOf(HttpRequest& req, std::string path);

// Writes `response` to `res`: its Content-Type as the body's (none at all when it has none),
// header values with CR or LF left out.
void WriteGatewayResponse(GatewayResponse response, HttpResponse& res);

class Gateway {
 public:
  // `functions` must outlive the gateway.
  Gateway(std::vector<Api> apis, InvokeSink* functions, GatewayOptions options);

  const std::vector<Api>& apis() const { return apis_; }

  // Waits for invocations whose clients got 504 to end; called once the functions are stopped.
  void Stop();

  // The API port: every API's routes from the root, as `sam local start-api` serves them; the
  // first API with a route for the request answers.
  void ServeApiPort(HttpRequest& req, HttpResponse& res) const;

  // The main port: "/restapis/{apiId}/{stage}/_user_request_/{path}", or a Host of
  // "{apiId}.execute-api.<anything>" with "/{stage}/{path}" (REST APIs and named stages) or
  // "/{path}" (an HTTP API's $default stage).
  void ServeFrontPort(HttpRequest& req, HttpResponse& res) const;

  // The API id a Host names ("abc123defg.execute-api.localhost:4566"), or "".
  static std::string ApiIdOfHost(std::string_view host);

 private:
  // The route's answer: SAM's CORS MOCK for a REST API's generated OPTIONS route, else the
  // function's (Serve) with an HTTP API's CORS headers (cors.h).
  GatewayResponse Respond(const Api& api, const RouteMatch& match, GatewayRequest& request) const;
  GatewayResponse Serve(const Api& api, const RouteMatch& match, GatewayRequest& request) const;
  void Answer(const GatewayRequest& request, GatewayResponse response, HttpResponse& res,
              const std::string& function, int64_t started_us) const;
  const Api* FindApi(std::string_view id) const;

  const std::vector<Api> apis_;
  InvokeSink* const functions_;
  const GatewayOptions options_;
  const Authorization authorization_;
  const std::unique_ptr<TimedInvoker> timed_;  // for integration timeouts shorter than a function's
};

}  // namespace ll::apigw
