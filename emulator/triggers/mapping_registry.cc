#include "triggers/mapping_registry.h"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "base/strings.h"
#include "model/error_names.h"

namespace ll {
namespace {

Status Invalid(std::string message) {
  return Status::Error(errors::kInvalidParameterValue, std::move(message));
}

double NowEpochSeconds() { return double(NowEpochMs()) / 1000.0; }

}  // namespace

MappingRegistry::MappingRegistry(sqs::SqsService* sqs, FunctionStore* store, Invoker* invoker,
                                 std::string region, std::string account_id, MappingNotice notice)
    : sqs_(sqs),
      store_(store),
      invoker_(invoker),
      region_(std::move(region)),
      account_id_(std::move(account_id)),
      notice_(std::move(notice)) {}

MappingRegistry::~MappingRegistry() { Stop(); }

Status MappingRegistry::Validate(EventSourceMapping& m, std::vector<FilterPattern>* filters) const {
  auto fn = store_->Resolve(m.function_name, m.qualifier);
  if (!fn.ok()) return fn.status();
  m.function_arn = fn->config->Arn() + (m.qualifier.empty() ? "" : ":" + m.qualifier);
  if (!StartsWith(m.event_source_arn, "arn:aws:sqs:")) {
    return Invalid(fmt::format("Unsupported event source {}: this version of lambda-local serves "
                               "event source mappings for SQS queues only",
                               m.event_source_arn));
  }
  auto queue = sqs_->FindByArn(m.event_source_arn);
  if (!queue.ok()) {
    return Invalid(fmt::format("Error occurred while ReceiveMessage. SQS Error Code: "
                               "AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The "
                               "specified queue does not exist ({})",
                               m.event_source_arn));
  }
  const sqs::QueueConfig config = (*queue)->config();
  const int max_batch = config.fifo ? 10 : 10000;
  if (m.batch_size < 1 || m.batch_size > max_batch) {
    return Invalid(fmt::format("BatchSize must be between 1 and {} for this queue, got {}",
                               max_batch, m.batch_size));
  }
  if (m.maximum_batching_window_s < 0 || m.maximum_batching_window_s > 300) {
    return Invalid("MaximumBatchingWindowInSeconds must be between 0 and 300");
  }
  if (config.fifo && m.maximum_batching_window_s > 0) {
    return Invalid("Batching window is not supported for FIFO queues");
  }
  if (m.batch_size > 10 && m.maximum_batching_window_s < 1) {
    return Invalid("Maximum batch window in seconds must be greater than 0 if maximum batch size "
                   "is greater than 10");
  }
  if (config.visibility_timeout < fn->config->timeout_s) {
    return Invalid(fmt::format("Queue visibility timeout: {} seconds is less than Function "
                               "timeout: {} seconds",
                               config.visibility_timeout, fn->config->timeout_s));
  }
  for (const auto& t : m.function_response_types) {
    if (t != "ReportBatchItemFailures") {
      return Status::Error("ValidationException",
                           "1 validation error detected: Value '[" + t +
                               "]' at 'functionResponseTypes' failed to satisfy constraint: "
                               "Member must satisfy enum value set: [ReportBatchItemFailures]");
    }
  }
  if (m.maximum_concurrency && (*m.maximum_concurrency < 2 || *m.maximum_concurrency > 1000)) {
    return Status::Error("ValidationException",
                         fmt::format("1 validation error detected: Value '{}' at "
                                     "'scalingConfig.maximumConcurrency' failed to satisfy "
                                     "constraint: Member must have value between 2 and 1000",
                                     *m.maximum_concurrency));
  }
  if (m.filter_patterns.size() > 5) return Invalid("At most 5 filters are allowed in FilterCriteria");
  filters->clear();
  for (const auto& p : m.filter_patterns) {
    auto parsed = FilterPattern::Parse(p);
    if (!parsed.ok()) return parsed.status();
    filters->push_back(std::move(*parsed));
  }
  return Status::Ok();
}

std::unique_ptr<SqsPoller> MappingRegistry::StartPoller(const EventSourceMapping& m,
                                                        std::vector<FilterPattern> filters) {
  if (!m.enabled || stopped_) return nullptr;
  return std::make_unique<SqsPoller>(m, std::move(filters), sqs_, store_, invoker_, region_, notice_);
}

Result<EventSourceMapping> MappingRegistry::Create(EventSourceMapping m) {
  std::vector<FilterPattern> filters;
  Status s = Validate(m, &filters);
  if (!s.ok()) return s;
  m.uuid = NewUuid();
  m.last_modified = NowEpochSeconds();
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [uuid, e] : entries_) {
    if (e.mapping.event_source_arn == m.event_source_arn && e.mapping.function_arn == m.function_arn) {
      return Status::Error("ResourceConflictException",
                           fmt::format("An event source mapping with SQS arn (\" {} \") and function "
                                       "(\" {} \") already exists. Please update or delete the "
                                       "existing mapping with UUID {}",
                                       m.event_source_arn, m.function_name, uuid));
    }
  }
  Entry& e = entries_[m.uuid];
  e.order = next_order_++;
  e.mapping = m;
  e.poller = StartPoller(m, std::move(filters));
  return m;
}

Result<EventSourceMapping> MappingRegistry::Get(const std::string& uuid) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(uuid);
  if (it == entries_.end()) {
    return Status::Error(errors::kResourceNotFound,
                         "The resource you requested does not exist. (Service: Lambda, Status "
                         "Code: 404, Request ID: " + uuid + ")");
  }
  return it->second.mapping;
}

std::vector<EventSourceMapping> MappingRegistry::List() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<const Entry*> sorted;
  for (const auto& [uuid, e] : entries_) sorted.push_back(&e);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->order < b->order; });
  std::vector<EventSourceMapping> out;
  for (const Entry* e : sorted) out.push_back(e->mapping);
  return out;
}

Result<EventSourceMapping> MappingRegistry::Update(
    const std::string& uuid, const std::function<Status(EventSourceMapping&)>& mutate) {
  auto current = Get(uuid);
  if (!current.ok()) return current.status();
  EventSourceMapping next = *current;
  Status s = mutate(next);
  if (!s.ok()) return s;
  std::vector<FilterPattern> filters;
  s = Validate(next, &filters);
  if (!s.ok()) return s;
  next.last_modified = NowEpochSeconds();
  std::unique_ptr<SqsPoller> old;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(uuid);
    if (it == entries_.end()) return Get(uuid).status();
    old = std::move(it->second.poller);
    it->second.mapping = next;
    if (old) old->Stop();
    it->second.poller = StartPoller(next, std::move(filters));
    if (old) retired_.push_back(std::move(old));
  }
  return next;
}

Result<EventSourceMapping> MappingRegistry::Delete(const std::string& uuid) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(uuid);
  if (it == entries_.end()) {
    return Status::Error(errors::kResourceNotFound,
                         "The resource you requested does not exist. (Service: Lambda, Status "
                         "Code: 404, Request ID: " + uuid + ")");
  }
  EventSourceMapping m = it->second.mapping;
  if (it->second.poller) {
    it->second.poller->Stop();
    retired_.push_back(std::move(it->second.poller));
  }
  entries_.erase(it);
  return m;
}

void MappingRegistry::Stop() {
  std::vector<std::unique_ptr<SqsPoller>> all;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return;
    stopped_ = true;
    for (auto& [uuid, e] : entries_) {
      if (e.poller) all.push_back(std::move(e.poller));
    }
    for (auto& p : retired_) all.push_back(std::move(p));
    retired_.clear();
  }
  for (auto& p : all) p->Stop();
  all.clear();  // joins
}

}  // namespace ll
