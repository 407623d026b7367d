#include "services/s3/notifications.h"

#include <rapidjson/document.h>

#include <catch2/catch.hpp>
#include <set>
#include <string>

using namespace ll::s3;

namespace {

constexpr char kQueueArn[] = "arn:aws:sqs:us-east-1:123456789012:uploads";
constexpr char kTopicArn[] = "arn:aws:sns:us-east-1:123456789012:alerts";
constexpr char kFunctionArn[] = "arn:aws:lambda:us-east-1:123456789012:function:thumbs";

std::string Doc(const std::string& body, bool with_namespace = true) {
  std::string open = with_namespace
                         ? "<NotificationConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                         : "<NotificationConfiguration>";
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>" + open + body + "</NotificationConfiguration>";
}

std::string Rule(const std::string& name, const std::string& value) {
  return "<FilterRule><Name>" + name + "</Name><Value>" + value + "</Value></FilterRule>";
}

std::string Queue(const std::string& events, const std::string& rules = "",
                  const std::string& id = "", const std::string& arn = kQueueArn) {
  std::string out = "<QueueConfiguration>";
  if (!id.empty()) out += "<Id>" + id + "</Id>";
  out += "<Queue>" + arn + "</Queue>" + events;
  if (!rules.empty()) out += "<Filter><S3Key>" + rules + "</S3Key></Filter>";
  return out + "</QueueConfiguration>";
}

std::string Event(const std::string& name) { return "<Event>" + name + "</Event>"; }

NotificationError ErrorOf(const std::string& xml) {
  NotificationConfigResult r = ParseNotificationConfiguration(xml);
  REQUIRE_FALSE(r.ok());
  return r.error();
}

NotificationTarget Target(std::vector<std::string> events, std::optional<std::string> prefix = {},
                          std::optional<std::string> suffix = {}) {
  NotificationTarget t;
  t.kind = TargetKind::kLambda;
  t.id = "cfg";
  t.arn = kFunctionArn;
  t.events = std::move(events);
  t.prefix = std::move(prefix);
  t.suffix = std::move(suffix);
  return t;
}

S3EventInfo PutInfo() {
  S3EventInfo info;
  info.region = "us-east-2";
  info.event_name = "s3:ObjectCreated:Put";
  info.event_time = std::chrono::system_clock::time_point(std::chrono::milliseconds(1567539447192));
  info.principal_id = "AWS:AIDAINPONIXQXHT3IKHL2";
  info.source_ip = "205.255.255.255";
  info.request_id = "D82B88E5F771F645";
  info.host_id = "vlR7PnpV2Ce81l0PRw6jlUpck7Jo5ZsQjryTjKlc5aLWGVHPZLj5NeC6qMa0emYBDXOo6QBU0Wo=";
  info.configuration_id = "828aa6fc-f7b5-4305-8584-487c791949c1";
  info.bucket = "DOC-EXAMPLE-BUCKET";
  info.bucket_owner_principal_id = "A3I5XTEXAMAI3E";
  info.key = "b21b84d653bb07b05b1e6b33684dc11b";
  info.size = 1305107;
  info.etag = "\"b21b84d653bb07b05b1e6b33684dc11b\"";
  info.sequencer = "0C0F6F405D6ED209E1";
  return info;
}

const rapidjson::Value& Record(rapidjson::Document& doc, const std::string& json) {
  doc.Parse(json.c_str());
  REQUIRE_FALSE(doc.HasParseError());
  REQUIRE(doc.IsObject());
  REQUIRE(doc.MemberCount() == 1);
  REQUIRE(doc["Records"].IsArray());
  REQUIRE(doc["Records"].Size() == 1);
  return doc["Records"][0];
}

std::string S(const rapidjson::Value& v) { return std::string(v.GetString(), v.GetStringLength()); }

}  // namespace

