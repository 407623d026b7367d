#include "services/sns/sns_service.h"

#include <fmt/format.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <deque>
#include <cctype>
#include <cstdlib>

#include "base/digest.h"
#include "base/json_parse.h"
#include "base/strings.h"
#include "services/sns/delivery_policy.h"
#include "http/http_endpoint.h"
#include "services/sns/sns_errors.h"

namespace ll::sns {
namespace {

constexpr size_t kPageSize = 100;
constexpr size_t kMaxMessageBytes = 262144;
constexpr size_t kMaxTags = 50;
constexpr int64_t kDeduplicationWindowMs = 5 * 60 * 1000;

bool IsNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'; }

bool ValidTopicName(std::string_view name) {
  if (name.empty() || name.size() > 256) return false;
  return std::all_of(name.begin(), name.end(), IsNameChar);
}

const std::set<std::string, std::less<>>& TopicAttributeNames() {
  static const std::set<std::string, std::less<>> names = {
      "DeliveryPolicy", "DisplayName", "FifoTopic", "Policy", "SignatureVersion", "TracingConfig",
      "KmsMasterKeyId", "ContentBasedDeduplication", "ArchivePolicy", "DataProtectionPolicy",
      "FifoThroughputScope", "HTTPSuccessFeedbackRoleArn", "HTTPSuccessFeedbackSampleRate",
      "HTTPFailureFeedbackRoleArn", "LambdaSuccessFeedbackRoleArn", "LambdaSuccessFeedbackSampleRate",
      "LambdaFailureFeedbackRoleArn", "SQSSuccessFeedbackRoleArn", "SQSSuccessFeedbackSampleRate",
      "SQSFailureFeedbackRoleArn", "FirehoseSuccessFeedbackRoleArn",
      "FirehoseSuccessFeedbackSampleRate", "FirehoseFailureFeedbackRoleArn",
      "ApplicationSuccessFeedbackRoleArn", "ApplicationSuccessFeedbackSampleRate",
      "ApplicationFailureFeedbackRoleArn"};
  return names;
}

const std::set<std::string, std::less<>>& SubscriptionAttributeNames() {
  static const std::set<std::string, std::less<>> names = {
      "DeliveryPolicy", "FilterPolicy",        "FilterPolicyScope", "RawMessageDelivery",
      "RedrivePolicy",  "SubscriptionRoleArn", "ReplayPolicy"};
  return names;
}

bool IsJsonObject(std::string_view text) {
  rapidjson::Document doc;
  (void)ParseJson(doc, text);
  return !doc.HasParseError() && doc.IsObject();
}

// A topic attribute's value, checked. `fifo`: the topic is (or is being made) FIFO.
Status ValidateTopicAttribute(const std::string& name, const std::string& value, bool fifo) {
  if (!TopicAttributeNames().count(name)) return InvalidParameter("AttributeName");
  if (name == "Policy" || name == "DataProtectionPolicy" || name == "ArchivePolicy") {
    if (value.size() > 30 * 1024) return InvalidParameter(name + ": the policy is over 30 KB");
    if (!value.empty() && !IsJsonObject(value)) return InvalidParameter(name + ": the policy is not a JSON object");
  } else if (name == "DeliveryPolicy") {
    if (!value.empty()) return ValidateTopicDeliveryPolicy(value);
  } else if (name == "SignatureVersion") {
    if (value != "1" && value != "2") return InvalidParameter("SignatureVersion");
  } else if (name == "DisplayName") {
    if (value.size() > 100) return InvalidParameter("DisplayName");
  } else if (name == "ContentBasedDeduplication") {
    if (value != "true" && value != "false") return InvalidParameter("ContentBasedDeduplication");
    if (!fifo) {
      return InvalidParameter(
          "Attributes Reason: Content based deduplication can only be set for FIFO topics");
    }
  } else if (name == "TracingConfig") {
    if (value != "Active" && value != "PassThrough") return InvalidParameter("TracingConfig");
  } else if (name == "FifoThroughputScope") {
    if (!fifo) return InvalidParameter("Attributes Reason: FifoThroughputScope can only be set for FIFO topics");
    if (value != "Topic" && value != "MessageGroup") return InvalidParameter("FifoThroughputScope");
  }
  return Status::Ok();
}

std::string DefaultPolicy(const std::string& arn, const std::string& account) {
  return fmt::format(
      R"({{"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[{{"Sid":"__default_statement_ID","Effect":"Allow","Principal":{{"AWS":"*"}},"Action":["SNS:GetTopicAttributes","SNS:SetTopicAttributes","SNS:AddPermission","SNS:RemovePermission","SNS:DeleteTopic","SNS:Subscribe","SNS:ListSubscriptionsByTopic","SNS:Publish"],"Resource":"{}","Condition":{{"StringEquals":{{"AWS:SourceOwner":"{}"}}}}}}]}})",
      arn, account);
}

