#include "triggers/mapping_registry.h"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "base/strings.h"
#include "invoke/destinations.h"
#include "model/error_names.h"
#include "model/limits.h"

namespace ll {
namespace {

Status Invalid(std::string message) {
  return Status::Error(errors::kInvalidParameterValue, std::move(message));
}

Status NotFound(const std::string& uuid) {
  return Status::Error(errors::kResourceNotFound,
                       "The resource you requested does not exist. (Service: Lambda, Status "
                       "Code: 404, Request ID: " + uuid + ")");
}

double NowEpochSeconds() { return double(NowEpochMs()) / 1000.0; }

}  // namespace

MappingRegistry::MappingRegistry(InvokeSink* functions, std::string region, std::string account_id,
                                 MappingNotice notice)
    : functions_(functions),
      region_(std::move(region)),
      account_id_(std::move(account_id)),
      notice_(std::move(notice)),
      retirer_([this] { RetireLoop(); }) {}

MappingRegistry::~MappingRegistry() { Stop(); }

void MappingRegistry::RegisterSource(std::string service, std::unique_ptr<SourceKind> kind) {
  std::lock_guard<std::mutex> lock(mu_);
  kinds_[std::move(service)] = std::move(kind);
}

void MappingRegistry::SetPersistence(MappingPersistence persistence) {
  std::lock_guard<std::mutex> lock(mu_);
  persistence_ = std::move(persistence);
}

Status MappingRegistry::SaveLocked(const EventSourceMapping& m) {
  if (m.from_template || !persistence_.save) return Status::Ok();
  return persistence_.save(m);
}

void MappingRegistry::Restore(EventSourceMapping m) {
  std::vector<FilterPattern> filters;
  auto kind = Validate(m, &filters);
  if (!kind.ok() && notice_) {
    notice_(m.function_name, fmt::format("event source mapping {} not started: {}", m.uuid,
                                         kind.status().message()));
  }
  std::lock_guard<std::mutex> lock(mu_);
  Entry& e = entries_[m.uuid];
  e.order = next_order_++;
  e.mapping = m;
  if (kind.ok()) e.worker = StartWorker(**kind, m, std::move(filters));
}

Result<const SourceKind*> MappingRegistry::Validate(EventSourceMapping& m,
                                                    std::vector<FilterPattern>* filters) const {
  auto fn = functions_->Resolve(m.function_name, m.qualifier);
  if (!fn.ok()) return fn.status();
  m.function_arn = fn->config->Arn() + (m.qualifier.empty() ? "" : ":" + m.qualifier);
  const SourceKind* kind = nullptr;
  std::string served;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = kinds_.find(Destinations::ServiceOf(m.event_source_arn));
    if (it != kinds_.end()) kind = it->second.get();
    for (const auto& [service, k] : kinds_) served += (served.empty() ? "" : ", ") + k->Describe();
  }
  if (!kind) {
    return Invalid(fmt::format("Unsupported event source {}: this version of lambda-local serves "
                               "event source mappings for {} only",
                               m.event_source_arn, served));
  }
  Status s = kind->Validate(m, *fn->config);
  if (!s.ok()) return s;
  for (const auto& t : m.function_response_types) {
    if (t != "ReportBatchItemFailures") {
      return Status::Error(errors::kValidation,
                           "1 validation error detected: Value '[" + t +
                               "]' at 'functionResponseTypes' failed to satisfy constraint: "
                               "Member must satisfy enum value set: [ReportBatchItemFailures]");
    }
  }
  if (m.maximum_concurrency && (*m.maximum_concurrency < limits::kMinMappingConcurrency ||
                                *m.maximum_concurrency > limits::kMaxMappingConcurrency)) {
    return Status::Error(errors::kValidation,
                         fmt::format("1 validation error detected: Value '{}' at "
                                     "'scalingConfig.maximumConcurrency' failed to satisfy "
                                     "constraint: Member must have value between {} and {}",
                                     *m.maximum_concurrency, limits::kMinMappingConcurrency,
                                     limits::kMaxMappingConcurrency));
  }
  if (m.filter_patterns.size() > size_t(limits::kMaxFilters)) {
    return Invalid(fmt::format("At most {} filters are allowed in FilterCriteria", limits::kMaxFilters));
  }
  filters->clear();
  for (const auto& p : m.filter_patterns) {
    auto parsed = FilterPattern::Parse(p);
    if (!parsed.ok()) return parsed.status();
    filters->push_back(std::move(*parsed));
  }
  return kind;
}