TEST_CASE("a full configuration parses, with or without the S3 namespace") {
  std::string body =
      Queue(Event("s3:ObjectCreated:*") + Event("s3:ObjectRemoved:Delete"),
            Rule("prefix", "images/") + Rule("suffix", ".jpg"), "q1") +
      "<TopicConfiguration><Id>t1</Id><Topic>" + std::string(kTopicArn) +
      "</Topic><Event>s3:ObjectTagging:*</Event></TopicConfiguration>"
      "<CloudFunctionConfiguration><CloudFunction>" + kFunctionArn +
      "</CloudFunction><Event>s3:ObjectRestore:Post</Event></CloudFunctionConfiguration>"
      "<EventBridgeConfiguration/>";
  for (bool ns : {true, false}) {
    NotificationConfigResult r = ParseNotificationConfiguration(Doc(body, ns));
    REQUIRE(r.ok());
    const NotificationConfig& c = r.value();
    CHECK(c.event_bridge_enabled);
    REQUIRE(c.targets.size() == 3);
    CHECK(c.targets[0].kind == TargetKind::kQueue);
    CHECK(c.targets[0].id == "q1");
    CHECK(c.targets[0].arn == kQueueArn);
    CHECK(c.targets[0].events == std::vector<std::string>{"s3:ObjectCreated:*", "s3:ObjectRemoved:Delete"});
    CHECK(c.targets[0].prefix == "images/");
    CHECK(c.targets[0].suffix == ".jpg");
    CHECK(c.targets[1].kind == TargetKind::kTopic);
    CHECK(c.targets[1].arn == kTopicArn);
    CHECK_FALSE(c.targets[1].prefix);
    CHECK_FALSE(c.targets[1].suffix);
    CHECK(c.targets[2].kind == TargetKind::kLambda);
    CHECK(c.targets[2].arn == kFunctionArn);
    CHECK(c.targets[2].id.size() == 48);  // generated
  }
}

TEST_CASE("the body botocore 1.43 serializes for put_bucket_notification_configuration parses") {
  // Captured from botocore's rest-xml serializer (all three kinds, a filter, EventBridge).
  const std::string kBody = R"(<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><CloudFunctionConfiguration><CloudFunction>arn:aws:lambda:us-east-1:123456789012:function:f</CloudFunction><Event>s3:ObjectCreated:*</Event><Filter><S3Key><FilterRule><Name>prefix</Name><Value>in/</Value></FilterRule></S3Key></Filter></CloudFunctionConfiguration><QueueConfiguration><Id>q</Id><Queue>arn:aws:sqs:us-east-1:123456789012:q</Queue><Event>s3:ObjectRemoved:*</Event><Event>s3:ObjectTagging:Put</Event></QueueConfiguration><TopicConfiguration><Topic>arn:aws:sns:us-east-1:123456789012:t</Topic><Event>s3:ObjectRestore:*</Event></TopicConfiguration><EventBridgeConfiguration /></NotificationConfiguration>)";
  NotificationConfigResult r = ParseNotificationConfiguration(kBody);
  REQUIRE(r.ok());
  REQUIRE(r.value().targets.size() == 3);
  CHECK(r.value().targets[0].kind == TargetKind::kLambda);
  CHECK(r.value().targets[0].prefix == "in/");
  CHECK(r.value().targets[1].id == "q");
  CHECK(r.value().targets[1].events.size() == 2);
  CHECK(r.value().targets[2].kind == TargetKind::kTopic);
  CHECK(r.value().event_bridge_enabled);
}

TEST_CASE("a prefixed namespace and surrounding whitespace are accepted") {
  std::string xml =
      "<s3:NotificationConfiguration xmlns:s3=\"http://s3.amazonaws.com/doc/2006-03-01/\">\n"
      "  <s3:QueueConfiguration>\n    <s3:Queue> " + std::string(kQueueArn) + " </s3:Queue>\n"
      "    <s3:Event>\n      s3:ObjectCreated:Put\n    </s3:Event>\n"
      "    <s3:Filter><s3:S3Key><s3:FilterRule><s3:Name> Prefix </s3:Name>"
      "<s3:Value>a &amp; b/</s3:Value></s3:FilterRule></s3:S3Key></s3:Filter>\n"
      "  </s3:QueueConfiguration>\n</s3:NotificationConfiguration>";
  NotificationConfigResult r = ParseNotificationConfiguration(xml);
  REQUIRE(r.ok());
  REQUIRE(r.value().targets.size() == 1);
  CHECK(r.value().targets[0].arn == kQueueArn);
  CHECK(r.value().targets[0].events == std::vector<std::string>{"s3:ObjectCreated:Put"});
  CHECK(r.value().targets[0].prefix == "a & b/");
}

