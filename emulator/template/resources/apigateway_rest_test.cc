// A REST API declared with plain CloudFormation (AWS::ApiGateway::RestApi, Resource, Method,
// Stage, Deployment, Authorizer), as apigateway_rest.cc reads it. Expected values: the
// CloudFormation reference of those types (RootResourceId, ParentId/PathPart, Integration Type
// AWS_PROXY with the apigateway:lambda path Uri, StageName/Variables, AuthorizationType).
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "template/template_loader.h"

using namespace ll;

namespace {

std::filesystem::path Project() {
  auto dir = std::filesystem::temp_directory_path() / ("ll-apigw-rest-test-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir / "src");
  return dir;
}

// A function Fn and `resources`. The methods of the tests come before the resources they name,
// since the template's order must not matter.
Result<LoadedTemplate> Parse(const std::string& resources) {
  return ParseTemplate(R"(
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Code: src/
      Role: arn:aws:iam::000000000000:role/r
)" + resources,
                       Project(), TemplateOptions{});
}

const ApiRouteResource* RouteOf(const LoadedTemplate& t, const std::string& method, const std::string& path) {
  for (const ApiRouteResource& r : t.api_routes) {
    if (r.method == method && r.path == path) return &r;
  }
  return nullptr;
}

bool HasNotice(const LoadedTemplate& t, const std::string& part) {
  for (const std::string& n : t.notices) {
    if (n.find(part) != std::string::npos) return true;
  }
  return false;
}

constexpr char kUri[] = "!Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations";

std::string Method(const std::string& id, const std::string& method, const std::string& resource,
                   const std::string& extra = "") {
  return "  " + id + R"(:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: )" +
         resource + R"(
      HttpMethod: )" +
         method + R"(
      AuthorizationType: NONE
      Integration:
        Type: AWS_PROXY
        IntegrationHttpMethod: POST
        Uri: )" +
         kUri + "\n" + extra;
}

constexpr char kApiAndResources[] = R"(
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: items
      BinaryMediaTypes: [image/png, application~1octet-stream]
  Items:
    Type: AWS::ApiGateway::Resource
    Properties: {RestApiId: !Ref Api, ParentId: !GetAtt Api.RootResourceId, PathPart: items}
  Item:
    Type: AWS::ApiGateway::Resource
    Properties: {RestApiId: !Ref Api, ParentId: !Ref Items, PathPart: "{id}"}
  Files:
    Type: AWS::ApiGateway::Resource
    Properties: {RestApiId: !Ref Api, ParentId: !GetAtt Api.RootResourceId, PathPart: "{proxy+}"}
  Stage:
    Type: AWS::ApiGateway::Stage
    Properties:
      RestApiId: !Ref Api
      DeploymentId: !Ref Deployment
      StageName: dev
      Variables: {mode: test}
  Deployment:
    Type: AWS::ApiGateway::Deployment
    DependsOn: [GetItem]
    Properties: {RestApiId: !Ref Api}
)";

}  // namespace

TEST_CASE("apigw cfn: methods on resources are routes with their resources' paths") {
  auto t = Parse(Method("GetItem", "GET", "!Ref Item", "        TimeoutInMillis: 3000\n") +
                 Method("Root", "get", "!GetAtt Api.RootResourceId") + Method("AnyFile", "ANY", "!Ref Files") +
                 Method("PostItems", "POST", "!GetAtt Items.ResourceId") + kApiAndResources);
  REQUIRE(t.ok());
  REQUIRE(t->apis.size() == 1);
  const ApiResource& api = t->apis[0];
  CHECK(api.logical_id == "Api");
  CHECK_FALSE(api.http);
  CHECK(api.stage == "dev");
  CHECK(api.variables == std::map<std::string, std::string>{{"mode", "test"}});
  CHECK(api.binary_media_types == std::vector<std::string>{"image/png", "application/octet-stream"});
  REQUIRE(t->api_routes.size() == 4);
  const ApiRouteResource* get = RouteOf(*t, "GET", "/items/{id}");
  REQUIRE(get);
  CHECK(get->api_id == api.id);
  CHECK(get->function_name == "Fn");
  CHECK(get->payload_format == "1.0");
  CHECK(get->timeout_ms == 3000);
  CHECK(get->source == "GetItem");
  CHECK(get->authorizer == "NONE");
  REQUIRE(RouteOf(*t, "GET", "/"));
  REQUIRE(RouteOf(*t, "ANY", "/{proxy+}"));
  REQUIRE(RouteOf(*t, "POST", "/items"));
  CHECK(t->notices.empty());
}

