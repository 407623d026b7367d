// The template's Auth applied to the gateway's routes (template_auth.h), as SAM's translator
// does: an event's Authorizer over the API's DefaultAuthorizer (NONE for none), an event's
// ApiKeyRequired over the API's, the CORS preflight's authorizer and key by
// AddDefaultAuthorizerToCorsPreflight / AddApiKeyRequiredToCorsPreflight (both true by default).
#include "services/apigateway/template_auth.h"

#include <unistd.h>

#include <catch2/catch.hpp>

#include <filesystem>

#include "services/apigateway/cors.h"

namespace ll::apigw {
namespace {

LoadedTemplate Load(const std::string& text) {
  auto dir = std::filesystem::temp_directory_path() / ("ll-template-auth-test-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir / "src");
  auto t = ParseTemplate(text, dir, TemplateOptions{});
  REQUIRE(t.ok());
  return std::move(*t);
}

// What install.cc's ApisOf makes of the template: its APIs with their routes and SAM's preflights.
std::vector<Api> ApisOf(const LoadedTemplate& loaded) {
  std::vector<Api> apis;
  for (const ApiResource& r : loaded.apis) {
    Api api;
    api.id = r.id;
    api.logical_id = r.logical_id;
    api.kind = r.http ? ApiKind::kHttp : ApiKind::kRest;
    api.cors.enabled = r.cors.enabled;
    api.cors.allow_origins = r.cors.allow_origins;
    for (const ApiRouteResource& rr : loaded.api_routes) {
      if (rr.api_id != r.id) continue;
      Route route;
      route.method = rr.method;
      route.path = rr.path;
      route.function = rr.function_name;
      route.source = rr.source;
      api.routes.push_back(route);
    }
    AddRestPreflightRoutes(api);
    apis.push_back(std::move(api));
  }
  return apis;
}

const Route& RouteAt(const std::vector<Api>& apis, const std::string& method, const std::string& path) {
  for (const Api& api : apis) {
    for (const Route& r : api.routes) {
      if (r.method == method && r.path == path) return r;
    }
  }
  FAIL("no route " << method << " " << path);
  throw std::logic_error("unreachable");
}

std::string Template(const std::string& auth, bool cors = true) {
  return R"(
Resources:
  AuthFn:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: app.auth, CodeUri: src/}
  MyApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
)" + std::string(cors ? "      Cors: \"'*'\"\n" : "") +
         auth + R"(
  Key:
    Type: AWS::ApiGateway::ApiKey
    Properties: {Enabled: true, Value: the-key-value-of-twenty-chars}
  Off:
    Type: AWS::ApiGateway::ApiKey
    Properties: {Value: off-key-value-of-twenty-chars}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Events:
        Default:
          Type: Api
          Properties: {Path: /default, Method: get, RestApiId: !Ref MyApi}
        Open:
          Type: Api
          Properties: {Path: /open, Method: get, RestApiId: !Ref MyApi, Auth: {Authorizer: NONE, ApiKeyRequired: false}}
        Iam:
          Type: Api
          Properties: {Path: /iam, Method: post, RestApiId: !Ref MyApi, Auth: {Authorizer: AWS_IAM}}
)";
}

}  // namespace