TEST_CASE("an empty configuration turns notifications off") {
  for (std::string xml : {Doc(""), std::string("<NotificationConfiguration/>"),
                          std::string("<NotificationConfiguration xmlns=\"http://s3.amazonaws.com/"
                                      "doc/2006-03-01/\"></NotificationConfiguration>")}) {
    NotificationConfigResult r = ParseNotificationConfiguration(xml);
    REQUIRE(r.ok());
    CHECK(r.value().empty());
  }
}

TEST_CASE("generated ids are unique") {
  NotificationConfigResult r = ParseNotificationConfiguration(
      Doc(Queue(Event("s3:ObjectCreated:*")) + Queue(Event("s3:ObjectRemoved:*"))));
  REQUIRE(r.ok());
  CHECK(r.value().targets[0].id != r.value().targets[1].id);
  CHECK_FALSE(r.value().targets[0].id.empty());
}

TEST_CASE("XML that is not well formed or does not fit the schema is MalformedXML") {
  const std::string kMessage =
      "The XML you provided was not well-formed or did not validate against our published schema";
  std::vector<std::string> bad = {
      "",
      "not xml",
      "<NotificationConfiguration><QueueConfiguration>",
      "<Other/>",
      "<NotificationConfiguration/><NotificationConfiguration/>",
      "<NotificationConfiguration/>junk",
      Doc("<Unknown/>"),
      Doc("<QueueConfiguration><Event>s3:ObjectCreated:*</Event></QueueConfiguration>"),  // no ARN
      Doc(Queue("")),                                                                      // no Event
      Doc("<QueueConfiguration><Queue>" + std::string(kQueueArn) + "</Queue><Queue>" + kQueueArn +
          "</Queue><Event>s3:ObjectCreated:*</Event></QueueConfiguration>"),
      Doc("<QueueConfiguration><Topic>" + std::string(kTopicArn) +  // wrong ARN element
          "</Topic><Event>s3:ObjectCreated:*</Event></QueueConfiguration>"),
      Doc(Queue(Event("s3:ObjectCreated:*"), "<Bogus/>")),
      Doc(Queue(Event("s3:ObjectCreated:*"), "<FilterRule><Name>prefix</Name><Other/></FilterRule>")),
      Doc(Queue(Event("s3:ObjectCreated:*"), "", "a") + "<QueueConfiguration><Id>x</Id><Id>y</Id><Queue>" +
          kQueueArn + "</Queue><Event>s3:ObjectRemoved:*</Event></QueueConfiguration>"),
  };
  for (const std::string& xml : bad) {
    INFO(xml);
    NotificationError e = ErrorOf(xml);
    CHECK(e.code == "MalformedXML");
    CHECK(e.message == kMessage);
    CHECK(e.argument_name.empty());
  }
}

TEST_CASE("an unsupported event is InvalidArgument naming the event") {
  for (std::string event : {"s3:ObjectCreated:Bogus", "ObjectCreated:Put", "s3:ObjectCreated",
                            "s3:*", "s3:TestEvent", "s3:objectcreated:put"}) {
    NotificationError e = ErrorOf(Doc(Queue(Event("s3:ObjectRemoved:*") + Event(event))));
    CHECK(e.code == "InvalidArgument");
    CHECK(e.message == "The event is not supported for notifications");
    CHECK(e.argument_name == "Event");
    CHECK(e.argument_value == event);
  }
}

TEST_CASE("filter rule names: prefix or suffix in any case, at most one of each") {
  NotificationError e = ErrorOf(Doc(Queue(Event("s3:ObjectCreated:*"), Rule("INVALID", "x"))));
  CHECK(e.code == "InvalidArgument");
  CHECK(e.message == "filter rule name must be either prefix or suffix");
  CHECK(e.argument_name == "FilterRule.Name");
  CHECK(e.argument_value == "INVALID");

  e = ErrorOf(Doc(Queue(Event("s3:ObjectCreated:*"), Rule("prefix", "a/") + Rule("Prefix", "b/"))));
  CHECK(e.message == "Cannot specify more than one prefix rule in a filter.");
  CHECK(e.argument_name == "FilterRule.Name");
  e = ErrorOf(Doc(Queue(Event("s3:ObjectCreated:*"), Rule("suffix", ".a") + Rule("SUFFIX", ".b"))));
  CHECK(e.message == "Cannot specify more than one suffix rule in a filter.");

  NotificationConfigResult r = ParseNotificationConfiguration(
      Doc(Queue(Event("s3:ObjectCreated:*"), Rule("PREFIX", "notif-") + Rule("sUfFiX", ".txt"))));
  REQUIRE(r.ok());
  CHECK(r.value().targets[0].prefix == "notif-");
  CHECK(r.value().targets[0].suffix == ".txt");
}

