#include "invoke/async_queue.h"

#include <rapidjson/document.h>

#include <fmt/format.h>

#include "base/strings.h"
#include "model/error_names.h"
#include "model/limits.h"

namespace ll {
namespace {


// The record embeds payloads as JSON values; anything else becomes a JSON string.
std::string AsJsonValue(const std::string& payload) {
  rapidjson::Document doc;
  doc.Parse(payload.data(), payload.size());
  return doc.HasParseError() ? JsonQuote(payload) : payload;
}

}  // namespace

AsyncQueue::AsyncQueue(SyncInvoker* invoker, const Destinations* destinations,
                       AsyncOptions options,
                       std::function<void(const std::string&, const std::string&)> notice)
    : invoker_(invoker),
      destinations_(destinations),
      options_(options),
      notice_(std::move(notice)) {}

AsyncQueue::~AsyncQueue() { Stop(); }

Status AsyncQueue::Enqueue(const ResolvedFunction& fn, Invocation inv) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_) return Status::Error(errors::kService, "lambda-local is shutting down");
  const std::string& name = fn.config->name;
  auto& lane = lanes_[name];
  if (!lane) {
    lane = std::make_unique<Lane>();
    Lane* raw = lane.get();
    lane->worker = std::thread([this, name, raw] { RunLane(name, *raw); });
  }
  lane->ready.push_back(Event{fn, std::move(inv), Clock::now(), 0});
  lane->cv.notify_one();
  return Status::Ok();
}

size_t AsyncQueue::lane_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return lanes_.size();
}

void AsyncQueue::RunLane(const std::string& function, Lane& lane) {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    if (stopping_) return;
    const auto now = Clock::now();
    while (!lane.delayed.empty() && lane.delayed.begin()->first <= now) {
      lane.ready.push_back(std::move(lane.delayed.begin()->second));
      lane.delayed.erase(lane.delayed.begin());
    }
    if (lane.ready.empty()) {
      if (!lane.delayed.empty()) {
        lane.cv.wait_until(lock, lane.delayed.begin()->first);
        continue;
      }
      const bool woken = lane.cv.wait_for(lock, options_.lane_linger, [&] {
        return stopping_ || !lane.ready.empty() || !lane.delayed.empty();
      });
      if (woken) continue;
      // Idle for the linger: the lane and its thread go. This thread cannot join itself, so it
      // leaves its handle for the next lane to end (or Stop) and joins the one left before it.
      std::thread previous = std::move(ended_);
      ended_ = std::move(lane.worker);
      lanes_.erase(function);  // destroys `lane`
      lock.unlock();
      if (previous.joinable()) previous.join();
      return;
    }
    Event ev = std::move(lane.ready.front());
    lane.ready.pop_front();
    lock.unlock();
    std::optional<Event> retry = RunEvent(function, std::move(ev));
    lock.lock();
    if (retry) {
      if (retry->attempts == 0) {
        lane.ready.push_front(std::move(*retry));
      } else {
        auto due = Clock::now() + options_.retry_delay * retry->attempts;
        lane.delayed.emplace(due, std::move(*retry));
      }
    }
  }
}

std::optional<AsyncQueue::Event> AsyncQueue::RunEvent(const std::string& function, Event ev) {
  const int max_age = ev.fn.invoke_config.maximum_event_age_s.value_or(limits::kDefaultMaxEventAgeSeconds);
  const int max_retries = ev.fn.invoke_config.maximum_retry_attempts.value_or(limits::kDefaultAsyncRetries);
  if (Clock::now() - ev.accepted_at > std::chrono::seconds(max_age)) {
    Finish(ev, "EventAgeExceeded", nullptr);
    return std::nullopt;
  }
  InvokeResult r = invoker_->Invoke(ev.fn, ev.inv);
  if (!r.status.ok() && r.status.code() == errors::kTooManyRequests) {
    if (ev.fn.reserved_concurrency == 0) {
      // AWS sends these straight to the failure destination, without retries.
      Finish(ev, "RetriesExhausted", nullptr);
    } else if (invoker_->WaitForCapacity(function, ev.fn.reserved_concurrency)) {
      return ev;  // throttles wait in the queue, as in AWS
    }
    return std::nullopt;
  }
  if (!r.status.ok()) {
    if (notice_) notice_(function, "async event dropped: " + r.status.message());
    return std::nullopt;
  }
  ++ev.attempts;
  if (!r.outcome.function_error) {
    Finish(ev, "Success", &r.outcome);
  } else if (ev.attempts > max_retries) {
    Finish(ev, "RetriesExhausted", &r.outcome);
  } else {
    return ev;
  }
  return std::nullopt;
}

std::string AsyncQueue::InvocationRecord(const ResolvedFunction& fn, const Invocation& inv,
                                         const std::string& condition, int attempts,
                                         const InvokeOutcome* outcome) {
  std::string arn = fn.config->Arn() + ":" + fn.executed_version;
  std::string out = "{\"version\":\"1.0\",\"timestamp\":" +
                    JsonQuote(IsoTimestampUtc(std::chrono::system_clock::now()));
  out += ",\"requestContext\":{\"requestId\":" + JsonQuote(inv.request_id) +
         ",\"functionArn\":" + JsonQuote(arn) + ",\"condition\":" + JsonQuote(condition) +
         fmt::format(",\"approximateInvokeCount\":{}}}", attempts);
  out += ",\"requestPayload\":" + AsJsonValue(inv.payload);
  if (outcome) {
    out += ",\"responseContext\":{\"statusCode\":200,\"executedVersion\":" +
           JsonQuote(fn.executed_version);
    if (outcome->function_error) out += ",\"functionError\":\"Unhandled\"";
    out += "}";
    out += ",\"responsePayload\":" + AsJsonValue(outcome->payload);
  }
  out += "}";
  return out;
}

void AsyncQueue::Finish(const Event& ev, const std::string& condition, const InvokeOutcome* outcome) {
  const std::string& name = ev.fn.config->name;
  const bool success = condition == "Success";
  const std::string& destination =
      success ? ev.fn.invoke_config.on_success_arn : ev.fn.invoke_config.on_failure_arn;
  if (!success && notice_) {
    notice_(name, fmt::format("async event {} failed ({} after {} attempt(s))", ev.inv.request_id,
                              condition, ev.attempts));
  }
  if (!destination.empty()) {
    Deliver(destination, InvocationRecord(ev.fn, ev.inv, condition, ev.attempts, outcome), name);
  }
  if (!success && !ev.fn.config->dead_letter_target_arn.empty()) {
    // A dead-letter queue receives the original event.
    Deliver(ev.fn.config->dead_letter_target_arn, ev.inv.payload, name);
  }
}

void AsyncQueue::Deliver(const std::string& destination, std::string record,
                         const std::string& from_function) {
  Status sent = destinations_->Send(destination, std::move(record));
  if (!sent.ok() && notice_) notice_(from_function, "destination not delivered: " + sent.message());
}

void AsyncQueue::Stop() {
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
    for (auto& [name, lane] : lanes_) {
      lane->cv.notify_all();
      if (lane->worker.joinable()) threads.push_back(std::move(lane->worker));
    }
    if (ended_.joinable()) threads.push_back(std::move(ended_));
  }
  for (auto& t : threads) t.join();
}

}  // namespace ll
