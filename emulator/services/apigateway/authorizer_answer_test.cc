// An authorizer's answer as API Gateway reads and judges it (authorizer_answer.h). Expected
// values from the API Gateway Developer Guide ("Output from an API Gateway Lambda authorizer",
// "Control access to HTTP APIs with AWS Lambda authorizers", IAM's wildcards in policy
// resources) and from AWS's observed behaviour: a REST API's authorizer context reaches the
// function with every value a string ("123", "true"), null kept, principalId and
// integrationLatency added.
#include "services/apigateway/authorizer_answer.h"

#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <string>

namespace ll::apigw {
namespace {

constexpr char kArn[] = "arn:aws:execute-api:us-east-1:000000000000:abcdefghij/Prod/GET/items/42";

PolicyStatement Stmt(bool allow, std::vector<std::string> resources, std::vector<std::string> actions = {"execute-api:Invoke"}) {
  PolicyStatement s;
  s.allow = allow;
  s.actions = std::move(actions);
  s.resources = std::move(resources);
  return s;
}

std::string Policy(const std::string& effect, const std::string& resource, const std::string& extra = "") {
  return R"({"principalId":"user-1","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":")" +
         effect + R"(","Resource":)" + resource + "}]}" + extra + "}";
}

}  // namespace

TEST_CASE("authorizer answer: wildcards match as IAM's do") {
  CHECK(WildcardMatch("abc", "abc"));
  CHECK_FALSE(WildcardMatch("abc", "abcd"));
  CHECK_FALSE(WildcardMatch("abcd", "abc"));
  CHECK(WildcardMatch("*", ""));
  CHECK(WildcardMatch("*", "anything/with/slashes"));
  CHECK(WildcardMatch("a*c", "abbbc"));
  CHECK(WildcardMatch("a*c", "ac"));
  CHECK_FALSE(WildcardMatch("a*c", "acb"));
  CHECK(WildcardMatch("a?c", "abc"));
  CHECK_FALSE(WildcardMatch("a?c", "ac"));
  CHECK(WildcardMatch("*/*/GET/*", "api/Prod/GET/items/42"));
  CHECK(WildcardMatch("a*b*c", "a-b-b-c"));
  CHECK_FALSE(WildcardMatch("ABC", "abc"));
  CHECK(WildcardMatch("ABC", "abc", true));
  CHECK(WildcardMatch("execute-api:*", "execute-api:Invoke"));
  // Many stars against a long text: linear backtracking, no blow-up.
  CHECK_FALSE(WildcardMatch(std::string(50, '*') + "b", std::string(5000, 'a')));
}

TEST_CASE("authorizer answer: a policy allows the method its Allow covers") {
  CHECK(EvaluatePolicy({Stmt(true, {kArn})}, kArn) == PolicyDecision::kAllow);
  CHECK(EvaluatePolicy({Stmt(true, {"arn:aws:execute-api:us-east-1:000000000000:abcdefghij/*/GET/*"})}, kArn) ==
        PolicyDecision::kAllow);
  CHECK(EvaluatePolicy({Stmt(true, {"*"})}, kArn) == PolicyDecision::kAllow);
  CHECK(EvaluatePolicy({Stmt(true, {"arn:other", kArn})}, kArn) == PolicyDecision::kAllow);
  // Another method or path is not covered: implicitly denied.
  CHECK(EvaluatePolicy({Stmt(true, {"arn:aws:execute-api:us-east-1:000000000000:abcdefghij/Prod/POST/items/42"})},
                       kArn) == PolicyDecision::kImplicitDeny);
  CHECK(EvaluatePolicy({}, kArn) == PolicyDecision::kImplicitDeny);
  // Actions: Invoke, execute-api:*, * (any case); another action does not count.
  CHECK(EvaluatePolicy({Stmt(true, {kArn}, {"execute-api:*"})}, kArn) == PolicyDecision::kAllow);
  CHECK(EvaluatePolicy({Stmt(true, {kArn}, {"*"})}, kArn) == PolicyDecision::kAllow);
  CHECK(EvaluatePolicy({Stmt(true, {kArn}, {"EXECUTE-API:invoke"})}, kArn) == PolicyDecision::kAllow);
  CHECK(EvaluatePolicy({Stmt(true, {kArn}, {"execute-api:ManageConnections"})}, kArn) ==
        PolicyDecision::kImplicitDeny);
}

TEST_CASE("authorizer answer: a matching Deny wins over any Allow") {
  CHECK(EvaluatePolicy({Stmt(true, {"*"}), Stmt(false, {kArn})}, kArn) == PolicyDecision::kExplicitDeny);
  CHECK(EvaluatePolicy({Stmt(false, {"*"}), Stmt(true, {kArn})}, kArn) == PolicyDecision::kExplicitDeny);
  // A Deny of another method leaves the Allow standing.
  CHECK(EvaluatePolicy({Stmt(true, {"*"}), Stmt(false, {"*/Prod/DELETE/*"})}, kArn) == PolicyDecision::kAllow);
}