// arn:aws:<service>:<region>:<account>:<resource>
bool IsArnOf(std::string_view arn, std::string_view service) {
  const std::string prefix = "arn:aws:" + std::string(service) + ":";
  if (!StartsWith(arn, prefix)) return false;
  return std::count(arn.begin(), arn.end(), ':') >= 5;
}

Status ValidateSubscriptionAttribute(const std::string& name, const std::string& value,
                                     const std::string& protocol) {
  if (!SubscriptionAttributeNames().count(name)) return InvalidParameter("AttributeName");
  if (name == "RawMessageDelivery") {
    if (value != "true" && value != "false") return InvalidParameter("Attributes Reason: RawMessageDelivery: Invalid value [" + value + "]. Must be true or false.");
    if (value == "true" && protocol != "sqs" && protocol != "http" && protocol != "https" &&
        protocol != "firehose") {
      return InvalidParameter("Attributes Reason: Delivery protocol [" + protocol +
                              "] does not support raw message delivery.");
    }
  } else if (name == "DeliveryPolicy") {
    if (!value.empty()) return ValidateSubscriptionDeliveryPolicy(value);
  } else if (name == "RedrivePolicy") {
    if (value.empty()) return Status::Ok();
    rapidjson::Document doc;
    (void)ParseJson(doc, value);
    if (doc.HasParseError() || !doc.IsObject()) {
      return InvalidParameter("RedrivePolicy: Redrive policy is not a valid JSON object");
    }
    auto it = doc.FindMember("deadLetterTargetArn");
    if (it == doc.MemberEnd() || !it->value.IsString()) {
      return InvalidParameter("RedrivePolicy: deadLetterTargetArn is missing");
    }
    if (!IsArnOf(it->value.GetString(), "sqs")) {
      return InvalidParameter("RedrivePolicy: deadLetterTargetArn is an invalid arn");
    }
  } else if (name == "FilterPolicyScope") {
    if (value != "MessageAttributes" && value != "MessageBody") {
      return InvalidParameter("Attributes Reason: FilterPolicyScope: Invalid value [" + value +
                              "]. Please use either MessageBody or MessageAttributes");
    }
  }
  return Status::Ok();
}

// A decimal number as SQS and SNS take it: digits, an optional sign, point and exponent
// (no "inf", "nan" or hexadecimal, which strtod would also read).
bool IsNumber(const std::string& s) {
  if (s.empty() || s.find_first_not_of("0123456789+-.eE") != std::string::npos) return false;
  char* end = nullptr;
  errno = 0;
  std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size() && errno != ERANGE && !std::isspace(static_cast<unsigned char>(s[0]));
}

Status ValidateMessageAttributes(const MessageAttributes& attributes) {
  for (const auto& [name, a] : attributes) {
    if (name.empty() || name.size() > 256 || name.front() == '.' || name.back() == '.' ||
        name.find("..") != std::string::npos || StartsWith(name, "AWS.") ||
        StartsWith(name, "Amazon.") ||
        !std::all_of(name.begin(), name.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
        })) {
      return Status::Error(errors::kParameterValueInvalid,
                           "The message attribute name '" + name + "' is invalid. Names may contain "
                           "alphanumeric characters, hyphens, underscores and periods, and may not "
                           "start or end with a period or contain two periods in a row.");
    }
    const std::string& type = a.data_type;
    auto base_is = [&](std::string_view base) {
      return type == base || StartsWith(type, std::string(base) + ".");
    };
    if (type.empty()) {
      return Status::Error(errors::kParameterValueInvalid,
                           "The message attribute '" + name + "' must contain non-empty message attribute type.");
    }
    if (type == "String.Array") {
      rapidjson::Document doc;
      (void)ParseJson(doc, a.string_value);
      if (doc.HasParseError() || !doc.IsArray()) {
        return Status::Error(errors::kParameterValueInvalid,
                             "The message attribute '" + name + "' has an invalid value of type String.Array. "
                             "It must be a JSON array.");
      }
    } else if (base_is("String")) {
      if (a.string_value.empty()) {
        return Status::Error(errors::kParameterValueInvalid,
                             "The message attribute '" + name + "' must contain non-empty message attribute value for message attribute type 'String'.");
      }
    } else if (base_is("Number")) {
      if (a.string_value.empty()) {
        return Status::Error(errors::kParameterValueInvalid,
                             "The message attribute '" + name + "' must contain non-empty message attribute value for message attribute type 'Number'.");
      }
      if (!IsNumber(a.string_value)) {
        return Status::Error(errors::kParameterValueInvalid,
                             "Could not cast message attribute '" + name + "' value to number.");
      }
    } else if (base_is("Binary")) {
      if (a.binary_value.empty()) {
        return Status::Error(errors::kParameterValueInvalid,
                             "The message attribute '" + name + "' must contain non-empty message attribute value for message attribute type 'Binary'.");
      }
    } else {
      return Status::Error(errors::kParameterValueInvalid,
                           "The message attribute '" + name + "' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.");
    }
  }
  return Status::Ok();
}

