#include "template/resource_handlers.h"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

using namespace ll;

namespace {

// What the fake handlers saw, in order; plain function pointers cannot capture.
std::vector<std::string> calls;

Result<ResourceSymbols> NameThing(const TemplateContext& context, const Resource& resource) {
  calls.push_back("name " + resource.logical_id);
  auto prefix = context.resolver.Eval(resource.properties["Prefix"]);
  if (!prefix.ok()) return prefix.status();
  std::string name = *prefix + "-" + resource.logical_id;
  return ResourceSymbols{name, "ref:" + name, {{"Arn", "arn:thing:" + name}}};
}

// Records the thing as a queue whose one attribute is its resolved Target.
Status LoadThing(const TemplateContext& context, const Resource& resource, LoadedTemplate& out) {
  calls.push_back("load " + resource.logical_id);
  if (resource.properties["Fail"]) return TemplateError("thing " + resource.logical_id + " failed");
  auto target = context.resolver.Eval(resource.properties["Target"]);
  if (!target.ok()) return target.status();
  out.queues.push_back(QueueResource{resource.logical_id, resource.name, {{"Target", *target}}});
  return Status::Ok();
}

Status LoadUnnamed(const TemplateContext& context, const Resource& resource, LoadedTemplate& out) {
  calls.push_back("load " + resource.logical_id);
  auto target = context.resolver.Eval(resource.properties["Target"]);
  if (!target.ok()) return target.status();
  out.queues.push_back(QueueResource{resource.logical_id, resource.name, {{"Target", *target}}});
  return Status::Ok();
}

const ResourceHandlerTable kTable({
    {"Test::Thing", {NameThing, LoadThing}},
    {"Test::Unnamed", {nullptr, LoadUnnamed}},
});

}  // namespace

TEST_CASE("the default table has the emulated resource types and no others") {
  const ResourceHandlerTable& table = DefaultResourceHandlers();
  for (const char* type : {"AWS::Serverless::Function", "AWS::Lambda::Function", "AWS::SQS::Queue",
                           "AWS::Lambda::EventSourceMapping", "AWS::S3::Bucket", "AWS::SNS::Topic",
                           "AWS::SNS::Subscription"}) {
    INFO(type);
    CHECK(table.Find(type) != nullptr);
  }
  CHECK(table.Find("AWS::Kinesis::Stream") == nullptr);
  CHECK(table.Find("") == nullptr);
}

TEST_CASE("registered types go to their handler, every name first; others are ignored") {
  calls.clear();
  const char* yaml = R"(
Parameters:
  Stage: {Default: dev}
Resources:
  First:
    Type: Test::Thing
    Properties:
      Prefix: !Ref Stage
      Target: !GetAtt Second.Arn
  Topic:
    Type: AWS::SNS::Topic
  Plain:
    Type: Test::Unnamed
    Properties:
      Target: !Sub '${First}|${Plain}'
  Second:
    Type: Test::Thing
    Properties:
      Prefix: x
      Target: !Ref First
  Queue:
    Type: AWS::SQS::Queue
)";
  auto t = ParseTemplate(yaml, ".", TemplateOptions{}, kTable);
  INFO(t.status().message());
  REQUIRE(t.ok());
  CHECK(calls == std::vector<std::string>{"name First", "name Second", "load First", "load Plain",
                                          "load Second"});
  REQUIRE(t->queues.size() == 3);
  CHECK(t->queues[0].name == "dev-First");
  CHECK(t->queues[0].attributes.at("Target") == "arn:thing:x-Second");  // named before loaded
  CHECK(t->queues[1].name == "Plain");  // no name step: the logical id
  CHECK(t->queues[1].attributes.at("Target") == "ref:dev-First|Plain");
  CHECK(t->queues[2].attributes.at("Target") == "ref:dev-First");
  // Not in this table, so ignored like any other type, in template order.
  CHECK(t->ignored ==
        std::vector<std::string>{"Topic (AWS::SNS::Topic)", "Queue (AWS::SQS::Queue)"});
}

TEST_CASE("a handler's error ends the load with its own message") {
  calls.clear();
  auto t = ParseTemplate(
      "Resources:\n  A:\n    Type: Test::Thing\n    Properties: {Prefix: p, Fail: yes}\n"
      "  B:\n    Type: Test::Unnamed\n",
      ".", TemplateOptions{}, kTable);
  REQUIRE_FALSE(t.ok());
  CHECK(t.status().code() == "InvalidTemplate");
  CHECK(t.status().message() == "thing A failed");
  CHECK(calls == std::vector<std::string>{"name A", "load A"});

  auto naming = ParseTemplate(
      "Resources:\n  A:\n    Type: Test::Thing\n    Properties: {Prefix: !If [a, b, c]}\n", ".",
      TemplateOptions{}, kTable);
  REQUIRE_FALSE(naming.ok());
  CHECK(naming.status().message() == "unsupported intrinsic function !If");
}

TEST_CASE("a resource without a Type is an error, whatever the table") {
  auto t = ParseTemplate("Resources:\n  A:\n    Properties: {}\n", ".", TemplateOptions{}, kTable);
  REQUIRE_FALSE(t.ok());
  CHECK(t.status().message() == "resource A has no Type");
}
