// Fanout: delivers published messages to subscriptions, by protocol: functions (an
// asynchronous invoke through the destination registry, so async retries and destinations
// apply), SQS queues (the envelope, or the raw message with its attributes), HTTP/S endpoints
// (POSTs retried per the delivery policy); and what cannot be delivered to the subscription's
// redrive dead-letter queue. Also sends the SubscriptionConfirmation of HTTP/S subscriptions.
//
// Thread-safety: every method is thread-safe. Owns its worker threads (Stop joins them).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "invoke/destinations.h"
#include "services/sns/delivery_workers.h"
#include "services/sns/envelopes.h"
#include "services/sns/message.h"
#include "services/sns/topics.h"

namespace ll::sns {

// What a delivery needs of its topic, copied when the message is published.
struct TopicView {
  std::string arn;
  bool fifo = false;
  int signature_version = 1;
  std::string delivery_policy;  // the topic's DeliveryPolicy attribute
};

class Fanout {
 public:
  // `base_url`: "http://localhost:4566", the root of SubscribeURL, UnsubscribeURL and
  // SigningCertURL. `notice` reports a message that could not be delivered.
  Fanout(std::string base_url, std::string signing_cert_url, Destinations* destinations,
         const MessageSigner* signer, std::function<void(const std::string&)> notice);
  ~Fanout();

  // Sends `message` to each confirmed subscription whose filter policy matches it. Standard
  // topics: returns at once, the deliveries run on the workers. FIFO topics: the queue
  // deliveries are made before it returns, so that a topic's messages reach each queue in the
  // order they were published (the caller publishes to one FIFO topic at a time). False when
  // stopping: nothing was sent.
  bool Deliver(const TopicView& topic, const std::vector<std::shared_ptr<const Subscription>>& to,
               std::shared_ptr<const PublishedMessage> message);

  // POSTs the SubscriptionConfirmation to a pending HTTP/S subscription.
  void Confirm(const TopicView& topic, std::shared_ptr<const Subscription> subscription);

  // Whether the subscription's filter policy lets `message` through.
  static bool Passes(const Subscription& subscription, const PublishedMessage& message);

  // Makes the queue and function deliveries that are due; drops the HTTP/S ones not started
  // and every waiting retry (counted in a notice). Idempotent.
  void Stop();

 private:
  struct Attempt;
  class Outgoing;
  void DeliverOne(const TopicView& topic, std::shared_ptr<const Subscription> subscription,
                  std::shared_ptr<Outgoing> message);
  void RunHttp(std::shared_ptr<Attempt> attempt);
  void DeadLetter(const Subscription& subscription, DestinationMessage message,
                  const std::string& error);
  DeliveryContext ContextFor(const TopicView& topic, const Subscription& subscription) const;

  const std::string base_url_;
  const std::string signing_cert_url_;
  Destinations* const destinations_;
  const MessageSigner* const signer_;
  const std::function<void(const std::string&)> notice_;
  DeliveryWorkers queue_workers_;  // sqs and lambda: quick, in-process
  DeliveryWorkers http_workers_;   // http/https: may wait on a slow endpoint
};

}  // namespace ll::sns
