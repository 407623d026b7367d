// SqsService: every SQS queue of the emulator, by name, URL and ARN
// (arn:aws:sqs:<region>:<account>:<name>), with the checks that span queues (redrive targets),
// and the C++ API other parts of lambda-local use: event-source pollers receive, delete and
// change visibility by queue ARN and block in WaitForMessages() until a queue has messages;
// destinations send by ARN. The wire protocols sit on top of it (sqs_http.h).
//
// Thread-safety: all methods are thread-safe. One mutex guards the name -> queue map; each
// Queue guards its own state. Lock order is service, then queue, never the reverse, and a
// receive moves messages to a dead-letter queue only after releasing the source's lock.
// Queues are shared_ptrs: one deleted while a caller holds it stays valid, closed.
//
// With a state store (SqsOptions::state), queues and messages are kept there (SqsState) and
// Restore() brings them back; every change is committed before the call that made it returns.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "services/sqs/message.h"
#include "services/sqs/queue.h"
#include "services/sqs/queue_config.h"
#include "services/sqs/sqs_state.h"
#include "store/state_store.h"

namespace ll::sqs {

struct SqsOptions {
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  // Host (and port) for URLs of queues named outside a request, e.g. template resources.
  std::string default_host = "localhost:4566";
  NowMsFn now;  // epoch ms; unset: the wall clock
  // Where queues and messages are kept across restarts; null or disabled: nowhere. Outlives
  // the service.
  StateStore* state = nullptr;
};

class SqsService {
 public:
  explicit SqsService(SqsOptions options);
  ~SqsService();  // Shutdown()
  SqsService(const SqsService&) = delete;
  SqsService& operator=(const SqsService&) = delete;

  const SqsOptions& options() const { return options_; }

  // Brings back the queues the state store kept (call once, before serving). StateStoreInvalid
  // for a row that cannot be read.
  Status Restore();
  std::string QueueArn(std::string_view name) const;
  // `host` is the Host header of the request; "" means options().default_host.
  std::string QueueUrl(std::string_view host, std::string_view name) const;

  // ---- Queues ----
  // Creates a queue, or returns the existing one when `attributes` match its settings
  // (QueueNameExists otherwise). Tags apply only to a new queue.
  Result<std::shared_ptr<Queue>> CreateQueue(const std::string& name,
                                             const AttributeMap& attributes,
                                             const std::map<std::string, std::string>& tags);
  // For the template's queues at start: creates the queue, or gives one kept from an earlier
  // run exactly the settings `attributes` describe (the template wins; messages and tags stay).
  Result<std::shared_ptr<Queue>> CreateOrUpdateQueue(const std::string& name,
                                                     const AttributeMap& attributes);
  Result<std::shared_ptr<Queue>> FindByName(std::string_view name) const;
  // InvalidAddress for something that is not a queue URL, QueueDoesNotExist for no queue.
  Result<std::shared_ptr<Queue>> FindByUrl(std::string_view url) const;
  Result<std::shared_ptr<Queue>> FindByArn(std::string_view arn) const;
  // Deletes the queue and its messages; receivers waiting on it return empty.
  Status DeleteQueue(std::string_view name);
  // Queues whose name starts with `prefix`, sorted by name.
  std::vector<std::shared_ptr<Queue>> ListQueues(std::string_view prefix) const;
  // Validates (including the redrive target: it must exist, be of the same type and allow
  // this queue) and applies.
  Status SetQueueAttributes(Queue& queue, const AttributeMap& attributes);
  // `names` may hold "All"; InvalidAttributeName for an unknown name.
  Result<AttributeMap> GetQueueAttributes(Queue& queue, const std::vector<std::string>& names);
  // Queues whose RedrivePolicy targets `dead_letter`, sorted by name.
  std::vector<std::shared_ptr<Queue>> DeadLetterSourceQueues(const Queue& dead_letter) const;

  // Queue::Receive with the queue's dead-letter queue resolved.
  std::vector<ReceivedMessage> ReceiveFrom(Queue& queue, const ReceiveOptions& options);

  // ---- By ARN, for pollers and other services ----
  Result<SendResult> Send(std::string_view queue_arn, SendRequest request);
  // Up to `max_messages` (any number >= 1), waiting up to `wait` for the first; each message
  // carries every system attribute and message attribute. Returns early, empty, when `stop`
  // becomes true and Wake() is called; QueueDoesNotExist when the queue is deleted meanwhile
  // or the service shuts down.
  Result<std::vector<ReceivedMessage>> Receive(std::string_view queue_arn, size_t max_messages,
                                               std::chrono::milliseconds wait,
                                               std::optional<int> visibility_timeout,
                                               const std::atomic<bool>* stop = nullptr);
  Status Delete(std::string_view queue_arn, std::string_view receipt_handle);
  Status ChangeVisibility(std::string_view queue_arn, std::string_view receipt_handle,
                          int visibility_timeout);
  // True as soon as the queue has a receivable message; false at `deadline`, when `stop` is
  // true (checked on Wake()), or when the queue is deleted. QueueDoesNotExist for no queue.
  Result<bool> WaitForMessages(std::string_view queue_arn,
                               std::chrono::steady_clock::time_point deadline,
                               const std::atomic<bool>& stop);
  // Wakes every waiter (WaitForMessages, Receive) so it re-checks its stop flag.
  void Wake();
  // Closes every queue: waiters return, later calls fail. Idempotent.
  void Shutdown();

 private:
  Status ValidateRedriveLocked(const std::string& source_arn, const QueueConfig& config) const;
  std::shared_ptr<Queue> FindByArnLocked(std::string_view arn) const;

  const SqsOptions options_;
  const std::unique_ptr<SqsState> state_;  // null: nothing is kept

  mutable std::mutex mu_;
  // Guarded by mu_.
  std::map<std::string, std::shared_ptr<Queue>, std::less<>> queues_;
};

}  // namespace ll::sqs
