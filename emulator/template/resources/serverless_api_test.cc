// The CORS properties of AWS::Serverless::Api (Cors) and AWS::Serverless::HttpApi
// (CorsConfiguration), with Globals, as serverless_api.cc reads them.
#include <unistd.h>

#include <filesystem>
#include <stdexcept>
#include <string>

#include <catch2/catch.hpp>

#include "template/template_loader.h"

using namespace ll;

namespace {

std::filesystem::path ApiProject() {
  auto dir = std::filesystem::temp_directory_path() / ("ll-api-cors-test-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir / "src");
  return dir;
}

// `globals`, then one function with an Api event on the implicit REST API and an HttpApi event
// on the implicit HTTP API, then `resources`.
std::string Template(const std::string& globals, const std::string& resources = "") {
  return globals + R"(
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Events:
        Rest:
          Type: Api
          Properties: {Path: /items, Method: get}
        Http:
          Type: HttpApi
          Properties: {Path: /items, Method: get}
)" + resources;
}

const ApiResource& ApiNamed(const LoadedTemplate& t, const std::string& logical_id) {
  for (const ApiResource& a : t.apis) {
    if (a.logical_id == logical_id) return a;
  }
  FAIL("no API " << logical_id);
  throw std::logic_error("unreachable");
}

Result<LoadedTemplate> Parse(const std::string& text) { return ParseTemplate(text, ApiProject(), TemplateOptions{}); }

}  // namespace

TEST_CASE("cors template: no Cors, no CORS") {
  auto t = Parse(Template(""));
  REQUIRE(t.ok());
  CHECK_FALSE(ApiNamed(*t, "ServerlessRestApi").cors.enabled);
  CHECK_FALSE(ApiNamed(*t, "ServerlessHttpApi").cors.enabled);
}

