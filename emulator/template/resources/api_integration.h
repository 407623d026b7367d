// What API Gateway's declarations share however they are written (AWS::ApiGateway::*,
// AWS::ApiGatewayV2::*, an OpenAPI definition): the function a Lambda integration URI names,
// stage variables in it, what a non-proxy integration is called in messages, and finding
// another resource of the template by what !Ref gives for it.
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <string>
#include <string_view>

#include "base/status.h"
#include "template/resource_handlers.h"

namespace ll {

// The function a Lambda proxy integration calls, "name" or "name:qualifier", from its URI:
// "arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function ARN>/invocations"
// (REST and HTTP APIs) or the function's ARN itself (HTTP APIs). A `${Fn.Arn}` or `${Fn}` left
// in it (a definition file CloudFormation does not process) is resolved as !Sub would.
// InvalidTemplate (without a "where") when the URI names no Lambda function.
Result<std::string> LambdaFunctionOfUri(const Resolver& resolver, const std::string& uri);

// `text` with each "${stageVariables.name}" replaced by the variable's value, as API Gateway
// does in a Lambda integration's URI; an error naming the first variable `variables` lacks.
Result<std::string> SubstituteStageVariables(const std::string& text,
                                             const std::map<std::string, std::string>& variables);

// "a mock integration", "an HTTP proxy integration", ... for an integration type in any case
// (AWS, AWS_PROXY, HTTP, HTTP_PROXY, MOCK); "" for a type API Gateway does not have.
std::string IntegrationDescription(std::string_view type);

// Stable for a project folder and a logical id: `length` lowercase letters and digits, as the
// ids AWS gives a stack's API resources, integrations and routes.
std::string StableId(const TemplateContext& context, const std::string& logical_id, size_t length);

// The logical id of the template's resource of type `type` whose !Ref gives `ref`, or "".
std::string ResourceWithRef(const TemplateContext& context, std::string_view type, const std::string& ref);

// `props[key]` when `props` is a map that has it, else an undefined node.
YAML::Node PropertyNode(const YAML::Node& props, const char* key);
// A template resource's Type ("" when it has none), and the Properties of the resource with
// that logical id (undefined when there is none).
std::string TypeOf(const YAML::Node& resource);
YAML::Node PropertiesOf(const TemplateContext& context, const std::string& logical_id);

// `props[key]` evaluated; InvalidTemplate "<where>: <key> is required" when it is absent.
Result<std::string> EvalRequired(const Resolver& resolver, const YAML::Node& props, const char* key,
                                 const std::string& where);

// A map of strings (stage variables), each value evaluated.
Result<std::map<std::string, std::string>> EvalStringMap(const Resolver& resolver, const YAML::Node& map,
                                                         const std::string& what);

std::string UpperAscii(std::string s);

// An HTTP API's CORS as AWS::ApiGatewayV2::Api's CorsConfiguration writes it (AllowOrigins,
// AllowMethods, AllowHeaders, ExposeHeaders, MaxAge, AllowCredentials) or, with `camel_case`,
// an OpenAPI document's x-amazon-apigateway-cors (allowOrigins, ...). `what` names it.
Result<ApiCors> ReadHttpApiCors(const Resolver& resolver, const YAML::Node& cors, bool camel_case,
                                const std::string& what);

// An integration timeout in milliseconds, from 50 to `max_ms` (29000 for REST APIs, 30000 for
// HTTP APIs), as API Gateway bounds it.
Result<int> EvalTimeoutMs(const Resolver& resolver, const YAML::Node& node, int max_ms, const std::string& what);

}  // namespace ll
