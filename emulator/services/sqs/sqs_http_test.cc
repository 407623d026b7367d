#include "services/sqs/sqs_http.h"

#include <rapidjson/document.h>

#include <catch2/catch.hpp>

#include "services/sqs/message_attributes.h"

using namespace ll;
using namespace ll::sqs;

namespace {

constexpr char kHost[] = "127.0.0.1:4566";
constexpr char kUrl[] = "http://127.0.0.1:4566/000000000000/q";

std::string Header(const SqsHttpResponse& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

SqsHttpResponse Json(SqsService& sqs, const std::string& op, const std::string& body) {
  SqsHttpRequest req;
  req.target = "AmazonSQS." + op;
  req.content_type = "application/x-amz-json-1.0";
  req.body = body;
  req.host = kHost;
  req.query_mode_header = true;
  return HandleSqs(sqs, req);
}

SqsHttpResponse Query(SqsService& sqs, const std::string& body, const std::string& path = "/") {
  SqsHttpRequest req;
  req.content_type = "application/x-www-form-urlencoded; charset=utf-8";
  req.body = body + "&Version=2012-11-05";
  req.host = kHost;
  req.path = path;
  return HandleSqs(sqs, req);
}

rapidjson::Document Parse(const SqsHttpResponse& r) {
  rapidjson::Document doc;
  doc.Parse(r.body.c_str());
  REQUIRE_FALSE(doc.HasParseError());
  return doc;
}

std::string S(const rapidjson::Value& v) { return std::string(v.GetString(), v.GetStringLength()); }

std::string FormEncode(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '+')
      out += "%2B";
    else if (c == '/')
      out += "%2F";
    else if (c == '=')
      out += "%3D";
    else
      out += c;
  }
  return out;
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("JSON: a queue's life over the wire") {
  SqsService sqs(SqsOptions{});
  SqsHttpResponse created =
      Json(sqs, "CreateQueue", R"({"QueueName":"q","Attributes":{"VisibilityTimeout":"45"}})");
  CHECK(created.status == 200);
  CHECK(created.content_type == "application/x-amz-json-1.0");
  CHECK(Header(created, "x-amzn-RequestId").size() == 36);
  CHECK(S(Parse(created)["QueueUrl"]) == kUrl);

  CHECK(S(Parse(Json(sqs, "GetQueueUrl", R"({"QueueName":"q"})"))["QueueUrl"]) == kUrl);
  auto listed = Parse(Json(sqs, "ListQueues", R"({"QueueNamePrefix":"q"})"));
  REQUIRE(listed["QueueUrls"].Size() == 1);
  CHECK(Parse(Json(sqs, "ListQueues", R"({"QueueNamePrefix":"zzz"})")).ObjectEmpty());

  auto attrs =
      Parse(Json(sqs, "GetQueueAttributes",
                 std::string(R"({"QueueUrl":")") + kUrl + R"(","AttributeNames":["All"]})"));
  CHECK(S(attrs["Attributes"]["VisibilityTimeout"]) == "45");
  CHECK(S(attrs["Attributes"]["ApproximateNumberOfMessages"]) == "0");

  CHECK(Json(sqs, "SetQueueAttributes",
             std::string(R"({"QueueUrl":")") + kUrl + R"(","Attributes":{"DelaySeconds":"1"}})")
            .body == "{}");
  CHECK(Json(sqs, "TagQueue",
             std::string(R"({"QueueUrl":")") + kUrl + R"(","Tags":{"a":"1","b":"2"}})")
            .status == 200);
  CHECK(Json(sqs, "UntagQueue", std::string(R"({"QueueUrl":")") + kUrl + R"(","TagKeys":["b"]})")
            .status == 200);
  auto tags = Parse(Json(sqs, "ListQueueTags", std::string(R"({"QueueUrl":")") + kUrl + R"("})"));
  CHECK(S(tags["Tags"]["a"]) == "1");
  CHECK_FALSE(tags["Tags"].HasMember("b"));

  CHECK(Json(sqs, "DeleteQueue", std::string(R"({"QueueUrl":")") + kUrl + R"("})").status == 200);
  SqsHttpResponse gone = Json(sqs, "GetQueueUrl", R"({"QueueName":"q"})");
  CHECK(gone.status == 400);
  auto error = Parse(gone);
  CHECK(S(error["__type"]) == "com.amazonaws.sqs#QueueDoesNotExist");
  CHECK(S(error["message"]) == "The specified queue does not exist.");
  CHECK(Header(gone, "x-amzn-query-error") == "AWS.SimpleQueueService.NonExistentQueue;Sender");
  CHECK(Header(gone, "x-amzn-RequestId").size() == 36);
}

TEST_CASE("JSON: send and receive with attributes, digests and filters") {
  SqsService sqs(SqsOptions{});
  REQUIRE(Json(sqs, "CreateQueue", R"({"QueueName":"q"})").status == 200);
  SqsHttpResponse sent = Json(
      sqs, "SendMessage",
      std::string(R"({"QueueUrl":")") + kUrl +
          R"(","MessageBody":"hello","MessageAttributes":{"s":{"DataType":"String","StringValue":"v"},)"
          R"("b":{"DataType":"Binary","BinaryValue":"AAEC"}}})");
  REQUIRE(sent.status == 200);
  auto s = Parse(sent);
  CHECK(S(s["MD5OfMessageBody"]) == Md5Hex("hello"));
  MessageAttributes expected;
  expected["s"] = MessageAttributeValue{"String", "v", "", {}, {}};
  expected["b"] = MessageAttributeValue{"Binary", "", std::string("\x00\x01\x02", 3), {}, {}};
  CHECK(S(s["MD5OfMessageAttributes"]) == MessageAttributesMd5(expected));
  CHECK(S(s["MessageId"]).size() == 36);
  CHECK_FALSE(s.HasMember("SequenceNumber"));

  auto got = Parse(Json(sqs, "ReceiveMessage",
                        std::string(R"({"QueueUrl":")") + kUrl +
                            R"(","MaxNumberOfMessages":10,"MessageSystemAttributeNames":["All"],)"
                            R"("MessageAttributeNames":["All"],"VisibilityTimeout":0})"));
  REQUIRE(got["Messages"].Size() == 1);
  const auto& m = got["Messages"][0];
  CHECK(S(m["Body"]) == "hello");
  CHECK(S(m["MD5OfBody"]) == Md5Hex("hello"));
  CHECK(S(m["Attributes"]["ApproximateReceiveCount"]) == "1");
  CHECK(m["Attributes"].HasMember("SentTimestamp"));
  CHECK(S(m["MessageAttributes"]["b"]["BinaryValue"]) == "AAEC");
  CHECK(S(m["MessageAttributes"]["s"]["StringValue"]) == "v");
  CHECK(S(m["MD5OfMessageAttributes"]) == S(s["MD5OfMessageAttributes"]));

  // Only what is asked for; the digest covers the attributes returned.
  auto filtered =
      Parse(Json(sqs, "ReceiveMessage",
                 std::string(R"({"QueueUrl":")") + kUrl +
                     R"(","AttributeNames":["SentTimestamp"],"MessageAttributeNames":["s"]})"));
  const auto& f = filtered["Messages"][0];
  CHECK(f["Attributes"].MemberCount() == 1);
  CHECK(f["MessageAttributes"].MemberCount() == 1);
  MessageAttributes only_s;
  only_s["s"] = expected["s"];
  CHECK(S(f["MD5OfMessageAttributes"]) == MessageAttributesMd5(only_s));

  // Nothing asked for: no attributes at all, and an empty receive has no Messages key.
  REQUIRE(Json(sqs, "ChangeMessageVisibility",
               std::string(R"({"QueueUrl":")") + kUrl + R"(","ReceiptHandle":")" +
                   S(f["ReceiptHandle"]) + R"(","VisibilityTimeout":0})")
              .status == 200);
  auto bare = Parse(Json(sqs, "ReceiveMessage", std::string(R"({"QueueUrl":")") + kUrl + R"("})"));
  CHECK_FALSE(bare["Messages"][0].HasMember("Attributes"));
  CHECK_FALSE(bare["Messages"][0].HasMember("MessageAttributes"));
  CHECK(Json(sqs, "DeleteMessage",
             std::string(R"({"QueueUrl":")") + kUrl + R"(","ReceiptHandle":")" +
                 S(bare["Messages"][0]["ReceiptHandle"]) + R"("})")
            .status == 200);
  CHECK(Json(sqs, "ReceiveMessage", std::string(R"({"QueueUrl":")") + kUrl + R"("})").body == "{}");
}

TEST_CASE("JSON: errors carry AWS's codes") {
  SqsService sqs(SqsOptions{});
  REQUIRE(Json(sqs, "CreateQueue", R"({"QueueName":"q"})").status == 200);
  auto type = [](const SqsHttpResponse& r) { return S(Parse(r)["__type"]); };
  const std::string url = std::string(R"("QueueUrl":")") + kUrl + R"(")";

  SqsHttpResponse exists =
      Json(sqs, "CreateQueue", R"({"QueueName":"q","Attributes":{"DelaySeconds":"3"}})");
  CHECK(type(exists) == "com.amazonaws.sqs#QueueNameExists");
  CHECK(Header(exists, "x-amzn-query-error") == "QueueAlreadyExists;Sender");

  SqsHttpResponse bad_attr =
      Json(sqs, "SetQueueAttributes", "{" + url + R"(,"Attributes":{"Nope":"1"}})");
  CHECK(type(bad_attr) == "com.amazonaws.sqs#InvalidAttributeName");
  CHECK(Header(bad_attr, "x-amzn-query-error") == "InvalidAttributeName;Sender");
  CHECK(type(Json(sqs, "SetQueueAttributes",
                  "{" + url + R"(,"Attributes":{"DelaySeconds":"-1"}})")) ==
        "com.amazonaws.sqs#InvalidAttributeValue");

  SqsHttpResponse too_big = Json(
      sqs, "SendMessage", "{" + url + R"(,"MessageBody":")" + std::string(1048577, 'x') + R"("})");
  CHECK(too_big.status == 400);
  CHECK(Header(too_big, "x-amzn-query-error") == "InvalidParameterValue;Sender");
  CHECK(Contains(S(Parse(too_big)["message"]), "Message must be shorter than 1048576 bytes"));

  SqsHttpResponse missing = Json(sqs, "SendMessage", "{" + url + "}");
  CHECK(Header(missing, "x-amzn-query-error") == "MissingParameter;Sender");

  CHECK(Header(Json(sqs, "ReceiveMessage", "{" + url + R"(,"MaxNumberOfMessages":11})"),
               "x-amzn-query-error") == "InvalidParameterValue;Sender");
  CHECK(Header(Json(sqs, "ReceiveMessage", "{" + url + R"(,"WaitTimeSeconds":21})"),
               "x-amzn-query-error") == "InvalidParameterValue;Sender");
  CHECK(type(Json(sqs, "DeleteMessage", "{" + url + R"(,"ReceiptHandle":"nope"})")) ==
        "com.amazonaws.sqs#ReceiptHandleIsInvalid");
  CHECK(type(Json(sqs, "SendMessage", R"({"QueueUrl":"nonsense","MessageBody":"x"})")) ==
        "com.amazonaws.sqs#InvalidAddress");
  CHECK(type(Json(sqs, "SendMessage", "{not json")) ==
        "com.amazon.coral.service#SerializationException");
  SqsHttpResponse unknown = Json(sqs, "FlyToTheMoon", "{}");
  CHECK(type(unknown) == "com.amazon.coral.service#UnknownOperationException");
  CHECK(Header(unknown, "x-amzn-query-error") == "InvalidAction;Sender");
}

TEST_CASE("JSON: batches report per-entry failures and batch-wide errors") {
  SqsService sqs(SqsOptions{});
  REQUIRE(Json(sqs, "CreateQueue", R"({"QueueName":"q"})").status == 200);
  const std::string url = std::string(R"("QueueUrl":")") + kUrl + R"(")";

  auto sent = Parse(Json(sqs, "SendMessageBatch",
                         "{" + url +
                             R"(,"Entries":[{"Id":"ok","MessageBody":"a"},)"
                             R"({"Id":"bad","MessageBody":"b","DelaySeconds":901},)"
                             R"({"Id":"empty","MessageBody":""}]})"));
  REQUIRE(sent["Successful"].Size() == 1);
  CHECK(S(sent["Successful"][0]["Id"]) == "ok");
  CHECK(S(sent["Successful"][0]["MD5OfMessageBody"]) == Md5Hex("a"));
  REQUIRE(sent["Failed"].Size() == 2);
  CHECK(S(sent["Failed"][0]["Id"]) == "bad");
  CHECK(S(sent["Failed"][0]["Code"]) == "InvalidParameterValue");
  CHECK(sent["Failed"][0]["SenderFault"].GetBool());
  CHECK(S(sent["Failed"][1]["Code"]) == "MissingParameter");

  auto header = [](const SqsHttpResponse& r) { return Header(r, "x-amzn-query-error"); };
  CHECK(header(Json(sqs, "SendMessageBatch", "{" + url + R"(,"Entries":[]})")) ==
        "AWS.SimpleQueueService.EmptyBatchRequest;Sender");
  std::string eleven;
  for (int i = 0; i < 11; ++i) {
    eleven +=
        std::string(i ? "," : "") + R"({"Id":"e)" + std::to_string(i) + R"(","MessageBody":"x"})";
  }
  CHECK(header(Json(sqs, "SendMessageBatch", "{" + url + R"(,"Entries":[)" + eleven + "]}")) ==
        "AWS.SimpleQueueService.TooManyEntriesInBatchRequest;Sender");
  CHECK(header(Json(
            sqs, "SendMessageBatch",
            "{" + url +
                R"(,"Entries":[{"Id":"a","MessageBody":"x"},{"Id":"a","MessageBody":"y"}]})")) ==
        "AWS.SimpleQueueService.BatchEntryIdsNotDistinct;Sender");
  CHECK(header(Json(sqs, "SendMessageBatch",
                    "{" + url + R"(,"Entries":[{"Id":"a b","MessageBody":"x"}]})")) ==
        "AWS.SimpleQueueService.InvalidBatchEntryId;Sender");
  std::string half = std::string(600000, 'x');
  CHECK(header(Json(sqs, "SendMessageBatch",
                    "{" + url + R"(,"Entries":[{"Id":"a","MessageBody":")" + half +
                        R"("},{"Id":"b","MessageBody":")" + half + R"("}]})")) ==
        "AWS.SimpleQueueService.BatchRequestTooLong;Sender");

  auto got = Parse(Json(sqs, "ReceiveMessage", "{" + url + R"(,"MaxNumberOfMessages":10})"));
  REQUIRE(got["Messages"].Size() == 1);
  const std::string handle = S(got["Messages"][0]["ReceiptHandle"]);
  auto changed = Parse(Json(
      sqs, "ChangeMessageVisibilityBatch",
      "{" + url + R"(,"Entries":[{"Id":"1","ReceiptHandle":")" + handle +
          R"(","VisibilityTimeout":60},{"Id":"2","ReceiptHandle":"junk","VisibilityTimeout":60}]})"));
  CHECK(changed["Successful"].Size() == 1);
  REQUIRE(changed["Failed"].Size() == 1);
  CHECK(S(changed["Failed"][0]["Code"]) == "ReceiptHandleIsInvalid");
  auto deleted = Parse(Json(sqs, "DeleteMessageBatch",
                            "{" + url + R"(,"Entries":[{"Id":"1","ReceiptHandle":")" + handle +
                                R"("},{"Id":"2","ReceiptHandle":"junk"}]})"));
  CHECK(deleted["Successful"].Size() == 1);
  CHECK(deleted["Failed"].Size() == 1);
}