// E.164: an optional +, then up to 15 digits, the first not 0.
bool IsPhoneNumber(std::string_view s) {
  if (StartsWith(s, "+")) s.remove_prefix(1);
  return s.size() >= 2 && s.size() <= 15 && s[0] != '0' &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

size_t MessageBytes(const PublishRequest& r) {
  size_t n = r.message.size();
  for (const auto& [name, a] : r.attributes) {
    n += name.size() + a.data_type.size() + a.string_value.size() + a.binary_value.size();
  }
  return n;
}


Status Stopping() {
  return Status::Error(errors::kInternalError, "lambda-local is stopping: the message was not published");
}

}  // namespace

// A FIFO topic's order and deduplication. Its mutex is held from the sequence number to the
// queue deliveries, so each queue gets the topic's messages in sequence order.
struct SnsService::FifoState {
  std::mutex mu;
  // Guarded by mu. 20 digits as AWS's, and growing across restarts: started from the clock.
  uint64_t next_sequence = 10000000000000000000ull + uint64_t(NowEpochMs()) * 1000;
  struct Seen {
    int64_t expires_ms;
    PublishResult result;
  };
  std::map<std::string, Seen> seen;  // by deduplication id, guarded by mu
  std::deque<std::pair<int64_t, std::string>> expiry;  // (expires, id) in time order, guarded by mu
};

SnsService::SnsService(SnsOptions options, StateStore* store, Destinations* destinations,
                       MessageSigner signer, std::function<void(const std::string&)> notice)
    : options_(std::move(options)), signer_(std::move(signer)) {
  store_ = store;
  if (store) {
    topics_section_ = store->Section("sns.topics");
    subscriptions_section_ = store->Section("sns.subscriptions");
  }
  certificate_path_ = "/SimpleNotificationService-" + Sha256Hex(signer_.certificate_pem()).substr(0, 32) + ".pem";
  fanout_ = std::make_unique<Fanout>(options_.base_url, options_.base_url + certificate_path_,
                                     destinations, &signer_, std::move(notice));
}

SnsService::~SnsService() { Shutdown(); }

void SnsService::Shutdown() { fanout_->Stop(); }

std::string SnsService::TopicArn(const std::string& name) const {
  return fmt::format("arn:aws:sns:{}:{}:{}", options_.region, options_.account_id, name);
}

Status SnsService::Restore() {
  std::vector<Topic> topics;
  Status read = topics_section_.ForEach([&](std::string_view, std::string_view value) {
    auto t = ParseTopicRecord(value);
    if (t.ok()) topics.push_back(std::move(*t));
  });
  if (!read.ok()) return read;
  std::vector<Subscription> subs;
  read = subscriptions_section_.ForEach([&](std::string_view, std::string_view value) {
    auto s = ParseSubscriptionRecord(value);
    if (s.ok()) subs.push_back(std::move(*s));
  });
  if (!read.ok()) return read;
  std::lock_guard lock(mu_);
  for (auto& t : topics) {
    auto topic = std::make_shared<Topic>(std::move(t));
    if (topic->fifo) fifo_[topic->arn] = std::make_shared<FifoState>();
    topics_[topic->arn] = std::move(topic);
  }
  for (auto& s : subs) {
    if (!topics_.count(s.topic_arn)) continue;
    PutSubscriptionLocked(std::make_shared<const Subscription>(std::move(s)));
  }
  return Status::Ok();
}

Status SnsService::SaveTopicLocked(const Topic& topic) {
  return topics_section_.Put(topic.arn, TopicRecordJson(topic));
}

Status SnsService::SaveSubscription(const Subscription& s) {
  return subscriptions_section_.Put(s.arn, SubscriptionRecordJson(s));
}

std::shared_ptr<Topic> SnsService::FindTopicLocked(const std::string& arn) const {
  auto it = topics_.find(arn);
  return it == topics_.end() ? nullptr : it->second;
}

