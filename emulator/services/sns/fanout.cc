#include "services/sns/fanout.h"

#include <httplib.h>
#include <rapidjson/document.h>

#include <map>
#include <mutex>

#include "base/json_parse.h"
#include "base/strings.h"
#include "services/sns/delivery_policy.h"
#include "http/http_endpoint.h"

namespace ll::sns {
namespace {

constexpr size_t kQueueThreads = 2;
constexpr size_t kHttpThreads = 4;
constexpr int kQueueAttempts = 3;  // AWS retries queues and functions for days; here, briefly
// HTTP/S attempts waiting at most (a dead endpoint's retries must not grow without bound);
// past it a delivery goes straight to its dead-letter queue.
constexpr size_t kMaxPendingHttp = 10000;
// Queue and function deliveries waiting for a thread at most: past it Publish waits (each
// delivery signs with RSA, the costly part, so a burst of publishes can outrun them).
constexpr size_t kMaxDueQueueDeliveries = 4096;
constexpr size_t kMaxResponseBytes = 64 * 1024;  // what is read of an endpoint's answer

std::string RedriveTarget(const Subscription& s) {
  const std::string policy = s.Attribute("RedrivePolicy");
  if (policy.empty()) return "";
  rapidjson::Document doc;
  (void)ParseJson(doc, policy);
  if (doc.HasParseError() || !doc.IsObject()) return "";
  auto it = doc.FindMember("deadLetterTargetArn");
  return it != doc.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

DestinationMessage BodyOnly(std::string body) {
  DestinationMessage out;
  out.body = std::move(body);
  return out;
}

DestinationMessage RawMessage(const PublishedMessage& m, std::string_view text) {
  DestinationMessage out;
  out.body = std::string(text);
  for (const auto& [name, a] : m.attributes) {
    DestinationMessage::Attribute& v = out.attributes[name];
    v.data_type = a.data_type;
    v.string_value = a.string_value;
    v.binary_value = a.binary_value;
  }
  return out;
}


}  // namespace

// A message on its way to its subscribers, with each signature made once: a signature covers
// the text and the topic's version, not the subscriber, and RSA is the costly part of a delivery.
class Fanout::Outgoing {
 public:
  explicit Outgoing(std::shared_ptr<const PublishedMessage> m) : message_(std::move(m)) {}
  const PublishedMessage& message() const { return *message_; }
  std::string Signature(const std::string& text, int version, const MessageSigner& signer) {
    std::lock_guard lock(mu_);
    auto key = std::make_pair(&text, version);  // texts live in message_, which does not change
    auto it = signatures_.find(key);
    if (it == signatures_.end()) {
      it = signatures_.emplace(key, NotificationSignature(*message_, text, version, signer)).first;
    }
    return it->second;
  }

