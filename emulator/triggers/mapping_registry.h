// MappingRegistry: every event source mapping, from the template and the Lambda API, and the
// one owner of their workers: creating, updating (restart), disabling and deleting a mapping
// starts or stops its worker. The source a mapping reads is found by the service its
// EventSourceArn names, among the kinds registered where the app is composed.
//
// Threads: each enabled mapping's MappingWorker; one retirement thread that joins the workers
// of updated and deleted mappings as soon as their last batch is done. Stop() joins them all.
// Thread-safe; no lock is held while a worker is stopped or joined.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/status.h"
#include "invoke/invoke_sink.h"
#include "triggers/event_source.h"
#include "triggers/event_source_mapping.h"
#include "triggers/mapping_worker.h"

namespace ll {

// Keeps API-created mappings across restarts. Each is called, under the registry's lock so
// writes keep the order of changes, before the change is acknowledged; an error fails the call.
struct MappingPersistence {
  std::function<Status(const EventSourceMapping&)> save;
  std::function<Status(const std::string& uuid)> remove;
};

class MappingRegistry {
 public:
  // `functions` must outlive the registry.
  MappingRegistry(InvokeSink* functions, std::string region, std::string account_id,
                  MappingNotice notice);
  ~MappingRegistry();  // Stop()

  // Serves mappings whose EventSourceArn is arn:aws:<service>:... with `kind`. Before Create.
  void RegisterSource(std::string service, std::unique_ptr<SourceKind> kind);

  // Where API-created mappings are kept. Before Create or Restore.
  void SetPersistence(MappingPersistence persistence);
  // Brings back a mapping kept by an earlier run, with its UUID. One that no longer validates
  // (its function or queue is gone) is kept without a worker, and a notice says why.
  void Restore(EventSourceMapping mapping);

  // Validates as AWS does (function exists, a served source that exists, batch size and
  // window, response types, scaling, filters), assigns the UUID and starts the worker when
  // enabled.
  Result<EventSourceMapping> Create(EventSourceMapping mapping);
  Result<EventSourceMapping> Get(const std::string& uuid) const;
  std::vector<EventSourceMapping> List() const;  // in creation order
  // Applies `mutate`, re-validates, restarts the worker with the new settings.
  Result<EventSourceMapping> Update(const std::string& uuid,
                                    const std::function<Status(EventSourceMapping&)>& mutate);
  // Stops the worker; a batch being invoked completes.
  Result<EventSourceMapping> Delete(const std::string& uuid);
  // Stops every worker and joins every thread. Idempotent.
  void Stop();

  // Workers not yet joined: running ones and retired ones still finishing (for leak tests).
  size_t worker_count() const;

  const std::string& region() const { return region_; }
  const std::string& account_id() const { return account_id_; }

 private:
  struct Entry {
    int64_t order = 0;
    EventSourceMapping mapping;
    std::unique_ptr<MappingWorker> worker;
  };
  // The kind serving `m`, with `m` validated and `filters` parsed; fills m.function_arn.
  Result<const SourceKind*> Validate(EventSourceMapping& m, std::vector<FilterPattern>* filters) const;
  std::unique_ptr<MappingWorker> StartWorker(const SourceKind& kind, const EventSourceMapping& m,
                                             std::vector<FilterPattern> filters);
  // Writes or removes `m` where it is kept (template mappings are not). Requires mu_.
  Status SaveLocked(const EventSourceMapping& m);
  // Hands a stopped worker to the retirement thread. Requires mu_.
  void RetireLocked(std::unique_ptr<MappingWorker> worker);
  void RetireLoop();

  InvokeSink* const functions_;
  const std::string region_;
  const std::string account_id_;
  const MappingNotice notice_;

  mutable std::mutex mu_;
  std::condition_variable retire_cv_;
  // Guarded by mu_.
  std::map<std::string, std::unique_ptr<SourceKind>, std::less<>> kinds_;
  MappingPersistence persistence_;
  std::map<std::string, Entry> entries_;
  std::deque<std::unique_ptr<MappingWorker>> retired_;  // stopped, waiting to be joined
  size_t joining_ = 0;                                  // taken by the retirement thread
  int64_t next_order_ = 0;
  bool stopped_ = false;
  std::thread retirer_;
};

}  // namespace ll
