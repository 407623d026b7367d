#include "services/sqs/sqs_state.h"

#include <fmt/format.h>

#include <charconv>
#include <map>

#include "store/record.h"

namespace ll::sqs {
namespace {

// The first number of every value; a later layout bumps it and reads both.
constexpr uint64_t kFormat = 1;

constexpr char kInvalid[] = "StateStoreInvalid";

void WriteMap(RecordWriter& w, const std::map<std::string, std::string>& m) {
  w.U64(m.size());
  for (const auto& [key, value] : m) w.Str(key).Str(value);
}

bool ReadMap(RecordReader& r, std::map<std::string, std::string>* m) {
  uint64_t n = 0;
  if (!r.U64(&n)) return false;
  for (uint64_t i = 0; i < n; ++i) {
    std::string key, value;
    if (!r.Str(&key) || !r.Str(&value)) return false;
    (*m)[std::move(key)] = std::move(value);
  }
  return true;
}

void WriteList(RecordWriter& w, const std::vector<std::string>& list) {
  w.U64(list.size());
  for (const std::string& s : list) w.Str(s);
}

bool ReadList(RecordReader& r, std::vector<std::string>* list) {
  uint64_t n = 0;
  if (!r.U64(&n)) return false;
  for (uint64_t i = 0; i < n; ++i) {
    if (!r.Str(&list->emplace_back())) return false;
  }
  return true;
}

bool ReadFormat(RecordReader& r) {
  uint64_t format = 0;
  return r.U64(&format) && format == kFormat;
}

// The queue name before the first '/', and what follows it.
bool SplitRowKey(std::string_view key, std::string_view* queue, std::string_view* rest) {
  size_t slash = key.find('/');
  if (slash == std::string_view::npos || slash == 0) return false;
  *queue = key.substr(0, slash);
  *rest = key.substr(slash + 1);
  return true;
}

// A row key as an error message can show it.
std::string Printable(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c >= 0x20 && c < 0x7f) {
      out += c;
    } else {
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
    }
  }
  return out;
}

}  // namespace

std::string EncodeQueueRecord(const QueueRecord& record) {
  RecordWriter w;
  w.U64(kFormat).Str(record.name);
  // The settings as attributes, as CreateQueue takes them, so a setting added later reads as
  // its default from older rows. The reuse period is reported only with a key, so add it.
  AttributeMap attributes = ConfigAttributes(record.config);
  attributes["KmsDataKeyReusePeriodSeconds"] =
      std::to_string(record.config.kms_data_key_reuse_period);
  WriteMap(w, attributes);
  WriteMap(w, record.tags);
  w.I64(record.created_ms).I64(record.last_modified_ms).Str(record.handle_prefix);
  w.U64(record.next_key).U64(record.next_nonce).U64(record.next_sequence_number);
  return w.Take();
}

bool DecodeQueueRecord(std::string_view bytes, QueueRecord* record) {
  RecordReader r(bytes);
  AttributeMap attributes;
  if (!ReadFormat(r) || !r.Str(&record->name) || !ReadMap(r, &attributes) ||
      !ReadMap(r, &record->tags) || !r.I64(&record->created_ms) ||
      !r.I64(&record->last_modified_ms) || !r.Str(&record->handle_prefix) ||
      !r.U64(&record->next_key) || !r.U64(&record->next_nonce) ||
      !r.U64(&record->next_sequence_number) || !r.done()) {
    return false;
  }
  record->config = QueueConfig();
  return ApplyQueueAttributes(attributes, /*creating=*/true, record->config).ok();
}

std::string EncodeMessage(const Queue::StoredMessage& m) {
  RecordWriter w;
  w.U64(kFormat).Str(m.id).Str(m.body).Str(m.md5_of_body);
  w.U64(m.attributes.size());
  for (const auto& [name, value] : m.attributes) {
    w.Str(name).Str(value.data_type).Str(value.string_value).Str(value.binary_value);
    WriteList(w, value.string_list_values);
    WriteList(w, value.binary_list_values);
  }
  w.Str(m.trace_header).Str(m.group_id).Str(m.deduplication_id).Str(m.sequence_number);
  w.Str(m.dead_letter_source_arn);
  w.I64(m.sent_ms).I64(m.first_receive_ms).I64(m.visible_at_ms);
  w.U64(m.receive_count).U64(m.receipt_nonce).U64(uint64_t(m.state));
  return w.Take();
}

bool DecodeMessage(std::string_view bytes, Queue::StoredMessage* m) {
  RecordReader r(bytes);
  uint64_t attributes = 0;
  if (!ReadFormat(r) || !r.Str(&m->id) || !r.Str(&m->body) || !r.Str(&m->md5_of_body) ||
      !r.U64(&attributes)) {
    return false;
  }
  for (uint64_t i = 0; i < attributes; ++i) {
    std::string name;
    MessageAttributeValue value;
    if (!r.Str(&name) || !r.Str(&value.data_type) || !r.Str(&value.string_value) ||
        !r.Str(&value.binary_value) || !ReadList(r, &value.string_list_values) ||
        !ReadList(r, &value.binary_list_values)) {
      return false;
    }
    m->attributes[std::move(name)] = std::move(value);
  }
  uint64_t state = 0;
  if (!r.Str(&m->trace_header) || !r.Str(&m->group_id) || !r.Str(&m->deduplication_id) ||
      !r.Str(&m->sequence_number) || !r.Str(&m->dead_letter_source_arn) || !r.I64(&m->sent_ms) ||
      !r.I64(&m->first_receive_ms) || !r.I64(&m->visible_at_ms) || !r.U32(&m->receive_count) ||
      !r.U64(&m->receipt_nonce) || !r.U64(&state) || !r.done()) {
    return false;
  }
  if (state > uint64_t(Queue::State::kInFlight)) return false;
  m->state = Queue::State(state);
  m->group = nullptr;
  return true;
}

