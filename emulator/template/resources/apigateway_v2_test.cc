// An HTTP API declared with plain CloudFormation (AWS::ApiGatewayV2::Api, Integration, Route,
// Stage, Authorizer), as apigateway_v2.cc reads it. Expected values: the CloudFormation reference
// of those types (RouteKey, Target "integrations/<id>", IntegrationUri a function ARN or the
// apigateway:lambda path, PayloadFormatVersion required for Lambda, quick create with Target).
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "template/template_loader.h"

using namespace ll;

namespace {

std::filesystem::path Project() {
  auto dir = std::filesystem::temp_directory_path() / ("ll-apigw-v2-test-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir / "src");
  return dir;
}

Result<LoadedTemplate> Parse(const std::string& resources) {
  return ParseTemplate(R"(
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

// Routes before the integrations and the API they name: the template's order must not matter.
constexpr char kHttpApi[] = R"(
  GetItem:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Api
      RouteKey: GET /items/{id}
      Target: !Join ["/", ["integrations", !Ref V2]]
  Fallback:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Api
      RouteKey: $default
      Target: !Sub integrations/${V1}
  V2:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Api
      IntegrationType: AWS_PROXY
      IntegrationUri: !GetAtt Fn.Arn
      PayloadFormatVersion: "2.0"
      TimeoutInMillis: 12000
  V1:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Api
      IntegrationType: AWS_PROXY
      IntegrationMethod: POST
      IntegrationUri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations
      PayloadFormatVersion: "1.0"
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      Name: items
      ProtocolType: HTTP
      CorsConfiguration:
        AllowOrigins: [https://app.example.com]
        AllowMethods: [GET]
        ExposeHeaders: [x-trace]
        MaxAge: 300
        AllowCredentials: true
  Stage:
    Type: AWS::ApiGatewayV2::Stage
    Properties:
      ApiId: !Ref Api
      StageName: dev
      AutoDeploy: true
      StageVariables: {mode: test}
)";

}  // namespace

TEST_CASE("apigw v2: routes to Lambda proxy integrations") {
  auto t = Parse(kHttpApi);
  REQUIRE(t.ok());
  REQUIRE(t->apis.size() == 1);
  const ApiResource& api = t->apis[0];
  CHECK(api.http);
  CHECK(api.stage == "dev");
  CHECK(api.variables == std::map<std::string, std::string>{{"mode", "test"}});
  CHECK(api.cors.enabled);
  CHECK(api.cors.allow_origins == std::vector<std::string>{"https://app.example.com"});
  CHECK(api.cors.allow_methods == std::vector<std::string>{"GET"});
  CHECK(api.cors.expose_headers == std::vector<std::string>{"x-trace"});
  CHECK(api.cors.max_age == "300");
  CHECK(api.cors.allow_credentials);
  REQUIRE(t->api_routes.size() == 2);
  const ApiRouteResource* get = RouteOf(*t, "GET", "/items/{id}");
  REQUIRE(get);
  CHECK(get->api_id == api.id);
  CHECK(get->function_name == "Fn");
  CHECK(get->payload_format == "2.0");
  CHECK(get->timeout_ms == 12000);
  CHECK(get->source == "GetItem");
  const ApiRouteResource* fallback = RouteOf(*t, "ANY", "$default");
  REQUIRE(fallback);
  CHECK(fallback->function_name == "Fn");
  CHECK(fallback->payload_format == "1.0");
  CHECK(fallback->timeout_ms == 0);
  CHECK(t->notices.empty());
}

TEST_CASE("apigw v2: quick create with Target") {
  auto t = Parse(R"(
  Quick:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: quick, ProtocolType: HTTP, Target: !GetAtt Fn.Arn}
  Keyed:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: keyed, ProtocolType: HTTP, Target: !GetAtt Fn.Arn, RouteKey: POST /hook}
)");
  REQUIRE(t.ok());
  REQUIRE(t->apis.size() == 2);
  CHECK(t->apis[0].stage == "$default");
  const ApiRouteResource* fallback = RouteOf(*t, "ANY", "$default");
  REQUIRE(fallback);
  CHECK(fallback->function_name == "Fn");
  CHECK(fallback->payload_format == "2.0");
  CHECK(fallback->api_id == t->apis[0].id);
  const ApiRouteResource* hook = RouteOf(*t, "POST", "/hook");
  REQUIRE(hook);
  CHECK(hook->api_id == t->apis[1].id);
  CHECK(t->notices.empty());
}

TEST_CASE("apigw v2: an API without a stage is served as $default and noticed") {
  auto t = Parse(R"(
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: a, ProtocolType: HTTP}
)");
  REQUIRE(t.ok());
  CHECK(t->apis[0].stage == "$default");
  CHECK(HasNotice(*t, "API Api (AWS::ApiGatewayV2::Api) has no AWS::ApiGatewayV2::Stage"));
}

