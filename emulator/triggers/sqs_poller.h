// SqsPoller: runs one SQS event source mapping. One receiver thread builds batches (what is
// visible, up to BatchSize, or what arrives before the batching window closes) and hands each
// to one of up to MaximumConcurrency invoker threads, which run the function synchronously and
// delete what succeeded. Failed messages are left to reappear after the visibility timeout,
// so the queue's redrive policy moves them to its DLQ: nothing is deleted without a success.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "invoke/invoker.h"
#include "services/sqs/sqs_service.h"
#include "store/function_store.h"
#include "triggers/event_source_mapping.h"
#include "triggers/filter_pattern.h"

namespace ll {

using MappingNotice = std::function<void(const std::string& function, const std::string& line)>;

class SqsPoller {
 public:
  // `filters` are the mapping's parsed FilterCriteria. Starts polling at once.
  SqsPoller(EventSourceMapping mapping, std::vector<FilterPattern> filters, sqs::SqsService* sqs,
            FunctionStore* store, Invoker* invoker, std::string region, MappingNotice notice);
  ~SqsPoller();  // Stop() and Join()

  // Asks every thread to finish; a batch being invoked completes first. Returns at once.
  void Stop();
  void Join();

  // The Lambda event for one message (CONTRACT.md §6.3), exposed for tests.
  static std::string RecordJson(const sqs::ReceivedMessage& m, const std::string& queue_arn,
                                const std::string& region);

 private:
  using Batch = std::vector<sqs::ReceivedMessage>;
  void ReceiveLoop();
  void WorkerLoop();
  void Process(Batch batch);
  void DeleteAll(const Batch& batch);

  const EventSourceMapping mapping_;
  const std::vector<FilterPattern> filters_;
  sqs::SqsService* const sqs_;
  FunctionStore* const store_;
  Invoker* const invoker_;
  const std::string region_;
  const MappingNotice notice_;

  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  // Guarded by mu_.
  std::deque<Batch> batches_;
  int idle_workers_ = 0;

  std::thread receiver_;
  std::vector<std::thread> workers_;
};

}  // namespace ll
