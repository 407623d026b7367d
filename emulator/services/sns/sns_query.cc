#include "services/sns/sns_query.h"

#include <map>
#include <set>

#include "base/strings.h"
#include "base/xml_writer.h"
#include "http/form_params.h"
#include "services/sns/sns_errors.h"

namespace ll::sns {
namespace {

constexpr char kNamespace[] = "http://sns.amazonaws.com/doc/2010-03-31/";
constexpr size_t kMaxBatchEntries = 10;

// The parameters of one request, with the query protocol's flattened lists and maps read back.
class Params {
 public:
  explicit Params(FormParams params) {
    for (auto& [k, v] : params) values_.emplace(std::move(k), std::move(v));
  }
  explicit Params(std::map<std::string, std::string> values) : values_(std::move(values)) {}

  bool Has(const std::string& name) const { return values_.count(name) > 0; }
  std::string Get(const std::string& name) const {
    auto it = values_.find(name);
    return it == values_.end() ? "" : it->second;
  }
  // "<prefix>.<N>.<rest>" grouped by N (1-based, in order): each group's <rest> -> value.
  std::vector<Params> Members(const std::string& prefix) const {
    std::map<int, std::map<std::string, std::string>> groups;
    const std::string start = prefix + ".";
    for (auto it = values_.lower_bound(start); it != values_.end() && StartsWith(it->first, start); ++it) {
      std::string_view rest = std::string_view(it->first).substr(start.size());
      size_t dot = rest.find('.');
      std::string_view index = rest.substr(0, dot);
      if (index.empty() || index.size() > 6 ||
          index.find_first_not_of("0123456789") != std::string_view::npos) {
        continue;
      }
      groups[std::stoi(std::string(index))][dot == std::string_view::npos ? "" : std::string(rest.substr(dot + 1))] =
          it->second;
    }
    std::vector<Params> out;
    for (auto& [i, g] : groups) out.emplace_back(std::move(g));
    return out;
  }
  // "<prefix>.entry.N.key" / ".value" (or the names given) as a map.
  std::map<std::string, std::string> Map(const std::string& prefix, const std::string& key = "key",
                                         const std::string& value = "value") const {
    std::map<std::string, std::string> out;
    for (const Params& m : Members(prefix + ".entry")) out[m.Get(key)] = m.Get(value);
    return out;
  }
  std::vector<std::string> List(const std::string& prefix) const {
    std::vector<std::string> out;
    for (const Params& m : Members(prefix + ".member")) out.push_back(m.Get(""));
    return out;
  }
  Result<std::map<std::string, std::string>> Tags() const {
    std::map<std::string, std::string> out;
    for (const Params& m : Members("Tags.member")) {
      if (!out.emplace(m.Get("Key"), m.Get("Value")).second) {
        return InvalidParameter("Duplicated keys are not allowed.");
      }
    }
    return out;
  }
  Result<MessageAttributes> Attributes() const {
    MessageAttributes out;
    for (const Params& m : Members("MessageAttributes.entry")) {
      MessageAttribute a;
      a.data_type = m.Get("Value.DataType");
      a.string_value = m.Get("Value.StringValue");
      if (m.Has("Value.BinaryValue")) {
        auto decoded = Base64Decode(m.Get("Value.BinaryValue"));
        if (!decoded) {
          return Status::Error(errors::kParameterValueInvalid,
                               "The message attribute '" + m.Get("Name") + "' has an invalid binary value.");
        }
        a.binary_value = std::move(*decoded);
      }
      out[m.Get("Name")] = std::move(a);
    }
    return out;
  }

 private:
  std::map<std::string, std::string> values_;
};

void Entries(XmlWriter& x, const char* tag, const std::map<std::string, std::string>& map) {
  x.Open(tag);
  for (const auto& [k, v] : map) {
    x.Open("entry").Leaf("key", k).Leaf("value", v).Close("entry");
  }
  x.Close(tag);
}

// The answer: <Action>Response><Action>Result>...</...><ResponseMetadata>.
class Answer {
 public:
  Answer(const std::string& action, const std::string& request_id, bool has_result = true)
      : action_(action), request_id_(request_id), has_result_(has_result) {
    x_.Open(action_ + "Response", kNamespace);
    if (has_result_) x_.Open(action_ + "Result");
  }
  XmlWriter& x() { return x_; }
  SnsHttpResponse Done() {
    if (has_result_) x_.Close(action_ + "Result");
    x_.Open("ResponseMetadata").Leaf("RequestId", request_id_).Close("ResponseMetadata");
    x_.Close(action_ + "Response");
    SnsHttpResponse out;
    out.body = x_.Take();
    return out;
  }