TEST_CASE("cors template: a REST API's Cors as a quoted origin or a map") {
  auto t = Parse(Template("", R"(
  ByString:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev
      Cors: "'https://app.example.com'"
  ByMap:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev
      Cors:
        AllowMethods: "'GET,PUT'"
        AllowHeaders: "'Content-Type,X-Custom'"
        AllowOrigin: "'https://app.example.com'"
        MaxAge: "'600'"
        AllowCredentials: true
  OriginDefault:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev
      Cors:
        MaxAge: 30
)"));
  REQUIRE(t.ok());
  const ApiCors& s = ApiNamed(*t, "ByString").cors;
  CHECK(s.enabled);
  CHECK(s.allow_origins == std::vector<std::string>{"https://app.example.com"});
  CHECK(s.allow_methods.empty());  // each path's own methods, as SAM lists them
  CHECK(s.allow_headers.empty());
  CHECK(s.max_age.empty());
  CHECK_FALSE(s.allow_credentials);

  const ApiCors& m = ApiNamed(*t, "ByMap").cors;
  CHECK(m.enabled);
  CHECK(m.allow_origins == std::vector<std::string>{"https://app.example.com"});
  CHECK(m.allow_methods == std::vector<std::string>{"GET,PUT"});
  CHECK(m.allow_headers == std::vector<std::string>{"Content-Type,X-Custom"});
  CHECK(m.max_age == "600");
  CHECK(m.allow_credentials);

  const ApiCors& d = ApiNamed(*t, "OriginDefault").cors;
  CHECK(d.allow_origins == std::vector<std::string>{"*"});  // SAM's default AllowOrigin
  CHECK(d.max_age == "30");
}

TEST_CASE("cors template: an HTTP API's CorsConfiguration as true or a map") {
  auto t = Parse(Template("", R"(
  AllowAll:
    Type: AWS::Serverless::HttpApi
    Properties:
      CorsConfiguration: true
  Off:
    Type: AWS::Serverless::HttpApi
    Properties:
      CorsConfiguration: false
  Detailed:
    Type: AWS::Serverless::HttpApi
    Properties:
      CorsConfiguration:
        AllowOrigins: [https://app.example.com, "http://*"]
        AllowMethods: [GET, PUT]
        AllowHeaders: [content-type]
        ExposeHeaders: [x-request-id]
        MaxAge: 300
        AllowCredentials: true
)"));
  REQUIRE(t.ok());
  const ApiCors& all = ApiNamed(*t, "AllowAll").cors;
  CHECK(all.enabled);
  // SAM's http_api_generator: `true` sets AllowOrigins ["*"] and nothing else.
  CHECK(all.allow_origins == std::vector<std::string>{"*"});
  CHECK(all.allow_methods.empty());
  CHECK(all.allow_headers.empty());
  CHECK_FALSE(ApiNamed(*t, "Off").cors.enabled);

  const ApiCors& d = ApiNamed(*t, "Detailed").cors;
  CHECK(d.enabled);
  CHECK(d.allow_origins == std::vector<std::string>{"https://app.example.com", "http://*"});
  CHECK(d.allow_methods == std::vector<std::string>{"GET", "PUT"});
  CHECK(d.allow_headers == std::vector<std::string>{"content-type"});
  CHECK(d.expose_headers == std::vector<std::string>{"x-request-id"});
  CHECK(d.max_age == "300");
  CHECK(d.allow_credentials);
}

TEST_CASE("cors template: Globals reach the implicit APIs and merge under an API's own map") {
  auto t = Parse(Template(R"(
Globals:
  Api:
    Cors:
      AllowOrigin: "'https://app.example.com'"
      MaxAge: "'60'"
  HttpApi:
    CorsConfiguration:
      AllowOrigins: [https://app.example.com]
      AllowMethods: [GET]
)",
                          R"(
  Merged:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev
      Cors:
        AllowHeaders: "'X-Custom'"
        MaxAge: "'5'"
  OwnString:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev
      Cors: "'https://other.example.com'"
  HttpOwn:
    Type: AWS::Serverless::HttpApi
    Properties:
      CorsConfiguration:
        AllowMethods: [PUT]
)"));
  REQUIRE(t.ok());
  const ApiCors& rest = ApiNamed(*t, "ServerlessRestApi").cors;
  CHECK(rest.enabled);
  CHECK(rest.allow_origins == std::vector<std::string>{"https://app.example.com"});
  CHECK(rest.max_age == "60");
  const ApiCors& http = ApiNamed(*t, "ServerlessHttpApi").cors;
  CHECK(http.enabled);
  CHECK(http.allow_origins == std::vector<std::string>{"https://app.example.com"});
  CHECK(http.allow_methods == std::vector<std::string>{"GET"});

  const ApiCors& merged = ApiNamed(*t, "Merged").cors;
  CHECK(merged.allow_origins == std::vector<std::string>{"https://app.example.com"});
  CHECK(merged.allow_headers == std::vector<std::string>{"X-Custom"});
  CHECK(merged.max_age == "5");  // the API's own value wins
  const ApiCors& own = ApiNamed(*t, "OwnString").cors;
  CHECK(own.allow_origins == std::vector<std::string>{"https://other.example.com"});
  CHECK(own.max_age.empty());  // a string replaces the global map whole
  const ApiCors& http_own = ApiNamed(*t, "HttpOwn").cors;
  CHECK(http_own.allow_origins == std::vector<std::string>{"https://app.example.com"});
  CHECK(http_own.allow_methods == std::vector<std::string>{"PUT"});
}

TEST_CASE("cors template: what SAM refuses is an InvalidTemplate") {
  auto error_of = [](const std::string& cors) {
    auto t = Parse(Template("", R"(
  Bad:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev
      )" + cors + "\n"));
    REQUIRE_FALSE(t.ok());
    return t.status().message();
  };
  CHECK_THAT(error_of("Cors: https://app.example.com"), Catch::Contains("must be a quoted string"));
  CHECK_THAT(error_of("Cors: {AllowOrigin: https://app.example.com}"),
             Catch::Contains("AllowOrigin must be a quoted string"));
  CHECK_THAT(error_of("Cors: {AllowOrigins: \"'*'\"}"), Catch::Contains("unknown property AllowOrigins"));
  CHECK_THAT(error_of("Cors: {AllowCredentials: true}"), Catch::Contains("AllowCredentials can not be true"));
  CHECK_THAT(error_of("Cors: {AllowOrigin: \"'https://a.example'\", AllowCredentials: maybe}"),
             Catch::Contains("must be true or false"));

  auto http = Parse(Template("", R"(
  BadHttp:
    Type: AWS::Serverless::HttpApi
    Properties:
      CorsConfiguration:
        AllowOrigins: ["*"]
        AllowCredentials: true
)"));
  REQUIRE_FALSE(http.ok());
  CHECK_THAT(http.status().message(), Catch::Contains("AllowCredentials can not be true"));
  auto unknown = Parse(Template("", R"(
  BadHttp:
    Type: AWS::Serverless::HttpApi
    Properties:
      CorsConfiguration: {AllowOrigin: ["*"]}
)"));
  REQUIRE_FALSE(unknown.ok());
  CHECK_THAT(unknown.status().message(), Catch::Contains("unknown property AllowOrigin "));
}
