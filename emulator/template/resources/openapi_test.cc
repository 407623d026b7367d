// OpenAPI definitions of SAM APIs (DefinitionBody, DefinitionUri, Fn::Transform AWS::Include),
// as openapi.cc reads them into routes. Expected values: API Gateway's x-amazon-apigateway-
// integration and x-amazon-apigateway-any-method extensions, SAM's DefinitionBody/DefinitionUri.
#include "template/resources/openapi.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "template/template_loader.h"

using namespace ll;

namespace {

std::filesystem::path Project() {
  auto dir = std::filesystem::temp_directory_path() / ("ll-openapi-test-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir / "src");
  return dir;
}

void WriteFile(const std::string& name, const std::string& text) {
  std::ofstream(Project() / name, std::ios::binary) << text;
}

// Two functions, Items and Other, then `resources`.
std::string Template(const std::string& resources) {
  return R"(
Transform: AWS::Serverless-2016-10-31
Resources:
  Items:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: app.handler, CodeUri: src/}
  Other:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: app.handler, CodeUri: src/}
)" + resources;
}

Result<LoadedTemplate> Parse(const std::string& resources) {
  return ParseTemplate(Template(resources), Project(), TemplateOptions{});
}

const ApiRouteResource* RouteOf(const LoadedTemplate& t, const std::string& method, const std::string& path) {
  for (const ApiRouteResource& r : t.api_routes) {
    if (r.method == method && r.path == path) return &r;
  }
  return nullptr;
}

const ApiResource* ApiOf(const LoadedTemplate& t, const std::string& logical_id) {
  for (const ApiResource& a : t.apis) {
    if (a.logical_id == logical_id) return &a;
  }
  return nullptr;
}

bool HasNotice(const LoadedTemplate& t, const std::string& part) {
  for (const std::string& n : t.notices) {
    if (n.find(part) != std::string::npos) return true;
  }
  return false;
}

constexpr char kRestDefinition[] = R"(
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev
      Variables: {alias: live}
      DefinitionBody:
        openapi: "3.0.1"
        info: {title: items, version: "1"}
        x-amazon-apigateway-binary-media-types: [image/png]
        paths:
          /items/{id}:
            parameters: [{name: id, in: path, required: true}]
            get:
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Items.Arn}/invocations
                timeoutInMillis: 5000
            x-amazon-apigateway-any-method:
              x-amazon-apigateway-integration:
                type: AWS_PROXY
                httpMethod: POST
                uri:
                  Fn::Sub: arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Other.Arn}/invocations
          /aliased:
            get:
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: !Sub "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Items.Arn}:${!stageVariables.alias}/invocations"
          /mocked:
            options:
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: {application/json: '{"statusCode": 200}'}
          /documented-only:
            get:
              summary: no integration here (a function event may add it)
)";

}  // namespace

TEST_CASE("openapi: a SAM REST API's DefinitionBody gives its routes") {
  auto t = Parse(kRestDefinition);
  REQUIRE(t.ok());
  const ApiResource* api = ApiOf(*t, "Api");
  REQUIRE(api);
  CHECK(api->binary_media_types == std::vector<std::string>{"image/png"});
  const ApiRouteResource* get = RouteOf(*t, "GET", "/items/{id}");
  REQUIRE(get);
  CHECK(get->api_id == api->id);
  CHECK(get->function_name == "Items");
  CHECK(get->payload_format == "1.0");
  CHECK(get->timeout_ms == 5000);
  CHECK(get->unserved.empty());
  const ApiRouteResource* any = RouteOf(*t, "ANY", "/items/{id}");
  REQUIRE(any);
  CHECK(any->function_name == "Other");
  // ${stageVariables.alias} is the stage's variable.
  const ApiRouteResource* aliased = RouteOf(*t, "GET", "/aliased");
  REQUIRE(aliased);
  CHECK(aliased->function_name == "Items:live");
  // `parameters` is not an operation; an operation without an integration is left to events.
  CHECK(t->api_routes.size() == 4);
  CHECK_FALSE(RouteOf(*t, "GET", "/documented-only"));
}

TEST_CASE("openapi: a mock integration is a route answered 501 and listed") {
  auto t = Parse(kRestDefinition);
  REQUIRE(t.ok());
  const ApiRouteResource* mock = RouteOf(*t, "OPTIONS", "/mocked");
  REQUIRE(mock);
  CHECK(mock->function_name.empty());
  CHECK(mock->unserved == "OPTIONS /mocked has a mock integration with VTL mapping templates");
  CHECK(HasNotice(*t, "API Api: OPTIONS /mocked has a mock integration"));
}

TEST_CASE("openapi: a function's Api event on an API with a DefinitionBody adds its route") {
  auto t = Parse(std::string(kRestDefinition) + R"(
  Documented:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Events:
        Get:
          Type: Api
          Properties: {RestApiId: !Ref Api, Path: /documented-only, Method: get}
)");
  REQUIRE(t.ok());
  const ApiRouteResource* r = RouteOf(*t, "GET", "/documented-only");
  REQUIRE(r);
  CHECK(r->function_name == "Documented");
  CHECK(r->api_id == ApiOf(*t, "Api")->id);
}