void SnsService::PutSubscriptionLocked(std::shared_ptr<const Subscription> s) {
  subscriptions_[s->arn] = s;
  auto topic = FindTopicLocked(s->topic_arn);
  if (!topic) return;
  auto& list = topic->subscriptions;
  auto it = std::find_if(list.begin(), list.end(), [&](const auto& x) { return x->arn == s->arn; });
  if (it != list.end()) {
    *it = std::move(s);
  } else {
    list.push_back(std::move(s));
  }
}

Result<std::string> SnsService::CreateTopic(const std::string& name, const AttributeMap& attributes,
                                            const std::map<std::string, std::string>& tags) {
  auto fifo_attr = attributes.find("FifoTopic");
  const bool fifo = fifo_attr != attributes.end() && fifo_attr->second == "true";
  if (fifo_attr != attributes.end() && fifo_attr->second != "true" && fifo_attr->second != "false") {
    return InvalidParameter("Attributes Reason: FifoTopic: Invalid value [" + fifo_attr->second + "]");
  }
  if (fifo) {
    if (!EndsWith(name, ".fifo") || !ValidTopicName(name.substr(0, name.size() - 5))) {
      return InvalidParameter(
          "Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase "
          "ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters "
          "long.");
    }
  } else if (!ValidTopicName(name)) {
    return InvalidParameter("Topic Name");
  }
  for (const auto& [k, v] : attributes) {
    if (k == "FifoTopic") continue;
    if (Status s = ValidateTopicAttribute(k, v, fifo); !s.ok()) return s;
  }
  if (tags.size() > kMaxTags) {
    return Status::Error(errors::kTagLimitExceeded, "Could not complete request: tag quota of per resource exceeded");
  }
  const std::string arn = TopicArn(name);
  std::lock_guard lock(mu_);
  if (auto existing = FindTopicLocked(arn)) {
    for (const auto& [k, v] : attributes) {
      std::string current = existing->Attribute(k);
      if (k == "FifoTopic") current = existing->fifo ? "true" : "false";
      if (current.empty() && (k == "ContentBasedDeduplication")) current = "false";
      if (current != v) {
        return InvalidParameter("Attributes Reason: Topic already exists with different attributes");
      }
    }
    for (const auto& [k, v] : tags) {  // the same tags, fewer or none: the same topic
      auto have = existing->tags.find(k);
      if (have == existing->tags.end() || have->second != v) {
        return InvalidParameter("Tags Reason: Topic already exists with different tags");
      }
    }
    return arn;
  }
  Topic topic;
  topic.arn = arn;
  topic.name = name;
  topic.fifo = fifo;
  for (const auto& [k, v] : attributes) {
    if (k != "FifoTopic") topic.attributes[k] = v;
  }
  topic.tags = tags;
  if (Status saved = SaveTopicLocked(topic); !saved.ok()) return saved;
  if (fifo) fifo_[arn] = std::make_shared<FifoState>();
  topics_[arn] = std::make_shared<Topic>(std::move(topic));
  return arn;
}

Status SnsService::DeleteTopic(const std::string& arn) {
  std::lock_guard lock(mu_);
  auto topic = FindTopicLocked(arn);
  if (!topic) return Status::Ok();  // idempotent, as AWS documents
  // The topic and its subscriptions go together or not at all.
  StateBatch batch;
  batch.Delete(topics_section_, arn);
  for (const auto& s : topic->subscriptions) batch.Delete(subscriptions_section_, s->arn);
  if (store_) {
    if (Status committed = store_->Commit(std::move(batch)); !committed.ok()) return committed;
  }
  for (const auto& s : topic->subscriptions) subscriptions_.erase(s->arn);
  topics_.erase(arn);
  fifo_.erase(arn);
  return Status::Ok();
}

Result<Page<std::string>> SnsService::ListTopics(const std::string& next_token) const {
  std::lock_guard lock(mu_);
  Page<std::string> page;
  auto it = next_token.empty() ? topics_.begin() : topics_.upper_bound(next_token);
  if (!next_token.empty() && !IsArnOf(next_token, "sns")) return InvalidParameter("NextToken");
  for (; it != topics_.end() && page.items.size() < kPageSize; ++it) page.items.push_back(it->first);
  if (it != topics_.end() && !page.items.empty()) page.next_token = page.items.back();
  return page;
}

