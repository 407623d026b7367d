// MappingWorker: runs one enabled event source mapping over any EventSource. One receiver thread
// builds batches (what is there, up to BatchSize, or what arrives before the batching window
// closes) and hands each to one of up to MaximumConcurrency invoker threads, which filter the
// records, run the function synchronously through the invoke sink (waiting out throttles),
// and settle what succeeded, honouring ReportBatchItemFailures. Nothing is settled without a
// success or a filter's verdict. Every thread is the worker's own, joined by Join().
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "invoke/invoke_sink.h"
#include "triggers/event_source.h"
#include "triggers/event_source_mapping.h"
#include "triggers/filter_pattern.h"

namespace ll {

using MappingNotice = std::function<void(const std::string& function, const std::string& line)>;

class MappingWorker {
 public:
  // Starts at once with `threads` invoker threads. `functions` must outlive the worker.
  MappingWorker(EventSourceMapping mapping, std::vector<FilterPattern> filters,
                std::unique_ptr<EventSource> source, int threads, InvokeSink* functions,
                MappingNotice notice);
  ~MappingWorker();  // Stop() and Join()
  MappingWorker(const MappingWorker&) = delete;
  MappingWorker& operator=(const MappingWorker&) = delete;

  // Asks every thread to finish; a batch being invoked completes first. Returns at once.
  void Stop();
  // Waits for every thread. Call after Stop().
  void Join();

  // {"Records":[...]} of `records`, with the RapidJSON writer.
  static std::string EventJson(const std::vector<const SourceRecord*>& records);

 private:
  struct Batch {
    std::unique_ptr<RecordPool> pool = std::make_unique<RecordPool>();
    std::vector<SourceRecord> records;
  };
  void ReceiveLoop();
  void InvokeLoop();
  void Process(Batch batch);
  // The records to settle after a successful invoke that reports batch item failures: those the
  // answer does not name. Empty when the answer is malformed (the whole batch failed).
  static std::vector<const SourceRecord*> Succeeded(
      const std::vector<const SourceRecord*>& kept, const std::string& answer);

  const EventSourceMapping mapping_;
  const std::vector<FilterPattern> filters_;
  const std::unique_ptr<EventSource> source_;
  InvokeSink* const functions_;
  const MappingNotice notice_;

  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  // Guarded by mu_.
  std::deque<Batch> batches_;
  int idle_invokers_ = 0;

  std::thread receiver_;
  std::vector<std::thread> invokers_;
};

}  // namespace ll
