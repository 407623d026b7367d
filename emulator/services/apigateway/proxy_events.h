// The Lambda proxy integration's two payload formats: the event API Gateway sends a function
// for a request (1.0: REST APIs, and HTTP APIs that ask for it; 2.0: HTTP APIs), and the
// client's answer read back from what the function returned.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "services/apigateway/api.h"
#include "services/apigateway/route_matcher.h"

namespace ll::apigw {

// Payload format 1.0, with AWS's fields in AWS's order and null where AWS sends null (no
// headers, query, path parameters, stage variables or body). `headers` keeps the last value of
// a repeated header and `multiValueHeaders` all of them; likewise for the query. REST APIs: the
// path and path parameters as sent (percent-encoded), requestContext.path with the stage.
// HTTP APIs: "version": "1.0" first, the path decoded and prefixed with a named stage, and
// their own requestContext (resourceId is the route key, identity in alphabetical order).
// What authorization learned (request.auth) goes into requestContext: REST APIs' "authorizer"
// after resourceId and identity.apiKey / apiKeyId / accessKey; HTTP APIs' "authorizer" in place
// of the empty one.
std::string ProxyEventV1(const Api& api, const RouteMatch& match, const GatewayRequest& request,
                         const std::string& account_id);

// Payload format 2.0 (HTTP APIs): header names lower-cased and repeated values joined with ",",
// the Cookie header moved to `cookies`, repeated query values joined with ","; cookies, query,
// path parameters, stage variables and body only when there are some; requestContext.authorizer
// only when an authorizer ran (request.auth).
std::string ProxyEventV2(const Api& api, const RouteMatch& match, const GatewayRequest& request,
                         const std::string& account_id);

// The event of a Lambda REQUEST authorizer for this request. 1.0 (REST APIs, and HTTP API
// authorizers of format 1.0): "type": "REQUEST" and "methodArn" first (HTTP APIs: after
// "version", with "identitySource" and "authorizationToken", the identity values joined with
// ","), then the proxy event's fields but the body. 2.0: "version", "type", "routeArn",
// "identitySource" (the values as a list), then the 2.0 proxy event's fields but the body.
std::string RequestAuthorizerEventV1(const Api& api, const RouteMatch& match, const GatewayRequest& request,
                                     const std::string& account_id, std::string_view method_arn,
                                     const std::vector<std::string>& identity);
std::string RequestAuthorizerEventV2(const Api& api, const RouteMatch& match, const GatewayRequest& request,
                                     const std::string& account_id, std::string_view route_arn,
                                     const std::vector<std::string>& identity);

// Whether the request's body goes to the function base64-encoded (when it has one). REST APIs:
// when its Content-Type (application/json when absent) matches one of the API's binary media
// types ("image/png", "image/*", "*/*"). HTTP APIs: unless the Content-Type is text/*,
// application/json, application/xml or application/javascript (none at all is binary).
bool BodyIsBinary(const Api& api, const GatewayRequest& request);

// The client's answer from a function's result, or nullopt when API Gateway would answer 502.
// 1.0: a JSON object with an integer statusCode, optional headers / multiValueHeaders (merged;
// multiValueHeaders wins for a name in both), a string body and isBase64Encoded (the body is
// then decoded).
std::optional<GatewayResponse> ParseProxyResultV1(std::string_view payload);
// 2.0: the same without multiValueHeaders, plus cookies (one Set-Cookie each); valid JSON without
// a statusCode is a 200 application/json answer whose body is the result itself (a JSON string:
// its value).
std::optional<GatewayResponse> ParseProxyResultV2(std::string_view payload);

}  // namespace ll::apigw
