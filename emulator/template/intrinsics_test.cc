#include "template/intrinsics.h"

#include <catch2/catch.hpp>

using namespace ll;

namespace {

// A Resolver borrows its options, so they live as long as the tests.
const TemplateOptions& Options() {
  static const TemplateOptions options = [] {
    TemplateOptions o;
    o.region = "eu-west-1";
    o.account_id = "123456789012";
    o.endpoint = "http://127.0.0.1:4566";
    return o;
  }();
  return options;
}

std::map<std::string, ResourceSymbols> Symbols() {
  ResourceSymbols fn{"fn-dev", "fn-dev",
                     {{"Arn", "arn:aws:lambda:eu-west-1:123456789012:function:fn-dev"}}};
  ResourceSymbols queue{
      "jobs",
      "http://127.0.0.1:4566/123456789012/jobs",
      {{"Arn", "arn:aws:sqs:eu-west-1:123456789012:jobs"}, {"QueueName", "jobs"}}};
  return {{"Fn", fn}, {"Jobs", queue}};
}

// The value of `yaml` (one node, tags allowed), or "error: <message>".
std::string Eval(const Resolver& resolver, const std::string& yaml) {
  auto v = resolver.Eval(YAML::Load(yaml));
  return v.ok() ? *v : "error: " + v.status().message();
}

}  // namespace

TEST_CASE("!Ref: parameters, then pseudo parameters, then named resources, else the id") {
  Resolver r(Options(), {{"Stage", "dev"}, {"Jobs", "shadowed"}}, Symbols());
  CHECK(Eval(r, "!Ref Stage") == "dev");
  CHECK(Eval(r, "{Ref: AWS::Region}") == "eu-west-1");
  CHECK(Eval(r, "!Ref AWS::AccountId") == "123456789012");
  CHECK(Eval(r, "!Ref AWS::NoValue") == "");
  CHECK(Eval(r, "!Ref AWS::StackId") ==
        "arn:aws:cloudformation:eu-west-1:123456789012:stack/lambda-local/local");
  CHECK(Eval(r, "!Ref Fn") == "fn-dev");
  CHECK(Eval(r, "!Ref Jobs") == "shadowed");  // a parameter wins over a resource
  CHECK(Eval(r, "!Ref Unnamed") == "Unnamed");
}

TEST_CASE("!GetAtt: named attributes, a local ARN for others, errors for bad shapes") {
  Resolver r(Options(), {}, Symbols());
  CHECK(Eval(r, "!GetAtt Jobs.Arn") == "arn:aws:sqs:eu-west-1:123456789012:jobs");
  CHECK(Eval(r, "!GetAtt [Jobs, QueueName]") == "jobs");
  CHECK(Eval(r, "{'Fn::GetAtt': [Fn, Arn]}") ==
        "arn:aws:lambda:eu-west-1:123456789012:function:fn-dev");
  CHECK(Eval(r, "!GetAtt Fn.Timeout") == "Fn");  // no such attribute: the logical id
  CHECK(Eval(r, "!GetAtt Bucket.Arn") == "arn:aws:local:eu-west-1:123456789012:Bucket");
  CHECK(Eval(r, "!GetAtt Bucket.Arn.Suffix") == "Bucket");  // the first dot splits
  CHECK(Eval(r, "!GetAtt Fn") == "error: !GetAtt needs Resource.Attribute");
  CHECK(Eval(r, "!GetAtt [a, b, c]") == "error: !GetAtt needs Resource.Attribute");
}

TEST_CASE("!Sub: variables, references, attributes and the ${!Literal} escape") {
  Resolver r(Options(), {{"Stage", "dev"}}, Symbols());
  CHECK(Eval(r, "!Sub 'plain text, $ and } alone'") == "plain text, $ and } alone");
  CHECK(Eval(r, "!Sub '${Fn}-${Stage}-${AWS::Region}'") == "fn-dev-dev-eu-west-1");
  CHECK(Eval(r, "!Sub '${Jobs.Arn}|${Other.Arn}|${Other.Name}'") ==
        "arn:aws:sqs:eu-west-1:123456789012:jobs|arn:aws:local:eu-west-1:123456789012:Other|Other");
  CHECK(Eval(r, "!Sub 'a ${!Stage} b'") == "a ${Stage} b");
  // Variables shadow parameters and may be intrinsics themselves.
  CHECK(Eval(r, "!Sub ['${Stage}/${q}', {Stage: prod, q: !GetAtt Jobs.QueueName}]") ==
        "prod/jobs");
  CHECK(Eval(r, "{'Fn::Sub': '${Stage}'}") == "dev");
  CHECK(Eval(r, "!Sub 'a ${Stage'") == "error: !Sub: unterminated ${ in 'a ${Stage'");
  CHECK(Eval(r, "!Sub [a]") == "error: !Sub needs a string or [string, {variables}]");
  CHECK(Eval(r, "!Sub ['${x}', {x: [1]}]") == "error: expected a string value");
}