TEST_CASE("apigw cfn: a Deployment's StageName makes the stage; none is noticed") {
  auto t = Parse(Method("Root", "GET", "!GetAtt Api.RootResourceId") + R"(
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: a}
  Deployment:
    Type: AWS::ApiGateway::Deployment
    Properties:
      RestApiId: !Ref Api
      StageName: v1
      StageDescription: {Variables: {from: deployment}}
)");
  REQUIRE(t.ok());
  CHECK(t->apis[0].stage == "v1");
  CHECK(t->apis[0].variables.at("from") == "deployment");

  t = Parse(Method("Root", "GET", "!GetAtt Api.RootResourceId") + R"(
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: a}
)");
  REQUIRE(t.ok());
  CHECK(t->apis[0].stage == "Prod");
  CHECK(HasNotice(*t, "API Api (AWS::ApiGateway::RestApi) has no stage"));
}

TEST_CASE("apigw cfn: several stages: the first Stage is served, the others noticed") {
  auto t = Parse(Method("Root", "GET", "!GetAtt Api.RootResourceId") + R"(
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: a}
  Dev:
    Type: AWS::ApiGateway::Stage
    Properties: {RestApiId: !Ref Api, StageName: dev, DeploymentId: x}
  Prod:
    Type: AWS::ApiGateway::Stage
    Properties: {RestApiId: !Ref Api, StageName: prod, DeploymentId: x}
)");
  REQUIRE(t.ok());
  CHECK(t->apis[0].stage == "dev");
  CHECK(HasNotice(*t, "API Api has the stages dev, prod: lambda-local serves stage dev only"));
}

TEST_CASE("apigw cfn: non-proxy integrations are routes answered 501 and listed") {
  auto t = Parse(Method("GetItem", "GET", "!Ref Item") + R"(
  Options:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !Ref Item
      HttpMethod: OPTIONS
      AuthorizationType: NONE
      Integration:
        Type: MOCK
        RequestTemplates: {application/json: '{"statusCode": 200}'}
        IntegrationResponses:
          - StatusCode: 200
            ResponseParameters: {method.response.header.Access-Control-Allow-Origin: "'*'"}
  Proxy:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !Ref Files
      HttpMethod: ANY
      Integration: {Type: HTTP_PROXY, IntegrationHttpMethod: ANY, Uri: "https://example.com/{proxy}"}
)" + kApiAndResources);
  REQUIRE(t.ok());
  const ApiRouteResource* options = RouteOf(*t, "OPTIONS", "/items/{id}");
  REQUIRE(options);
  CHECK(options->function_name.empty());
  CHECK(options->unserved == "OPTIONS /items/{id} has a mock integration with VTL mapping templates");
  const ApiRouteResource* proxy = RouteOf(*t, "ANY", "/{proxy+}");
  REQUIRE(proxy);
  CHECK(proxy->unserved == "ANY /{proxy+} has an HTTP proxy integration");
  CHECK(HasNotice(*t,
                  "API Api: OPTIONS /items/{id} has a mock integration with VTL mapping templates (Method "
                  "Options): not served"));
  CHECK(HasNotice(*t, "API Api: ANY /{proxy+} has an HTTP proxy integration (Method Proxy): not served"));
}