TEST_CASE("apigw v2: WebSocket APIs and their parts are listed, not served") {
  auto t = Parse(R"(
  Ws:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: ws, ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.action}
  Connect:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Ws, RouteKey: $connect, Target: !Sub "integrations/${ConnectInteg}"}
  ConnectInteg:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Ws
      IntegrationType: AWS_PROXY
      IntegrationUri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations
  WsStage:
    Type: AWS::ApiGatewayV2::Stage
    Properties: {ApiId: !Ref Ws, StageName: prod}
)");
  REQUIRE(t.ok());
  CHECK(t->apis.empty());
  CHECK(t->api_routes.empty());
  CHECK(HasNotice(*t, "API Ws (AWS::ApiGatewayV2::Api): a WebSocket API: not served"));
}

TEST_CASE("apigw v2: other integrations and routes without a target answer 501") {
  auto t = Parse(R"(
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: a, ProtocolType: HTTP}
  Stage:
    Type: AWS::ApiGatewayV2::Stage
    Properties: {ApiId: !Ref Api, StageName: $default}
  Proxy:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Api, RouteKey: "ANY /ext/{proxy+}", Target: !Sub "integrations/${Http}"}
  Http:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Api
      IntegrationType: HTTP_PROXY
      IntegrationMethod: ANY
      IntegrationUri: https://example.com/{proxy}
      PayloadFormatVersion: "1.0"
  Nowhere:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Api, RouteKey: GET /nowhere}
  Queue:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Api, RouteKey: POST /queue, Target: !Sub "integrations/${Sqs}"}
  Sqs:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Api
      IntegrationType: AWS_PROXY
      IntegrationSubtype: SQS-SendMessage
      PayloadFormatVersion: "1.0"
      RequestParameters: {QueueUrl: q, MessageBody: $request.body}
)");
  REQUIRE(t.ok());
  REQUIRE(RouteOf(*t, "ANY", "/ext/{proxy+}"));
  CHECK(RouteOf(*t, "ANY", "/ext/{proxy+}")->unserved == "ANY /ext/{proxy+} has an HTTP proxy integration");
  REQUIRE(RouteOf(*t, "GET", "/nowhere"));
  CHECK(RouteOf(*t, "GET", "/nowhere")->unserved == "GET /nowhere has no Target (no integration)");
  REQUIRE(RouteOf(*t, "POST", "/queue"));
  CHECK(RouteOf(*t, "POST", "/queue")->unserved == "POST /queue has an AWS service integration (SQS-SendMessage)");
  CHECK(HasNotice(*t, "API Api: ANY /ext/{proxy+} has an HTTP proxy integration (Route Proxy): not served"));
  CHECK(t->apis[0].stage == "$default");
}