TEST_CASE("!Join joins evaluated parts") {
  Resolver r(Options(), {{"Stage", "dev"}}, Symbols());
  CHECK(Eval(r, "!Join [':', [a, !Ref Stage, !Sub '${Fn}']]") == "a:dev:fn-dev");
  CHECK(Eval(r, "{'Fn::Join': ['', []]}") == "");
  CHECK(Eval(r, "!Join [',']") == "error: !Join needs [delimiter, [values]]");
  CHECK(Eval(r, "!Join [',', a]") == "error: !Join needs [delimiter, [values]]");
  CHECK(Eval(r, "!Join [',', [!If [a, b, c]]]") == "error: unsupported intrinsic function !If");
}

TEST_CASE("plain values and values that are not strings") {
  Resolver r(Options(), {}, {});
  CHECK(Eval(r, "42") == "42");
  CHECK(Eval(r, "!Unknown scalar") == "scalar");  // an unknown tag on a scalar passes through
  CHECK(Eval(r, "!If [a, b, c]") == "error: unsupported intrinsic function !If");
  CHECK(Eval(r, "{a: b}") == "error: expected a string value");
  CHECK(Eval(r, "~") == "error: expected a string value");
}

TEST_CASE("EvalInt names the property it could not read") {
  Resolver r(Options(), {{"Size", "256"}}, {});
  auto from_parameter = EvalInt(r, YAML::Load("!Ref Size"), "function F: MemorySize");
  REQUIRE(from_parameter.ok());
  CHECK(*from_parameter == 256);
  auto bad = EvalInt(r, YAML::Load("12x"), "function F: MemorySize");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == "InvalidTemplate");
  CHECK(bad.status().message() == "function F: MemorySize must be an integer, got '12x'");
}

TEST_CASE("JsonOrString: maps become JSON, strings and intrinsics stay strings") {
  Resolver r(Options(), {{"Policy", "{\"a\": 1}"}}, Symbols());
  auto json = JsonOrString(r, YAML::Load(
      "{arn: !GetAtt Jobs.Arn, n: [1, -2.5, 0x10, true, null, '7', yes], s: {Ref: Fn}}"));
  REQUIRE(json.ok());
  CHECK(*json ==
        "{\"arn\":\"arn:aws:sqs:eu-west-1:123456789012:jobs\","
        "\"n\":[1,-2.5,\"0x10\",true,null,\"7\",\"yes\"],\"s\":\"fn-dev\"}");
  auto text = JsonOrString(r, YAML::Load("'{\"b\": 2}'"));
  REQUIRE(text.ok());
  CHECK(*text == "{\"b\": 2}");
  auto ref = JsonOrString(r, YAML::Load("{Ref: Policy}"));
  REQUIRE(ref.ok());
  CHECK(*ref == "{\"a\": 1}");
}

TEST_CASE("the document and its Parameters") {
  auto bad = ReadTemplateDocument("Resources: [unclosed");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().rfind("not valid YAML or JSON: ", 0) == 0);
  auto list = ReadTemplateDocument("- a\n");
  REQUIRE_FALSE(list.ok());
  CHECK(list.status().message() == "the template must be a YAML or JSON object");

  auto root = ReadTemplateDocument(
      "Parameters:\n  Stage: {Default: dev}\n  Size: {Type: Number}\n  Region: {Default: x}\n");
  REQUIRE(root.ok());
  auto parameters = ReadParameters(*root, {{"Region", "eu-west-1"}});
  CHECK(parameters ==
        std::map<std::string, std::string>{{"Stage", "dev"}, {"Region", "eu-west-1"}});
}