TEST_CASE("an ARN that does not parse for its kind is InvalidArgument naming the element") {
  NotificationError e = ErrorOf(Doc(Queue(Event("s3:ObjectCreated:*"), "", "", "invalid-queue")));
  CHECK(e.code == "InvalidArgument");
  CHECK(e.message == "The ARN could not be parsed");
  CHECK(e.argument_name == "Queue");
  CHECK(e.argument_value == "invalid-queue");

  e = ErrorOf(Doc("<CloudFunctionConfiguration><CloudFunction>" + std::string(kQueueArn) +
                  "</CloudFunction><Event>s3:ObjectCreated:*</Event></CloudFunctionConfiguration>"));
  CHECK(e.argument_name == "CloudFunction");
  e = ErrorOf(Doc("<TopicConfiguration><Topic>arn:aws:sns:us-east-1:1</Topic>"
                  "<Event>s3:ObjectCreated:*</Event></TopicConfiguration>"));
  CHECK(e.argument_name == "Topic");
}

TEST_CASE("configurations that could both match one event are rejected") {
  const std::string kOverlap =
      "Configurations overlap. Configurations on the same bucket cannot share a common event type.";
  const std::string kAmbiguous =
      "Configuration is ambiguously defined. Cannot have overlapping suffixes in two rules if the "
      "prefixes are overlapping for the same event type.";

  NotificationError e =
      ErrorOf(Doc(Queue(Event("s3:ObjectRemoved:*")) + Queue(Event("s3:ObjectRemoved:*"))));
  CHECK(e.code == "InvalidArgument");
  CHECK(e.message == kOverlap);
  CHECK(e.argument_name == "Event");
  CHECK(e.argument_value == "s3:ObjectRemoved:*, s3:ObjectRemoved:*");

  // A wildcard overlaps its members, across kinds too.
  e = ErrorOf(Doc(Queue(Event("s3:ObjectCreated:Put")) +
                  "<CloudFunctionConfiguration><CloudFunction>" + kFunctionArn +
                  "</CloudFunction><Event>s3:ObjectCreated:*</Event></CloudFunctionConfiguration>"));
  CHECK(e.message == kOverlap);
  CHECK(e.argument_value == "s3:ObjectCreated:Put, s3:ObjectCreated:*");

  // The AWS guide's invalid examples: the root prefix overlaps any prefix; "jpg" and "pg" both end
  // a key; a prefix+suffix rule overlaps the same suffix alone.
  CHECK(ErrorOf(Doc(Queue(Event("s3:ObjectCreated:*")) +
                    Queue(Event("s3:ObjectCreated:*"), Rule("prefix", "images"))))
            .message == kAmbiguous);
  CHECK(ErrorOf(Doc(Queue(Event("s3:ObjectCreated:*"), Rule("suffix", "jpg")) +
                    Queue(Event("s3:ObjectCreated:Put"), Rule("suffix", "pg"))))
            .message == kAmbiguous);
  CHECK(ErrorOf(Doc(Queue(Event("s3:ObjectCreated:*"), Rule("prefix", "images") + Rule("suffix", "jpg")) +
                    Queue(Event("s3:ObjectCreated:Put"), Rule("suffix", "jpg"))))
            .message == kAmbiguous);

  // The guide's valid examples: disjoint prefixes, disjoint suffixes, a shared prefix with
  // disjoint suffixes, and the same filter for different event types.
  std::vector<std::string> valid = {
      Queue(Event("s3:ObjectCreated:Put"), Rule("prefix", "images/")) +
          Queue(Event("s3:ObjectCreated:Put"), Rule("prefix", "logs/")),
      Queue(Event("s3:ObjectCreated:Put"), Rule("suffix", ".jpg")) +
          Queue(Event("s3:ObjectCreated:Put"), Rule("suffix", ".png")),
      Queue(Event("s3:ObjectCreated:Put"), Rule("prefix", "images") + Rule("suffix", ".jpg")) +
          Queue(Event("s3:ObjectCreated:Put"), Rule("prefix", "images") + Rule("suffix", ".png")),
      Queue(Event("s3:ObjectCreated:Put"), Rule("prefix", "image/")) +
          Queue(Event("s3:ObjectRemoved:*"), Rule("prefix", "image/")),
      Queue(Event("s3:ObjectCreated:Put")) + Queue(Event("s3:ObjectCreated:Copy")),
  };
  for (const std::string& body : valid) {
    INFO(body);
    CHECK(ParseNotificationConfiguration(Doc(body)).ok());
  }
}

