// Queue: one SQS queue (standard or FIFO) with AWS's message semantics: delays, visibility
// timeouts, receive counts, redrive to a dead-letter queue, FIFO groups and deduplication,
// retention. There are no timers or threads: time-based changes (a delay or visibility timeout
// running out, retention, the deduplication window) are applied lazily, from deadlines, by the
// next operation; long-poll waiters sleep until their own deadline or the next deadline.
//
// Thread-safety: every public method is thread-safe; one mutex guards all state. No method
// calls out while holding it: Receive() moves messages to the dead-letter queue after
// unlocking.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/status.h"
#include "services/sqs/message.h"
#include "services/sqs/queue_config.h"

namespace ll::sqs {

// Epoch milliseconds; injectable so tests can move time.
using NowMsFn = std::function<int64_t()>;

struct QueueCounts {
  size_t visible = 0;      // ApproximateNumberOfMessages
  size_t not_visible = 0;  // ApproximateNumberOfMessagesNotVisible (in flight)
  size_t delayed = 0;      // ApproximateNumberOfMessagesDelayed
};

struct ReceiveOptions {
  size_t max_messages = 1;  // the HTTP API allows 1..10; pollers may ask for more
  std::chrono::milliseconds wait{0};
  std::optional<int> visibility_timeout;  // unset: the queue's VisibilityTimeout
  // Optional: return early (empty) once this is true; Wake() interrupts the wait.
  const std::atomic<bool>* stop = nullptr;
};

class Queue {
 public:
  // Internal records, public only so that AcceptRedriven can take them.
  enum class State : uint8_t { kDelayed, kVisible, kInFlight };
  struct Group;
  struct StoredMessage {
    std::string id;
    std::string body;
    std::string md5_of_body;
    MessageAttributes attributes;
    std::string trace_header;  // AWSTraceHeader
    std::string group_id;
    std::string deduplication_id;
    std::string sequence_number;
    std::string dead_letter_source_arn;
    int64_t sent_ms = 0;
    int64_t first_receive_ms = 0;
    int64_t visible_at_ms = 0;  // delayed or in flight: when it becomes visible
    uint32_t receive_count = 0;
    uint32_t receipt_nonce = 0;
    State state = State::kVisible;
    Group* group = nullptr;  // FIFO queues
  };
  struct Group {
    std::string id;
    std::set<uint64_t> messages;  // keys of messages_, in send order
    int in_flight = 0;
    std::optional<uint64_t> ready_key;  // set while in ready_groups_
  };

  Queue(std::string name, std::string arn, QueueConfig config, NowMsFn now);
  Queue(const Queue&) = delete;
  Queue& operator=(const Queue&) = delete;

  const std::string& name() const { return name_; }
  const std::string& arn() const { return arn_; }
  int64_t created_ms() const { return created_ms_; }

  QueueConfig config() const;
  int64_t last_modified_ms() const;
  // Replaces the settings (already validated by the caller); messages already in the queue
  // keep their delays and visibility deadlines.
  void SetConfig(QueueConfig config);

  std::map<std::string, std::string> tags() const;
  void Tag(const std::map<std::string, std::string>& tags);
  void Untag(const std::vector<std::string>& keys);

  QueueCounts Counts();

  // Validates and enqueues. FIFO: needs a group id and a deduplication id (or content-based
  // deduplication); a duplicate within 5 minutes is accepted and answered with the original
  // MessageId without enqueueing again.
  Result<SendResult> Send(SendRequest request);

  // Takes up to max_messages available messages, waiting up to `wait` for the first one, and
  // makes them invisible for the visibility timeout. A message about to be received more than
  // its RedrivePolicy's maxReceiveCount is moved to `dead_letter` instead (when given).
  std::vector<ReceivedMessage> Receive(const ReceiveOptions& options, Queue* dead_letter);

  // Deletes the message a receipt handle names (a no-op when it is already gone).
  // ReceiptHandleIsInvalid for a handle this queue did not issue.
  Status Delete(std::string_view receipt_handle);
  // Sets an in-flight message's remaining visibility to `visibility_timeout` seconds.
  Status ChangeVisibility(std::string_view receipt_handle, int visibility_timeout);
  // Deletes every message, in flight or not.
  // Deletes every message. PurgeQueueInProgress within 60 s of the last purge, as in AWS.
  Status Purge();

  // Blocks until a message can be received (true), or until `deadline`, `stop`, or Close()
  // (false).
  bool WaitForMessages(std::chrono::steady_clock::time_point deadline,
                       const std::atomic<bool>& stop);
  // Wakes every waiter so it re-checks its stop flag.
  void Wake();
  // The queue was deleted or the service is stopping: waiters return, sends fail.
  void Close();
  bool closed() const;

  // The dead-letter side of a redrive: takes messages another queue moved here.
  void AcceptRedriven(std::vector<StoredMessage> messages, const std::string& source_arn);

 private:
  struct DedupEntry {
    int64_t expires_ms;
    std::string message_id;
    std::string sequence_number;
  };
  using MessageMap = std::map<uint64_t, StoredMessage>;

  // All below: mu_ held.
  void MaintainLocked(int64_t now);
  bool HasAvailableLocked() const;
  void InsertLocked(StoredMessage message, int64_t now);
  void MakeVisibleLocked(MessageMap::iterator it);
  void RemoveLocked(MessageMap::iterator it);
  void UpdateGroupLocked(Group* group);
  bool ShouldRedriveLocked(const StoredMessage& m, const Queue* dead_letter) const;
  void DeliverLocked(MessageMap::iterator it, int64_t now, int visibility_timeout,
                     std::vector<ReceivedMessage>& out);
  void TakeLocked(const ReceiveOptions& options, const Queue* dead_letter, int64_t now,
                  std::vector<ReceivedMessage>& out, std::vector<StoredMessage>& to_move);
  ReceivedMessage ToReceived(const StoredMessage& m, uint64_t key) const;
  std::string ReceiptHandle(uint64_t key, uint32_t nonce) const;
  // The message key a handle names, or ReceiptHandleIsInvalid.
  Result<std::pair<uint64_t, uint32_t>> ParseReceiptHandle(std::string_view handle) const;
  std::chrono::steady_clock::time_point NextWakeLocked(
      std::chrono::steady_clock::time_point deadline, int64_t now) const;

  // Const after construction.
  const std::string name_;
  const std::string arn_;
  const std::string sender_id_;
  const std::string handle_prefix_;  // random: handles of a deleted and re-created queue differ
  const NowMsFn now_;
  int64_t last_purge_ms_ = -1;  // guarded by mu_
  const int64_t created_ms_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  // Guarded by mu_.
  QueueConfig config_;
  int64_t last_modified_ms_;
  std::map<std::string, std::string> tags_;
  bool closed_ = false;
  MessageMap messages_;                                 // every message, by key (send order)
  std::set<uint64_t> visible_;                          // standard: receivable messages
  std::set<std::pair<int64_t, uint64_t>> pending_;      // (visible_at_ms, key): delayed / in flight
  std::unordered_map<std::string, Group> groups_;       // FIFO: groups with messages
  std::set<std::pair<uint64_t, Group*>> ready_groups_;  // FIFO: (head key, group) receivable
  QueueCounts counts_;
  uint64_t next_key_ = 1;
  uint64_t next_sequence_number_ = 10000000000000000000ull;
  uint32_t next_nonce_ = 1;
  std::unordered_map<std::string, DedupEntry> dedup_;
  std::deque<std::pair<int64_t, std::string>> dedup_order_;  // (expires_ms, key), oldest first
};

}  // namespace ll::sqs
