#include "services/sqs/queue.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "base/strings.h"
#include "services/sqs/message_attributes.h"
#include "services/sqs/sqs_errors.h"
#include "services/sqs/sqs_state.h"

namespace ll::sqs {
namespace {

constexpr int64_t kDeduplicationWindowMs = 5 * 60 * 1000;
constexpr int kMaxVisibilityTimeout = 43200;
// Counters are saved in blocks this big: a restart skips at most this many values.
constexpr uint64_t kCounterBlock = 1 << 20;

// "arn:aws:sqs:<region>:<account>:<name>" -> "<account>"
std::string AccountOf(const std::string& arn) {
  size_t pos = 0;
  for (int i = 0; i < 4 && pos != std::string::npos; ++i) pos = arn.find(':', pos + 1);
  if (pos == std::string::npos) return "";
  size_t end = arn.find(':', pos + 1);
  return arn.substr(pos + 1, end == std::string::npos ? std::string::npos : end - pos - 1);
}

// MessageGroupId / MessageDeduplicationId: 1..128 alphanumeric or punctuation characters.
Status ValidateFifoId(std::string_view parameter, std::string_view value) {
  bool ok = !value.empty() && value.size() <= 128;
  for (char c : value) {
    if (!std::isalnum(static_cast<unsigned char>(c)) &&
        !std::ispunct(static_cast<unsigned char>(c))) {
      ok = false;
    }
  }
  if (ok) return Status::Ok();
  return InvalidParameterValue(fmt::format(
      "Value {} for parameter {} is invalid. Reason: {} can only include alphanumeric and "
      "punctuation characters. 1 to 128 in length.",
      value, parameter, parameter));
}

Status NotForThisQueueType(std::string_view parameter, std::string_view value) {
  return InvalidParameterValue(
      fmt::format("Value {} for parameter {} is invalid. Reason: The request include parameter "
                  "that is not valid for this queue type.",
                  value, parameter));
}

std::chrono::milliseconds Ms(int64_t n) { return std::chrono::milliseconds(n); }

}  // namespace

QueueRecord NewQueueRecord(std::string name, QueueConfig config, int64_t now_ms) {
  QueueRecord record;
  record.name = std::move(name);
  record.config = std::move(config);
  record.created_ms = now_ms;
  record.last_modified_ms = now_ms;
  record.handle_prefix = RandomHex(16);
  return record;
}

Queue::Queue(std::string name, std::string arn, QueueConfig config, NowMsFn now)
    : Queue(std::move(arn),
            NewQueueRecord(std::move(name), std::move(config), now ? now() : NowEpochMs()), now,
            nullptr) {}

Queue::Queue(std::string arn, QueueRecord record, NowMsFn now, SqsState* state)
    : name_(std::move(record.name)),
      arn_(std::move(arn)),
      sender_id_(AccountOf(arn_)),
      handle_prefix_(record.handle_prefix.empty() ? RandomHex(16)
                                                  : std::move(record.handle_prefix)),
      now_(now ? std::move(now) : NowMsFn(&NowEpochMs)),
      state_(state),
      created_ms_(record.created_ms),
      config_(std::move(record.config)),
      last_modified_ms_(record.last_modified_ms),
      tags_(std::move(record.tags)),
      next_key_(record.next_key),
      next_nonce_(record.next_nonce),
      next_sequence_number_(record.next_sequence_number),
      key_limit_(record.next_key),
      nonce_limit_(record.next_nonce),
      sequence_limit_(record.next_sequence_number) {}

QueueConfig Queue::config() const {
  std::lock_guard lock(mu_);
  return config_;
}

int64_t Queue::last_modified_ms() const {
  std::lock_guard lock(mu_);
  return last_modified_ms_;
}

Status Queue::SetConfig(QueueConfig config) {
  StateStore::Ticket saved;
  {
    std::lock_guard lock(mu_);
    config_ = std::move(config);
    last_modified_ms_ = now_();
    SaveQueueLocked();
    saved = FlushLocked();
  }
  cv_.notify_all();  // a redrive policy may now apply to waiting receivers' next message
  return WaitSaved(saved);
}

std::map<std::string, std::string> Queue::tags() const {
  std::lock_guard lock(mu_);
  return tags_;
}

Status Queue::Tag(const std::map<std::string, std::string>& tags) {
  StateStore::Ticket saved;
  {
    std::lock_guard lock(mu_);
    for (const auto& [key, value] : tags) tags_[key] = value;
    SaveQueueLocked();
    saved = FlushLocked();
  }
  return WaitSaved(saved);
}

Status Queue::Untag(const std::vector<std::string>& keys) {
  StateStore::Ticket saved;
  {
    std::lock_guard lock(mu_);
    for (const std::string& key : keys) tags_.erase(key);
    SaveQueueLocked();
    saved = FlushLocked();
  }
  return WaitSaved(saved);
}

QueueRecord Queue::Record() const {
  std::lock_guard lock(mu_);
  return RecordLocked();
}

void Queue::Restore(std::vector<std::pair<uint64_t, StoredMessage>> messages,
                    std::vector<std::pair<std::string, DedupRecord>> dedup) {
  std::lock_guard lock(mu_);
  const int64_t now = now_();
  for (auto& [key, m] : messages) {
    // Reserved blocks make these hold already; a hand-edited database should not break them.
    next_key_ = std::max(next_key_, key + 1);
    next_nonce_ = std::max(next_nonce_, m.receipt_nonce + 1);
    m.group = nullptr;
    PlaceLocked(key, std::move(m), now);
  }
  std::sort(dedup.begin(), dedup.end(),
            [](const auto& a, const auto& b) { return a.second.expires_ms < b.second.expires_ms; });
  for (auto& [key, record] : dedup) {
    if (record.expires_ms <= now) {
      if (state_) state_->DeleteDedup(batch_, name_, key);
      continue;
    }
    dedup_order_.emplace_back(record.expires_ms, key);
    dedup_[key] = std::move(record);
  }
}

QueueCounts Queue::Counts() {
  std::lock_guard lock(mu_);
  MaintainLocked(now_());
  return counts_;
}

Result<SendResult> Queue::Send(SendRequest request) {
  if (request.body.empty()) return MissingParameter("MessageBody");
  if (Status s = ValidateCharacters(request.body, "message body"); !s.ok()) return s;
  if (Status s = ValidateMessageAttributes(request.attributes); !s.ok()) return s;
  if (Status s = ValidateSystemAttributes(request.system_attributes); !s.ok()) return s;
  if (request.delay_seconds && (*request.delay_seconds < 0 || *request.delay_seconds > 900)) {
    return InvalidParameterValue(
        fmt::format("Value {} for parameter DelaySeconds is invalid. Reason: DelaySeconds must "
                    "be >= 0 and <= 900.",
                    *request.delay_seconds));
  }
  if (!request.group_id.empty()) {
    if (Status s = ValidateFifoId("MessageGroupId", request.group_id); !s.ok()) return s;
  }
  if (!request.deduplication_id.empty()) {
    if (Status s = ValidateFifoId("MessageDeduplicationId", request.deduplication_id); !s.ok()) {
      return s;
    }
  }

  SendResult result;
  result.md5_of_body = Md5Hex(request.body);
  result.md5_of_attributes = MessageAttributesMd5(request.attributes);
  result.md5_of_system_attributes = MessageAttributesMd5(request.system_attributes);
  const size_t size = MessageSize(request);

  StateStore::Ticket saved;
  {
    std::lock_guard lock(mu_);
    if (closed_) return QueueDoesNotExist();
    const int64_t now = now_();
    MaintainLocked(now);
    if (size > size_t(config_.maximum_message_size)) {
      return InvalidParameterValue(
          fmt::format("One or more parameters are invalid. Reason: Message must be shorter than "
                      "{} bytes.",
                      config_.maximum_message_size));
    }
    StoredMessage m;
    int delay = config_.delay_seconds;
    if (config_.fifo) {
      if (request.group_id.empty()) return MissingParameter("MessageGroupId");
      if (request.delay_seconds) {
        return NotForThisQueueType("DelaySeconds", std::to_string(*request.delay_seconds));
      }
      std::string dedup = request.deduplication_id;
      if (dedup.empty()) {
        if (!config_.content_based_deduplication) {
          return InvalidParameterValue(
              "The queue should either have ContentBasedDeduplication enabled or "
              "MessageDeduplicationId provided explicitly");
        }
        dedup = Sha256Hex(request.body);
      }
      std::string dedup_key =
          config_.deduplication_scope == "messageGroup" ? request.group_id + '\0' + dedup : dedup;
      if (auto it = dedup_.find(dedup_key); it != dedup_.end() && it->second.expires_ms > now) {
        result.message_id = it->second.message_id;
        result.sequence_number = it->second.sequence_number;
        return result;
      }
      m.id = NewUuid();
      m.deduplication_id = std::move(dedup);
      m.sequence_number = NextSequenceNumberLocked();
      DedupEntry& entry = dedup_[dedup_key];
      entry = DedupEntry{now + kDeduplicationWindowMs, m.id, m.sequence_number};
      if (state_) state_->PutDedup(batch_, name_, dedup_key, entry);
      dedup_order_.emplace_back(now + kDeduplicationWindowMs, std::move(dedup_key));
    } else {
      if (!request.deduplication_id.empty()) {
        return NotForThisQueueType("MessageDeduplicationId", request.deduplication_id);
      }
      if (request.delay_seconds) delay = *request.delay_seconds;
      m.id = NewUuid();
    }
    result.message_id = m.id;
    result.sequence_number = m.sequence_number;
    m.body = std::move(request.body);
    m.md5_of_body = result.md5_of_body;
    m.attributes = std::move(request.attributes);
    if (auto trace = request.system_attributes.find("AWSTraceHeader");
        trace != request.system_attributes.end()) {
      m.trace_header = trace->second.string_value;
    }
    m.group_id = std::move(request.group_id);
    m.sent_ms = now;
    if (delay > 0) {
      m.state = State::kDelayed;
      m.visible_at_ms = now + int64_t(delay) * 1000;
    }
    InsertLocked(std::move(m), now);
    saved = FlushLocked();
  }
  cv_.notify_all();
  if (Status s = WaitSaved(saved); !s.ok()) return s;
  return result;
}

std::vector<ReceivedMessage> Queue::Receive(const ReceiveOptions& options, Queue* dead_letter) {
  if (dead_letter == this) dead_letter = nullptr;
  const auto deadline = std::chrono::steady_clock::now() + options.wait;
  std::vector<ReceivedMessage> out;
  for (;;) {
    std::vector<StoredMessage> to_move;
    StateBatch move_changes;  // the moved messages' removal, committed with their arrival
    {
      std::unique_lock lock(mu_);
      for (;;) {
        if (closed_ || (options.stop && options.stop->load())) return out;
        const int64_t now = now_();
        MaintainLocked(now);
        TakeLocked(options, dead_letter, now, out, to_move, move_changes);
        if (!out.empty() || !to_move.empty()) break;
        if (std::chrono::steady_clock::now() >= deadline) return out;
        cv_.wait_until(lock, NextWakeLocked(deadline, now));
      }
      // Not waited for: a receive lost in a crash leaves its messages as they were before
      // it (visible, the receive not counted), so nothing is lost.
      SubmitLocked();
    }
    // Outside our lock: the dead-letter queue takes its own.
    if (!to_move.empty()) {
      dead_letter->AcceptRedriven(std::move(to_move), arn_, std::move(move_changes));
    }
    if (!out.empty() || std::chrono::steady_clock::now() >= deadline) return out;
  }
}

Status Queue::Delete(std::string_view receipt_handle) {
  Result<std::pair<uint64_t, uint64_t>> parsed = ParseReceiptHandle(receipt_handle);
  if (!parsed.ok()) return parsed.status();
  {
    std::lock_guard lock(mu_);
    // Deleted, or the service is stopping: a delete now could not be kept.
    if (closed_) return QueueDoesNotExist();
    auto it = messages_.find(parsed->first);
    if (it == messages_.end()) return Status::Ok();
    RemoveLocked(it);
    SaveRemovalLocked(parsed->first);
    // Not waited for: a delete lost in a crash brings the message back, which SQS's
    // at-least-once delivery allows; a message is never lost by it.
    SubmitLocked();
  }
  cv_.notify_all();  // a FIFO group may be free again
  return Status::Ok();
}

Status Queue::ChangeVisibility(std::string_view receipt_handle, int visibility_timeout) {
  if (visibility_timeout < 0 || visibility_timeout > kMaxVisibilityTimeout) {
    return InvalidParameterValue(fmt::format(
        "Value {} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and "
        "43200, if provided.",
        visibility_timeout));
  }
  Result<std::pair<uint64_t, uint64_t>> parsed = ParseReceiptHandle(receipt_handle);
  if (!parsed.ok()) return parsed.status();
  auto unavailable = [&] {
    return InvalidParameterValue(
        fmt::format("Value {} for parameter ReceiptHandle is invalid. Reason: Message does not "
                    "exist or is not available for visibility timeout change.",
                    receipt_handle));
  };
    {
    std::lock_guard lock(mu_);
    if (closed_) return QueueDoesNotExist();
    const int64_t now = now_();
    MaintainLocked(now);
    auto it = messages_.find(parsed->first);
    if (it == messages_.end()) return unavailable();
    StoredMessage& m = it->second;
    if (m.state != State::kInFlight) {
      return Status::Error(errors::kMessageNotInflight, "The message referred to isn't in flight.");
    }
    if (m.receipt_nonce != parsed->second) return unavailable();
    pending_.erase({m.visible_at_ms, it->first});
    if (visibility_timeout == 0) {
      m.visible_at_ms = now;
      MakeVisibleLocked(it);
    } else {
      m.visible_at_ms = now + int64_t(visibility_timeout) * 1000;
      pending_.emplace(m.visible_at_ms, it->first);
    }
    SaveMessageLocked(it->first, m);
    SubmitLocked();  // as for a receive: lost in a crash, the message is only visible sooner
  }
  cv_.notify_all();
  return Status::Ok();
}

Status Queue::Purge() {
  StateStore::Ticket saved;
  {
    std::lock_guard lock(mu_);
    const int64_t now = now_();
    if (last_purge_ms_ >= 0 && now - last_purge_ms_ < 60000) {
      return Status::Error(errors::kPurgeQueueInProgress,
                           "Only one PurgeQueue operation on " + name_ +
                               " is allowed every 60 seconds.");
    }
    last_purge_ms_ = now;
    messages_.clear();
    visible_.clear();
    pending_.clear();
    groups_.clear();
    ready_groups_.clear();
    counts_ = QueueCounts{};
    if (state_) state_->DeleteMessages(batch_, name_);
    saved = FlushLocked();
  }
  cv_.notify_all();
  return WaitSaved(saved);
}

bool Queue::WaitForMessages(std::chrono::steady_clock::time_point deadline,
                            const std::atomic<bool>& stop) {
  std::unique_lock lock(mu_);
  for (;;) {
    if (closed_ || stop.load()) return false;
    const int64_t now = now_();
    MaintainLocked(now);
    if (HasAvailableLocked()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    cv_.wait_until(lock, NextWakeLocked(deadline, now));
  }
}

void Queue::Wake() {
  { std::lock_guard lock(mu_); }  // a waiter is either asleep or will see the flag it checks
  cv_.notify_all();
}

void Queue::Close() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  cv_.notify_all();
}

bool Queue::closed() const {
  std::lock_guard lock(mu_);
  return closed_;
}

void Queue::AcceptRedriven(std::vector<StoredMessage> messages, const std::string& source_arn,
                           StateBatch source_changes) {
  {
    std::lock_guard lock(mu_);
    const int64_t now = now_();
    for (StoredMessage& m : messages) {
      m.state = State::kVisible;
      m.receive_count = 0;
      m.first_receive_ms = 0;
      m.visible_at_ms = 0;
      m.receipt_nonce = 0;
      m.group = nullptr;
      m.dead_letter_source_arn = source_arn;
      if (config_.fifo) {
        m.sequence_number = NextSequenceNumberLocked();
        if (m.group_id.empty()) m.group_id = "default";
      }
      InsertLocked(std::move(m), now);
    }
    // One commit for both sides. A deleted dead-letter queue keeps nothing: only the removal
    // from the source is saved, as in memory.
    if (closed_) batch_ = StateBatch();
    source_changes.Append(std::move(batch_));
    batch_ = StateBatch();
    // As for a receive: lost in a crash, the messages are in the source after a restart.
    if (state_) state_->store().Submit(std::move(source_changes));
  }
  cv_.notify_all();
}

// ---- Internals (mu_ held) ----

void Queue::MaintainLocked(int64_t now) {
  while (!pending_.empty() && pending_.begin()->first <= now) {
    uint64_t key = pending_.begin()->second;
    pending_.erase(pending_.begin());
    auto it = messages_.find(key);
    if (it != messages_.end()) MakeVisibleLocked(it);
  }
  const int64_t retention_ms = int64_t(config_.message_retention_period) * 1000;
  while (!messages_.empty() && messages_.begin()->second.sent_ms + retention_ms <= now) {
    SaveRemovalLocked(messages_.begin()->first);
    RemoveLocked(messages_.begin());
  }
  while (!dedup_order_.empty() && dedup_order_.front().first <= now) {
    auto it = dedup_.find(dedup_order_.front().second);
    if (it != dedup_.end() && it->second.expires_ms <= now) {
      if (state_) state_->DeleteDedup(batch_, name_, it->first);
      dedup_.erase(it);
    }
    dedup_order_.pop_front();
  }
}

bool Queue::HasAvailableLocked() const {
  return config_.fifo ? !ready_groups_.empty() : !visible_.empty();
}

void Queue::InsertLocked(StoredMessage message, int64_t now) {
  const uint64_t key = NextKeyLocked();
  PlaceLocked(key, std::move(message), now);
  SaveMessageLocked(key, messages_.at(key));
}

void Queue::PlaceLocked(uint64_t key, StoredMessage message, int64_t now) {
  auto [it, inserted] = messages_.emplace(key, std::move(message));
  StoredMessage& m = it->second;
  if (config_.fifo) {
    Group& group = groups_[m.group_id];
    if (group.id.empty()) group.id = m.group_id;
    group.messages.insert(key);
    m.group = &group;
  }
  if (m.state != State::kVisible && m.visible_at_ms > now) {
    if (m.state == State::kDelayed) {
      ++counts_.delayed;
    } else {
      ++counts_.not_visible;
      if (m.group) ++m.group->in_flight;
    }
    pending_.emplace(m.visible_at_ms, key);
  } else {
    m.state = State::kVisible;
    ++counts_.visible;
    if (!config_.fifo) visible_.insert(key);
  }
  if (m.group) UpdateGroupLocked(m.group);
}

void Queue::MakeVisibleLocked(MessageMap::iterator it) {
  StoredMessage& m = it->second;
  if (m.state == State::kVisible) return;
  if (m.state == State::kDelayed) {
    --counts_.delayed;
  } else {
    --counts_.not_visible;
    if (m.group) --m.group->in_flight;
  }
  m.state = State::kVisible;
  ++counts_.visible;
  if (m.group) {
    UpdateGroupLocked(m.group);
  } else {
    visible_.insert(it->first);
  }
}

void Queue::RemoveLocked(MessageMap::iterator it) {
  StoredMessage& m = it->second;
  switch (m.state) {
    case State::kVisible:
      --counts_.visible;
      if (!m.group) visible_.erase(it->first);
      break;
    case State::kDelayed:
      --counts_.delayed;
      pending_.erase({m.visible_at_ms, it->first});
      break;
    case State::kInFlight:
      --counts_.not_visible;
      pending_.erase({m.visible_at_ms, it->first});
      if (m.group) --m.group->in_flight;
      break;
  }
  Group* group = m.group;
  if (group) group->messages.erase(it->first);
  messages_.erase(it);
  if (group) UpdateGroupLocked(group);
}

void Queue::UpdateGroupLocked(Group* group) {
  bool ready = false;
  uint64_t head = 0;
  if (group->in_flight == 0 && !group->messages.empty()) {
    head = *group->messages.begin();
    ready = messages_.at(head).state == State::kVisible;
  }
  if (group->ready_key && (!ready || *group->ready_key != head)) {
    ready_groups_.erase({*group->ready_key, group});
    group->ready_key.reset();
  }
  if (ready && !group->ready_key) {
    ready_groups_.emplace(head, group);
    group->ready_key = head;
  }
  if (group->messages.empty()) groups_.erase(group->id);  // `group` dangles from here
}

bool Queue::ShouldRedriveLocked(const StoredMessage& m, const Queue* dead_letter) const {
  return dead_letter && config_.redrive_policy &&
         m.receive_count >= uint32_t(config_.redrive_policy->max_receive_count);
}

void Queue::DeliverLocked(MessageMap::iterator it, int64_t now, int visibility_timeout,
                          std::vector<ReceivedMessage>& out) {
  StoredMessage& m = it->second;
  --counts_.visible;
  ++counts_.not_visible;
  m.state = State::kInFlight;
  ++m.receive_count;
  if (m.first_receive_ms == 0) m.first_receive_ms = now;
  m.receipt_nonce = NextNonceLocked();
  m.visible_at_ms = now + int64_t(visibility_timeout) * 1000;
  pending_.emplace(m.visible_at_ms, it->first);
  if (m.group) ++m.group->in_flight;
  SaveMessageLocked(it->first, m);
  out.push_back(ToReceived(m, it->first));
}

void Queue::TakeLocked(const ReceiveOptions& options, const Queue* dead_letter, int64_t now,
                       std::vector<ReceivedMessage>& out, std::vector<StoredMessage>& to_move,
                       StateBatch& move_changes) {
  const int visibility = std::clamp(options.visibility_timeout.value_or(config_.visibility_timeout),
                                    0, kMaxVisibilityTimeout);
  auto move_to_dead_letter = [&](MessageMap::iterator it) {
    if (state_) state_->DeleteMessage(move_changes, name_, it->first);
    StoredMessage copy = std::move(it->second);
    it->second.state = copy.state;
    it->second.group = copy.group;
    RemoveLocked(it);
    copy.group = nullptr;
    to_move.push_back(std::move(copy));
  };
  if (!config_.fifo) {
    while (out.size() < options.max_messages && !visible_.empty()) {
      auto it = messages_.find(*visible_.begin());
      if (ShouldRedriveLocked(it->second, dead_letter)) {
        move_to_dead_letter(it);
        continue;
      }
      visible_.erase(visible_.begin());
      DeliverLocked(it, now, visibility, out);
    }
    return;
  }
  // FIFO: whole runs from the head of one group at a time; a group with a message in flight
  // is locked until that message is deleted or visible again.
  while (out.size() < options.max_messages && !ready_groups_.empty()) {
    Group* group = ready_groups_.begin()->second;
    ready_groups_.erase(ready_groups_.begin());
    group->ready_key.reset();
    bool group_gone = false;
    auto pos = group->messages.begin();
    while (out.size() < options.max_messages && pos != group->messages.end()) {
      auto it = messages_.find(*pos);
      if (it->second.state != State::kVisible) break;
      ++pos;  // stays valid when `it` leaves the set
      if (ShouldRedriveLocked(it->second, dead_letter)) {
        group_gone = group->messages.size() == 1;
        move_to_dead_letter(it);
        if (group_gone) break;
        continue;
      }
      DeliverLocked(it, now, visibility, out);
    }
    if (!group_gone) UpdateGroupLocked(group);
  }
}

ReceivedMessage Queue::ToReceived(const StoredMessage& m, uint64_t key) const {
  ReceivedMessage r;
  r.message_id = m.id;
  r.receipt_handle = ReceiptHandle(key, m.receipt_nonce);
  r.body = m.body;
  r.md5_of_body = m.md5_of_body;
  r.message_attributes = m.attributes;
  r.attributes["SenderId"] = sender_id_;
  r.attributes["SentTimestamp"] = std::to_string(m.sent_ms);
  r.attributes["ApproximateReceiveCount"] = std::to_string(m.receive_count);
  r.attributes["ApproximateFirstReceiveTimestamp"] = std::to_string(m.first_receive_ms);
  if (!m.group_id.empty()) r.attributes["MessageGroupId"] = m.group_id;
  if (!m.deduplication_id.empty()) r.attributes["MessageDeduplicationId"] = m.deduplication_id;
  if (!m.sequence_number.empty()) r.attributes["SequenceNumber"] = m.sequence_number;
  if (!m.trace_header.empty()) r.attributes["AWSTraceHeader"] = m.trace_header;
  if (!m.dead_letter_source_arn.empty()) {
    r.attributes["DeadLetterQueueSourceArn"] = m.dead_letter_source_arn;
  }
  return r;
}

std::string Queue::ReceiptHandle(uint64_t key, uint64_t nonce) const {
  return Base64Encode(fmt::format("{}:{}:{}:{}", handle_prefix_, key, nonce, name_));
}

Result<std::pair<uint64_t, uint64_t>> Queue::ParseReceiptHandle(std::string_view handle) const {
  std::optional<std::string> raw = Base64Decode(handle);
  if (!raw || !StartsWith(*raw, handle_prefix_ + ":")) return ReceiptHandleIsInvalid(handle);
  std::string_view rest = std::string_view(*raw).substr(handle_prefix_.size() + 1);
  uint64_t key = 0;
  uint64_t nonce = 0;
  auto [p1, e1] = std::from_chars(rest.data(), rest.data() + rest.size(), key);
  if (e1 != std::errc() || p1 == rest.data() + rest.size() || *p1 != ':') {
    return ReceiptHandleIsInvalid(handle);
  }
  auto [p2, e2] = std::from_chars(p1 + 1, rest.data() + rest.size(), nonce);
  if (e2 != std::errc()) return ReceiptHandleIsInvalid(handle);
  return std::make_pair(key, nonce);
}

uint64_t Queue::NextKeyLocked() {
  if (next_key_ >= key_limit_) {
    key_limit_ = next_key_ + kCounterBlock;
    SaveQueueLocked();
  }
  return next_key_++;
}

uint64_t Queue::NextNonceLocked() {
  if (next_nonce_ >= nonce_limit_) {
    nonce_limit_ = next_nonce_ + kCounterBlock;
    SaveQueueLocked();
  }
  return next_nonce_++;
}

std::string Queue::NextSequenceNumberLocked() {
  if (next_sequence_number_ >= sequence_limit_) {
    sequence_limit_ = next_sequence_number_ + kCounterBlock;
    SaveQueueLocked();
  }
  return fmt::format("{:020}", next_sequence_number_++);
}

QueueRecord Queue::RecordLocked() const {
  QueueRecord record;
  record.name = name_;
  record.config = config_;
  record.tags = tags_;
  record.created_ms = created_ms_;
  record.last_modified_ms = last_modified_ms_;
  record.handle_prefix = handle_prefix_;
  record.next_key = key_limit_;
  record.next_nonce = nonce_limit_;
  record.next_sequence_number = sequence_limit_;
  return record;
}

void Queue::SaveMessageLocked(uint64_t key, const StoredMessage& m) {
  if (state_) state_->PutMessage(batch_, name_, key, m);
}

void Queue::SaveRemovalLocked(uint64_t key) {
  if (state_) state_->DeleteMessage(batch_, name_, key);
}

void Queue::SaveQueueLocked() {
  if (state_) state_->PutQueue(batch_, RecordLocked());
}

StateStore::Ticket Queue::FlushLocked() {
  if (!state_ || batch_.empty()) return {};
  StateBatch batch = std::move(batch_);
  batch_ = StateBatch();
  if (closed_) return {};
  return state_->store().Enqueue(std::move(batch));
}

void Queue::SubmitLocked() {
  if (!state_ || batch_.empty()) return;
  StateBatch batch = std::move(batch_);
  batch_ = StateBatch();
  if (!closed_) state_->store().Submit(std::move(batch));
}

Status Queue::WaitSaved(const StateStore::Ticket& ticket) {
  if (ticket.empty()) return Status::Ok();
  Status s = state_->store().Wait(ticket);
  if (s.ok()) return s;
  return Status::Error(errors::kInternalError,
                       "lambda-local could not save the change to its state folder: " +
                           s.message());
}

std::chrono::steady_clock::time_point Queue::NextWakeLocked(
    std::chrono::steady_clock::time_point deadline, int64_t now) const {
  if (pending_.empty()) return deadline;
  int64_t until_next = std::max<int64_t>(pending_.begin()->first - now, 1);
  return std::min(deadline, std::chrono::steady_clock::now() + Ms(until_next));
}

}  // namespace ll::sqs