Result<AttributeMap> SnsService::GetTopicAttributes(const std::string& arn) const {
  std::lock_guard lock(mu_);
  auto topic = FindTopicLocked(arn);
  if (!topic) return TopicNotFound();
  AttributeMap out = topic->attributes;
  size_t confirmed = 0, pending = 0;
  for (const auto& s : topic->subscriptions) (s->pending ? pending : confirmed)++;
  out["TopicArn"] = arn;
  out["Owner"] = options_.account_id;
  if (!out.count("Policy") || out["Policy"].empty()) out["Policy"] = DefaultPolicy(arn, options_.account_id);
  if (!out.count("DisplayName")) out["DisplayName"] = "";
  out["SubscriptionsConfirmed"] = std::to_string(confirmed);
  out["SubscriptionsPending"] = std::to_string(pending);
  out["SubscriptionsDeleted"] = std::to_string(topic->deleted_subscriptions);
  out["EffectiveDeliveryPolicy"] = EffectiveTopicDeliveryPolicy(topic->Attribute("DeliveryPolicy"));
  if (topic->fifo) {
    out["FifoTopic"] = "true";
    if (!out.count("ContentBasedDeduplication")) out["ContentBasedDeduplication"] = "false";
  }
  return out;
}

Result<SnsService::TopicKind> SnsService::KindOf(const std::string& arn) const {
  std::lock_guard lock(mu_);
  auto topic = FindTopicLocked(arn);
  if (!topic) return TopicNotFound();
  return TopicKind{topic->fifo, topic->content_based_deduplication()};
}

Status SnsService::SetTopicAttribute(const std::string& arn, const std::string& name,
                                     const std::string& value) {
  std::lock_guard lock(mu_);
  auto topic = FindTopicLocked(arn);
  if (!topic) return TopicNotFound();
  if (name == "FifoTopic") return InvalidParameter("AttributeName");
  if (Status s = ValidateTopicAttribute(name, value, topic->fifo); !s.ok()) return s;
  Topic next = *topic;
  next.attributes[name] = value;
  if (Status saved = SaveTopicLocked(next); !saved.ok()) return saved;
  topic->attributes = std::move(next.attributes);
  return Status::Ok();
}

Result<std::string> SnsService::Subscribe(const std::string& topic_arn, const std::string& protocol,
                                          const std::string& endpoint, const AttributeMap& attributes,
                                          bool return_arn) {
  static const std::set<std::string, std::less<>> kProtocols = {
      "http", "https", "email", "email-json", "sms", "sqs", "application", "lambda", "firehose"};
  if (!kProtocols.count(protocol)) {
    return InvalidParameter("Amazon SNS does not support this protocol string: " + protocol);
  }
  if (protocol == "sqs" && !IsArnOf(endpoint, "sqs")) return InvalidParameter("SQS endpoint ARN");
  if (protocol == "lambda" && !IsArnOf(endpoint, "lambda")) return InvalidParameter("Lambda endpoint ARN");
  if (protocol == "firehose" && !IsArnOf(endpoint, "firehose")) return InvalidParameter("Firehose endpoint ARN");
  if ((protocol == "http" && !StartsWith(endpoint, "http://")) ||
      (protocol == "https" && !StartsWith(endpoint, "https://"))) {
    return InvalidParameter("Endpoint must match the specified protocol");
  }
  if ((protocol == "http" || protocol == "https") && !ParseHttpEndpoint(endpoint)) {
    return InvalidParameter("Endpoint: not a valid " + protocol + " URL");
  }
  if ((protocol == "email" || protocol == "email-json") && endpoint.find('@') == std::string::npos) {
    return InvalidParameter("Email address");
  }
  if (protocol == "sms" && !IsPhoneNumber(endpoint)) return InvalidParameter("Invalid SMS endpoint");
  for (const auto& [k, v] : attributes) {
    if (Status s = ValidateSubscriptionAttribute(k, v, protocol); !s.ok()) return s;
  }
  auto filter = FilterOf(attributes);
  if (!filter.ok()) return filter.status();

  std::shared_ptr<const Subscription> made;
  TopicView view;
  {
    std::lock_guard lock(mu_);
    auto topic = FindTopicLocked(topic_arn);
    if (!topic) return TopicNotFound();
    const bool fifo_queue = protocol == "sqs" && EndsWith(endpoint, ".fifo");
    if (topic->fifo && protocol != "sqs") {
      return InvalidParameter("Invalid parameter: Endpoint Reason: FIFO topics only deliver to SQS queues");
    }
    // A FIFO topic delivers to FIFO and (since 2023, without ordering) standard queues.
    if (!topic->fifo && fifo_queue) {
      return InvalidParameter(
          "Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics");
    }
    for (const auto& s : topic->subscriptions) {
      if (s->protocol != protocol || s->endpoint != endpoint) continue;
      for (const auto& [k, v] : attributes) {
        if (s->Attribute(k) != v && !(k == "RawMessageDelivery" && v == "false" && s->Attribute(k).empty())) {
          return InvalidParameter("Attributes Reason: Subscription already exists with different attributes");
        }
      }
      return s->pending && !return_arn ? std::string("pending confirmation") : s->arn;
    }
    Subscription s;
    s.arn = topic_arn + ":" + NewUuid();
    s.topic_arn = topic_arn;
    s.protocol = protocol;
    s.endpoint = endpoint;
    s.attributes = attributes;
    s.filter = std::move(*filter);
    const bool needs_confirmation =
        protocol == "http" || protocol == "https" || protocol == "email" || protocol == "email-json";
    s.pending = needs_confirmation;
    s.authenticated = !needs_confirmation;
    if (needs_confirmation) s.token = RandomHex(256);
    if (Status saved = SaveSubscription(s); !saved.ok()) return saved;
    made = std::make_shared<const Subscription>(std::move(s));
    PutSubscriptionLocked(made);
    view = TopicView{topic->arn, topic->fifo, topic->signature_version(), topic->Attribute("DeliveryPolicy")};
  }
  if (protocol == "http" || protocol == "https") fanout_->Confirm(view, made);
  return made->pending && !return_arn ? std::string("pending confirmation") : made->arn;
}