TEST_CASE("apigw cfn: stage variables in the integration URI") {
  auto t = Parse(R"(
  Aliased:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !GetAtt Api.RootResourceId
      HttpMethod: GET
      Integration:
        Type: AWS_PROXY
        IntegrationHttpMethod: POST
        Uri: !Join ["", ["arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/", !GetAtt Fn.Arn, ":${stageVariables.alias}/invocations"]]
  Missing:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !GetAtt Api.RootResourceId
      HttpMethod: POST
      Integration:
        Type: AWS_PROXY
        IntegrationHttpMethod: POST
        Uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:${stageVariables.fn}/invocations"
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: a}
  Stage:
    Type: AWS::ApiGateway::Stage
    Properties: {RestApiId: !Ref Api, StageName: live, DeploymentId: x, Variables: {alias: blue}}
)");
  REQUIRE(t.ok());
  REQUIRE(RouteOf(*t, "GET", "/"));
  CHECK(RouteOf(*t, "GET", "/")->function_name == "Fn:blue");
  REQUIRE(RouteOf(*t, "POST", "/"));
  CHECK(RouteOf(*t, "POST", "/")->unserved ==
        "POST / has an integration URI whose the stage variable fn is not defined in stage live");
}

TEST_CASE("apigw cfn: authorization of methods and AWS::ApiGateway::Authorizer") {
  auto t = Parse(R"(
  Secured:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !GetAtt Api.RootResourceId
      HttpMethod: GET
      AuthorizationType: CUSTOM
      AuthorizerId: !Ref TokenAuth
      ApiKeyRequired: true
      Integration: {Type: AWS_PROXY, IntegrationHttpMethod: POST, Uri: !Sub "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations"}
  Signed:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !GetAtt Api.RootResourceId
      HttpMethod: POST
      AuthorizationType: AWS_IAM
      Integration: {Type: AWS_PROXY, IntegrationHttpMethod: POST, Uri: !Sub "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations"}
  TokenAuth:
    Type: AWS::ApiGateway::Authorizer
    Properties:
      RestApiId: !Ref Api
      Name: token
      Type: TOKEN
      AuthorizerUri: !Sub "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations"
      IdentitySource: method.request.header.Authorization
      IdentityValidationExpression: "^Bearer .+$"
      AuthorizerResultTtlInSeconds: 60
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: a}
)");
  REQUIRE(t.ok());
  const ApiRouteResource* secured = RouteOf(*t, "GET", "/");
  REQUIRE(secured);
  CHECK(secured->authorizer == "TokenAuth");
  CHECK(secured->api_key_required == std::optional<bool>(true));
  CHECK(RouteOf(*t, "POST", "/")->authorizer == "AWS_IAM");
  REQUIRE(t->apis[0].auth.authorizers.size() == 1);
  const ApiAuthorizerResource& a = t->apis[0].auth.authorizers[0];
  CHECK(a.name == "TokenAuth");
  CHECK(a.type == "TOKEN");
  CHECK(a.function == "Fn");
  CHECK(a.identity_sources == std::vector<std::string>{"method.request.header.Authorization"});
  CHECK(a.validation_expression == "^Bearer .+$");
  CHECK(a.ttl_s == 60);
}

TEST_CASE("apigw cfn: an inline OpenAPI Body, and BodyS3Location noticed") {
  auto t = Parse(R"(
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Body:
        swagger: "2.0"
        info: {title: body, version: "1"}
        paths:
          /from-body:
            post:
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations
  Deployment:
    Type: AWS::ApiGateway::Deployment
    Properties: {RestApiId: !Ref Api, StageName: Prod}
  InS3:
    Type: AWS::ApiGateway::RestApi
    Properties:
      BodyS3Location: {Bucket: my-bucket, Key: api.yaml}
)");
  REQUIRE(t.ok());
  const ApiRouteResource* r = RouteOf(*t, "POST", "/from-body");
  REQUIRE(r);
  CHECK(r->function_name == "Fn");
  CHECK(HasNotice(*t, "API InS3: BodyS3Location s3://my-bucket/api.yaml"));
}

TEST_CASE("apigw cfn: a method of another stack's API is noticed, not served") {
  auto t = Parse(R"(
  Elsewhere:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: abcdefghij
      ResourceId: xyz123
      HttpMethod: GET
      Integration: {Type: MOCK}
)");
  REQUIRE(t.ok());
  CHECK(t->api_routes.empty());
  CHECK(HasNotice(*t, "Method Elsewhere: its RestApiId 'abcdefghij' is not an API of this template"));
}

