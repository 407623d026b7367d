// StateStore: the one owner of what lambda-local keeps across restarts. One SQLite database
// (<state-dir>/state.db, WAL journal, synchronous=NORMAL: a committed change survives the
// process being killed, kill -9 included, though not a power cut), divided into sections that
// services own by name ("lambda.functions", "sqs.messages", ...). A section maps opaque byte
// keys (sorted bytewise) to opaque byte values; each service encodes its own records. A new
// service adds a section, not a mechanism.
//
// Changes are grouped in a StateBatch and committed atomically. Concurrent commits share one
// SQLite transaction (group commit), in the order they were enqueued, and nobody is told a
// change is committed before it is. A thread of the store's own copies the journal into the
// database (a checkpoint, with its fsyncs) on a second connection, so a commit waits for the
// disk only when the journal has to start over (every 64 MiB of it).
//
// Changes that may be undone by a crash (Submit) are committed by a second thread of the
// store's own, so that no request waits for them.
//
// Thread-safety: every method is thread-safe. A disabled store (--ephemeral) keeps nothing and
// costs nothing: its sections drop every change and scan as empty.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "base/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace ll {

class StateStore;

// A named part of one store. A cheap handle, copyable, valid as long as its store; the
// default-constructed one belongs to no store and keeps nothing.
class StateSection {
 public:
  StateSection() = default;

  // Whether changes are kept (false for a disabled store).
  bool enabled() const { return store_ != nullptr; }
  const std::string& name() const;

  // One change each, committed before they return (see StateBatch for several at once).
  Status Put(std::string_view key, std::string_view value) const;
  Status Delete(std::string_view key) const;
  Status DeletePrefix(std::string_view prefix) const;

  // Calls `visit` for every entry whose key starts with `prefix`, in key order. Rows are read
  // in chunks and no lock is held while `visit` runs, so it may use the store.
  using Visitor = std::function<void(std::string_view key, std::string_view value)>;
  Status Scan(std::string_view prefix, const Visitor& visit) const;
  Status ForEach(const Visitor& visit) const { return Scan("", visit); }

 private:
  friend class StateStore;
  friend class StateBatch;
  StateSection(StateStore* store, const std::string* name) : store_(store), name_(name) {}

  StateStore* store_ = nullptr;
  const std::string* name_ = nullptr;  // interned by the store
};

// Changes to any sections of one store that commit together or not at all, in the order they
// were added. Changes to a disabled section are dropped here.
class StateBatch {
 public:
  void Put(const StateSection& section, std::string_view key, std::string_view value);
  void Delete(const StateSection& section, std::string_view key);
  // Deletes every key that starts with `prefix` ("" deletes the whole section).
  void DeletePrefix(const StateSection& section, std::string_view prefix);
  // Appends `other`'s changes after this batch's.
  void Append(StateBatch&& other);

  bool empty() const { return ops_.empty(); }
  size_t size() const { return ops_.size(); }

 private:
  friend class StateStore;
  enum class Kind : uint8_t { kPut, kDelete, kDeletePrefix };
  struct Op {
    Kind kind;
    const std::string* section;
    std::string key;
    std::string value;
  };
  std::vector<Op> ops_;
};

class StateStore {
  struct Pending;

 public:
  // A commit enqueued and not yet waited for. Empty tickets (nothing to commit) are done.
  class Ticket {
   public:
    Ticket() = default;
    bool empty() const { return pending_ == nullptr; }

   private:
    friend class StateStore;
    explicit Ticket(std::shared_ptr<Pending> pending) : pending_(std::move(pending)) {}
    std::shared_ptr<Pending> pending_;
  };

  // Opens `file`, creating it (and nothing else: its folder must exist) when missing.
  // StateStoreInvalid, naming the file, when it cannot be opened or is not a lambda-local
  // state database of a format this build reads.
  static Result<std::unique_ptr<StateStore>> Open(const std::filesystem::path& file);
  // A store that keeps nothing (--ephemeral).
  static std::unique_ptr<StateStore> Disabled();

  // Stops the checkpointer. Every Commit/Wait must have returned before the store dies.
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  bool enabled() const { return db_ != nullptr; }
  const std::filesystem::path& file() const { return file_; }

