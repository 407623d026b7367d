// API Gateway APIs described by an OpenAPI document (Swagger 2.0 or OpenAPI 3): SAM's
// DefinitionBody / DefinitionUri, the Body of an AWS::ApiGateway::RestApi or an
// AWS::ApiGatewayV2::Api. Each operation's x-amazon-apigateway-integration of type aws_proxy is a
// route to its function, as API Gateway imports it; other integration types become routes that
// are listed at start and answered 501.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "base/status.h"
#include "template/resource_handlers.h"
#include "template/template_loader.h"

namespace ll {

// The routes of `document`'s paths into out.api_routes (to `api`, which must already have its
// id, kind and stage variables), and what the document says of the API itself into `api`:
// x-amazon-apigateway-binary-media-types (REST APIs), x-amazon-apigateway-cors (HTTP APIs,
// unless the template configured CORS). Operations without an integration are left out (a SAM
// event may give them one). `where` names the document in messages ("API Api: DefinitionBody").
Status ReadOpenApiDefinition(const TemplateContext& context, const YAML::Node& document, const std::string& where,
                             ApiResource& api, LoadedTemplate& out);

// An inline definition property (DefinitionBody, Body): the map itself, or the local file that
// `Fn::Transform: {Name: AWS::Include, Parameters: {Location}}` names. An undefined node, with a
// line in out.notices, when the document is in S3 and so not served.
Result<YAML::Node> InlineDefinition(const TemplateContext& context, const YAML::Node& body, const std::string& where,
                                    LoadedTemplate& out);

// The OpenAPI document in a local file, YAML or JSON, relative to the template's folder.
Result<YAML::Node> DefinitionFile(const TemplateContext& context, const std::string& location,
                                  const std::string& where);

// AWS::Serverless::Api / AWS::Serverless::HttpApi: DefinitionBody or DefinitionUri (a local path;
// one in S3 is noticed and not served), read into `api` and out.api_routes.
Status ReadSamDefinition(const TemplateContext& context, const Resource& resource, ApiResource& api,
                         LoadedTemplate& out);

}  // namespace ll