Result<std::string> SnsService::ConfirmSubscription(const std::string& topic_arn, const std::string& token) {
  std::lock_guard lock(mu_);
  auto topic = FindTopicLocked(topic_arn);
  if (!topic) return TopicNotFound();
  for (const auto& s : topic->subscriptions) {
    if (s->token.empty() || s->token != token) continue;
    if (!s->pending) return s->arn;
    Subscription next = *s;
    next.pending = false;
    if (Status saved = SaveSubscription(next); !saved.ok()) return saved;
    PutSubscriptionLocked(std::make_shared<const Subscription>(std::move(next)));
    return s->arn;
  }
  return InvalidParameter("Token");
}

Status SnsService::Unsubscribe(const std::string& arn) {
  if (!IsArnOf(arn, "sns")) {
    return InvalidParameter("SubscriptionArn Reason: An ARN must have at least 6 elements, not " +
                            std::to_string(std::count(arn.begin(), arn.end(), ':') + 1));
  }
  std::lock_guard lock(mu_);
  auto it = subscriptions_.find(arn);
  if (it == subscriptions_.end()) return Status::Ok();  // unsubscribing twice is no error on AWS
  auto topic = FindTopicLocked(it->second->topic_arn);
  if (Status deleted = subscriptions_section_.Delete(arn); !deleted.ok()) return deleted;
  subscriptions_.erase(it);
  if (topic) {
    auto& list = topic->subscriptions;
    list.erase(std::remove_if(list.begin(), list.end(), [&](const auto& s) { return s->arn == arn; }),
               list.end());
    topic->deleted_subscriptions++;
    (void)SaveTopicLocked(*topic);
  }
  return Status::Ok();
}

Result<Page<SubscriptionSummary>> SnsService::ListSubscriptions(const std::optional<std::string>& topic_arn,
                                                                const std::string& next_token) const {
  std::lock_guard lock(mu_);
  if (topic_arn && !FindTopicLocked(*topic_arn)) return TopicNotFound();
  Page<SubscriptionSummary> page;
  auto it = next_token.empty() ? subscriptions_.begin() : subscriptions_.upper_bound(next_token);
  std::string last;
  for (; it != subscriptions_.end(); ++it) {
    const Subscription& s = *it->second;
    if (topic_arn && s.topic_arn != *topic_arn) continue;
    if (page.items.size() == kPageSize) {
      page.next_token = last;
      break;
    }
    page.items.push_back({s.pending ? "PendingConfirmation" : s.arn, options_.account_id, s.protocol,
                          s.endpoint, s.topic_arn});
    last = s.arn;
  }
  return page;
}

