// SAM's Auth as api_auth.cc reads it: AWS::Serverless::Api (ApiAuth with LambdaTokenAuthorizer,
// LambdaRequestAuthorizer, CognitoAuthorizer, DefaultAuthorizer, ApiKeyRequired, UsagePlan),
// AWS::Serverless::HttpApi (HttpApiAuth with LambdaAuthorizer and OAuth2Authorizer), Globals,
// the events' Auth, and AWS::ApiGateway::ApiKey. Expected values from the SAM reference pages of
// those properties (defaults: FunctionPayloadType TOKEN, Identity.Header Authorization,
// ReauthorizeEvery 300 for REST APIs, AddDefaultAuthorizerToCorsPreflight and
// AddApiKeyRequiredToCorsPreflight true) and samtranslator's identity-source expressions.
#include <unistd.h>

#include <filesystem>
#include <stdexcept>
#include <string>

#include <catch2/catch.hpp>

#include "template/template_loader.h"

using namespace ll;

namespace {

std::filesystem::path Project() {
  auto dir = std::filesystem::temp_directory_path() / ("ll-api-auth-test-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir / "src");
  return dir;
}

Result<LoadedTemplate> Parse(const std::string& text) { return ParseTemplate(text, Project(), TemplateOptions{}); }

const ApiResource& ApiNamed(const LoadedTemplate& t, const std::string& logical_id) {
  for (const ApiResource& a : t.apis) {
    if (a.logical_id == logical_id) return a;
  }
  FAIL("no API " << logical_id);
  throw std::logic_error("unreachable");
}

const ApiRouteResource& RouteOf(const LoadedTemplate& t, const std::string& source) {
  for (const ApiRouteResource& r : t.api_routes) {
    if (r.source == source) return r;
  }
  FAIL("no route " << source);
  throw std::logic_error("unreachable");
}

constexpr char kFunctions[] = R"(
  AuthFn:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: app.auth, CodeUri: src/}
)";

std::string WithApi(const std::string& api_props, const std::string& events = "", const std::string& globals = "") {
  return globals + R"(
Resources:)" + kFunctions +
         R"(
  MyApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev
)" + api_props +
         R"(
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Events:
        Get:
          Type: Api
          Properties: {Path: /items, Method: get, RestApiId: !Ref MyApi}
)" + events;
}

}  // namespace