TEST_CASE("serialization gives the Get body and parses back to the same configuration") {
  NotificationConfig c;
  NotificationTarget topic = Target({"s3:ObjectTagging:*"});
  topic.kind = TargetKind::kTopic;
  topic.id = "topic <1> & \"co\"";
  topic.arn = kTopicArn;
  NotificationTarget queue = Target({"s3:ObjectCreated:*", "s3:ObjectRemoved:Delete"}, "up/", ".txt");
  queue.kind = TargetKind::kQueue;
  queue.id = "q";
  queue.arn = kQueueArn;
  NotificationTarget function = Target({"s3:ObjectRestore:*"}, std::nullopt, "");
  c.targets = {topic, queue, function};
  c.event_bridge_enabled = true;

  std::string xml = SerializeNotificationConfiguration(c);
  CHECK(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<NotificationConfiguration "
                        "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"));
  CHECK(xml.find("<QueueConfiguration><Id>q</Id><Queue>" + std::string(kQueueArn) +
                 "</Queue><Event>s3:ObjectCreated:*</Event><Event>s3:ObjectRemoved:Delete</Event>"
                 "<Filter><S3Key><FilterRule><Name>Prefix</Name><Value>up/</Value></FilterRule>"
                 "<FilterRule><Name>Suffix</Name><Value>.txt</Value></FilterRule></S3Key></Filter>"
                 "</QueueConfiguration>") != std::string::npos);
  CHECK(xml.find("<Id>topic &lt;1&gt; &amp; &quot;co&quot;</Id>") != std::string::npos);
  CHECK(xml.find("<TopicConfiguration>") < xml.find("<QueueConfiguration>"));
  CHECK(xml.find("<QueueConfiguration>") < xml.find("<CloudFunctionConfiguration>"));
  CHECK(xml.find("<EventBridgeConfiguration>") != std::string::npos);

  NotificationConfigResult back = ParseNotificationConfiguration(xml);
  REQUIRE(back.ok());
  CHECK(back.value().event_bridge_enabled);
  REQUIRE(back.value().targets.size() == 3);
  for (size_t i = 0; i < 3; ++i) {
    const NotificationTarget& a = c.targets[i];
    const NotificationTarget& b = back.value().targets[i];
    CHECK(a.kind == b.kind);
    CHECK(a.id == b.id);
    CHECK(a.arn == b.arn);
    CHECK(a.events == b.events);
    CHECK(a.prefix == b.prefix);
    CHECK(a.suffix == b.suffix);
  }
  CHECK(SerializeNotificationConfiguration(back.value()) == xml);
}

TEST_CASE("an empty configuration serializes to an empty element") {
  CHECK(SerializeNotificationConfiguration({}) ==
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<NotificationConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"/>");
  NotificationConfigResult r = ParseNotificationConfiguration(SerializeNotificationConfiguration({}));
  REQUIRE(r.ok());
  CHECK(r.value().empty());
}