Result<AttributeMap> SnsService::GetSubscriptionAttributes(const std::string& arn) const {
  std::shared_ptr<const Subscription> s;
  std::string topic_policy;
  {
    std::lock_guard lock(mu_);
    auto it = subscriptions_.find(arn);
    if (it == subscriptions_.end()) return SubscriptionNotFound();
    s = it->second;
    if (auto topic = FindTopicLocked(s->topic_arn)) topic_policy = topic->Attribute("DeliveryPolicy");
  }
  AttributeMap out;
  for (const auto& [k, v] : s->attributes) {
    if (!v.empty()) out[k] = v;
  }
  out["SubscriptionArn"] = s->arn;
  out["TopicArn"] = s->topic_arn;
  out["Protocol"] = s->protocol;
  out["Endpoint"] = s->endpoint;
  out["Owner"] = options_.account_id;
  out["PendingConfirmation"] = s->pending ? "true" : "false";
  out["ConfirmationWasAuthenticated"] = s->authenticated ? "true" : "false";
  out["SubscriptionPrincipal"] = fmt::format("arn:aws:iam::{}:root", options_.account_id);
  if (!out.count("RawMessageDelivery")) out["RawMessageDelivery"] = "false";
  if (out.count("FilterPolicy") && !out.count("FilterPolicyScope")) out["FilterPolicyScope"] = "MessageAttributes";
  if (s->protocol == "http" || s->protocol == "https") {
    RetryPolicy p = EffectiveRetryPolicy(topic_policy, s->Attribute("DeliveryPolicy"));
    std::string throttle = "null";
    if (auto per_second = MaxReceivesPerSecond(s->Attribute("DeliveryPolicy"))) {
      throttle = fmt::format(R"({{"maxReceivesPerSecond":{}}})", *per_second);
    }
    out["EffectiveDeliveryPolicy"] = fmt::format(
        R"({{"healthyRetryPolicy":{{"minDelayTarget":{},"maxDelayTarget":{},"numRetries":{},"numMaxDelayRetries":{},"numNoDelayRetries":{},"numMinDelayRetries":{},"backoffFunction":"{}"}},"sicklyRetryPolicy":null,"throttlePolicy":{},"guaranteed":false}})",
        p.min_delay_target_s, p.max_delay_target_s, p.num_retries, p.num_max_delay_retries,
        p.num_no_delay_retries, p.num_min_delay_retries, p.backoff_function, throttle);
  }
  return out;
}

Status SnsService::SetSubscriptionAttribute(const std::string& arn, const std::string& name,
                                            const std::string& value) {
  std::lock_guard lock(mu_);
  auto it = subscriptions_.find(arn);
  if (it == subscriptions_.end()) return SubscriptionNotFound();
  if (Status s = ValidateSubscriptionAttribute(name, value, it->second->protocol); !s.ok()) return s;
  Subscription next = *it->second;
  if (value.empty() || (name == "FilterPolicy" && value == "{}")) {
    next.attributes.erase(name);
  } else {
    next.attributes[name] = value;
  }
  auto filter = FilterOf(next.attributes);
  if (!filter.ok()) return filter.status();
  next.filter = std::move(*filter);
  if (Status saved = SaveSubscription(next); !saved.ok()) return saved;
  PutSubscriptionLocked(std::make_shared<const Subscription>(std::move(next)));
  return Status::Ok();
}