 private:
  XmlWriter x_;
  const std::string action_;
  const std::string request_id_;
  const bool has_result_;
};

SnsHttpResponse Error(const Status& status, const std::string& request_id) {
  XmlWriter x;
  x.Open("ErrorResponse", kNamespace).Open("Error");
  x.Leaf("Type", status.code() == errors::kInternalError ? "Receiver" : "Sender");
  x.Leaf("Code", status.code()).Leaf("Message", status.message());
  x.Close("Error").Leaf("RequestId", request_id).Close("ErrorResponse");
  SnsHttpResponse out;
  out.status = HttpStatusOf(status.code());
  out.body = x.Take();
  return out;
}

Status Required(const Params& p, const std::string& name) {
  if (p.Get(name).empty()) return InvalidParameter(name);
  return Status::Ok();
}

PublishRequest PublishOf(const Params& p, MessageAttributes attributes) {
  PublishRequest r;
  r.topic_arn = p.Get("TopicArn");
  r.target_arn = p.Get("TargetArn");
  r.phone_number = p.Get("PhoneNumber");
  r.message = p.Get("Message");
  r.subject = p.Get("Subject");
  r.message_structure = p.Get("MessageStructure");
  r.attributes = std::move(attributes);
  r.group_id = p.Get("MessageGroupId");
  r.deduplication_id = p.Get("MessageDeduplicationId");
  return r;
}

void SubscriptionsXml(XmlWriter& x, const Page<SubscriptionSummary>& page) {
  x.Open("Subscriptions");
  for (const auto& s : page.items) {
    x.Open("member")
        .Leaf("Owner", s.owner)
        .Leaf("Protocol", s.protocol)
        .Leaf("Endpoint", s.endpoint)
        .Leaf("SubscriptionArn", s.arn)
        .Leaf("TopicArn", s.topic_arn)
        .Close("member");
  }
  x.Close("Subscriptions");
  if (!page.next_token.empty()) x.Leaf("NextToken", page.next_token);
}

bool ValidBatchId(const std::string& id) {
  if (id.empty() || id.size() > 80) return false;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return true;
}

Result<SnsHttpResponse> Dispatch(SnsService& sns, const std::string& action, const Params& p,
                                 const std::string& rid) {
  auto empty = [&](const Status& s) -> Result<SnsHttpResponse> {
    if (!s.ok()) return s;
    return Answer(action, rid, false).Done();
  };
  if (action == "CreateTopic") {
    if (Status s = Required(p, "Name"); !s.ok()) return s;
    auto tags = p.Tags();
    if (!tags.ok()) return tags.status();
    auto arn = sns.CreateTopic(p.Get("Name"), p.Map("Attributes"), *tags);
    if (!arn.ok()) return arn.status();
    Answer a(action, rid);
    a.x().Leaf("TopicArn", *arn);
    return a.Done();
  }
  if (action == "DeleteTopic") {
    if (Status s = Required(p, "TopicArn"); !s.ok()) return s;
    return empty(sns.DeleteTopic(p.Get("TopicArn")));
  }
  if (action == "ListTopics") {
    auto page = sns.ListTopics(p.Get("NextToken"));
    if (!page.ok()) return page.status();
    Answer a(action, rid);
    a.x().Open("Topics");
    for (const auto& arn : page->items) a.x().Open("member").Leaf("TopicArn", arn).Close("member");
    a.x().Close("Topics");
    if (!page->next_token.empty()) a.x().Leaf("NextToken", page->next_token);
    return a.Done();
  }
  if (action == "GetTopicAttributes") {
    if (Status s = Required(p, "TopicArn"); !s.ok()) return s;
    auto attrs = sns.GetTopicAttributes(p.Get("TopicArn"));
    if (!attrs.ok()) return attrs.status();
    Answer a(action, rid);
    Entries(a.x(), "Attributes", *attrs);
    return a.Done();
  }
  if (action == "SetTopicAttributes") {
    if (Status s = Required(p, "TopicArn"); !s.ok()) return s;
    if (Status s = Required(p, "AttributeName"); !s.ok()) return s;
    return empty(sns.SetTopicAttribute(p.Get("TopicArn"), p.Get("AttributeName"), p.Get("AttributeValue")));
  }
  if (action == "Subscribe") {
    if (Status s = Required(p, "TopicArn"); !s.ok()) return s;
    if (Status s = Required(p, "Protocol"); !s.ok()) return s;
    auto arn = sns.Subscribe(p.Get("TopicArn"), p.Get("Protocol"), p.Get("Endpoint"), p.Map("Attributes"),
                             p.Get("ReturnSubscriptionArn") == "true");
    if (!arn.ok()) return arn.status();
    Answer a(action, rid);
    a.x().Leaf("SubscriptionArn", *arn);
    return a.Done();
  }
  if (action == "ConfirmSubscription") {
    if (Status s = Required(p, "TopicArn"); !s.ok()) return s;
    if (Status s = Required(p, "Token"); !s.ok()) return s;
    auto arn = sns.ConfirmSubscription(p.Get("TopicArn"), p.Get("Token"));
    if (!arn.ok()) return arn.status();
    Answer a(action, rid);
    a.x().Leaf("SubscriptionArn", *arn);
    return a.Done();
  }
  if (action == "Unsubscribe") {
    if (Status s = Required(p, "SubscriptionArn"); !s.ok()) return s;
    return empty(sns.Unsubscribe(p.Get("SubscriptionArn")));
  }
  if (action == "ListSubscriptions" || action == "ListSubscriptionsByTopic") {
    std::optional<std::string> topic;
    if (action == "ListSubscriptionsByTopic") {
      if (Status s = Required(p, "TopicArn"); !s.ok()) return s;
      topic = p.Get("TopicArn");
    }
    auto page = sns.ListSubscriptions(topic, p.Get("NextToken"));
    if (!page.ok()) return page.status();
    Answer a(action, rid);
    SubscriptionsXml(a.x(), *page);
    return a.Done();
  }
  if (action == "GetSubscriptionAttributes") {
    if (Status s = Required(p, "SubscriptionArn"); !s.ok()) return s;
    auto attrs = sns.GetSubscriptionAttributes(p.Get("SubscriptionArn"));
    if (!attrs.ok()) return attrs.status();
    Answer a(action, rid);
    Entries(a.x(), "Attributes", *attrs);
    return a.Done();
  }
  if (action == "SetSubscriptionAttributes") {
    if (Status s = Required(p, "SubscriptionArn"); !s.ok()) return s;
    if (Status s = Required(p, "AttributeName"); !s.ok()) return s;
    return empty(sns.SetSubscriptionAttribute(p.Get("SubscriptionArn"), p.Get("AttributeName"),
                                              p.Get("AttributeValue")));
  }
  if (action == "Publish") {
    if (p.Has("Subject") && p.Get("Subject").empty()) return InvalidParameter("Subject");
    auto attributes = p.Attributes();
    if (!attributes.ok()) return attributes.status();
    auto published = sns.Publish(PublishOf(p, std::move(*attributes)));
    if (!published.ok()) return published.status();
    Answer a(action, rid);
    a.x().Leaf("MessageId", published->message_id);
    if (!published->sequence_number.empty()) a.x().Leaf("SequenceNumber", published->sequence_number);
    return a.Done();
  }
  if (action == "PublishBatch") {
    if (Status s = Required(p, "TopicArn"); !s.ok()) return s;
    std::vector<Params> entries = p.Members("PublishBatchRequestEntries.member");
    if (entries.empty()) {
      return Status::Error(errors::kEmptyBatchRequest, "The batch request doesn't contain any entries");
    }
    if (entries.size() > kMaxBatchEntries) {
      return Status::Error(errors::kTooManyEntriesInBatchRequest,
                           "The batch request contains more entries than permissible");
    }
    std::set<std::string> ids;
    size_t total = 0;
    for (const Params& e : entries) {
      if (!ids.insert(e.Get("Id")).second) {
        return Status::Error(errors::kBatchEntryIdsNotDistinct,
                             "Two or more batch entries in the request have the same Id");
      }
      if (!ValidBatchId(e.Get("Id"))) {
        return Status::Error(errors::kInvalidBatchEntryId,
                             "The Id of a batch entry in a batch request doesn't abide by the specification");
      }
      total += e.Get("Message").size();
    }
    if (total > 262144) {
      return Status::Error(errors::kBatchRequestTooLong,
                           "The length of all the messages put together is more than the limit");
    }
    auto topic = sns.KindOf(p.Get("TopicArn"));
    if (!topic.ok()) return topic.status();
    if (topic->fifo) {  // FIFO ids are checked for the whole request
      for (const Params& e : entries) {
        if (e.Get("MessageGroupId").empty()) {
          return InvalidParameter("The MessageGroupId parameter is required for FIFO topics");
        }
        if (e.Get("MessageDeduplicationId").empty() && !topic->content_based_deduplication) {
          return InvalidParameter(
              "The topic should either have ContentBasedDeduplication enabled or "
              "MessageDeduplicationId provided explicitly");
        }
      }
    }
    Answer a(action, rid);
    std::vector<std::pair<std::string, Status>> failed;  // (Id, why), written after Successful
    a.x().Open("Successful");
    for (const Params& e : entries) {
      auto attributes = e.Attributes();
      Result<PublishResult> published = attributes.ok() ? [&] {
        PublishRequest r = PublishOf(e, std::move(*attributes));
        r.topic_arn = p.Get("TopicArn");
        r.target_arn.clear();
        r.phone_number.clear();
        return sns.Publish(std::move(r));
      }() : Result<PublishResult>(attributes.status());
      if (published.ok()) {
        a.x().Open("member").Leaf("Id", e.Get("Id")).Leaf("MessageId", published->message_id);
        if (!published->sequence_number.empty()) a.x().Leaf("SequenceNumber", published->sequence_number);
        a.x().Close("member");
      } else {
        failed.emplace_back(e.Get("Id"), published.status());
      }
    }
    a.x().Close("Successful");
    a.x().Open("Failed");
    for (const auto& [id, why] : failed) {
      a.x().Open("member")
          .Leaf("Id", id)
          .Leaf("Code", why.code())
          .Leaf("Message", why.message())
          .Bool("SenderFault", why.code() != errors::kInternalError)
          .Close("member");
    }
    a.x().Close("Failed");
    return a.Done();
  }
  if (action == "TagResource") {
    if (Status s = Required(p, "ResourceArn"); !s.ok()) return s;
    auto tags = p.Tags();
    if (!tags.ok()) return tags.status();
    Status s = sns.TagResource(p.Get("ResourceArn"), *tags);
    if (!s.ok()) return s;
    return Answer(action, rid).Done();
  }
  if (action == "UntagResource") {
    if (Status s = Required(p, "ResourceArn"); !s.ok()) return s;
    Status s = sns.UntagResource(p.Get("ResourceArn"), p.List("TagKeys"));
    if (!s.ok()) return s;
    return Answer(action, rid).Done();
  }
  if (action == "ListTagsForResource") {
    if (Status s = Required(p, "ResourceArn"); !s.ok()) return s;
    auto tags = sns.ListTagsForResource(p.Get("ResourceArn"));
    if (!tags.ok()) return tags.status();
    Answer a(action, rid);
    a.x().Open("Tags");
    for (const auto& [k, v] : *tags) a.x().Open("member").Leaf("Key", k).Leaf("Value", v).Close("member");
    a.x().Close("Tags");
    return a.Done();
  }
  if (action == "SetSMSAttributes") {
    sns.SetSmsAttributes(p.Map("attributes"));
    return Answer(action, rid).Done();
  }
  if (action == "GetSMSAttributes") {
    Answer a(action, rid);
    Entries(a.x(), "attributes", sns.GetSmsAttributes(p.List("attributes")));
    return a.Done();
  }
  if (action == "CheckIfPhoneNumberIsOptedOut") {
    if (Status s = Required(p, "phoneNumber"); !s.ok()) return s;
    Answer a(action, rid);
    a.x().Bool("isOptedOut", false);
    return a.Done();
  }
  if (action == "ListPhoneNumbersOptedOut") {
    Answer a(action, rid);
    a.x().Open("phoneNumbers").Close("phoneNumbers");
    return a.Done();
  }
  if (action == "ListPlatformApplications") {
    Answer a(action, rid);
    a.x().Open("PlatformApplications").Close("PlatformApplications");
    return a.Done();
  }
  if (action == "GetSMSSandboxAccountStatus") {
    Answer a(action, rid);
    a.x().Bool("IsInSandbox", false);
    return a.Done();
  }
  if (action == "AddPermission" || action == "RemovePermission") {
    if (Status s = Required(p, "TopicArn"); !s.ok()) return s;
    if (auto topic = sns.KindOf(p.Get("TopicArn")); !topic.ok()) return topic.status();
    return Answer(action, rid, false).Done();  // accepted: policies are not enforced
  }
  return Status::Error(errors::kInvalidAction,
                       "The action " + action + " is not valid for this web service.");
}

}  // namespace

SnsHttpResponse HandleSnsQuery(SnsService& sns, std::string_view query, std::string_view body) {
  const std::string rid = NewUuid();
  FormParams form = ParseForm(query);
  for (auto& kv : ParseForm(body)) form.push_back(std::move(kv));
  Params p(std::move(form));
  const std::string action = p.Get("Action");
  Result<SnsHttpResponse> out = Status::Error(errors::kInternalError, "unanswered");
  if (action.empty()) {
    out = Status::Error(errors::kMissingParameter, "The request must contain the parameter Action.");
  } else {
    out = Dispatch(sns, action, p, rid);
  }
  SnsHttpResponse res = out.ok() ? std::move(*out) : Error(out.status(), rid);
  res.headers.emplace_back("x-amzn-RequestId", rid);
  res.headers.emplace_back("Content-Type", "text/xml");
  return res;
}

}  // namespace ll::sns