TEST_CASE("the supported event names are botocore's enum") {
  CHECK(SupportedEventNames().size() == 27);
  std::set<std::string_view> unique(SupportedEventNames().begin(), SupportedEventNames().end());
  CHECK(unique.size() == 27);
  for (std::string_view name : {"s3:ObjectCreated:*", "s3:ObjectCreated:Put", "s3:ObjectCreated:Post",
                                "s3:ObjectCreated:Copy", "s3:ObjectCreated:CompleteMultipartUpload",
                                "s3:ObjectRemoved:*", "s3:ObjectRemoved:Delete",
                                "s3:ObjectRemoved:DeleteMarkerCreated", "s3:ObjectTagging:*",
                                "s3:ObjectRestore:*", "s3:ReducedRedundancyLostObject",
                                "s3:LifecycleTransition"}) {
    CHECK(IsSupportedEventName(name));
  }
  CHECK_FALSE(IsSupportedEventName("s3:ObjectCreated:put"));
  CHECK_FALSE(IsSupportedEventName(""));
}

TEST_CASE("event patterns match with a trailing wildcard only") {
  CHECK(EventPatternMatches("s3:ObjectCreated:*", "s3:ObjectCreated:Put"));
  CHECK(EventPatternMatches("s3:ObjectCreated:*", "s3:ObjectCreated:CompleteMultipartUpload"));
  CHECK(EventPatternMatches("s3:ObjectCreated:Put", "s3:ObjectCreated:Put"));
  CHECK_FALSE(EventPatternMatches("s3:ObjectCreated:Put", "s3:ObjectCreated:Post"));
  CHECK_FALSE(EventPatternMatches("s3:ObjectCreated:*", "s3:ObjectRemoved:Delete"));
  CHECK_FALSE(EventPatternMatches("s3:ObjectRemoved:*", "s3:ObjectRemovedX"));
  CHECK_FALSE(EventPatternMatches("s3:ObjectCreated:Put", "s3:ObjectCreated:*"));
}

TEST_CASE("Matches needs a matching event and the key's prefix and suffix") {
  NotificationTarget any = Target({"s3:ObjectCreated:*"});
  CHECK(Matches(any, "s3:ObjectCreated:Put", "anything"));
  CHECK(Matches(any, "s3:ObjectCreated:Copy", ""));
  CHECK_FALSE(Matches(any, "s3:ObjectRemoved:Delete", "anything"));

  NotificationTarget filtered =
      Target({"s3:ObjectCreated:Put", "s3:ObjectRemoved:*"}, "images/", ".jpg");
  CHECK(Matches(filtered, "s3:ObjectCreated:Put", "images/cat.jpg"));
  CHECK(Matches(filtered, "s3:ObjectRemoved:DeleteMarkerCreated", "images/a/b.jpg"));
  CHECK_FALSE(Matches(filtered, "s3:ObjectCreated:Copy", "images/cat.jpg"));
  CHECK_FALSE(Matches(filtered, "s3:ObjectCreated:Put", "images/cat.png"));
  CHECK_FALSE(Matches(filtered, "s3:ObjectCreated:Put", "thumbs/cat.jpg"));
  CHECK_FALSE(Matches(filtered, "s3:ObjectCreated:Put", "IMAGES/cat.jpg"));  // values are case-sensitive
  CHECK_FALSE(Matches(filtered, "s3:ObjectCreated:Put", "images/cat.JPG"));
  CHECK_FALSE(Matches(filtered, "s3:ObjectCreated:Put", ".jpg"));

  // The filter sees the raw key, not the encoded one.
  CHECK(Matches(Target({"s3:ObjectCreated:*"}, "red flower"), "s3:ObjectCreated:Put", "red flower.jpg"));

  // A parsed upper-case rule name filters the same.
  NotificationConfigResult r = ParseNotificationConfiguration(
      Doc(Queue(Event("s3:ObjectCreated:*"), Rule("Prefix", "in/") + Rule("SUFFIX", ".csv"))));
  REQUIRE(r.ok());
  CHECK(Matches(r.value().targets[0], "s3:ObjectCreated:Put", "in/data.csv"));
  CHECK_FALSE(Matches(r.value().targets[0], "s3:ObjectCreated:Put", "out/data.csv"));
}

