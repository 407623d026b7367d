#include "services/sqs/query_params.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <catch2/catch.hpp>

using namespace ll;
using namespace ll::sqs;

namespace {

std::string Json(const rapidjson::Value& v) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  v.Accept(w);
  return buffer.GetString();
}

}  // namespace

TEST_CASE("form bodies are URL-decoded in order") {
  FormParams p = ParseForm("Action=SendMessage&MessageBody=a+b%21%2B&Empty=&Flag&x=%zz");
  REQUIRE(p.size() == 5);
  CHECK(p[0] == std::make_pair(std::string("Action"), std::string("SendMessage")));
  CHECK(p[1].second == "a b!+");
  CHECK(p[2].second.empty());
  CHECK(p[3].first == "Flag");
  CHECK(p[4].second == "%zz");
  CHECK(FormValue(p, "MessageBody") == "a b!+");
  CHECK(FormValue(p, "Missing").empty());
}

TEST_CASE("flattened query parameters become the JSON input shape") {
  FormParams p = ParseForm(
      "Action=CreateQueue&Version=2012-11-05&QueueName=q"
      "&Attribute.1.Name=VisibilityTimeout&Attribute.1.Value=60"
      "&Attribute.2.Name=DelaySeconds&Attribute.2.Value=5"
      "&Tag.1.Key=team&Tag.1.Value=a");
  CHECK(
      Json(QueryParamsToJson(p, "CreateQueue")) ==
      R"({"Attributes":{"VisibilityTimeout":"60","DelaySeconds":"5"},"QueueName":"q","tags":{"team":"a"}})");
  CHECK(Json(QueryParamsToJson(ParseForm("Tag.1.Key=k&Tag.1.Value=v"), "TagQueue")) ==
        R"({"Tags":{"k":"v"}})");
  // Some serialisers use the JSON member name with numbered entries.
  CHECK(Json(QueryParamsToJson(
            ParseForm("Tags.1.Key=k&Tags.1.Value=v&Attributes.1.Name=a&Attributes.1.Value=1"),
            "X")) == R"({"Attributes":{"a":"1"},"Tags":{"k":"v"}})");
}

TEST_CASE("message attributes, lists and batch entries convert") {
  FormParams p = ParseForm(
      "MessageBody=hi&MessageAttribute.1.Name=n&MessageAttribute.1.Value.DataType=Number"
      "&MessageAttribute.1.Value.StringValue=1"
      "&AttributeName.2=SentTimestamp&AttributeName.1=All&MessageAttributeName.1=All");
  CHECK(Json(QueryParamsToJson(p, "SendMessage")) ==
        R"({"AttributeNames":["All","SentTimestamp"],)"
        R"("MessageAttributes":{"n":{"DataType":"Number","StringValue":"1"}},)"
        R"("MessageAttributeNames":["All"],"MessageBody":"hi"})");

  FormParams batch = ParseForm(
      "SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=x"
      "&SendMessageBatchRequestEntry.2.Id=b&SendMessageBatchRequestEntry.2.MessageBody=y"
      "&SendMessageBatchRequestEntry.2.DelaySeconds=3"
      "&SendMessageBatchRequestEntry.2.MessageAttribute.1.Name=k"
      "&SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.DataType=String"
      "&SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.StringValue=v");
  CHECK(
      Json(QueryParamsToJson(batch, "SendMessageBatch")) ==
      R"({"Entries":[{"Id":"a","MessageBody":"x"},{"DelaySeconds":"3","Id":"b",)"
      R"("MessageAttributes":{"k":{"DataType":"String","StringValue":"v"}},"MessageBody":"y"}]})");
}

TEST_CASE("non-flattened member and entry forms convert too") {
  FormParams p = ParseForm(
      "AttributeNames.member.1=All&Attributes.entry.1.key=DelaySeconds&Attributes.entry.1.value=1");
  CHECK(Json(QueryParamsToJson(p, "X")) ==
        R"({"AttributeNames":["All"],"Attributes":{"DelaySeconds":"1"}})");
}