TEST_CASE("authorizer answer: a REST policy with its context") {
  auto answer = ParseAuthorizerAnswer(
      Policy("Allow", R"(")" + std::string(kArn) + R"(")",
             R"(,"context":{"s":"text","n":123,"f":1.5,"b":true,"z":null},"usageIdentifierKey":"k")"),
      AnswerFormat::kRestPolicy);
  REQUIRE(answer);
  CHECK(answer->principal_id == "user-1");
  REQUIRE(answer->statements.size() == 1);
  CHECK(answer->statements[0].allow);
  CHECK(answer->statements[0].resources == std::vector<std::string>{kArn});
  CHECK(EvaluatePolicy(answer->statements, kArn) == PolicyDecision::kAllow);

  rapidjson::Document doc;
  const std::string json = RestAuthorizerJson(*answer, 7);
  REQUIRE_FALSE(doc.Parse(json.c_str()).HasParseError());
  CHECK(std::string(doc["s"].GetString()) == "text");
  CHECK(std::string(doc["n"].GetString()) == "123");
  CHECK(std::string(doc["f"].GetString()) == "1.5");
  CHECK(std::string(doc["b"].GetString()) == "true");
  CHECK(doc["z"].IsNull());
  CHECK(std::string(doc["principalId"].GetString()) == "user-1");
  CHECK(doc["integrationLatency"].GetInt() == 7);
}

TEST_CASE("authorizer answer: Statement and its fields as one value or a list") {
  auto one = ParseAuthorizerAnswer(
      R"({"principalId":"p","policyDocument":{"Statement":{"Action":["execute-api:Invoke"],"Effect":"Deny","Resource":["a","b"]}}})",
      AnswerFormat::kRestPolicy);
  REQUIRE(one);
  REQUIRE(one->statements.size() == 1);
  CHECK_FALSE(one->statements[0].allow);
  CHECK(one->statements[0].resources == std::vector<std::string>{"a", "b"});
  CHECK(one->context_json.empty());
  // An empty statement list is a valid policy that allows nothing.
  auto none = ParseAuthorizerAnswer(R"({"principalId":"p","policyDocument":{"Statement":[]}})", AnswerFormat::kHttpPolicy);
  REQUIRE(none);
  CHECK(EvaluatePolicy(none->statements, kArn) == PolicyDecision::kImplicitDeny);
}

TEST_CASE("authorizer answer: what API Gateway cannot use is refused, never trusted") {
  const char* bad[] = {
      "",
      "not json",
      "[]",
      "\"Allow\"",
      "null",
      R"({"policyDocument":{"Statement":[]}})",                          // no principalId
      R"({"principalId":7,"policyDocument":{"Statement":[]}})",           // principalId not a string
      R"({"principalId":"p"})",                                            // no policyDocument
      R"({"principalId":"p","policyDocument":"Allow"})",
      R"({"principalId":"p","policyDocument":{}})",                       // no Statement
      R"({"principalId":"p","policyDocument":{"Statement":[{"Effect":"Allow","Resource":"*"}]}})",
      R"({"principalId":"p","policyDocument":{"Statement":[{"Action":"*","Effect":"Allow"}]}})",
      R"({"principalId":"p","policyDocument":{"Statement":[{"Action":"*","Effect":"allow","Resource":"*"}]}})",
      R"({"principalId":"p","policyDocument":{"Statement":[{"Action":"*","Effect":"Allow","Resource":5}]}})",
      R"({"principalId":"p","policyDocument":{"Statement":[{"Action":[1],"Effect":"Allow","Resource":"*"}]}})",
      R"({"principalId":"p","policyDocument":{"Statement":["x"]}})",
      R"({"principalId":"p","policyDocument":{"Statement":[]},"context":"x"})",
      R"({"principalId":"p","policyDocument":{"Statement":[]},"context":{"o":{"nested":1}}})",  // REST: no objects
      R"({"principalId":"p","policyDocument":{"Statement":[]},"context":{"a":[1]}})",            // nor arrays
  };
  for (const char* payload : bad) {
    INFO(payload);
    CHECK_FALSE(ParseAuthorizerAnswer(payload, AnswerFormat::kRestPolicy));
  }
}

TEST_CASE("authorizer answer: HTTP APIs keep the context's JSON") {
  auto answer = ParseAuthorizerAnswer(
      R"({"principalId":"p","policyDocument":{"Statement":[]},"context":{"n":1,"o":{"k":[true]}}})",
      AnswerFormat::kHttpPolicy);
  REQUIRE(answer);
  CHECK(HttpAuthorizerJson(*answer) == R"({"lambda":{"n":1,"o":{"k":[true]}}})");
  // A context nested past reason is refused rather than written back out recursively.
  std::string deep = R"({"isAuthorized":true,"context":)";
  for (int i = 0; i < 5000; ++i) deep += R"({"a":)";
  deep += "1";
  for (int i = 0; i < 5000; ++i) deep += "}";
  deep += "}";
  CHECK_FALSE(ParseAuthorizerAnswer(deep, AnswerFormat::kHttpSimple));
}

TEST_CASE("authorizer answer: an HTTP API's simple response") {
  auto yes = ParseAuthorizerAnswer(R"({"isAuthorized":true,"context":{"user":"u1","n":2}})", AnswerFormat::kHttpSimple);
  REQUIRE(yes);
  CHECK(yes->authorized);
  CHECK(HttpAuthorizerJson(*yes) == R"({"lambda":{"user":"u1","n":2}})");
  auto no = ParseAuthorizerAnswer(R"({"isAuthorized":false})", AnswerFormat::kHttpSimple);
  REQUIRE(no);
  CHECK_FALSE(no->authorized);
  CHECK(HttpAuthorizerJson(*no) == R"({"lambda":null})");
  CHECK_FALSE(ParseAuthorizerAnswer(R"({"isAuthorized":"true"})", AnswerFormat::kHttpSimple));
  CHECK_FALSE(ParseAuthorizerAnswer(R"({"context":{}})", AnswerFormat::kHttpSimple));
  // A policy is not a simple response.
  CHECK_FALSE(ParseAuthorizerAnswer(Policy("Allow", R"("*")"), AnswerFormat::kHttpSimple));
}

}  // namespace ll::apigw