 private:
  const std::shared_ptr<const PublishedMessage> message_;
  std::mutex mu_;
  std::map<std::pair<const std::string*, int>, std::string> signatures_;  // guarded by mu_
};

// One HTTP/S delivery and its retries.
struct Fanout::Attempt {
  std::shared_ptr<const Subscription> subscription;
  std::string message_type;  // x-amz-sns-message-type
  std::string message_id;
  std::string topic_arn;
  std::string body;
  bool raw = false;
  std::vector<std::chrono::milliseconds> delays;  // before each retry
  size_t tries = 0;
  DestinationMessage dead_letter;  // what the redrive queue gets when every try fails
};

Fanout::Fanout(std::string base_url, std::string signing_cert_url, Destinations* destinations,
               const MessageSigner* signer, std::function<void(const std::string&)> notice)
    : base_url_(std::move(base_url)),
      signing_cert_url_(std::move(signing_cert_url)),
      destinations_(destinations),
      signer_(signer),
      notice_(std::move(notice)),
      queue_workers_(kQueueThreads, kMaxDueQueueDeliveries),
      http_workers_(kHttpThreads) {}

Fanout::~Fanout() { Stop(); }

void Fanout::Stop() {
  size_t dropped = queue_workers_.Stop() + http_workers_.Stop(/*run_due=*/false);
  if (dropped > 0 && notice_) {
    notice_(std::to_string(dropped) + " SNS delivery retries still waiting were dropped at stop");
  }
}

bool Fanout::Passes(const Subscription& s, const PublishedMessage& m) {
  if (!s.filter) return true;
  if (s.filter->scope() == FilterPolicyScope::kMessageBody) {
    return s.filter->MatchesBody(MessageFor(m, s.protocol));
  }
  return s.filter->MatchesAttributes(m.attributes);
}

DeliveryContext Fanout::ContextFor(const TopicView& topic, const Subscription& s) const {
  DeliveryContext c;
  c.subscription_arn = s.arn;
  c.unsubscribe_url = base_url_ + "/?Action=Unsubscribe&SubscriptionArn=" + s.arn;
  c.signing_cert_url = signing_cert_url_;
  c.signature_version = topic.signature_version;
  return c;
}

bool Fanout::Deliver(const TopicView& topic, const std::vector<std::shared_ptr<const Subscription>>& to,
                     std::shared_ptr<const PublishedMessage> message) {
  std::shared_ptr<Outgoing> out;
  for (const auto& s : to) {
    if (s->pending || !Passes(*s, *message)) continue;
    if (!out) out = std::make_shared<Outgoing>(message);
    if (topic.fifo && s->protocol == "sqs") {
      DeliverOne(topic, s, out);  // in publish order
    } else if (!queue_workers_.Post([this, topic, s, out] { DeliverOne(topic, s, out); })) {
      return false;
    }
  }
  return true;
}

void Fanout::DeliverOne(const TopicView& topic, std::shared_ptr<const Subscription> s,
                        std::shared_ptr<Outgoing> outgoing) {
  const PublishedMessage* m = &outgoing->message();
  const std::string& text = MessageFor(*m, s->protocol);
  const DeliveryContext context = ContextFor(topic, *s);
  auto signature = [&] { return outgoing->Signature(text, topic.signature_version, *signer_); };
  if (s->protocol == "lambda") {
    Status sent;
    const std::string event = LambdaEvent(*m, text, context, signature());
    for (int i = 0; i < kQueueAttempts; ++i) {
      sent = destinations_->Send(s->endpoint, event);
      if (sent.ok()) return;
    }
    DestinationMessage dead;
    dead.body = NotificationEnvelope(*m, text, context, signature());
    DeadLetter(*s, std::move(dead), sent.message());
    return;
  }
  if (s->protocol == "sqs") {
    DestinationMessage out = s->raw() ? RawMessage(*m, text)
                                      : BodyOnly(NotificationEnvelope(*m, text, context, signature()));
    if (EndsWith(s->endpoint, ".fifo")) {
      out.group_id = m->group_id;
      out.deduplication_id = m->deduplication_id;
    }
    Status sent;
    for (int i = 0; i < kQueueAttempts; ++i) {
      sent = destinations_->Send(s->endpoint, out);
      if (sent.ok()) return;
    }
    DeadLetter(*s, std::move(out), sent.message());
    return;
  }
  if (s->protocol == "http" || s->protocol == "https") {
    auto attempt = std::make_shared<Attempt>();
    attempt->subscription = s;
    attempt->message_type = "Notification";
    attempt->message_id = m->message_id;
    attempt->topic_arn = m->topic_arn;
    attempt->raw = s->raw();
    attempt->body = attempt->raw ? text : NotificationEnvelope(*m, text, context, signature());
    attempt->delays = RetryDelays(EffectiveRetryPolicy(topic.delivery_policy, s->Attribute("DeliveryPolicy")));
    attempt->dead_letter = attempt->raw ? RawMessage(*m, text) : BodyOnly(attempt->body);
    if (http_workers_.pending() >= kMaxPendingHttp) {
      DeadLetter(*s, std::move(attempt->dead_letter),
                 std::to_string(kMaxPendingHttp) + " HTTP/S deliveries are already waiting");
      return;
    }
    if (!http_workers_.Post([this, attempt] { RunHttp(attempt); })) {
      DeadLetter(*s, std::move(attempt->dead_letter), "lambda-local is stopping");
    }
    return;
  }
  // email, sms, application, firehose: recorded, never delivered by lambda-local.
}

void Fanout::Confirm(const TopicView& topic, std::shared_ptr<const Subscription> s) {
  Confirmation c;
  c.message_id = NewUuid();
  c.topic_arn = topic.arn;
  c.token = s->token;
  c.subscribe_url = base_url_ + "/?Action=ConfirmSubscription&TopicArn=" + topic.arn + "&Token=" + s->token;
  c.timestamp_ms = NowEpochMs();
  auto attempt = std::make_shared<Attempt>();
  attempt->subscription = s;
  attempt->message_type = "SubscriptionConfirmation";
  attempt->message_id = c.message_id;
  attempt->topic_arn = topic.arn;
  attempt->body = ConfirmationEnvelope(c, topic.signature_version, signing_cert_url_, *signer_);
  attempt->delays = RetryDelays(EffectiveRetryPolicy(topic.delivery_policy, s->Attribute("DeliveryPolicy")));
  (void)http_workers_.Post([this, attempt] { RunHttp(attempt); });  // dropped only when stopping
}

void Fanout::RunHttp(std::shared_ptr<Attempt> a) {
  const Subscription& s = *a->subscription;
  std::string error;
  bool retry = true;
  try {
    const std::optional<HttpEndpoint> endpoint = ParseHttpEndpoint(s.endpoint);  // checked at Subscribe
    if (!endpoint) throw std::invalid_argument("not an HTTP/S URL");
    // Host and port given apart: httplib's URL constructor runs a regex over the whole URL.
    std::unique_ptr<httplib::ClientImpl> owned;
    if (endpoint->https) {
      auto tls = std::make_unique<httplib::SSLClient>(endpoint->host, endpoint->port);
      tls->enable_server_certificate_verification(false);  // local endpoints, self-signed certs
      owned = std::move(tls);
    } else {
      owned = std::make_unique<httplib::ClientImpl>(endpoint->host, endpoint->port);
    }
    httplib::ClientImpl& client = *owned;
    client.set_connection_timeout(std::chrono::seconds(5));
    client.set_read_timeout(std::chrono::seconds(15));
    client.set_write_timeout(std::chrono::seconds(15));
    httplib::Headers headers = {
        {"x-amz-sns-message-type", a->message_type},
        {"x-amz-sns-message-id", a->message_id},
        {"x-amz-sns-topic-arn", a->topic_arn},
        {"User-Agent", "Amazon Simple Notification Service Agent"},
    };
    if (a->message_type == "Notification") headers.emplace("x-amz-sns-subscription-arn", s.arn);
    if (a->raw) headers.emplace("x-amz-sns-rawdelivery", "true");
    httplib::Request req;
    req.method = "POST";
    req.path = endpoint->path;
    req.headers = std::move(headers);
    req.headers.emplace("Content-Type", "text/plain; charset=UTF-8");
    req.body = a->body;
    // The answer's body is not needed: read a little of it, keep none.
    req.content_receiver = [](const char*, size_t, uint64_t offset, uint64_t) {
      return offset < kMaxResponseBytes;
    };
    httplib::Response res;
    httplib::Error failure = httplib::Error::Success;
    const bool answered = client.send(req, res, failure) || res.status > 0;
    if (answered && res.status >= 200 && res.status < 300) return;
    if (!answered) {
      error = "no answer from " + s.endpoint + ": " + httplib::to_string(failure);
    } else {
      error = s.endpoint + " answered " + std::to_string(res.status);
      // A client error will not go away by trying again (429 may).
      retry = res.status >= 500 || res.status == 429;
    }
  } catch (const std::exception& e) {
    error = std::string("cannot reach ") + s.endpoint + ": " + e.what();
  }
  if (retry && a->tries < a->delays.size()) {
    auto due = DeliveryWorkers::Clock::now() + a->delays[a->tries++];
    if (http_workers_.PostAt(due, [this, a] { RunHttp(a); })) return;
  }
  if (a->message_type == "Notification") {
    DeadLetter(s, std::move(a->dead_letter), error);
  } else if (notice_) {
    notice_("SNS subscription confirmation to " + s.endpoint + " not delivered: " + error);
  }
}

void Fanout::DeadLetter(const Subscription& s, DestinationMessage message, const std::string& error) {
  const std::string dlq = RedriveTarget(s);
  if (!dlq.empty()) {
    if (message.attributes.size() <= 7) {
      message.attributes["ErrorCode"] = {"String", "DeliveryFailed", ""};
      message.attributes["ErrorMessage"] = {"String", error.empty() ? "delivery failed" : error, ""};
      message.attributes["RequestID"] = {"String", NewUuid(), ""};
    }
    if (!EndsWith(dlq, ".fifo")) {
      message.group_id.clear();
      message.deduplication_id.clear();
    }
    Status sent = destinations_->Send(dlq, std::move(message));
    if (sent.ok()) return;
    if (notice_) {
      notice_("SNS message for " + s.arn + " not delivered (" + error +
              ") nor sent to its dead-letter queue: " + sent.message());
    }
    return;
  }
  if (notice_) notice_("SNS message for " + s.arn + " not delivered: " + error);
}

}  // namespace ll::sns