Result<PublishResult> SnsService::Publish(PublishRequest r) {
  if (r.topic_arn.empty() && !r.target_arn.empty()) r.topic_arn = r.target_arn;
  if (r.topic_arn.empty() && r.phone_number.empty()) {
    return InvalidParameter("TopicArn or TargetArn Reason: no value for required parameter");
  }
  if (r.topic_arn.empty() && !IsPhoneNumber(r.phone_number)) {
    return InvalidParameter("PhoneNumber Reason: " + r.phone_number + " is not valid to publish to");
  }
  if (r.message.empty()) return InvalidParameter("Empty message");
  if (MessageBytes(r) > kMaxMessageBytes) return InvalidParameter("Message too long");
  if (r.subject.size() > 100 ||
      std::any_of(r.subject.begin(), r.subject.end(), [](char c) {
        return static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e;
      })) {
    return InvalidParameter("Subject");
  }
  if (Status s = ValidateMessageAttributes(r.attributes); !s.ok()) return s;
  auto message = std::make_shared<PublishedMessage>();
  if (r.message_structure == "json") {
    rapidjson::Document doc;
    (void)ParseJson(doc, r.message);
    if (doc.HasParseError() || !doc.IsObject()) {
      return InvalidParameter("Message Structure - JSON message body failed to parse");
    }
    auto def = doc.FindMember("default");
    if (def == doc.MemberEnd() || !def->value.IsString()) {
      return InvalidParameter("Message Structure - No default entry in JSON message body");
    }
    message->message = def->value.GetString();
    for (const auto& m : doc.GetObject()) {
      if (m.value.IsString() && std::string_view(m.name.GetString()) != "default") {
        message->per_protocol[m.name.GetString()] = m.value.GetString();
      }
    }
  } else if (!r.message_structure.empty()) {
    return InvalidParameter("MessageStructure");
  } else {
    message->message = r.message;
  }
  message->message_id = NewUuid();
  message->subject = r.subject;
  message->attributes = r.attributes;
  message->timestamp_ms = NowEpochMs();
  if (r.topic_arn.empty()) return PublishResult{message->message_id, ""};  // an SMS: not sent

  std::unique_lock lock(mu_);
  auto topic = FindTopicLocked(r.topic_arn);
  if (!topic) {
    if (IsArnOf(r.topic_arn, "sns") && r.topic_arn.find("endpoint/") != std::string::npos) {
      return Status::Error(errors::kNotFound, "Endpoint does not exist");
    }
    return TopicNotFound();
  }
  message->topic_arn = topic->arn;
  TopicView view{topic->arn, topic->fifo, topic->signature_version(), topic->Attribute("DeliveryPolicy")};
  auto subscribers = topic->subscriptions;
  if (!topic->fifo) {
    if (!r.deduplication_id.empty()) {
      return InvalidParameter(
          "MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that "
          "is not valid for this topic type");
    }
    lock.unlock();
    message->group_id = r.group_id;
    PublishResult result{message->message_id, ""};
    if (!fanout_->Deliver(view, subscribers, std::move(message))) return Stopping();
    return result;
  }
  if (r.group_id.empty()) {
    return InvalidParameter("The MessageGroupId parameter is required for FIFO topics");
  }
  if (r.deduplication_id.empty()) {
    if (!topic->content_based_deduplication()) {
      return InvalidParameter(
          "The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId "
          "provided explicitly");
    }
    r.deduplication_id = Sha256Hex(r.message);
  }
  std::shared_ptr<FifoState> fifo = fifo_[topic->arn];
  std::lock_guard fifo_lock(fifo->mu);
  lock.unlock();
  const int64_t now = NowEpochMs();
  while (!fifo->expiry.empty() && fifo->expiry.front().first <= now) {
    auto seen = fifo->seen.find(fifo->expiry.front().second);
    if (seen != fifo->seen.end() && seen->second.expires_ms <= now) fifo->seen.erase(seen);
    fifo->expiry.pop_front();
  }
  if (auto seen = fifo->seen.find(r.deduplication_id); seen != fifo->seen.end()) {
    return seen->second.result;  // a duplicate: accepted, not delivered again
  }
  message->group_id = r.group_id;
  message->deduplication_id = r.deduplication_id;
  message->sequence_number = std::to_string(fifo->next_sequence++);
  PublishResult result{message->message_id, message->sequence_number};
  fifo->seen[r.deduplication_id] = {now + kDeduplicationWindowMs, result};
  fifo->expiry.emplace_back(now + kDeduplicationWindowMs, r.deduplication_id);
  if (!fanout_->Deliver(view, subscribers, std::move(message))) return Stopping();
  return result;
}

void SnsService::SetSmsAttributes(const std::map<std::string, std::string>& attributes) {
  std::lock_guard lock(mu_);
  for (const auto& [k, v] : attributes) sms_attributes_[k] = v;
}

std::map<std::string, std::string> SnsService::GetSmsAttributes(const std::vector<std::string>& names) const {
  std::lock_guard lock(mu_);
  if (names.empty()) return sms_attributes_;
  std::map<std::string, std::string> out;
  for (const auto& n : names) {
    if (auto it = sms_attributes_.find(n); it != sms_attributes_.end()) out.insert(*it);
  }
  return out;
}

Status SnsService::TagResource(const std::string& arn, const std::map<std::string, std::string>& tags) {
  std::lock_guard lock(mu_);
  auto topic = FindTopicLocked(arn);
  if (!topic) return Status::Error(errors::kResourceNotFound, "Resource does not exist");
  for (const auto& [k, v] : tags) {
    if (k.empty() || k.size() > 128 || v.size() > 256) return InvalidParameter("Tags");
  }
  Topic next = *topic;
  for (const auto& [k, v] : tags) next.tags[k] = v;
  if (next.tags.size() > kMaxTags) {
    return Status::Error(errors::kTagLimitExceeded, "Could not complete request: tag quota of per resource exceeded");
  }
  if (Status saved = SaveTopicLocked(next); !saved.ok()) return saved;
  topic->tags = std::move(next.tags);
  return Status::Ok();
}

Status SnsService::UntagResource(const std::string& arn, const std::vector<std::string>& keys) {
  std::lock_guard lock(mu_);
  auto topic = FindTopicLocked(arn);
  if (!topic) return Status::Error(errors::kResourceNotFound, "Resource does not exist");
  Topic next = *topic;
  for (const auto& k : keys) next.tags.erase(k);
  if (Status saved = SaveTopicLocked(next); !saved.ok()) return saved;
  topic->tags = std::move(next.tags);
  return Status::Ok();
}

Result<std::map<std::string, std::string>> SnsService::ListTagsForResource(const std::string& arn) const {
  std::lock_guard lock(mu_);
  auto topic = FindTopicLocked(arn);
  if (!topic) return Status::Error(errors::kResourceNotFound, "Resource does not exist");
  return topic->tags;
}

}  // namespace ll::sns