TEST_CASE("authorizer template: a REST API's TOKEN authorizer with SAM's defaults") {
  auto t = Parse(WithApi(R"(
      Auth:
        DefaultAuthorizer: MyToken
        Authorizers:
          MyToken:
            FunctionArn: !GetAtt AuthFn.Arn
)"));
  REQUIRE(t.ok());
  const ApiAuth& auth = ApiNamed(*t, "MyApi").auth;
  CHECK(auth.default_authorizer == "MyToken");
  CHECK_FALSE(auth.api_key_required);
  CHECK(auth.default_authorizer_on_preflight);
  CHECK(auth.api_key_on_preflight);
  REQUIRE(auth.authorizers.size() == 1);
  const ApiAuthorizerResource& a = auth.authorizers[0];
  CHECK(a.name == "MyToken");
  CHECK(a.type == "TOKEN");
  CHECK(a.function == "arn:aws:lambda:us-east-1:000000000000:function:AuthFn");
  CHECK(a.identity_sources == std::vector<std::string>{"method.request.header.Authorization"});
  CHECK(a.ttl_s == 300);
  CHECK(a.validation_expression.empty());
  CHECK(RouteOf(*t, "Fn.Get").authorizer.empty());  // the API's default applies at install
}

TEST_CASE("authorizer template: TOKEN identity, REQUEST identity sources, Cognito") {
  auto t = Parse(WithApi(R"(
      Auth:
        ApiKeyRequired: true
        AddDefaultAuthorizerToCorsPreflight: false
        AddApiKeyRequiredToCorsPreflight: false
        Authorizers:
          Tok:
            FunctionArn: !GetAtt AuthFn.Arn
            FunctionPayloadType: TOKEN
            Identity: {Header: X-Token, ValidationExpression: "^Bearer .+$", ReauthorizeEvery: 0}
          Req:
            FunctionArn: AuthFn
            FunctionPayloadType: REQUEST
            Identity:
              Headers: [X-User]
              QueryStrings: [tenant]
              StageVariables: [stage]
              Context: [identity.sourceIp]
              ReauthorizeEvery: 60
          Pool:
            UserPoolArn: arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_abc
)"));
  REQUIRE(t.ok());
  const ApiAuth& auth = ApiNamed(*t, "MyApi").auth;
  CHECK(auth.api_key_required);
  CHECK_FALSE(auth.default_authorizer_on_preflight);
  CHECK_FALSE(auth.api_key_on_preflight);
  CHECK(auth.default_authorizer.empty());
  REQUIRE(auth.authorizers.size() == 3);
  const ApiAuthorizerResource* by_name[3] = {};
  for (const ApiAuthorizerResource& a : auth.authorizers) {
    if (a.name == "Tok") by_name[0] = &a;
    if (a.name == "Req") by_name[1] = &a;
    if (a.name == "Pool") by_name[2] = &a;
  }
  REQUIRE(by_name[0]);
  REQUIRE(by_name[1]);
  REQUIRE(by_name[2]);
  CHECK(by_name[0]->identity_sources == std::vector<std::string>{"method.request.header.X-Token"});
  CHECK(by_name[0]->validation_expression == "^Bearer .+$");
  CHECK(by_name[0]->ttl_s == 0);
  CHECK(by_name[1]->type == "REQUEST");
  CHECK(by_name[1]->function == "AuthFn");
  CHECK(by_name[1]->identity_sources ==
        std::vector<std::string>{"method.request.header.X-User", "method.request.querystring.tenant",
                                 "stageVariables.stage", "context.identity.sourceIp"});
  CHECK(by_name[1]->ttl_s == 60);
  CHECK(by_name[2]->type == "COGNITO_USER_POOLS");
}

TEST_CASE("authorizer template: the events' Auth") {
  auto t = Parse(WithApi(R"(
      Auth:
        Authorizers:
          Tok: {FunctionArn: !GetAtt AuthFn.Arn}
)",
                         R"(
        Open:
          Type: Api
          Properties:
            Path: /open
            Method: get
            RestApiId: !Ref MyApi
            Auth: {Authorizer: NONE, ApiKeyRequired: false}
        Keyed:
          Type: Api
          Properties:
            Path: /keyed
            Method: get
            RestApiId: !Ref MyApi
            Auth: {Authorizer: Tok, ApiKeyRequired: true}
        Iam:
          Type: Api
          Properties:
            Path: /iam
            Method: get
            RestApiId: !Ref MyApi
            Auth: {Authorizer: AWS_IAM}
)"));
  REQUIRE(t.ok());
  CHECK(RouteOf(*t, "Fn.Open").authorizer == "NONE");
  CHECK(RouteOf(*t, "Fn.Open").api_key_required == false);
  CHECK(RouteOf(*t, "Fn.Keyed").authorizer == "Tok");
  CHECK(RouteOf(*t, "Fn.Keyed").api_key_required == true);
  CHECK(RouteOf(*t, "Fn.Iam").authorizer == "AWS_IAM");
  CHECK_FALSE(RouteOf(*t, "Fn.Iam").api_key_required.has_value());
  CHECK_FALSE(RouteOf(*t, "Fn.Get").api_key_required.has_value());
}

TEST_CASE("authorizer template: Globals.Api.Auth reaches the implicit API") {
  auto t = Parse(R"(
Globals:
  Api:
    Auth:
      DefaultAuthorizer: Tok
      Authorizers:
        Tok: {FunctionArn: !GetAtt AuthFn.Arn}
Resources:)" + std::string(kFunctions) +
                 R"(
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Events:
        Get:
          Type: Api
          Properties: {Path: /items, Method: get}
)");
  REQUIRE(t.ok());
  const ApiAuth& auth = ApiNamed(*t, "ServerlessRestApi").auth;
  CHECK(auth.default_authorizer == "Tok");
  REQUIRE(auth.authorizers.size() == 1);
}

TEST_CASE("authorizer template: an HTTP API's Lambda and JWT authorizers") {
  auto t = Parse(R"(
Resources:)" + std::string(kFunctions) +
                 R"(
  Http:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        DefaultAuthorizer: Lam
        EnableIamAuthorizer: true
        Authorizers:
          Lam:
            FunctionArn: !GetAtt AuthFn.Arn
            AuthorizerPayloadFormatVersion: 2.0
            EnableSimpleResponses: true
            Identity:
              Headers: [Authorization]
              QueryStrings: [q]
              ReauthorizeEvery: 30
          Plain:
            FunctionArn: !GetAtt AuthFn.Arn
            AuthorizerPayloadFormatVersion: "1.0"
          Jwt:
            JwtConfiguration: {issuer: "https://issuer.example", audience: [aud1, aud2]}
            IdentitySource: $request.header.Authorization
            AuthorizationScopes: [read]
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Events:
        Get:
          Type: HttpApi
          Properties: {ApiId: !Ref Http, Path: /x, Method: get, Auth: {Authorizer: Jwt, AuthorizationScopes: [write]}}
)");
  REQUIRE(t.ok());
  const ApiAuth& auth = ApiNamed(*t, "Http").auth;
  CHECK(auth.default_authorizer == "Lam");
  REQUIRE(auth.authorizers.size() == 3);
  for (const ApiAuthorizerResource& a : auth.authorizers) {
    if (a.name == "Lam") {
      CHECK(a.type == "REQUEST");
      CHECK(a.payload_format == "2.0");
      CHECK(a.simple_responses);
      CHECK(a.ttl_s == 30);
      CHECK(a.identity_sources == std::vector<std::string>{"$request.header.Authorization", "$request.querystring.q"});
    } else if (a.name == "Plain") {
      CHECK(a.payload_format == "1.0");
      CHECK_FALSE(a.simple_responses);
      CHECK(a.ttl_s == 0);  // HTTP APIs cache only when told
      CHECK(a.identity_sources.empty());
    } else {
      CHECK(a.type == "JWT");
      CHECK(a.jwt_issuer == "https://issuer.example");
      CHECK(a.jwt_audience == std::vector<std::string>{"aud1", "aud2"});
      CHECK(a.authorization_scopes == std::vector<std::string>{"read"});
      CHECK(a.identity_sources == std::vector<std::string>{"$request.header.Authorization"});
    }
  }
  CHECK(RouteOf(*t, "Fn.Get").authorizer == "Jwt");
  CHECK(RouteOf(*t, "Fn.Get").authorization_scopes == std::vector<std::string>{"write"});
}