TEST_CASE("apigw v2: authorizers and routes' authorization") {
  auto t = Parse(R"(
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: a, ProtocolType: HTTP, Target: !GetAtt Fn.Arn}
  Lambda:
    Type: AWS::ApiGatewayV2::Authorizer
    Properties:
      ApiId: !Ref Api
      Name: lambda
      AuthorizerType: REQUEST
      AuthorizerUri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations
      AuthorizerPayloadFormatVersion: "2.0"
      EnableSimpleResponses: true
      IdentitySource: [$request.header.Authorization]
      AuthorizerResultTtlInSeconds: 30
  Jwt:
    Type: AWS::ApiGatewayV2::Authorizer
    Properties:
      ApiId: !Ref Api
      Name: jwt
      AuthorizerType: JWT
      IdentitySource: [$request.header.Authorization]
      JwtConfiguration: {Audience: [a], Issuer: https://issuer.example.com}
  Secured:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Api
      RouteKey: GET /secured
      AuthorizationType: CUSTOM
      AuthorizerId: !Ref Lambda
      Target: !Sub integrations/${Integ}
  Signed:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Api, RouteKey: GET /signed, AuthorizationType: AWS_IAM, Target: !Sub "integrations/${Integ}"}
  Integ:
    Type: AWS::ApiGatewayV2::Integration
    Properties: {ApiId: !Ref Api, IntegrationType: AWS_PROXY, IntegrationUri: !GetAtt Fn.Arn, PayloadFormatVersion: "2.0"}
)");
  REQUIRE(t.ok());
  CHECK(RouteOf(*t, "GET", "/secured")->authorizer == "Lambda");
  CHECK(RouteOf(*t, "GET", "/signed")->authorizer == "AWS_IAM");
  const auto& authorizers = t->apis[0].auth.authorizers;
  REQUIRE(authorizers.size() == 2);
  CHECK(authorizers[0].name == "Lambda");
  CHECK(authorizers[0].type == "REQUEST");
  CHECK(authorizers[0].function == "Fn");
  CHECK(authorizers[0].payload_format == "2.0");
  CHECK(authorizers[0].simple_responses);
  CHECK(authorizers[0].ttl_s == 30);
  CHECK(authorizers[0].identity_sources == std::vector<std::string>{"$request.header.Authorization"});
  CHECK(authorizers[1].type == "JWT");
}

TEST_CASE("apigw v2: bad declarations are template errors naming the resource") {
  const std::string api = R"(
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: a, ProtocolType: HTTP}
)";
  const std::pair<std::string, const char*> cases[] = {
      {api + R"(
  I:
    Type: AWS::ApiGatewayV2::Integration
    Properties: {ApiId: !Ref Api, IntegrationType: AWS_PROXY, IntegrationUri: !GetAtt Fn.Arn}
)",
       "Integration I: PayloadFormatVersion is required for a Lambda proxy integration (1.0 or 2.0)"},
      {api + R"(
  R:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Api, RouteKey: GET /x, Target: integrations/nothere}
)",
       "Route R: Target 'integrations/nothere' names no AWS::ApiGatewayV2::Integration of the template"},
      {api + R"(
  R:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Api, RouteKey: get /x}
)",
       "Route R: RouteKey 'get /x' must be $default or an upper-case method and a path"},
      {api + R"(
  R:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Api, RouteKey: GET /x, Target: !Ref Fn}
)",
       "Route R: Target 'Fn' must be integrations/<IntegrationId>"},
      {R"(
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: a}
)",
       "API Api: ProtocolType is required"},
      {api + R"(
  I:
    Type: AWS::ApiGatewayV2::Integration
    Properties: {ApiId: !Ref Api, IntegrationType: AWS_PROXY, IntegrationUri: "Fn", PayloadFormatVersion: "2.0"}
)",
       "Integration I: IntegrationUri: 'Fn' names no Lambda function"},
      {R"(
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      ProtocolType: HTTP
      CorsConfiguration: {AllowOrigins: ["*"], AllowCredentials: true}
)",
       "API Api: CorsConfiguration: AllowCredentials can not be true when AllowOrigins has \"*\""},
  };
  for (const auto& [resources, message] : cases) {
    INFO(resources);
    auto t = Parse(resources);
    REQUIRE_FALSE(t.ok());
    CHECK(t.status().code() == "InvalidTemplate");
    CHECK_THAT(t.status().message(), Catch::Matchers::Contains(message));
  }
}
