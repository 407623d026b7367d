// SnsService: SNS's topics and subscriptions, their operations as AWS validates them, and
// Publish, which hands each message to the Fanout. What it keeps survives a restart through
// the state store (sections "sns.topics", "sns.subscriptions"); messages are not kept.
//
// Thread-safety: every method is thread-safe.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "services/sns/fanout.h"
#include "services/sns/message.h"
#include "services/sns/signing.h"
#include "services/sns/topics.h"
#include "store/state_store.h"

namespace ll::sns {

struct SnsOptions {
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  std::string base_url = "http://localhost:4566";  // of SubscribeURL, UnsubscribeURL, SigningCertURL
};

struct PublishRequest {
  std::string topic_arn;     // TopicArn, or TargetArn when it names a topic
  std::string target_arn;
  std::string phone_number;
  std::string message;
  std::string subject;
  std::string message_structure;  // "" or "json"
  MessageAttributes attributes;
  std::string group_id;
  std::string deduplication_id;
};

struct PublishResult {
  std::string message_id;
  std::string sequence_number;  // FIFO topics
};

struct SubscriptionSummary {
  std::string arn;  // "PendingConfirmation" while pending
  std::string owner;
  std::string protocol;
  std::string endpoint;
  std::string topic_arn;
};

template <typename T>
struct Page {
  std::vector<T> items;
  std::string next_token;  // "" on the last page
};

class SnsService {
 public:
  // `store` may be null (nothing kept). `notice` reports deliveries that failed.
  SnsService(SnsOptions options, StateStore* store, Destinations* destinations, MessageSigner signer,
             std::function<void(const std::string&)> notice);
  ~SnsService();

  // Brings back the kept topics and subscriptions.
  Status Restore();
  // Stops deliveries (see Fanout::Stop).
  void Shutdown();

  const SnsOptions& options() const { return options_; }
  const std::string& certificate_pem() const { return signer_.certificate_pem(); }
  // "/SimpleNotificationService-<hex>.pem", the path SigningCertURL names.
  const std::string& certificate_path() const { return certificate_path_; }

  Result<std::string> CreateTopic(const std::string& name, const AttributeMap& attributes,
                                  const std::map<std::string, std::string>& tags);
  Status DeleteTopic(const std::string& arn);
  Result<Page<std::string>> ListTopics(const std::string& next_token) const;
  Result<AttributeMap> GetTopicAttributes(const std::string& arn) const;
  // Whether the topic is FIFO and deduplicates by content; NotFound when there is none.
  struct TopicKind {
    bool fifo = false;
    bool content_based_deduplication = false;
  };
  Result<TopicKind> KindOf(const std::string& arn) const;
  Status SetTopicAttribute(const std::string& arn, const std::string& name, const std::string& value);

  // The subscription's ARN, or "pending confirmation" for an HTTP/S or email subscription
  // unless `return_arn`.
  Result<std::string> Subscribe(const std::string& topic_arn, const std::string& protocol,
                                const std::string& endpoint, const AttributeMap& attributes,
                                bool return_arn);
  Result<std::string> ConfirmSubscription(const std::string& topic_arn, const std::string& token);
  Status Unsubscribe(const std::string& arn);
  // All subscriptions, or those of `topic_arn` (NotFound when it does not exist).
  Result<Page<SubscriptionSummary>> ListSubscriptions(const std::optional<std::string>& topic_arn,
                                                      const std::string& next_token) const;
  Result<AttributeMap> GetSubscriptionAttributes(const std::string& arn) const;
  Status SetSubscriptionAttribute(const std::string& arn, const std::string& name,
                                  const std::string& value);

  Result<PublishResult> Publish(PublishRequest request);

  // SetSMSAttributes / GetSMSAttributes: kept in memory and returned; no SMS is ever sent.
  void SetSmsAttributes(const std::map<std::string, std::string>& attributes);
  // Those named, or all when `names` is empty.
  std::map<std::string, std::string> GetSmsAttributes(const std::vector<std::string>& names) const;

  Status TagResource(const std::string& arn, const std::map<std::string, std::string>& tags);
  Status UntagResource(const std::string& arn, const std::vector<std::string>& keys);
  Result<std::map<std::string, std::string>> ListTagsForResource(const std::string& arn) const;

 private:
  struct FifoState;
  std::string TopicArn(const std::string& name) const;
  Status SaveTopicLocked(const Topic& topic);
  Status SaveSubscription(const Subscription& subscription);
  std::shared_ptr<Topic> FindTopicLocked(const std::string& arn) const;
  // Replaces the subscription everywhere it is referenced (by ARN and in its topic).
  void PutSubscriptionLocked(std::shared_ptr<const Subscription> subscription);
  Result<PublishResult> PublishLocked(std::unique_lock<std::mutex>& lock, PublishRequest request);

  const SnsOptions options_;
  StateStore* store_ = nullptr;
  StateSection topics_section_;
  StateSection subscriptions_section_;
  MessageSigner signer_;
  std::string certificate_path_;
  std::unique_ptr<Fanout> fanout_;

  mutable std::mutex mu_;
  // Guarded by mu_. By ARN, so listings page in ARN order.
  std::map<std::string, std::shared_ptr<Topic>> topics_;
  std::map<std::string, std::shared_ptr<const Subscription>> subscriptions_;
  std::map<std::string, std::shared_ptr<FifoState>> fifo_;  // by topic ARN
  std::map<std::string, std::string> sms_attributes_;
};

}  // namespace ll::sns
