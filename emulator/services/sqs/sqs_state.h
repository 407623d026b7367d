// SqsState: how the SQS service keeps its queues in the state store, so they come back after a
// restart with their settings, tags and messages (in flight, delayed, received counts, FIFO
// sequence numbers and the deduplication window). Its sections:
//   "sqs.queues"    <queue name>                          -> QueueRecord
//   "sqs.messages"  <queue name>/<message key, 16 hex>    -> Queue::StoredMessage
//   "sqs.dedup"     <queue name>/<deduplication key>      -> DedupRecord
// Queue names cannot contain '/', so "<name>/" prefixes one queue's rows. Values are
// RecordWriter encodings that start with a format number.
//
// Thread-safety: const methods only add to the caller's batch; Load reads the store.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "services/sqs/queue.h"
#include "store/state_store.h"

namespace ll::sqs {

struct RestoredQueue {
  QueueRecord record;
  std::vector<std::pair<uint64_t, Queue::StoredMessage>> messages;  // in key order
  std::vector<std::pair<std::string, DedupRecord>> dedup;
};

class SqsState {
 public:
  explicit SqsState(StateStore* store);

  StateStore& store() const { return *store_; }

  void PutQueue(StateBatch& batch, const QueueRecord& record) const;
  // The queue's record, messages and deduplication entries.
  void DeleteQueue(StateBatch& batch, std::string_view name) const;
  void PutMessage(StateBatch& batch, std::string_view queue, uint64_t key,
                  const Queue::StoredMessage& message) const;
  void DeleteMessage(StateBatch& batch, std::string_view queue, uint64_t key) const;
  void DeleteMessages(StateBatch& batch, std::string_view queue) const;
  void PutDedup(StateBatch& batch, std::string_view queue, std::string_view dedup_key,
                const DedupRecord& record) const;
  void DeleteDedup(StateBatch& batch, std::string_view queue, std::string_view dedup_key) const;

  // Every queue kept, by name. StateStoreInvalid, naming the row, for one that cannot be read.
  // Rows of queues that have no record any more are skipped.
  Result<std::vector<RestoredQueue>> Load() const;

 private:
  StateStore* const store_;
  const StateSection queues_;
  const StateSection messages_;
  const StateSection dedup_;
};

// The encodings, exposed for tests.
std::string EncodeQueueRecord(const QueueRecord& record);
bool DecodeQueueRecord(std::string_view bytes, QueueRecord* record);
std::string EncodeMessage(const Queue::StoredMessage& message);
bool DecodeMessage(std::string_view bytes, Queue::StoredMessage* message);
std::string EncodeDedup(const DedupRecord& record);
bool DecodeDedup(std::string_view bytes, DedupRecord* record);
// "<queue>/<16 hex digits>", so keys sort by message key.
std::string MessageRowKey(std::string_view queue, uint64_t key);

}  // namespace ll::sqs
