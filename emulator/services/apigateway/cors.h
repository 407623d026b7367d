// CORS as API Gateway answers it for an API whose template configures it.
//
// REST APIs (SAM's `Cors`): SAM adds an OPTIONS method, a MOCK integration, on every path of the
// API that has no OPTIONS method of its own; it answers 200 with the configured headers, whatever
// the request's Origin. The functions' own responses are left as they are (SAM cannot add headers
// to a Lambda proxy response: the function must).
//
// HTTP APIs (`CorsConfiguration`): API Gateway answers every preflight itself, on any path,
// with 204 and the CORS headers when the Origin is allowed (none when it is not); on every other
// response it drops the integration's CORS headers and adds the configured ones when the
// request's Origin is allowed. Header names are lower-case, as HTTP APIs send them.
//
// Pure functions of the API and the request: safe on any thread.
#pragma once

#include <string_view>
#include <vector>

#include "services/apigateway/api.h"

namespace ll::apigw {

// REST APIs with CORS: adds SAM's OPTIONS route (cors_preflight) to every path without an
// OPTIONS route of its own (a path with ANY gets one too: a method of its own beats ANY).
// Other APIs are left as they are.
void AddRestPreflightRoutes(Api& api);

// The MOCK's answer for a route AddRestPreflightRoutes added: 200, Access-Control-Allow-Origin,
// -Methods (as configured, else the path's methods and OPTIONS, as SAM lists them), -Headers,
// -Max-Age and -Credentials when configured, and the body SAM's response template renders.
GatewayResponse RestPreflight(const Api& api, const Route& route);

// Whether API Gateway answers this request itself as an HTTP API's CORS preflight: the API is
// an HTTP API with CORS, and the request an OPTIONS with Origin and Access-Control-Request-Method.
bool IsHttpPreflight(const Api& api, const GatewayRequest& request);

// The answer to such a preflight: 204 with no body, and the CORS headers when the Origin is allowed.
GatewayResponse HttpPreflight(const Api& api, const GatewayRequest& request);

// The API port serves every API from the root, so a preflight needs an API to answer it: the
// first HTTP API with CORS whose routes take the asked-for method at that path; else, when no
// other API routes an OPTIONS there, the first HTTP API with CORS (AWS answers on any path).
// nullptr when the request is no such preflight.
const Api* PreflightApi(const std::vector<Api>& apis, const GatewayRequest& request);

// HTTP APIs with CORS: takes the integration's Access-Control-* headers off `response` and adds
// Access-Control-Allow-Origin (with -Allow-Credentials and -Expose-Headers when configured)
// when the request's Origin is allowed. Other APIs: `response` is left as it is.
void ApplyHttpCors(const Api& api, const GatewayRequest& request, GatewayResponse& response);

// Whether AllowOrigins admits `origin`: "*" admits any; "https://*" and "http://*" admit any
// origin of that scheme (the wildcards AWS documents); any other entry only itself, exactly.
bool OriginAllowed(const std::vector<std::string>& allow_origins, std::string_view origin);

}  // namespace ll::apigw