TEST_CASE("apigw cfn: bad declarations are template errors naming the resource") {
  const std::string api = R"(
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: a}
)";
  const std::pair<std::string, const char*> cases[] = {
      {Method("M", "GET", "nothere") + api,
       "Method M: 'nothere' is neither the root resource of API Api (!GetAtt Api.RootResourceId) nor an "
       "AWS::ApiGateway::Resource of the template"},
      {Method("M", "FETCH", "!GetAtt Api.RootResourceId") + api, "Method M: HttpMethod must be GET, POST"},
      {Method("M", "GET", "!Ref Loop") + api + R"(
  Loop:
    Type: AWS::ApiGateway::Resource
    Properties: {RestApiId: !Ref Api, ParentId: !Ref Loop2, PathPart: a}
  Loop2:
    Type: AWS::ApiGateway::Resource
    Properties: {RestApiId: !Ref Api, ParentId: !Ref Loop, PathPart: b}
)",
       "its ParentId chain loops"},
      {api + R"(
  Bad:
    Type: AWS::ApiGateway::Resource
    Properties: {RestApiId: !Ref Api, ParentId: !GetAtt Api.RootResourceId, PathPart: "a/b"}
)",
       "Resource Bad: PathPart 'a/b' must be one path segment"},
      {api + R"(
  Greedy:
    Type: AWS::ApiGateway::Resource
    Properties: {RestApiId: !Ref Api, ParentId: !GetAtt Api.RootResourceId, PathPart: "{proxy+}"}
  Child:
    Type: AWS::ApiGateway::Resource
    Properties: {RestApiId: !Ref Api, ParentId: !Ref Greedy, PathPart: x}
)",
       "Resource Child: the greedy resource /{proxy+} can have no child resource"},
      {api + R"(
  NoPart:
    Type: AWS::ApiGateway::Resource
    Properties: {RestApiId: !Ref Api, ParentId: !GetAtt Api.RootResourceId}
)",
       "Resource NoPart: PathPart is required"},
      {api + R"(
  M:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !GetAtt Api.RootResourceId
      HttpMethod: GET
      Integration: {Type: AWS_PROXY, IntegrationHttpMethod: POST, Uri: "https://example.com"}
)",
       "Method M: Integration.Uri: 'https://example.com' names no Lambda function"},
      {api + R"(
  M:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !GetAtt Api.RootResourceId
      HttpMethod: GET
      Integration: {Type: LAMBDA}
)",
       "Method M: Integration.Type must be AWS_PROXY, AWS, HTTP, HTTP_PROXY or MOCK, got LAMBDA"},
      {api + R"(
  M:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !GetAtt Api.RootResourceId
      HttpMethod: GET
      Integration: {Type: AWS_PROXY, IntegrationHttpMethod: POST}
)",
       "Method M: Integration: Uri is required"},
      {api + R"(
  S:
    Type: AWS::ApiGateway::Stage
    Properties: {RestApiId: !Ref Api, DeploymentId: x}
)",
       "Stage S: StageName is required"},
      {api + R"(
  M:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !GetAtt Api.RootResourceId
      HttpMethod: GET
      AuthorizationType: CUSTOM
      Integration: {Type: MOCK}
)",
       "Method M: AuthorizerId is required"},
  };
  for (const auto& [resources, message] : cases) {
    INFO(resources);
    auto t = Parse(resources);
    REQUIRE_FALSE(t.ok());
    CHECK(t.status().code() == "InvalidTemplate");
    CHECK_THAT(t.status().message(), Catch::Matchers::Contains(message));
  }
}

TEST_CASE("apigw cfn: a Lambda proxy integration called with GET is served and noticed") {
  auto t = Parse(R"(
  Get:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !GetAtt Api.RootResourceId
      HttpMethod: GET
      Integration:
        Type: AWS_PROXY
        IntegrationHttpMethod: GET
        Uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: a}
  Deployment:
    Type: AWS::ApiGateway::Deployment
    Properties: {RestApiId: !Ref Api, StageName: Prod}
)");
  REQUIRE(t.ok());
  REQUIRE(RouteOf(*t, "GET", "/"));
  CHECK(RouteOf(*t, "GET", "/")->function_name == "Fn");
  CHECK(HasNotice(*t, "Method Get: GET / calls its function with IntegrationHttpMethod GET: API Gateway answers 500"));
}
