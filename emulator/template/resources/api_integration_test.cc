// The function a Lambda integration URI names, stage variables in it, and the names of the
// integrations lambda-local does not serve (api_integration.cc).
#include "template/resources/api_integration.h"

#include <catch2/catch.hpp>

using namespace ll;

namespace {

// A resolver that knows one function, Fn, as the function handler names it.
Resolver FunctionResolver(const TemplateOptions& options) {
  ResourceSymbols fn;
  fn.name = "my-fn";
  fn.ref = "my-fn";
  fn.attributes["Arn"] = "arn:aws:lambda:us-east-1:000000000000:function:my-fn";
  return Resolver(options, {}, {{"Fn", fn}});
}

}  // namespace

TEST_CASE("apigw integration: the function of an apigateway invocation URI") {
  TemplateOptions options;
  Resolver resolver = FunctionResolver(options);
  auto f = LambdaFunctionOfUri(resolver,
                               "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
                               "arn:aws:lambda:us-east-1:123456789012:function:Orders/invocations");
  REQUIRE(f.ok());
  CHECK(*f == "Orders");
  // A qualifier (an alias) stays with the name, as the gateway invokes it.
  f = LambdaFunctionOfUri(resolver,
                          "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/"
                          "arn:aws:lambda:eu-west-1:123456789012:function:Orders:live/invocations");
  REQUIRE(f.ok());
  CHECK(*f == "Orders:live");
}

TEST_CASE("apigw integration: an HTTP API's integration URI may be the function's ARN") {
  TemplateOptions options;
  Resolver resolver = FunctionResolver(options);
  auto f = LambdaFunctionOfUri(resolver, "arn:aws:lambda:us-east-1:123456789012:function:Orders");
  REQUIRE(f.ok());
  CHECK(*f == "Orders");
}

TEST_CASE("apigw integration: ${Fn.Arn} left in a definition file is resolved as !Sub would") {
  TemplateOptions options;
  Resolver resolver = FunctionResolver(options);
  auto f = LambdaFunctionOfUri(
      resolver, "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations");
  REQUIRE(f.ok());
  CHECK(*f == "my-fn");
  f = LambdaFunctionOfUri(resolver,
                          "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${Fn.Arn}:live/invocations");
  REQUIRE(f.ok());
  CHECK(*f == "my-fn:live");
}

TEST_CASE("apigw integration: URIs that name no function are template errors") {
  TemplateOptions options;
  Resolver resolver = FunctionResolver(options);
  for (const char* uri : {"https://example.com/items", "Orders", "arn:aws:apigateway:us-east-1:lambda:path/functions",
                          "arn:aws:apigateway:us-east-1:sqs:path/000000000000/queue",
                          "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/not an arn/invocations"}) {
    INFO(uri);
    auto f = LambdaFunctionOfUri(resolver, uri);
    REQUIRE_FALSE(f.ok());
    CHECK(f.status().code() == "InvalidTemplate");
  }
}

TEST_CASE("apigw integration: stage variables in a URI") {
  auto s = SubstituteStageVariables("function:Orders:${stageVariables.alias}/invocations", {{"alias", "live"}});
  REQUIRE(s.ok());
  CHECK(*s == "function:Orders:live/invocations");
  CHECK(*SubstituteStageVariables("no variables", {}) == "no variables");
  auto missing = SubstituteStageVariables("function:${stageVariables.fn}", {{"alias", "live"}});
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().message() == "the stage variable fn is not defined");
}

TEST_CASE("apigw integration: integration types in messages") {
  CHECK(IntegrationDescription("MOCK") == "a mock integration");
  CHECK(IntegrationDescription("mock") == "a mock integration");
  CHECK(IntegrationDescription("http_proxy") == "an HTTP proxy integration");
  CHECK(IntegrationDescription("HTTP") == "an HTTP (non-proxy) integration");
  CHECK(IntegrationDescription("AWS") == "an AWS (non-proxy) integration");
  CHECK(IntegrationDescription("AWS_PROXY") == "a Lambda proxy integration");
  CHECK(IntegrationDescription("VTL") == "");
}
