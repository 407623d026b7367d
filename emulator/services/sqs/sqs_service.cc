#include "services/sqs/sqs_service.h"

#include <fmt/format.h>

#include <cctype>
#include <set>

#include "base/strings.h"
#include "services/sqs/queue_url.h"
#include "services/sqs/sqs_errors.h"

namespace ll::sqs {
namespace {

// 1..80 characters: alphanumerics, hyphens, underscores; FIFO names end in ".fifo" (counted).
bool ValidQueueName(std::string_view name, bool fifo) {
  if (name.empty() || name.size() > 80) return false;
  std::string_view stem = name;
  if (fifo) {
    if (!EndsWith(name, ".fifo")) return false;
    stem.remove_suffix(5);
    if (stem.empty()) return false;
  }
  for (char c : stem) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return true;
}

}  // namespace

SqsService::SqsService(SqsOptions options)
    : options_(std::move(options)),
      state_(options_.state && options_.state->enabled()
                 ? std::make_unique<SqsState>(options_.state)
                 : nullptr) {}

Status SqsService::Restore() {
  if (!state_) return Status::Ok();
  Result<std::vector<RestoredQueue>> loaded = state_->Load();
  if (!loaded.ok()) return loaded.status();
  std::lock_guard lock(mu_);
  for (RestoredQueue& restored : *loaded) {
    std::string name = restored.record.name;
    auto queue = std::make_shared<Queue>(QueueArn(name), std::move(restored.record), options_.now,
                                         state_.get());
    queue->Restore(std::move(restored.messages), std::move(restored.dedup));
    queues_[std::move(name)] = std::move(queue);
  }
  return Status::Ok();
}

SqsService::~SqsService() { Shutdown(); }

std::string SqsService::QueueArn(std::string_view name) const {
  return fmt::format("arn:aws:sqs:{}:{}:{}", options_.region, options_.account_id, name);
}

std::string SqsService::QueueUrl(std::string_view host, std::string_view name) const {
  return MakeQueueUrl(host.empty() ? std::string_view(options_.default_host) : host,
                      options_.account_id, name);
}

Result<std::shared_ptr<Queue>> SqsService::CreateQueue(
    const std::string& name, const AttributeMap& attributes,
    const std::map<std::string, std::string>& tags) {
  QueueConfig config;
  if (Status s = ApplyQueueAttributes(attributes, /*creating=*/true, config); !s.ok()) return s;
  if (!ValidQueueName(name, config.fifo)) {
    if (config.fifo || EndsWith(name, ".fifo")) {
      return InvalidParameterValue(
          "The name of a FIFO queue can only include alphanumeric characters, hyphens, or "
          "underscores, must end with .fifo suffix and be 1 to 80 in length.");
    }
    return InvalidParameterValue(
        "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length");
  }
  std::unique_lock lock(mu_);
  if (auto it = queues_.find(name); it != queues_.end()) {
    std::shared_ptr<Queue> existing = it->second;
    QueueConfig current = existing->config();
    QueueConfig requested = current;
    if (Status s = ApplyQueueAttributes(attributes, true, requested); !s.ok()) return s;
    if (std::optional<std::string> differs = FirstDifference(current, requested)) {
      return Status::Error(
          errors::kQueueNameExists,
          fmt::format("A queue already exists with the same name and a different value for "
                      "attribute {}",
                      *differs));
    }
    return existing;
  }
  std::string arn = QueueArn(name);
  if (Status s = ValidateRedriveLocked(arn, config); !s.ok()) return s;
  QueueRecord record = NewQueueRecord(name, std::move(config),
                                      options_.now ? options_.now() : NowEpochMs());
  record.tags = tags;
  StateStore::Ticket saved;
  if (state_) {
    // Enqueued under our lock: ordered after an earlier queue of this name's deletion.
    StateBatch batch;
    state_->PutQueue(batch, record);
    saved = state_->store().Enqueue(std::move(batch));
  }
  auto queue = std::make_shared<Queue>(std::move(arn), std::move(record), options_.now,
                                       state_.get());
  queues_.emplace(name, queue);
  lock.unlock();
  if (state_) {
    if (Status s = state_->store().Wait(saved); !s.ok()) {
      return Status::Error(errors::kInternalError,
                           "lambda-local could not save the queue to its state folder: " +
                               s.message());
    }
  }
  return queue;
}

Result<std::shared_ptr<Queue>> SqsService::CreateOrUpdateQueue(const std::string& name,
                                                               const AttributeMap& attributes) {
  Result<std::shared_ptr<Queue>> existing = FindByName(name);
  if (!existing.ok()) return CreateQueue(name, attributes, {});
  QueueConfig config;
  if (Status s = ApplyQueueAttributes(attributes, /*creating=*/true, config); !s.ok()) return s;
  if (!FirstDifference((*existing)->config(), config)) return existing;
  if (config.fifo != (*existing)->config().fifo) {
    return Status::Error(errors::kQueueNameExists,
                         "A queue already exists with the same name and a different value for "
                         "attribute FifoQueue");
  }
  {
    std::lock_guard lock(mu_);
    if (Status s = ValidateRedriveLocked((*existing)->arn(), config); !s.ok()) return s;
  }
  if (Status s = (*existing)->SetConfig(std::move(config)); !s.ok()) return s;
  return existing;
}

Result<std::shared_ptr<Queue>> SqsService::FindByName(std::string_view name) const {
  std::lock_guard lock(mu_);
  auto it = queues_.find(name);
  if (it == queues_.end()) return QueueDoesNotExist();
  return it->second;
}

Result<std::shared_ptr<Queue>> SqsService::FindByUrl(std::string_view url) const {
  std::optional<QueueUrlParts> parts = ParseQueueUrl(url);
  if (!parts) {
    return Status::Error(errors::kInvalidAddress,
                         fmt::format("The address {} is not valid for this endpoint.", url));
  }
  if (!parts->account.empty() && parts->account != options_.account_id) {
    return QueueDoesNotExist();
  }
  return FindByName(parts->name);
}

Result<std::shared_ptr<Queue>> SqsService::FindByArn(std::string_view arn) const {
  std::lock_guard lock(mu_);
  std::shared_ptr<Queue> queue = FindByArnLocked(arn);
  if (!queue) return QueueDoesNotExist();
  return queue;
}

std::shared_ptr<Queue> SqsService::FindByArnLocked(std::string_view arn) const {
  size_t colon = arn.rfind(':');
  if (colon == std::string_view::npos) return nullptr;
  auto it = queues_.find(arn.substr(colon + 1));
  if (it == queues_.end() || it->second->arn() != arn) return nullptr;
  return it->second;
}

Status SqsService::DeleteQueue(std::string_view name) {
  StateStore::Ticket saved;
  {
    std::lock_guard lock(mu_);
    auto it = queues_.find(name);
    if (it == queues_.end()) return QueueDoesNotExist();
    std::shared_ptr<Queue> queue = std::move(it->second);
    queues_.erase(it);
    // Closed first: a closed queue saves nothing more, so its rows stay deleted. Enqueued
    // under our lock: a new queue of this name is saved after the deletion.
    queue->Close();
    if (state_) {
      StateBatch batch;
      state_->DeleteQueue(batch, name);
      saved = state_->store().Enqueue(std::move(batch));
    }
  }
  if (!state_) return Status::Ok();
  if (Status s = state_->store().Wait(saved); !s.ok()) {
    return Status::Error(errors::kInternalError,
                         "lambda-local could not save the deletion to its state folder: " +
                             s.message());
  }
  return Status::Ok();
}

std::vector<std::shared_ptr<Queue>> SqsService::ListQueues(std::string_view prefix) const {
  std::vector<std::shared_ptr<Queue>> out;
  std::lock_guard lock(mu_);
  for (auto it = queues_.lower_bound(prefix); it != queues_.end(); ++it) {
    if (!StartsWith(it->first, prefix)) break;
    out.push_back(it->second);
  }
  return out;
}

Status SqsService::SetQueueAttributes(Queue& queue, const AttributeMap& attributes) {
  QueueConfig config = queue.config();
  if (Status s = ApplyQueueAttributes(attributes, /*creating=*/false, config); !s.ok()) return s;
  {
    std::lock_guard lock(mu_);
    if (attributes.count("RedrivePolicy")) {
      if (Status s = ValidateRedriveLocked(queue.arn(), config); !s.ok()) return s;
    }
  }
  return queue.SetConfig(std::move(config));
}

Status SqsService::ValidateRedriveLocked(const std::string& source_arn,
                                         const QueueConfig& config) const {
  if (!config.redrive_policy) return Status::Ok();
  const RedrivePolicy& policy = *config.redrive_policy;
  auto invalid = [&](std::string_view reason) {
    return InvalidParameterValue(
        fmt::format("Value {{\"deadLetterTargetArn\":\"{}\",\"maxReceiveCount\":{}}} for parameter "
                    "RedrivePolicy is invalid. Reason: {}",
                    policy.dead_letter_target_arn, policy.max_receive_count, reason));
  };
  std::shared_ptr<Queue> target = FindByArnLocked(policy.dead_letter_target_arn);
  if (!target) return invalid("Dead letter target does not exist.");
  QueueConfig target_config = target->config();
  if (target_config.fifo != config.fifo) {
    return invalid("Dead-letter queue must be same type of queue as the source.");
  }
  if (target_config.redrive_allow_policy &&
      !target_config.redrive_allow_policy->Allows(source_arn)) {
    return invalid(
        fmt::format("Queue {} does not allow this queue to use it as a dead-letter queue.",
                    policy.dead_letter_target_arn));
  }
  return Status::Ok();
}

Result<AttributeMap> SqsService::GetQueueAttributes(Queue& queue,
                                                    const std::vector<std::string>& names) {
  bool all = false;
  std::set<std::string, std::less<>> wanted;
  for (const std::string& name : names) {
    if (!IsQueueAttributeName(name)) {
      return Status::Error(errors::kInvalidAttributeName,
                           fmt::format("Unknown Attribute {}.", name));
    }
    if (name == "All") all = true;
    wanted.insert(name);
  }
  if (wanted.empty()) return AttributeMap{};
  AttributeMap attributes = ConfigAttributes(queue.config());
  QueueCounts counts = queue.Counts();
  attributes["QueueArn"] = queue.arn();
  attributes["ApproximateNumberOfMessages"] = std::to_string(counts.visible);
  attributes["ApproximateNumberOfMessagesNotVisible"] = std::to_string(counts.not_visible);
  attributes["ApproximateNumberOfMessagesDelayed"] = std::to_string(counts.delayed);
  attributes["CreatedTimestamp"] = std::to_string(queue.created_ms() / 1000);
  attributes["LastModifiedTimestamp"] = std::to_string(queue.last_modified_ms() / 1000);
  if (all) return attributes;
  AttributeMap out;
  for (const auto& [name, value] : attributes) {
    if (wanted.count(name)) out[name] = value;
  }
  return out;
}

std::vector<std::shared_ptr<Queue>> SqsService::DeadLetterSourceQueues(
    const Queue& dead_letter) const {
  std::vector<std::shared_ptr<Queue>> candidates;
  {
    std::lock_guard lock(mu_);
    for (const auto& [name, queue] : queues_) candidates.push_back(queue);
  }
  std::vector<std::shared_ptr<Queue>> out;
  for (auto& queue : candidates) {
    QueueConfig config = queue->config();
    if (config.redrive_policy &&
        config.redrive_policy->dead_letter_target_arn == dead_letter.arn()) {
      out.push_back(std::move(queue));
    }
  }
  return out;
}

std::vector<ReceivedMessage> SqsService::ReceiveFrom(Queue& queue, const ReceiveOptions& options) {
  std::shared_ptr<Queue> dead_letter;
  if (std::optional<RedrivePolicy> policy = queue.config().redrive_policy) {
    std::lock_guard lock(mu_);
    dead_letter = FindByArnLocked(policy->dead_letter_target_arn);
  }
  return queue.Receive(options, dead_letter.get());
}

Result<SendResult> SqsService::Send(std::string_view queue_arn, SendRequest request) {
  Result<std::shared_ptr<Queue>> queue = FindByArn(queue_arn);
  if (!queue.ok()) return queue.status();
  return (*queue)->Send(std::move(request));
}

Result<std::vector<ReceivedMessage>> SqsService::Receive(std::string_view queue_arn,
                                                         size_t max_messages,
                                                         std::chrono::milliseconds wait,
                                                         std::optional<int> visibility_timeout,
                                                         const std::atomic<bool>* stop) {
  Result<std::shared_ptr<Queue>> queue = FindByArn(queue_arn);
  if (!queue.ok()) return queue.status();
  ReceiveOptions options;
  options.max_messages = std::max<size_t>(max_messages, 1);
  options.wait = wait;
  options.visibility_timeout = visibility_timeout;
  options.stop = stop;
  std::vector<ReceivedMessage> messages = ReceiveFrom(**queue, options);
  // A deleted queue, or a service shutting down: tell the poller rather than let it spin.
  if (messages.empty() && (*queue)->closed()) return QueueDoesNotExist();
  return messages;
}

Status SqsService::Delete(std::string_view queue_arn, std::string_view receipt_handle) {
  Result<std::shared_ptr<Queue>> queue = FindByArn(queue_arn);
  if (!queue.ok()) return queue.status();
  return (*queue)->Delete(receipt_handle);
}

Status SqsService::ChangeVisibility(std::string_view queue_arn, std::string_view receipt_handle,
                                    int visibility_timeout) {
  Result<std::shared_ptr<Queue>> queue = FindByArn(queue_arn);
  if (!queue.ok()) return queue.status();
  return (*queue)->ChangeVisibility(receipt_handle, visibility_timeout);
}

Result<bool> SqsService::WaitForMessages(std::string_view queue_arn,
                                         std::chrono::steady_clock::time_point deadline,
                                         const std::atomic<bool>& stop) {
  Result<std::shared_ptr<Queue>> queue = FindByArn(queue_arn);
  if (!queue.ok()) return queue.status();
  return (*queue)->WaitForMessages(deadline, stop);
}

void SqsService::Wake() {
  std::lock_guard lock(mu_);
  for (const auto& [name, queue] : queues_) queue->Wake();
}

void SqsService::Shutdown() {
  std::lock_guard lock(mu_);
  for (const auto& [name, queue] : queues_) queue->Close();
}

}  // namespace ll::sqs