TEST_CASE("an ObjectCreated record has AWS's 2.1 shape") {
  rapidjson::Document doc;
  const rapidjson::Value& r = Record(doc, BuildEventRecordJson(PutInfo()));
  CHECK(S(r["eventVersion"]) == "2.1");
  CHECK(S(r["eventSource"]) == "aws:s3");
  CHECK(S(r["awsRegion"]) == "us-east-2");
  CHECK(S(r["eventTime"]) == "2019-09-03T19:37:27.192Z");
  CHECK(S(r["eventName"]) == "ObjectCreated:Put");
  CHECK(S(r["userIdentity"]["principalId"]) == "AWS:AIDAINPONIXQXHT3IKHL2");
  CHECK(S(r["requestParameters"]["sourceIPAddress"]) == "205.255.255.255");
  CHECK(S(r["responseElements"]["x-amz-request-id"]) == "D82B88E5F771F645");
  CHECK(S(r["responseElements"]["x-amz-id-2"]) == PutInfo().host_id);
  const rapidjson::Value& s3 = r["s3"];
  CHECK(S(s3["s3SchemaVersion"]) == "1.0");
  CHECK(S(s3["configurationId"]) == "828aa6fc-f7b5-4305-8584-487c791949c1");
  CHECK(S(s3["bucket"]["name"]) == "DOC-EXAMPLE-BUCKET");
  CHECK(S(s3["bucket"]["ownerIdentity"]["principalId"]) == "A3I5XTEXAMAI3E");
  CHECK(S(s3["bucket"]["arn"]) == "arn:aws:s3:::DOC-EXAMPLE-BUCKET");
  const rapidjson::Value& object = s3["object"];
  CHECK(S(object["key"]) == "b21b84d653bb07b05b1e6b33684dc11b");
  REQUIRE(object["size"].IsUint64());
  CHECK(object["size"].GetUint64() == 1305107);
  CHECK(S(object["eTag"]) == "b21b84d653bb07b05b1e6b33684dc11b");  // quotes removed
  CHECK(S(object["sequencer"]) == "0C0F6F405D6ED209E1");
  CHECK_FALSE(object.HasMember("versionId"));
  CHECK(r.MemberCount() == 9);
  CHECK(object.MemberCount() == 4);
}

TEST_CASE("record variations: versionId, removals, tagging, large sizes, encoded keys") {
  S3EventInfo info = PutInfo();
  info.version_id = "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY+MTRCxf3vjVBH40Nrjfkd";
  info.key = "photos/red flower+1@2x.jpg";
  info.size = 5ull << 40;
  info.etag = "d41d8cd98f00b204e9800998ecf8427e-3";
  rapidjson::Document doc;
  const rapidjson::Value& created = Record(doc, BuildEventRecordJson(info));
  CHECK(S(created["s3"]["object"]["versionId"]) == *info.version_id);
  CHECK(S(created["s3"]["object"]["key"]) == "photos/red+flower%2B1%402x.jpg");
  CHECK(created["s3"]["object"]["size"].GetUint64() == (5ull << 40));
  CHECK(S(created["s3"]["object"]["eTag"]) == "d41d8cd98f00b204e9800998ecf8427e-3");

  info.event_name = "s3:ObjectRemoved:DeleteMarkerCreated";
  rapidjson::Document doc2;
  const rapidjson::Value& removed = Record(doc2, BuildEventRecordJson(info));
  CHECK(S(removed["eventName"]) == "ObjectRemoved:DeleteMarkerCreated");
  CHECK(S(removed["eventVersion"]) == "2.1");
  CHECK_FALSE(removed["s3"]["object"].HasMember("size"));
  CHECK_FALSE(removed["s3"]["object"].HasMember("eTag"));
  CHECK(removed["s3"]["object"].HasMember("sequencer"));
  CHECK(removed["s3"]["object"].HasMember("versionId"));

  info.event_name = "s3:ObjectTagging:Put";
  info.version_id.reset();
  rapidjson::Document doc3;
  const rapidjson::Value& tagged = Record(doc3, BuildEventRecordJson(info));
  CHECK(S(tagged["eventVersion"]) == "2.3");
  CHECK(S(tagged["eventName"]) == "ObjectTagging:Put");
  CHECK(tagged["s3"]["object"].HasMember("eTag"));
  CHECK_FALSE(tagged["s3"]["object"].HasMember("size"));
  CHECK_FALSE(tagged["s3"]["object"].HasMember("sequencer"));

  // Control characters and quotes in the data stay valid JSON.
  info.event_name = "s3:ObjectCreated:Copy";
  info.bucket = "b";
  info.configuration_id = "id \"with\" quotes\n";
  rapidjson::Document doc4;
  const rapidjson::Value& copied = Record(doc4, BuildEventRecordJson(info));
  CHECK(S(copied["s3"]["configurationId"]) == "id \"with\" quotes\n");
  CHECK(S(copied["s3"]["bucket"]["arn"]) == "arn:aws:s3:::b");
}

