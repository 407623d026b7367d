#include "triggers/mapping_worker.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "base/strings.h"
#include "model/error_names.h"
#include "model/limits.h"

namespace ll {
namespace {

constexpr auto kLongPoll = std::chrono::seconds(20);
constexpr auto kMissingSourceRetry = std::chrono::seconds(1);

}  // namespace

MappingWorker::MappingWorker(EventSourceMapping mapping, std::vector<FilterPattern> filters,
                             std::unique_ptr<EventSource> source, int threads,
                             InvokeSink* functions, MappingNotice notice)
    : mapping_(std::move(mapping)),
      filters_(std::move(filters)),
      source_(std::move(source)),
      functions_(functions),
      notice_(std::move(notice)) {
  const int n = std::clamp(threads, 1, limits::kMaxMappingInvokerThreads);
  for (int i = 0; i < n; ++i) invokers_.emplace_back([this] { InvokeLoop(); });
  receiver_ = std::thread([this] { ReceiveLoop(); });
}

MappingWorker::~MappingWorker() {
  Stop();
  Join();
}

void MappingWorker::Stop() {
  stop_ = true;
  {
    std::lock_guard<std::mutex> lock(mu_);  // a waiter between its check and its wait sees it
  }
  cv_.notify_all();
  source_->Wake();
}

void MappingWorker::Join() {
  if (receiver_.joinable()) receiver_.join();
  for (auto& t : invokers_) {
    if (t.joinable()) t.join();
  }
}

void MappingWorker::ReceiveLoop() {
  const size_t batch_size = size_t(mapping_.batch_size);
  bool reported_missing = false;
  while (!stop_) {
    {
      // Receive only when an invoker can take the batch: records are not hidden while they wait.
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stop_ || (batches_.empty() && idle_invokers_ > 0); });
      if (stop_) return;
    }
    Batch batch;
    auto first = source_->Receive(batch_size, kLongPoll, stop_, *batch.pool);
    if (!first.ok()) {
      if (!reported_missing && notice_) {
        notice_(mapping_.function_name, fmt::format("event source mapping {}: {}", mapping_.uuid,
                                                    first.status().message()));
      }
      reported_missing = true;
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, kMissingSourceRetry, [&] { return stop_.load(); });
      continue;
    }
    reported_missing = false;
    batch.records = std::move(*first);
    if (batch.records.empty()) continue;
    if (mapping_.maximum_batching_window_s > 0) {
      const auto deadline = std::chrono::steady_clock::now() +
                            std::chrono::seconds(mapping_.maximum_batching_window_s);
      while (batch.records.size() < batch_size && !stop_) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        auto more = source_->Receive(batch_size - batch.records.size(), left, stop_, *batch.pool);
        if (!more.ok()) break;
        for (auto& r : *more) batch.records.push_back(std::move(r));
      }
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      batches_.push_back(std::move(batch));
    }
    cv_.notify_all();
  }
}

void MappingWorker::InvokeLoop() {
  while (true) {
    Batch batch;
    {
      std::unique_lock<std::mutex> lock(mu_);
      ++idle_invokers_;
      cv_.notify_all();  // the receiver waits for an idle invoker
      cv_.wait(lock, [&] { return stop_ || !batches_.empty(); });
      --idle_invokers_;
      if (batches_.empty()) return;  // stopping, nothing left to run
      batch = std::move(batches_.front());
      batches_.pop_front();
    }
    Process(std::move(batch));
    if (stop_) {
      std::lock_guard<std::mutex> lock(mu_);
      if (batches_.empty()) return;
    }
  }
}

std::string MappingWorker::EventJson(const std::vector<const SourceRecord*>& records) {
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> writer(out);
  writer.StartObject();
  writer.Key("Records");
  writer.StartArray();
  for (const SourceRecord* r : records) r->value.Accept(writer);
  writer.EndArray();
  writer.EndObject();
  return std::string(out.GetString(), out.GetSize());
}

std::vector<const SourceRecord*> MappingWorker::Succeeded(
    const std::vector<const SourceRecord*>& kept, const std::string& answer) {
  // {"batchItemFailures":[{"itemIdentifier":"<id>"}]}: only those stay. Anything malformed
  // fails the whole batch, as on AWS.
  rapidjson::Document doc;
  doc.Parse(answer.data(), answer.size());
  if (doc.HasParseError()) return {};
  std::set<std::string_view> failed;
  if (doc.IsObject() && doc.HasMember("batchItemFailures") && !doc["batchItemFailures"].IsNull()) {
    const auto& list = doc["batchItemFailures"];
    if (!list.IsArray()) return {};
    std::set<std::string_view> ids;
    for (const SourceRecord* r : kept) ids.insert(r->id);
    for (const auto& item : list.GetArray()) {
      if (!item.IsObject() || !item.HasMember("itemIdentifier") || !item["itemIdentifier"].IsString()) {
        return {};
      }
      std::string_view id(item["itemIdentifier"].GetString(), item["itemIdentifier"].GetStringLength());
      auto known = ids.find(id);
      if (id.empty() || known == ids.end()) return {};
      failed.insert(*known);
    }
  }
  std::vector<const SourceRecord*> done;
  for (const SourceRecord* r : kept) {
    if (!failed.count(r->id)) done.push_back(r);
  }
  return done;
}

void MappingWorker::Process(Batch batch) {
  std::vector<const SourceRecord*> kept;
  std::vector<const SourceRecord*> filtered_out;
  for (const SourceRecord& r : batch.records) {
    const bool pass = filters_.empty() ||
                      std::any_of(filters_.begin(), filters_.end(), [&](const FilterPattern& f) {
                        return source_->Matches(f, r.value);
                      });
    (pass ? kept : filtered_out).push_back(&r);
  }
  // Filtered-out records are settled (an SQS message is deleted), as AWS does.
  if (!filtered_out.empty()) source_->Acknowledge(filtered_out);
  if (kept.empty()) return;

  auto fn = functions_->Resolve(mapping_.function_name, mapping_.qualifier);
  if (!fn.ok()) {
    if (notice_) notice_(mapping_.function_name, "event source mapping: " + fn.status().message());
    return;  // the records come back by the source's rule
  }
  Invocation inv;
  inv.request_id = NewUuid();
  inv.payload = EventJson(kept);
  inv.invoked_function_arn = mapping_.function_arn;
  InvokeResult r;
  while (true) {
    r = functions_->Invoke(*fn, inv);
    if (r.status.ok() || r.status.code() != errors::kTooManyRequests) break;
    // Throttled: wait for a slot rather than letting the batch time out in the source.
    if (stop_ || !functions_->WaitForCapacity(fn->config->name, fn->reserved_concurrency)) return;
  }
  if (!r.status.ok() || r.outcome.function_error) return;  // the whole batch comes back

  if (!mapping_.reports_batch_item_failures()) {
    source_->Acknowledge(kept);
    return;
  }
  std::vector<const SourceRecord*> done = Succeeded(kept, r.outcome.payload);
  if (!done.empty()) source_->Acknowledge(done);
}

}  // namespace ll
