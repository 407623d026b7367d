#include "triggers/sqs_poller.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "base/strings.h"
#include "model/error_names.h"
#include "services/sqs/message_attributes.h"

namespace ll {
namespace {

constexpr int kDefaultConcurrency = 5;  // AWS starts an SQS mapping with 5 concurrent batches
constexpr int kMaxWorkerThreads = 32;
constexpr auto kLongPoll = std::chrono::seconds(20);

std::string AttributeJson(const sqs::MessageAttributeValue& v) {
  std::string out = "{";
  if (v.is_binary()) {
    out += "\"stringValue\":null,\"binaryValue\":" + JsonQuote(Base64Encode(v.binary_value));
  } else {
    out += "\"stringValue\":" + JsonQuote(v.string_value) + ",\"binaryValue\":null";
  }
  out += ",\"stringListValues\":[],\"binaryListValues\":[],\"dataType\":" + JsonQuote(v.data_type);
  return out + "}";
}

}  // namespace

SqsPoller::SqsPoller(EventSourceMapping mapping, std::vector<FilterPattern> filters,
                     sqs::SqsService* sqs, FunctionStore* store, Invoker* invoker,
                     std::string region, MappingNotice notice)
    : mapping_(std::move(mapping)),
      filters_(std::move(filters)),
      sqs_(sqs),
      store_(store),
      invoker_(invoker),
      region_(std::move(region)),
      notice_(std::move(notice)) {
  int workers = std::clamp(mapping_.maximum_concurrency.value_or(kDefaultConcurrency), 1,
                           kMaxWorkerThreads);
  for (int i = 0; i < workers; ++i) workers_.emplace_back([this] { WorkerLoop(); });
  receiver_ = std::thread([this] { ReceiveLoop(); });
}

SqsPoller::~SqsPoller() {
  Stop();
  Join();
}

void SqsPoller::Stop() {
  stop_ = true;
  {
    std::lock_guard<std::mutex> lock(mu_);
  }
  cv_.notify_all();
  sqs_->Wake();  // a receive waiting on the queue re-checks stop_
}

void SqsPoller::Join() {
  if (receiver_.joinable()) receiver_.join();
  for (auto& t : workers_) {
    if (t.joinable()) t.join();
  }
}

void SqsPoller::ReceiveLoop() {
  const std::string& arn = mapping_.event_source_arn;
  const size_t batch_size = size_t(mapping_.batch_size);
  bool reported_missing = false;
  while (!stop_) {
    {
      // Receive only when a worker can take the batch: messages are not hidden while they wait.
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stop_ || (batches_.empty() && idle_workers_ > 0); });
      if (stop_) return;
    }
    auto first = sqs_->Receive(arn, batch_size, kLongPoll, std::nullopt, &stop_);
    if (!first.ok()) {
      if (!reported_missing && notice_) {
        notice_(mapping_.function_name, fmt::format("event source mapping {}: {}", mapping_.uuid,
                                                    first.status().message()));
      }
      reported_missing = true;
      // The queue is gone; look again later in case it is created anew.
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, std::chrono::seconds(1), [&] { return stop_.load(); });
      continue;
    }
    reported_missing = false;
    Batch batch = std::move(*first);
    if (batch.empty()) continue;
    if (mapping_.maximum_batching_window_s > 0) {
      const auto deadline = std::chrono::steady_clock::now() +
                            std::chrono::seconds(mapping_.maximum_batching_window_s);
      while (batch.size() < batch_size && !stop_) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        auto more = sqs_->Receive(arn, batch_size - batch.size(), left, std::nullopt, &stop_);
        if (!more.ok()) break;
        for (auto& m : *more) batch.push_back(std::move(m));
      }
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      batches_.push_back(std::move(batch));
    }
    cv_.notify_all();
  }
}