TEST_CASE("authorizer template: API keys from AWS::ApiGateway::ApiKey and UsagePlan") {
  auto t = Parse(WithApi(R"(
      Auth:
        ApiKeyRequired: true
        UsagePlan: {CreateUsagePlan: PER_API}
)",
                         R"(
  GivenKey:
    Type: AWS::ApiGateway::ApiKey
    Properties: {Enabled: true, Value: my-own-key-value-0123456789}
  MadeKey:
    Type: AWS::ApiGateway::ApiKey
    Properties: {Enabled: true}
  OffKey:
    Type: AWS::ApiGateway::ApiKey
    Properties: {Value: disabled-key-value-0123456789}
  Ids:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Environment:
        Variables: {KEY_ID: !Ref GivenKey}
)"));
  REQUIRE(t.ok());
  std::map<std::string, ApiKeyResource> keys;
  for (const ApiKeyResource& k : t->api_keys) keys[k.logical_id] = k;
  REQUIRE(keys.size() == 4);
  CHECK(keys["GivenKey"].value == "my-own-key-value-0123456789");
  CHECK_FALSE(keys["GivenKey"].generated);
  CHECK(keys["GivenKey"].enabled);
  CHECK(keys["MadeKey"].generated);
  CHECK(keys["MadeKey"].value.size() == 40);
  CHECK_FALSE(keys["OffKey"].enabled);  // CloudFormation's Enabled is false unless set
  CHECK(keys["MyApiApiKey"].generated);
  CHECK(keys["MyApiApiKey"].enabled);
  CHECK(keys["MyApiApiKey"].value != keys["MadeKey"].value);
  for (const FunctionConfig& f : t->functions) {
    if (f.name == "Ids") CHECK(f.environment.at("KEY_ID") == keys["GivenKey"].id);
  }
  // The same project makes the same values, as a deployed stack keeps them.
  auto again = Parse(WithApi(R"(
      Auth:
        UsagePlan: {CreateUsagePlan: PER_API}
)"));
  REQUIRE(again.ok());
  REQUIRE(again->api_keys.size() == 1);
  CHECK(again->api_keys[0].value == keys["MyApiApiKey"].value);
}

TEST_CASE("authorizer template: mistakes SAM refuses are refused") {
  const char* cases[][2] = {
      {R"(
      Auth:
        DefaultAuthorizer: Nope
        Authorizers:
          Tok: {FunctionArn: AuthFn}
)",
       "DefaultAuthorizer Nope"},
      {R"(
      Auth:
        Authorizers:
          Tok: {FunctionArn: AuthFn, FunctionPayloadType: COOKIE}
)",
       "FunctionPayloadType"},
      {R"(
      Auth:
        Authorizers:
          Tok: {Identity: {Header: X}}
)",
       "FunctionArn"},
      {R"(
      Auth:
        Authorizers:
          Tok: {FunctionArn: AuthFn, Identity: {ValidationExpression: "([a-z"}}
)",
       "ValidationExpression"},
      {R"(
      Auth:
        Authorizers:
          Tok: {FunctionArn: AuthFn, Identity: {ReauthorizeEvery: 7200}}
)",
       "ReauthorizeEvery"},
      {R"(
      Auth:
        DefaultAuthoriser: Tok
)",
       "unknown property DefaultAuthoriser"},
      {R"(
      Auth:
        UsagePlan: {CreateUsagePlan: SOMETIMES}
)",
       "CreateUsagePlan"},
  };
  for (const auto& [props, message] : cases) {
    INFO(props);
    auto t = Parse(WithApi(props));
    REQUIRE_FALSE(t.ok());
    CHECK_THAT(t.status().message(), Catch::Contains(message));
  }
  auto http = Parse(R"(
Resources:
  Http:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        Authorizers:
          Lam: {FunctionArn: AuthFn, EnableSimpleResponses: true}
)");
  REQUIRE_FALSE(http.ok());
  CHECK_THAT(http.status().message(), Catch::Contains("AuthorizerPayloadFormatVersion"));
  auto simple_v1 = Parse(R"(
Resources:
  Http:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        Authorizers:
          Lam: {FunctionArn: AuthFn, AuthorizerPayloadFormatVersion: "1.0", EnableSimpleResponses: true}
)");
  REQUIRE_FALSE(simple_v1.ok());
  CHECK_THAT(simple_v1.status().message(), Catch::Contains("EnableSimpleResponses"));
}

TEST_CASE("api auth: a user pool's issuer from its ARN or id") {
  CHECK(UserPoolIssuer("arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbC", "us-east-1") ==
        "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC");
  CHECK(UserPoolIssuer("us-east-1_Pool", "us-east-1") == "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Pool");
  CHECK(UserPoolIssuer("arn:aws:s3:::bucket", "us-east-1").empty());
  CHECK(UserPoolIssuer("arn:aws:cognito-idp:us-east-1:1:userpool/", "us-east-1").empty());
  CHECK(UserPoolIssuer("", "us-east-1").empty());
}