std::unique_ptr<MappingWorker> MappingRegistry::StartWorker(const SourceKind& kind,
                                                            const EventSourceMapping& m,
                                                            std::vector<FilterPattern> filters) {
  if (!m.enabled || stopped_) return nullptr;
  return std::make_unique<MappingWorker>(m, std::move(filters), kind.Open(m),
                                         m.maximum_concurrency.value_or(kind.DefaultConcurrency()),
                                         functions_, notice_);
}

void MappingRegistry::RetireLocked(std::unique_ptr<MappingWorker> worker) {
  if (!worker) return;
  worker->Stop();  // returns at once: it only sets a flag and wakes the worker's threads
  retired_.push_back(std::move(worker));
  retire_cv_.notify_all();
}

void MappingRegistry::RetireLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    retire_cv_.wait(lock, [&] { return stopped_ || !retired_.empty(); });
    if (retired_.empty()) return;  // stopped and nothing left to join
    std::unique_ptr<MappingWorker> worker = std::move(retired_.front());
    retired_.pop_front();
    ++joining_;
    lock.unlock();
    worker->Join();  // waits for a batch being invoked
    worker.reset();
    lock.lock();
    --joining_;
  }
}

Result<EventSourceMapping> MappingRegistry::Create(EventSourceMapping m) {
  std::vector<FilterPattern> filters;
  auto kind = Validate(m, &filters);
  if (!kind.ok()) return kind.status();
  m.uuid = NewUuid();
  m.last_modified = NowEpochSeconds();
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [uuid, e] : entries_) {
    if (e.mapping.event_source_arn == m.event_source_arn && e.mapping.function_arn == m.function_arn) {
      return Status::Error(errors::kResourceConflict,
                           fmt::format("An event source mapping with SQS arn (\" {} \") and function "
                                       "(\" {} \") already exists. Please update or delete the "
                                       "existing mapping with UUID {}",
                                       m.event_source_arn, m.function_name, uuid));
    }
  }
  Status saved = SaveLocked(m);
  if (!saved.ok()) return saved;
  Entry& e = entries_[m.uuid];
  e.order = next_order_++;
  e.mapping = m;
  e.worker = StartWorker(**kind, m, std::move(filters));
  return m;
}

Result<EventSourceMapping> MappingRegistry::Get(const std::string& uuid) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(uuid);
  if (it == entries_.end()) return NotFound(uuid);
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
  auto kind = Validate(next, &filters);
  if (!kind.ok()) return kind.status();
  next.last_modified = NowEpochSeconds();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(uuid);
  if (it == entries_.end()) return NotFound(uuid);
  Status saved = SaveLocked(next);
  if (!saved.ok()) return saved;
  it->second.mapping = next;
  RetireLocked(std::move(it->second.worker));
  it->second.worker = StartWorker(**kind, next, std::move(filters));
  return next;
}

Result<EventSourceMapping> MappingRegistry::Delete(const std::string& uuid) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(uuid);
  if (it == entries_.end()) return NotFound(uuid);
  EventSourceMapping m = it->second.mapping;
  if (!m.from_template && persistence_.remove) {
    Status removed = persistence_.remove(uuid);
    if (!removed.ok()) return removed;
  }
  RetireLocked(std::move(it->second.worker));
  entries_.erase(it);
  return m;
}

size_t MappingRegistry::worker_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = retired_.size() + joining_;
  for (const auto& [uuid, e] : entries_) n += e.worker ? 1 : 0;
  return n;
}

void MappingRegistry::Stop() {
  std::vector<std::unique_ptr<MappingWorker>> running;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return;
    stopped_ = true;
    for (auto& [uuid, e] : entries_) {
      if (e.worker) running.push_back(std::move(e.worker));
    }
    retire_cv_.notify_all();
  }
  for (auto& w : running) w->Stop();
  running.clear();  // joins
  if (retirer_.joinable()) retirer_.join();  // joins what was retired before
}

}  // namespace ll