TEST_CASE("openapi: an HTTP API's definition: payload formats, $default, CORS") {
  auto t = Parse(R"(
  Http:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefinitionBody:
        openapi: "3.0.1"
        info: {title: http, version: "1"}
        x-amazon-apigateway-cors:
          allowOrigins: [https://app.example.com]
          allowMethods: [GET, POST]
          maxAge: 600
        paths:
          /v2:
            get:
              x-amazon-apigateway-integration:
                type: aws_proxy
                uri: !GetAtt Items.Arn
                payloadFormatVersion: "2.0"
          /v1:
            post:
              x-amazon-apigateway-integration:
                type: aws_proxy
                uri: !GetAtt Other.Arn
          $default:
            x-amazon-apigateway-any-method:
              x-amazon-apigateway-integration:
                type: aws_proxy
                uri: !GetAtt Other.Arn
                payloadFormatVersion: "2.0"
                timeoutInMillis: 30000
          /queue:
            post:
              x-amazon-apigateway-integration:
                type: aws_proxy
                integrationSubtype: SQS-SendMessage
                requestParameters: {QueueUrl: 'https://sqs.example/q', MessageBody: $request.body}
)");
  REQUIRE(t.ok());
  const ApiResource* api = ApiOf(*t, "Http");
  REQUIRE(api);
  CHECK(api->http);
  CHECK(api->cors.enabled);
  CHECK(api->cors.allow_origins == std::vector<std::string>{"https://app.example.com"});
  CHECK(api->cors.allow_methods == std::vector<std::string>{"GET", "POST"});
  CHECK(api->cors.max_age == "600");
  REQUIRE(RouteOf(*t, "GET", "/v2"));
  CHECK(RouteOf(*t, "GET", "/v2")->payload_format == "2.0");
  REQUIRE(RouteOf(*t, "POST", "/v1"));
  CHECK(RouteOf(*t, "POST", "/v1")->payload_format == "1.0");  // AWS's import default
  const ApiRouteResource* fallback = RouteOf(*t, "ANY", "$default");
  REQUIRE(fallback);
  CHECK(fallback->function_name == "Other");
  CHECK(fallback->timeout_ms == 30000);
  const ApiRouteResource* queue = RouteOf(*t, "POST", "/queue");
  REQUIRE(queue);
  CHECK(queue->unserved == "POST /queue has an AWS service integration (SQS-SendMessage)");
}

TEST_CASE("openapi: DefinitionUri names a local YAML or JSON file") {
  WriteFile("api.yaml", R"(
swagger: "2.0"
info: {title: from-yaml, version: "1"}
paths:
  /from-yaml:
    get:
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        uri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Items/invocations
)");
  WriteFile("api.json", R"({
  "openapi": "3.0.1",
  "info": {"title": "from-json", "version": "1"},
  "paths": {"/from-json/{proxy+}": {"x-amazon-apigateway-any-method": {"x-amazon-apigateway-integration": {
    "type": "aws_proxy", "httpMethod": "POST", "timeoutInMillis": 1000,
    "uri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${Other.Arn}/invocations"}}}}
})");
  auto t = Parse(R"(
  FromYaml:
    Type: AWS::Serverless::Api
    Properties: {StageName: Prod, DefinitionUri: api.yaml}
  FromJson:
    Type: AWS::Serverless::Api
    Properties: {StageName: Prod, DefinitionUri: ./api.json}
)");
  REQUIRE(t.ok());
  const ApiRouteResource* yaml = RouteOf(*t, "GET", "/from-yaml");
  REQUIRE(yaml);
  CHECK(yaml->function_name == "Items");
  CHECK(yaml->api_id == ApiOf(*t, "FromYaml")->id);
  const ApiRouteResource* json = RouteOf(*t, "ANY", "/from-json/{proxy+}");
  REQUIRE(json);
  CHECK(json->function_name == "Other");
  CHECK(json->timeout_ms == 1000);
  CHECK(json->api_id == ApiOf(*t, "FromJson")->id);
}

TEST_CASE("openapi: Fn::Transform AWS::Include of a local file") {
  WriteFile("included.yaml", R"(
openapi: "3.0.1"
info: {title: included, version: "1"}
paths:
  /included:
    get:
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        uri:
          Fn::Sub: arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Items.Arn}/invocations
)");
  auto t = Parse(R"(
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      DefinitionBody:
        Fn::Transform:
          Name: AWS::Include
          Parameters: {Location: included.yaml}
  Short:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefinitionBody: !Transform {Name: AWS::Include, Parameters: {Location: ./included.yaml}}
)");
  REQUIRE(t.ok());
  int found = 0;
  for (const ApiRouteResource& r : t->api_routes) {
    if (r.path == "/included" && r.function_name == "Items") ++found;
  }
  CHECK(found == 2);
}