void SqsPoller::WorkerLoop() {
  while (true) {
    Batch batch;
    {
      std::unique_lock<std::mutex> lock(mu_);
      ++idle_workers_;
      cv_.notify_all();  // the receiver waits for an idle worker
      cv_.wait(lock, [&] { return stop_ || !batches_.empty(); });
      --idle_workers_;
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

std::string SqsPoller::RecordJson(const sqs::ReceivedMessage& m, const std::string& queue_arn,
                                  const std::string& region) {
  std::string out = "{\"messageId\":" + JsonQuote(m.message_id);
  out += ",\"receiptHandle\":" + JsonQuote(m.receipt_handle);
  out += ",\"body\":" + JsonQuote(m.body);
  out += ",\"attributes\":{";
  bool first = true;
  for (const auto& [k, v] : m.attributes) {
    if (!first) out += ",";
    first = false;
    out += JsonQuote(k) + ":" + JsonQuote(v);
  }
  out += "},\"messageAttributes\":{";
  first = true;
  for (const auto& [k, v] : m.message_attributes) {
    if (!first) out += ",";
    first = false;
    out += JsonQuote(k) + ":" + AttributeJson(v);
  }
  out += "},\"md5OfBody\":" + JsonQuote(m.md5_of_body);
  if (!m.message_attributes.empty()) {
    out += ",\"md5OfMessageAttributes\":" + JsonQuote(sqs::MessageAttributesMd5(m.message_attributes));
  }
  out += ",\"eventSource\":\"aws:sqs\",\"eventSourceARN\":" + JsonQuote(queue_arn);
  out += ",\"awsRegion\":" + JsonQuote(region) + "}";
  return out;
}

void SqsPoller::DeleteAll(const Batch& batch) {
  for (const auto& m : batch) (void)sqs_->Delete(mapping_.event_source_arn, m.receipt_handle);
}

void SqsPoller::Process(Batch batch) {
  const std::string& arn = mapping_.event_source_arn;
  // Filtered-out messages are deleted, as AWS does.
  Batch kept;
  std::string event = "{\"Records\":[";
  for (auto& m : batch) {
    std::string record = RecordJson(m, arn, region_);
    if (!filters_.empty()) {
      rapidjson::Document doc;
      doc.Parse(record.data(), record.size());
      if (doc.HasParseError() || !MatchesAnySqsRecord(filters_, doc)) {
        (void)sqs_->Delete(arn, m.receipt_handle);
        continue;
      }
    }
    if (!kept.empty()) event += ",";
    event += record;
    kept.push_back(std::move(m));
  }
  event += "]}";
  if (kept.empty()) return;

  auto fn = store_->Resolve(mapping_.function_name, mapping_.qualifier);
  if (!fn.ok()) {
    if (notice_) notice_(mapping_.function_name, "event source mapping: " + fn.status().message());
    return;  // the messages reappear after their visibility timeout
  }
  Invocation inv;
  inv.request_id = NewUuid();
  inv.payload = std::move(event);
  inv.invoked_function_arn = mapping_.function_arn;
  InvokeResult r;
  while (true) {
    r = invoker_->Invoke(*fn, inv);
    if (r.status.ok() || r.status.code() != errors::kTooManyRequests) break;
    // Throttled: wait for a slot rather than letting the batch time out in the queue.
    if (stop_ || !invoker_->WaitForCapacity(fn->config->name, fn->reserved_concurrency)) return;
  }
  if (!r.status.ok() || r.outcome.function_error) return;  // reappear; counts a receive

  if (!mapping_.reports_batch_item_failures()) {
    DeleteAll(kept);
    return;
  }
  // {"batchItemFailures":[{"itemIdentifier":"<messageId>"}]}: only those stay.
  rapidjson::Document doc;
  doc.Parse(r.outcome.payload.data(), r.outcome.payload.size());
  if (doc.HasParseError()) return;  // invalid JSON: the whole batch failed
  std::set<std::string> failed;
  if (doc.IsObject() && doc.HasMember("batchItemFailures") && !doc["batchItemFailures"].IsNull()) {
    const auto& list = doc["batchItemFailures"];
    if (!list.IsArray()) return;
    std::set<std::string> ids;
    for (const auto& m : kept) ids.insert(m.message_id);
    for (const auto& item : list.GetArray()) {
      if (!item.IsObject() || !item.HasMember("itemIdentifier") || !item["itemIdentifier"].IsString()) {
        return;  // malformed entry: the whole batch failed
      }
      std::string id = item["itemIdentifier"].GetString();
      if (id.empty() || !ids.count(id)) return;
      failed.insert(id);
    }
  }
  for (const auto& m : kept) {
    if (!failed.count(m.message_id)) (void)sqs_->Delete(arn, m.receipt_handle);
  }
}

}  // namespace ll
