// Queue: one SQS queue (standard or FIFO) with AWS's message semantics: delays, visibility
// timeouts, receive counts, redrive to a dead-letter queue, FIFO groups and deduplication,
// retention. There are no timers or threads: time-based changes (a delay or visibility timeout
// running out, retention, the deduplication window) are applied lazily, from deadlines, by the
// next operation; long-poll waiters sleep until their own deadline or the next deadline.
//
// Persistence (optional, SqsState): every change is added, under the mutex, to a batch that is
// enqueued to the state store before the mutex is released (so the store sees the changes in
// the order they were made) and waited for after it (so no lock is held while the disk works);
// a method returns only once its changes are committed.
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
#include "store/state_store.h"

namespace ll::sqs {

class SqsState;

// Epoch milliseconds; injectable so tests can move time.
using NowMsFn = std::function<int64_t()>;

struct QueueCounts {
  size_t visible = 0;      // ApproximateNumberOfMessages
  size_t not_visible = 0;  // ApproximateNumberOfMessagesNotVisible (in flight)
  size_t delayed = 0;      // ApproximateNumberOfMessagesDelayed
};

// What the state store keeps of a queue besides its messages.
struct QueueRecord {
  std::string name;
  QueueConfig config;
  std::map<std::string, std::string> tags;
  int64_t created_ms = 0;
  int64_t last_modified_ms = 0;
  std::string handle_prefix;  // receipt handles stay valid across a restart
  // Where a restored queue's counters go on from: every value below these may have been
  // handed out already (they are reserved in blocks, so they are saved rarely).
  uint64_t next_key = 1;
  uint64_t next_nonce = 1;
  uint64_t next_sequence_number = 10000000000000000000ull;
};

// The record of a new, empty queue created at `now_ms`, with a fresh receipt-handle prefix.
QueueRecord NewQueueRecord(std::string name, QueueConfig config, int64_t now_ms);

// A FIFO deduplication entry: a send with the same deduplication key before `expires_ms` is
// answered with the first send's message id and sequence number.
struct DedupRecord {
  int64_t expires_ms = 0;
  std::string message_id;
  std::string sequence_number;
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
    uint64_t receipt_nonce = 0;
    State state = State::kVisible;
    Group* group = nullptr;  // FIFO queues
  };
  struct Group {
    std::string id;
    std::set<uint64_t> messages;  // keys of messages_, in send order
    int in_flight = 0;
    std::optional<uint64_t> ready_key;  // set while in ready_groups_
  };

  // A new queue that keeps nothing.
  Queue(std::string name, std::string arn, QueueConfig config, NowMsFn now);
  // A queue from `record` (new or restored); with `state`, every change is kept there.
  Queue(std::string arn, QueueRecord record, NowMsFn now, SqsState* state);
  Queue(const Queue&) = delete;
  Queue& operator=(const Queue&) = delete;

  const std::string& name() const { return name_; }
  const std::string& arn() const { return arn_; }
  int64_t created_ms() const { return created_ms_; }

  QueueConfig config() const;
  int64_t last_modified_ms() const;
  // Replaces the settings (already validated by the caller); messages already in the queue
  // keep their delays and visibility deadlines.
  Status SetConfig(QueueConfig config);

  std::map<std::string, std::string> tags() const;
  Status Tag(const std::map<std::string, std::string>& tags);
  Status Untag(const std::vector<std::string>& keys);

  // What the state store keeps of the queue now.
  QueueRecord Record() const;
  // Puts messages and deduplication entries read from the state store into a queue that has
  // none yet (before it is shared): in-flight and delayed messages stay so until their
  // deadline, if it has not passed.
  void Restore(std::vector<std::pair<uint64_t, StoredMessage>> messages,
               std::vector<std::pair<std::string, DedupRecord>> dedup);

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
  // Deletes every message, in flight or not. PurgeQueueInProgress within 60 s of the last purge, as in AWS.
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
  // `source_changes` (the source queue's removal of them) commits with their arrival here, so
  // the move is atomic in the state store.
  void AcceptRedriven(std::vector<StoredMessage> messages, const std::string& source_arn,
                      StateBatch source_changes = {});

 private:
  using DedupEntry = DedupRecord;
  using MessageMap = std::map<uint64_t, StoredMessage>;

  // All below: mu_ held.
  void MaintainLocked(int64_t now);
  bool HasAvailableLocked() const;
  // Gives `message` the next key and places it.
  void InsertLocked(StoredMessage message, int64_t now);
  // Places a message under `key` by its state: delayed or in flight until visible_at_ms (if
  // still ahead), else visible.
  void PlaceLocked(uint64_t key, StoredMessage message, int64_t now);
  void MakeVisibleLocked(MessageMap::iterator it);
  void RemoveLocked(MessageMap::iterator it);
  void UpdateGroupLocked(Group* group);
  bool ShouldRedriveLocked(const StoredMessage& m, const Queue* dead_letter) const;
  void DeliverLocked(MessageMap::iterator it, int64_t now, int visibility_timeout,
                     std::vector<ReceivedMessage>& out);
  void TakeLocked(const ReceiveOptions& options, const Queue* dead_letter, int64_t now,
                  std::vector<ReceivedMessage>& out, std::vector<StoredMessage>& to_move,
                  StateBatch& move_changes);
  ReceivedMessage ToReceived(const StoredMessage& m, uint64_t key) const;
  std::string ReceiptHandle(uint64_t key, uint64_t nonce) const;
  // The message key and nonce a handle names, or ReceiptHandleIsInvalid.
  Result<std::pair<uint64_t, uint64_t>> ParseReceiptHandle(std::string_view handle) const;
  // Counters, reserved in blocks in the state store (the queue's record is saved with the
  // change that crosses a block).
  uint64_t NextKeyLocked();
  uint64_t NextNonceLocked();
  std::string NextSequenceNumberLocked();
  QueueRecord RecordLocked() const;
  // Journal: changes for the state store, collected in batch_ (no-ops without state_).
  void SaveMessageLocked(uint64_t key, const StoredMessage& m);
  void SaveRemovalLocked(uint64_t key);
  void SaveQueueLocked();
  // Enqueues batch_ to the store; a closed (deleted) queue's changes are dropped, since its
  // name may already belong to a new queue.
  StateStore::Ticket FlushLocked();
  // Hands batch_ to the store to commit without waiting (see StateStore::Submit).
  void SubmitLocked();
  // Waits for a flushed batch (mu_ not held).
  Status WaitSaved(const StateStore::Ticket& ticket);
  std::chrono::steady_clock::time_point NextWakeLocked(
      std::chrono::steady_clock::time_point deadline, int64_t now) const;

  // Const after construction.
  const std::string name_;
  const std::string arn_;
  const std::string sender_id_;
  const std::string handle_prefix_;  // random: handles of a deleted and re-created queue differ
  const NowMsFn now_;
  SqsState* const state_;  // null: nothing is kept
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
  uint64_t next_key_;
  uint64_t next_nonce_;
  uint64_t next_sequence_number_;
  // The reserved blocks' ends, as saved: next_* never reach them unsaved.
  uint64_t key_limit_;
  uint64_t nonce_limit_;
  uint64_t sequence_limit_;
  std::unordered_map<std::string, DedupEntry> dedup_;
  std::deque<std::pair<int64_t, std::string>> dedup_order_;  // (expires_ms, key), oldest first
  StateBatch batch_;  // changes not yet enqueued to the store
};

}  // namespace ll::sqs