  // The section called `name`, e.g. "sqs.messages" (created on first use; names are free
  // text, by convention "<service>.<records>").
  StateSection Section(std::string_view name);

  // Commits `batch` atomically and returns once it is committed. StateNotSaved when SQLite
  // refuses it (disk full, I/O error): then none of it is kept.
  Status Commit(StateBatch batch);

  // Commit in two halves, for callers that must fix the order of their changes under their
  // own lock but should not wait for the disk under it: Enqueue under the lock (batches
  // commit in Enqueue order), Wait after unlocking. Every ticket must be waited for before the
  // store is destroyed.
  Ticket Enqueue(StateBatch batch);
  Status Wait(const Ticket& ticket);

  // Commits `batch` soon on the store's own thread, without waiting for it: for changes that a
  // crash may only undo, never tear (a receive or a delete of an SQS message, which SQS may
  // deliver again anyway). Ordered with Enqueue, so a later Commit or Wait covers it, and
  // committed before the store is destroyed. A failure is not reported.
  void Submit(StateBatch batch);

 private:
  struct Pending {
    StateBatch batch;
    bool submitted = false;  // by Submit: nobody waits for it
    bool done = false;  // guarded by mu_
    Status status;      // guarded by mu_; set when done
  };
  struct Statements;

  StateStore() = default;
  Status Initialize();
  Status StartCheckpointer();
  // sqlite3_wal_hook: called by the committer after each commit (db_mu_ held).
  static int OnCommitted(void* self, sqlite3* db, const char* name, int wal_pages);
  void CheckpointLoop();
  // Commits everything queued as one group and tells its waiters. mu_ held on entry and on
  // return (released while committing); committing_ false on entry.
  void LeadGroup(std::unique_lock<std::mutex>& lock);
  // The flusher: leads a group whenever submitted batches wait and nobody is committing.
  void FlushLoop();
  // Runs `group` in one transaction on the connection. db_mu_ held.
  Status CommitGroupLocked(const std::vector<std::shared_ptr<Pending>>& group);
  Status ApplyLocked(const StateBatch::Op& op);
  // Appends up to `limit` rows of `section` with keys in [from, to) (`to` empty: no upper
  // bound) to `out`, in key order. db_mu_ held.
  Status ReadChunkLocked(const std::string& section, const std::string& from,
                         const std::string& to, size_t limit,
                         std::vector<std::pair<std::string, std::string>>& out);
  // `code` with what failed and SQLite's reason. db_mu_ held.
  Status Error(const char* code, std::string_view what) const;

  friend class StateSection;

  // Const after Open.
  std::filesystem::path file_;
  sqlite3* db_ = nullptr;  // null: disabled

  // Guards the connection and the prepared statements. Taken by the one committer at a time,
  // and by scans; never while holding mu_.
  std::mutex db_mu_;
  std::unique_ptr<Statements> statements_;  // guarded by db_mu_

  // The checkpointer: its own connection and thread, woken when the journal has grown.
  sqlite3* checkpoint_db_ = nullptr;  // used by checkpointer_ only
  std::thread checkpointer_;
  std::mutex checkpoint_mu_;
  std::condition_variable checkpoint_cv_;
  bool checkpoint_due_ = false;   // guarded by checkpoint_mu_
  bool checkpoint_stop_ = false;  // guarded by checkpoint_mu_
  // Journal pages the last checkpoint had copied: the next is due only once as many again have
  // been added (otherwise every commit past the bound would start one more, each with its fsyncs).
  std::atomic<int> checkpointed_pages_{0};

  std::mutex mu_;
  std::condition_variable committed_;
  // Guarded by mu_.
  std::deque<std::shared_ptr<Pending>> queue_;  // enqueued, not yet taken by a committer
  bool committing_ = false;                     // a committer is running a group
  size_t submitted_queued_ = 0;                 // Submit()ed batches in queue_
  bool flush_stop_ = false;
  std::condition_variable flush_cv_;
  std::thread flusher_;  // commits submitted batches; joined first by the destructor
  std::set<std::string, std::less<>> section_names_;
};

}  // namespace ll