TEST_CASE("JSON: FIFO sends return sequence numbers; DLQ sources are listed") {
  SqsService sqs(SqsOptions{});
  REQUIRE(
      Json(
          sqs, "CreateQueue",
          R"({"QueueName":"f.fifo","Attributes":{"FifoQueue":"true","ContentBasedDeduplication":"true"}})")
          .status == 200);
  auto sent = Parse(Json(
      sqs, "SendMessage",
      R"({"QueueUrl":"http://127.0.0.1:4566/000000000000/f.fifo","MessageBody":"x","MessageGroupId":"g"})"));
  CHECK(S(sent["SequenceNumber"]).size() == 20);

  REQUIRE(Json(sqs, "CreateQueue", R"({"QueueName":"dlq"})").status == 200);
  REQUIRE(
      Json(
          sqs, "CreateQueue",
          R"({"QueueName":"src","Attributes":{"RedrivePolicy":"{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:000000000000:dlq\",\"maxReceiveCount\":\"2\"}"}})")
          .status == 200);
  auto sources = Parse(Json(sqs, "ListDeadLetterSourceQueues",
                            R"({"QueueUrl":"http://127.0.0.1:4566/000000000000/dlq"})"));
  REQUIRE(sources["queueUrls"].Size() == 1);
  CHECK(S(sources["queueUrls"][0]) == "http://127.0.0.1:4566/000000000000/src");
}

TEST_CASE("JSON: ListQueues paginates with MaxResults and NextToken") {
  SqsService sqs(SqsOptions{});
  for (std::string name : {"a", "b", "c"}) {
    REQUIRE(Json(sqs, "CreateQueue", R"({"QueueName":")" + name + R"("})").status == 200);
  }
  auto first = Parse(Json(sqs, "ListQueues", R"({"MaxResults":2})"));
  REQUIRE(first["QueueUrls"].Size() == 2);
  REQUIRE(first.HasMember("NextToken"));
  auto second = Parse(Json(sqs, "ListQueues",
                           R"({"MaxResults":2,"NextToken":")" + S(first["NextToken"]) + R"("})"));
  REQUIRE(second["QueueUrls"].Size() == 1);
  CHECK(S(second["QueueUrls"][0]) == "http://127.0.0.1:4566/000000000000/c");
  CHECK_FALSE(second.HasMember("NextToken"));
}

TEST_CASE("query: create, send, receive and delete with XML answers") {
  SqsService sqs(SqsOptions{});
  SqsHttpResponse created =
      Query(sqs,
            "Action=CreateQueue&QueueName=q&Attribute.1.Name=VisibilityTimeout"
            "&Attribute.1.Value=45&Tag.1.Key=team&Tag.1.Value=a");
  CHECK(created.status == 200);
  CHECK(created.content_type == "text/xml");
  CHECK(Contains(created.body,
                 "<CreateQueueResponse xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\">"));
  CHECK(Contains(created.body,
                 "<CreateQueueResult><QueueUrl>http://127.0.0.1:4566/000000000000/q</QueueUrl></"
                 "CreateQueueResult>"));
  CHECK(Contains(created.body,
                 "<ResponseMetadata><RequestId>" + Header(created, "x-amzn-RequestId")));
  CHECK(sqs.FindByName("q").value()->tags().at("team") == "a");

  SqsHttpResponse sent =
      Query(sqs,
            "Action=SendMessage&QueueUrl=http%3A%2F%2F127.0.0.1%3A4566%2F000000000000%2Fq"
            "&MessageBody=a%3Cb%3E%26%0D"
            "&MessageAttribute.1.Name=k&MessageAttribute.1.Value.DataType=String"
            "&MessageAttribute.1.Value.StringValue=v");
  CHECK(sent.status == 200);
  MessageAttributes expected;
  expected["k"] = MessageAttributeValue{"String", "v", "", {}, {}};
  CHECK(Contains(sent.body, "<MD5OfMessageBody>" + Md5Hex("a<b>&\r") + "</MD5OfMessageBody>"));
  CHECK(Contains(sent.body, "<MD5OfMessageAttributes>" + MessageAttributesMd5(expected) +
                                "</MD5OfMessageAttributes>"));

  // Older clients POST to the queue URL itself.
  SqsHttpResponse got = Query(sqs,
                              "Action=ReceiveMessage&AttributeName.1=All&MessageAttributeName.1=All"
                              "&MaxNumberOfMessages=5",
                              "/000000000000/q");
  CHECK(got.status == 200);
  CHECK(Contains(got.body, "<Body>a&lt;b&gt;&amp;&#xD;</Body>"));
  CHECK(Contains(got.body,
                 "<Attribute><Name>ApproximateReceiveCount</Name><Value>1</Value></Attribute>"));
  CHECK(Contains(got.body,
                 "<MessageAttribute><Name>k</Name><Value><StringValue>v</"
                 "StringValue><DataType>String</DataType></Value></MessageAttribute>"));
  size_t start = got.body.find("<ReceiptHandle>") + 15;
  std::string handle = got.body.substr(start, got.body.find("</ReceiptHandle>") - start);

  SqsHttpResponse deleted =
      Query(sqs,
            "Action=DeleteMessageBatch&QueueUrl=http://127.0.0.1:4566/000000000000/q"
            "&DeleteMessageBatchRequestEntry.1.Id=one"
            "&DeleteMessageBatchRequestEntry.1.ReceiptHandle=" +
                FormEncode(handle) +
                "&DeleteMessageBatchRequestEntry.2.Id=two"
                "&DeleteMessageBatchRequestEntry.2.ReceiptHandle=junk");
  CHECK(Contains(deleted.body,
                 "<DeleteMessageBatchResultEntry><Id>one</Id></DeleteMessageBatchResultEntry>"));
  CHECK(Contains(deleted.body,
                 "<BatchResultErrorEntry><Id>two</Id><SenderFault>true</"
                 "SenderFault><Code>ReceiptHandleIsInvalid</Code>"));

  SqsHttpResponse attrs = Query(
      sqs, "Action=GetQueueAttributes&QueueUrl=/000000000000/q&AttributeName.1=VisibilityTimeout");
  CHECK(Contains(attrs.body,
                 "<GetQueueAttributesResult><Attribute><Name>VisibilityTimeout</Name><Value>45</"
                 "Value></Attribute></GetQueueAttributesResult>"));
  SqsHttpResponse listed = Query(sqs, "Action=ListQueues&QueueNamePrefix=q");
  CHECK(Contains(listed.body,
                 "<ListQueuesResult><QueueUrl>http://127.0.0.1:4566/000000000000/q</QueueUrl></"
                 "ListQueuesResult>"));
  SqsHttpResponse purged = Query(sqs, "Action=PurgeQueue&QueueUrl=/000000000000/q");
  CHECK(Contains(purged.body,
                 "<PurgeQueueResponse "
                 "xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\"><ResponseMetadata>"));
}

TEST_CASE("query: errors use the legacy codes") {
  SqsService sqs(SqsOptions{});
  SqsHttpResponse missing = Query(sqs, "Action=GetQueueUrl&QueueName=nope");
  CHECK(missing.status == 400);
  CHECK(Contains(missing.body,
                 "<ErrorResponse "
                 "xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\"><Error><Type>Sender</Type>"
                 "<Code>AWS.SimpleQueueService.NonExistentQueue</Code>"
                 "<Message>The specified queue does not exist.</Message><Detail/></Error>"
                 "<RequestId>" +
                     Header(missing, "x-amzn-RequestId") + "</RequestId></ErrorResponse>"));
  CHECK(Contains(Query(sqs, "Action=Dance").body, "<Code>InvalidAction</Code>"));
  CHECK(Contains(Query(sqs, "QueueName=x").body, "<Code>MissingParameter</Code>"));
  REQUIRE(Query(sqs, "Action=CreateQueue&QueueName=q").status == 200);
  CHECK(Contains(
      Query(sqs, "Action=CreateQueue&QueueName=q&Attribute.1.Name=DelaySeconds&Attribute.1.Value=9")
          .body,
      "<Code>QueueAlreadyExists</Code>"));
  CHECK(Contains(Query(sqs, "Action=SendMessageBatch&QueueUrl=/000000000000/q").body,
                 "<Code>AWS.SimpleQueueService.EmptyBatchRequest</Code>"));
}