std::string EncodeDedup(const DedupRecord& record) {
  RecordWriter w;
  w.U64(kFormat).I64(record.expires_ms).Str(record.message_id).Str(record.sequence_number);
  return w.Take();
}

bool DecodeDedup(std::string_view bytes, DedupRecord* record) {
  RecordReader r(bytes);
  return ReadFormat(r) && r.I64(&record->expires_ms) && r.Str(&record->message_id) &&
         r.Str(&record->sequence_number) && r.done();
}

std::string MessageRowKey(std::string_view queue, uint64_t key) {
  return fmt::format("{}/{:016x}", queue, key);
}

SqsState::SqsState(StateStore* store)
    : store_(store),
      queues_(store->Section("sqs.queues")),
      messages_(store->Section("sqs.messages")),
      dedup_(store->Section("sqs.dedup")) {}

void SqsState::PutQueue(StateBatch& batch, const QueueRecord& record) const {
  batch.Put(queues_, record.name, EncodeQueueRecord(record));
}

void SqsState::DeleteQueue(StateBatch& batch, std::string_view name) const {
  batch.Delete(queues_, name);
  DeleteMessages(batch, name);
  batch.DeletePrefix(dedup_, std::string(name) + "/");
}

void SqsState::PutMessage(StateBatch& batch, std::string_view queue, uint64_t key,
                          const Queue::StoredMessage& message) const {
  batch.Put(messages_, MessageRowKey(queue, key), EncodeMessage(message));
}

void SqsState::DeleteMessage(StateBatch& batch, std::string_view queue, uint64_t key) const {
  batch.Delete(messages_, MessageRowKey(queue, key));
}

void SqsState::DeleteMessages(StateBatch& batch, std::string_view queue) const {
  batch.DeletePrefix(messages_, std::string(queue) + "/");
}

void SqsState::PutDedup(StateBatch& batch, std::string_view queue, std::string_view dedup_key,
                        const DedupRecord& record) const {
  batch.Put(dedup_, std::string(queue) + "/" + std::string(dedup_key), EncodeDedup(record));
}

void SqsState::DeleteDedup(StateBatch& batch, std::string_view queue,
                           std::string_view dedup_key) const {
  batch.Delete(dedup_, std::string(queue) + "/" + std::string(dedup_key));
}

Result<std::vector<RestoredQueue>> SqsState::Load() const {
  std::map<std::string, RestoredQueue, std::less<>> by_name;
  std::string bad;  // the first row that could not be read
  auto unreadable = [&](const StateSection& section, std::string_view key) {
    if (bad.empty()) bad = fmt::format("{} row \"{}\"", section.name(), Printable(key));
  };
  Status s = queues_.ForEach([&](std::string_view key, std::string_view value) {
    QueueRecord record;
    if (!DecodeQueueRecord(value, &record) || record.name != key) return unreadable(queues_, key);
    std::string name = record.name;
    by_name[std::move(name)].record = std::move(record);
  });
  if (!s.ok()) return s;
  s = messages_.ForEach([&](std::string_view key, std::string_view value) {
    std::string_view queue, hex;
    uint64_t number = 0;
    if (!SplitRowKey(key, &queue, &hex) || hex.size() != 16 ||
        std::from_chars(hex.data(), hex.data() + hex.size(), number, 16).ptr !=
            hex.data() + hex.size()) {
      return unreadable(messages_, key);
    }
    auto it = by_name.find(queue);
    if (it == by_name.end()) return;  // its queue was deleted
    Queue::StoredMessage m;
    if (!DecodeMessage(value, &m)) return unreadable(messages_, key);
    it->second.messages.emplace_back(number, std::move(m));
  });
  if (!s.ok()) return s;
  s = dedup_.ForEach([&](std::string_view key, std::string_view value) {
    std::string_view queue, dedup_key;
    if (!SplitRowKey(key, &queue, &dedup_key)) return unreadable(dedup_, key);
    auto it = by_name.find(queue);
    if (it == by_name.end()) return;
    DedupRecord record;
    if (!DecodeDedup(value, &record)) return unreadable(dedup_, key);
    it->second.dedup.emplace_back(std::string(dedup_key), std::move(record));
  });
  if (!s.ok()) return s;
  if (!bad.empty()) {
    return Status::Error(kInvalid, fmt::format("state database {}: {} cannot be read (move the "
                                               "file away to start afresh)",
                                               store_->file().string(), bad));
  }
  std::vector<RestoredQueue> out;
  out.reserve(by_name.size());
  for (auto& [name, queue] : by_name) out.push_back(std::move(queue));
  return out;
}

}  // namespace ll::sqs