TEST_CASE("the test event message") {
  auto time = std::chrono::system_clock::time_point(std::chrono::milliseconds(1413215822089));
  std::string json = BuildTestEventJson("bucketname", "5582815E1AEA5ADF", "8cLeGAmw098X5cv4Zkw", time);
  CHECK(json ==
        "{\"Service\":\"Amazon S3\",\"Event\":\"s3:TestEvent\",\"Time\":\"2014-10-13T15:57:02.089Z\","
        "\"Bucket\":\"bucketname\",\"RequestId\":\"5582815E1AEA5ADF\",\"HostId\":\"8cLeGAmw098X5cv4Zkw\"}");
  CHECK(BuildTestEventJson("b", "r", "h", {}).find("\"Time\":\"1970-01-01T00:00:00.000Z\"") !=
        std::string::npos);
}

TEST_CASE("event keys are form-encoded, keeping '/'") {
  CHECK(EncodeEventKey("red flower.jpg") == "red+flower.jpg");
  CHECK(EncodeEventKey("a@b") == "a%40b");
  CHECK(EncodeEventKey("dir/sub/file.txt") == "dir/sub/file.txt");
  CHECK(EncodeEventKey("a+b=c&d?e#f%g") == "a%2Bb%3Dc%26d%3Fe%23f%25g");
  CHECK(EncodeEventKey("test/10:47:07.log") == "test/10%3A47%3A07.log");
  CHECK(EncodeEventKey("A-Z_a-z.0~9") == "A-Z_a-z.0~9");
  CHECK(EncodeEventKey("caf\xc3\xa9") == "caf%C3%A9");
  CHECK(EncodeEventKey("line\nbreak") == "line%0Abreak");
  CHECK(EncodeEventKey("") == "");
}

TEST_CASE("sequencers are fixed-width upper-case hex that grow") {
  CHECK(Sequencer(0) == "000000000000000000");
  CHECK(Sequencer(0xABC) == "000000000000000ABC");
  CHECK(Sequencer(~uint64_t{0}) == "00FFFFFFFFFFFFFFFF");
  CHECK(Sequencer(9) < Sequencer(10));
  CHECK(Sequencer(0xFFFF) < Sequencer(0x10000));
}

TEST_CASE("destination validation errors list each destination, numbered") {
  NotificationError e = DestinationValidationError(
      {MissingQueue(kQueueArn), MissingTopic(kTopicArn), MissingFunction(kFunctionArn)});
  CHECK(e.code == "InvalidArgument");
  CHECK(e.message == "Unable to validate the following destination configurations");
  CHECK(e.argument_name.empty());
  std::string xml = ErrorArgumentsXml(e);
  CHECK(xml == "<ArgumentName1>" + std::string(kQueueArn) +
                   "</ArgumentName1><ArgumentValue1>The destination queue does not exist</ArgumentValue1>"
                   "<ArgumentName2>" + kTopicArn +
                   "</ArgumentName2><ArgumentValue2>The destination topic does not exist</ArgumentValue2>"
                   "<ArgumentName3>" + kFunctionArn + ", null</ArgumentName3><ArgumentValue3>Not "
                   "authorized to invoke function [" + kFunctionArn + "]</ArgumentValue3>");
}

TEST_CASE("error arguments render as escaped XML") {
  NotificationError e = ErrorOf(Doc(Queue(Event("s3:ObjectCreated:*"), Rule("a&lt;b", "x"))));
  CHECK(ErrorArgumentsXml(e) ==
        "<ArgumentName>FilterRule.Name</ArgumentName><ArgumentValue>a&lt;b</ArgumentValue>");
  CHECK(ErrorArgumentsXml(ErrorOf("junk")).empty());
}