TEST_CASE("authorizer setup: DefaultAuthorizer, NONE, AWS_IAM and API keys on routes") {
  LoadedTemplate loaded = Load(Template(R"(
      Auth:
        DefaultAuthorizer: Tok
        ApiKeyRequired: true
        Authorizers:
          Tok: {FunctionArn: !GetAtt AuthFn.Arn, Identity: {ValidationExpression: "^x$"}}
)"));
  std::vector<Api> apis = ApisOf(loaded);
  REQUIRE(ApplyTemplateAuth(loaded, apis).ok());
  REQUIRE(apis.size() == 1);
  REQUIRE(apis[0].authorizers.size() == 1);
  const Authorizer& tok = apis[0].authorizers[0];
  CHECK(tok.type == Authorizer::Type::kToken);
  CHECK(tok.function == "arn:aws:lambda:us-east-1:000000000000:function:AuthFn");
  CHECK(tok.validation_expression == "^x$");
  CHECK(tok.ttl_s == 300);

  CHECK(RouteAt(apis, "GET", "/default").authorizer == "Tok");
  CHECK(RouteAt(apis, "GET", "/default").api_key_required);
  CHECK(RouteAt(apis, "GET", "/open").authorizer.empty());
  CHECK_FALSE(RouteAt(apis, "GET", "/open").api_key_required);
  CHECK(RouteAt(apis, "POST", "/iam").authorizer == "AWS_IAM");
  CHECK(RouteAt(apis, "POST", "/iam").api_key_required);
  // SAM puts the default authorizer and the key on its CORS OPTIONS too, unless told not to.
  CHECK(RouteAt(apis, "OPTIONS", "/default").cors_preflight);
  CHECK(RouteAt(apis, "OPTIONS", "/default").authorizer == "Tok");
  CHECK(RouteAt(apis, "OPTIONS", "/default").api_key_required);
  CHECK(RouteAuthLabel(RouteAt(apis, "GET", "/default")) == ", auth Tok, API key required");
  CHECK(RouteAuthLabel(RouteAt(apis, "GET", "/open")) == "");

  std::vector<ApiKey> keys = ApiKeysOf(loaded);
  REQUIRE(keys.size() == 1);  // the disabled one is left out
  CHECK(keys[0].value == "the-key-value-of-twenty-chars");
  std::vector<std::string> notices = AuthNotices(loaded, apis);
  CHECK(std::any_of(notices.begin(), notices.end(),
                    [](const std::string& n) { return n.find("Off is disabled") != std::string::npos; }));
}

TEST_CASE("authorizer setup: the CORS preflight switches") {
  LoadedTemplate loaded = Load(Template(R"(
      Auth:
        DefaultAuthorizer: Tok
        ApiKeyRequired: true
        AddDefaultAuthorizerToCorsPreflight: false
        AddApiKeyRequiredToCorsPreflight: false
        Authorizers:
          Tok: {FunctionArn: AuthFn}
)"));
  std::vector<Api> apis = ApisOf(loaded);
  REQUIRE(ApplyTemplateAuth(loaded, apis).ok());
  CHECK(RouteAt(apis, "OPTIONS", "/default").authorizer.empty());
  CHECK_FALSE(RouteAt(apis, "OPTIONS", "/default").api_key_required);
  CHECK(RouteAt(apis, "GET", "/default").authorizer == "Tok");
}

TEST_CASE("authorizer setup: an event naming an authorizer its API lacks is refused") {
  LoadedTemplate loaded = Load(Template(R"(
      Auth:
        Authorizers:
          Tok: {FunctionArn: AuthFn}
)", false) + R"(
        Typo:
          Type: Api
          Properties: {Path: /typo, Method: get, RestApiId: !Ref MyApi, Auth: {Authorizer: Tokk}}
)");
  std::vector<Api> apis = ApisOf(loaded);
  Status s = ApplyTemplateAuth(loaded, apis);
  REQUIRE_FALSE(s.ok());
  CHECK_THAT(s.message(), Catch::Contains("Fn.Typo"));
  CHECK_THAT(s.message(), Catch::Contains("Tokk"));
}

TEST_CASE("authorizer setup: unenforced authorizers and keyless APIs are said at start") {
  LoadedTemplate loaded = Load(R"(
Resources:
  Http:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        DefaultAuthorizer: Jwt
        Authorizers:
          Jwt: {JwtConfiguration: {issuer: "https://issuer.example", audience: [a]}, AuthorizationScopes: [s1]}
  Rest:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      Auth: {ApiKeyRequired: true}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Events:
        H:
          Type: HttpApi
          Properties: {ApiId: !Ref Http, Path: /h, Method: get}
        R:
          Type: Api
          Properties: {RestApiId: !Ref Rest, Path: /r, Method: get}
)");
  std::vector<Api> apis = ApisOf(loaded);
  REQUIRE(ApplyTemplateAuth(loaded, apis).ok());
  CHECK(RouteAt(apis, "GET", "/h").authorizer == "Jwt");
  CHECK(RouteAt(apis, "GET", "/h").authorization_scopes == std::vector<std::string>{"s1"});  // the authorizer's
  REQUIRE(apis[0].authorizers.size() == 1);
  CHECK(apis[0].authorizers[0].jwt_issuer == "https://issuer.example");
  CHECK(apis[0].authorizers[0].jwt_audience == std::vector<std::string>{"a"});
  CHECK_FALSE(RouteAt(apis, "GET", "/h").api_key_required);  // HTTP APIs have no API keys
  std::vector<std::string> notices = AuthNotices(loaded, apis);
  REQUIRE(notices.size() == 1);  // a JWT authorizer is enforced: install.cc names its keys
  CHECK_THAT(notices[0], Catch::Contains("no enabled one"));
}

}  // namespace ll::apigw