TEST_CASE("openapi: definitions in S3 are listed, not served") {
  auto t = Parse(R"(
  Uri:
    Type: AWS::Serverless::Api
    Properties: {StageName: Prod, DefinitionUri: s3://my-bucket/api.yaml}
  UriMap:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      DefinitionUri: {Bucket: my-bucket, Key: other.yaml}
  Include:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefinitionBody:
        Fn::Transform: {Name: AWS::Include, Parameters: {Location: s3://my-bucket/included.yaml}}
)");
  REQUIRE(t.ok());
  CHECK(t->api_routes.empty());
  CHECK(t->apis.size() == 3);
  CHECK(HasNotice(*t, "API Uri: DefinitionUri s3://my-bucket/api.yaml is in S3"));
  CHECK(HasNotice(*t, "API UriMap: DefinitionUri s3://my-bucket/other.yaml is in S3"));
  CHECK(HasNotice(*t, "API Include: DefinitionBody: the definition s3://my-bucket/included.yaml is in S3"));
}

TEST_CASE("openapi: bad definitions are template errors naming the API") {
  WriteFile("broken.json", R"({"openapi": "3.0.1", "paths": {)");
  const std::pair<const char*, const char*> cases[] = {
      {R"(
  Api:
    Type: AWS::Serverless::Api
    Properties: {StageName: Prod, DefinitionUri: missing.yaml}
)",
       "API Api: DefinitionUri: cannot read the definition missing.yaml"},
      {R"(
  Api:
    Type: AWS::Serverless::Api
    Properties: {StageName: Prod, DefinitionUri: broken.json}
)",
       "API Api: DefinitionUri: broken.json is not valid JSON"},
      {R"(
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      DefinitionUri: api.yaml
      DefinitionBody: {openapi: "3.0.1", paths: {}}
)",
       "API Api: specify either DefinitionUri or DefinitionBody"},
      {R"(
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      DefinitionBody: {info: {title: x}}
)",
       "API Api: DefinitionBody is not an OpenAPI document"},
      {R"(
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      DefinitionBody:
        openapi: "3.0.1"
        paths: {/x: {get: {x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST}}}}
)",
       "API Api: DefinitionBody: paths./x.get.x-amazon-apigateway-integration: an aws_proxy integration needs a uri"},
      {R"(
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      DefinitionBody:
        openapi: "3.0.1"
        paths: {/x: {get: {x-amazon-apigateway-integration: {type: lambda, uri: x}}}}
)",
       "'lambda' is not an integration type"},
      {R"(
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      DefinitionBody:
        openapi: "3.0.1"
        paths: {/x: {get: {x-amazon-apigateway-integration: {type: aws_proxy, uri: 'https://example.com'}}}}
)",
       "paths./x.get.x-amazon-apigateway-integration.uri: 'https://example.com' names no Lambda function"},
      {R"(
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      DefinitionBody:
        openapi: "3.0.1"
        paths: {items: {get: {x-amazon-apigateway-integration: {type: mock}}}}
)",
       "paths.items: a path must start with /"},
      {R"(
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      DefinitionBody: {Fn::Transform: {Name: AWS::Other, Parameters: {}}}
)",
       "Fn::Transform AWS::Other: lambda-local reads only AWS::Include"},
  };
  for (const auto& [resources, message] : cases) {
    INFO(resources);
    auto t = Parse(resources);
    REQUIRE_FALSE(t.ok());
    CHECK(t.status().code() == "InvalidTemplate");
    CHECK_THAT(t.status().message(), Catch::Matchers::Contains(message));
  }
}

TEST_CASE("openapi: a JSON document reads as the same YAML") {
  WriteFile("types.json", R"({"swagger": "2.0", "x-n": 12, "x-f": 1.5, "x-b": true, "x-null": null,
                              "paths": {}, "x-list": ["a", 2]})");
  TemplateOptions options;
  Resolver resolver(options, {});
  TemplateContext context{resolver, options, Project(), YAML::Node()};
  auto doc = DefinitionFile(context, "types.json", "test");
  REQUIRE(doc.ok());
  CHECK((*doc)["swagger"].as<std::string>() == "2.0");
  CHECK((*doc)["x-n"].as<std::string>() == "12");
  CHECK((*doc)["x-f"].as<std::string>() == "1.5");
  CHECK((*doc)["x-b"].as<std::string>() == "true");
  CHECK((*doc)["x-null"].IsNull());
  CHECK((*doc)["x-list"].size() == 2);
  CHECK((*doc)["paths"].IsMap());
}

TEST_CASE("openapi: Globals.Api.DefinitionUri serves every REST API without its own definition") {
  WriteFile("global.yaml", R"(
openapi: "3.0.1"
info: {title: global, version: "1"}
paths:
  /global:
    get:
      x-amazon-apigateway-integration:
        type: aws_proxy
        uri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${Items.Arn}/invocations
)");
  auto t = ParseTemplate(R"(
Globals:
  Api:
    DefinitionUri: global.yaml
Resources:
  Items:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: app.handler, CodeUri: src/}
  Api:
    Type: AWS::Serverless::Api
    Properties: {StageName: Prod}
)",
                         Project(), TemplateOptions{});
  REQUIRE(t.ok());
  REQUIRE(RouteOf(*t, "GET", "/global"));
  CHECK(RouteOf(*t, "GET", "/global")->function_name == "Items");
}
