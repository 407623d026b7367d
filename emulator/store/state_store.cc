#include "store/state_store.h"

#include <sqlite3.h>

#include <fmt/format.h>

#include "base/strings.h"

namespace ll {
namespace {

constexpr char kInvalid[] = "StateStoreInvalid";
constexpr char kNotSaved[] = "StateNotSaved";
constexpr char kUnreadable[] = "StateUnreadable";
// PRAGMA application_id: "llst", so another program's SQLite file is refused, not written.
constexpr int kApplicationId = 0x6c6c7374;
// PRAGMA user_version: the layout below. A later layout bumps it and migrates.
constexpr int kFormat = 1;
constexpr size_t kScanChunk = 512;
// Journal pages (8 KiB each) after which the checkpointer copies the journal into the database;
// once it has, the next commit starts the journal over (the file is reused, not grown).
constexpr int kCheckpointPages = 4000;
// Journal pages past which a checkpoint makes the journal start over (see CheckpointLoop).
constexpr int kRestartPages = 16000;

constexpr char kSchema[] =
    "CREATE TABLE IF NOT EXISTS kv("
    "  section TEXT NOT NULL,"
    "  key BLOB NOT NULL,"
    "  value BLOB NOT NULL,"
    "  PRIMARY KEY (section, key)"
    ") WITHOUT ROWID";

void BindBlob(sqlite3_stmt* stmt, int index, std::string_view bytes) {
  // A zero-length blob, not NULL, for an empty value.
  if (bytes.empty()) {
    sqlite3_bind_zeroblob(stmt, index, 0);
  } else {
    sqlite3_bind_blob(stmt, index, bytes.data(), int(bytes.size()), SQLITE_STATIC);
  }
}

void BindText(sqlite3_stmt* stmt, int index, std::string_view text) {
  sqlite3_bind_text(stmt, index, text.data(), int(text.size()), SQLITE_STATIC);
}

std::string_view ColumnBytes(sqlite3_stmt* stmt, int index) {
  const void* data = sqlite3_column_blob(stmt, index);
  int size = sqlite3_column_bytes(stmt, index);
  return data ? std::string_view(static_cast<const char*>(data), size_t(size)) : std::string_view();
}

// Resets a statement when it goes out of scope, so no error path leaves one busy.
class Resetter {
 public:
  explicit Resetter(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~Resetter() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

 private:
  sqlite3_stmt* stmt_;
};

}  // namespace

// Prepared once at Open; nothing is prepared on a hot path.
struct StateStore::Statements {
  sqlite3_stmt* begin = nullptr;
  sqlite3_stmt* commit = nullptr;
  sqlite3_stmt* rollback = nullptr;
  sqlite3_stmt* put = nullptr;
  sqlite3_stmt* remove = nullptr;
  sqlite3_stmt* remove_range = nullptr;  // [from, to)
  sqlite3_stmt* remove_from = nullptr;   // [from, end of section)
  sqlite3_stmt* scan_range = nullptr;
  sqlite3_stmt* scan_from = nullptr;

  ~Statements() {
    for (sqlite3_stmt* s : {begin, commit, rollback, put, remove, remove_range, remove_from,
                            scan_range, scan_from}) {
      sqlite3_finalize(s);
    }
  }
};

// ---- StateSection ----

const std::string& StateSection::name() const {
  static const std::string kNone;
  return name_ ? *name_ : kNone;
}

Status StateSection::Put(std::string_view key, std::string_view value) const {
  if (!store_) return Status::Ok();
  StateBatch batch;
  batch.Put(*this, key, value);
  return store_->Commit(std::move(batch));
}

Status StateSection::Delete(std::string_view key) const {
  if (!store_) return Status::Ok();
  StateBatch batch;
  batch.Delete(*this, key);
  return store_->Commit(std::move(batch));
}

Status StateSection::DeletePrefix(std::string_view prefix) const {
  if (!store_) return Status::Ok();
  StateBatch batch;
  batch.DeletePrefix(*this, prefix);
  return store_->Commit(std::move(batch));
}

Status StateSection::Scan(std::string_view prefix, const Visitor& visit) const {
  if (!store_) return Status::Ok();
  std::string from(prefix);
  const std::string to = PrefixEnd(prefix);
  std::vector<std::pair<std::string, std::string>> rows;
  for (;;) {
    rows.clear();
    {
      std::lock_guard lock(store_->db_mu_);
      Status s = store_->ReadChunkLocked(*name_, from, to, kScanChunk, rows);
      if (!s.ok()) return s;
    }
    for (const auto& [key, value] : rows) visit(key, value);
    if (rows.size() < kScanChunk) return Status::Ok();
    // The next key after the last one read: bytewise, nothing sorts between s and s + '\0'.
    from = rows.back().first;
    from.push_back('\0');
  }
}

// ---- StateBatch ----

void StateBatch::Put(const StateSection& section, std::string_view key, std::string_view value) {
  if (!section.store_) return;
  ops_.push_back(Op{Kind::kPut, section.name_, std::string(key), std::string(value)});
}

void StateBatch::Delete(const StateSection& section, std::string_view key) {
  if (!section.store_) return;
  ops_.push_back(Op{Kind::kDelete, section.name_, std::string(key), {}});
}

void StateBatch::DeletePrefix(const StateSection& section, std::string_view prefix) {
  if (!section.store_) return;
  ops_.push_back(Op{Kind::kDeletePrefix, section.name_, std::string(prefix), {}});
}

void StateBatch::Append(StateBatch&& other) {
  if (ops_.empty()) {
    ops_ = std::move(other.ops_);
  } else {
    ops_.insert(ops_.end(), std::make_move_iterator(other.ops_.begin()),
                std::make_move_iterator(other.ops_.end()));
  }
  other.ops_.clear();
}

// ---- StateStore ----

std::unique_ptr<StateStore> StateStore::Disabled() {
  return std::unique_ptr<StateStore>(new StateStore());
}

Result<std::unique_ptr<StateStore>> StateStore::Open(const std::filesystem::path& file) {
  std::unique_ptr<StateStore> store(new StateStore());
  store->file_ = file;
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(file.c_str(), &db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string why = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return Status::Error(kInvalid, fmt::format("cannot open the state database {}: {}",
                                               file.string(), why));
  }
  store->db_ = db;
  if (Status s = store->Initialize(); !s.ok()) {
    return Status::Error(kInvalid, fmt::format("state database {}: {} (move it away to start "
                                               "afresh)",
                                               file.string(), s.message()));
  }
  return store;
}

StateStore::~StateStore() {
  // First the flusher, which commits what was submitted before it stops.
  if (flusher_.joinable()) {
    {
      std::lock_guard lock(mu_);
      flush_stop_ = true;
    }
    flush_cv_.notify_all();
    flusher_.join();
  }
  if (checkpointer_.joinable()) {
    {
      std::lock_guard lock(checkpoint_mu_);
      checkpoint_stop_ = true;
    }
    checkpoint_cv_.notify_all();
    checkpointer_.join();
  }
  if (checkpoint_db_) sqlite3_close_v2(checkpoint_db_);
  statements_.reset();
  // The last connection to close checkpoints the journal into the database and removes it.
  if (db_) sqlite3_close_v2(db_);
}

Status StateStore::StartCheckpointer() {
  if (sqlite3_open_v2(file_.c_str(), &checkpoint_db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK) {
    return Status::Error(kInvalid, sqlite3_errmsg(checkpoint_db_));
  }
  sqlite3_busy_timeout(checkpoint_db_, 5000);
  // A connection learns the file is in WAL mode on its first read; until then a checkpoint on
  // it does nothing.
  if (sqlite3_exec(checkpoint_db_, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr) !=
      SQLITE_OK) {
    return Status::Error(kInvalid, sqlite3_errmsg(checkpoint_db_));
  }
  // Commits never checkpoint (that would fsync under a client's request); this thread does.
  sqlite3_wal_autocheckpoint(db_, 0);
  sqlite3_wal_autocheckpoint(checkpoint_db_, 0);
  sqlite3_wal_hook(db_, &StateStore::OnCommitted, this);
  checkpointer_ = std::thread([this] { CheckpointLoop(); });
  flusher_ = std::thread([this] { FlushLoop(); });
  return Status::Ok();
}

int StateStore::OnCommitted(void* self, sqlite3*, const char*, int wal_pages) {
  auto* store = static_cast<StateStore*>(self);
  int checkpointed = store->checkpointed_pages_.load(std::memory_order_relaxed);
  // A journal shorter than what was copied has started over.
  if (wal_pages < checkpointed) checkpointed = 0;
  if (wal_pages - checkpointed >= kCheckpointPages) {
    {
      std::lock_guard lock(store->checkpoint_mu_);
      store->checkpoint_due_ = true;
    }
    store->checkpoint_cv_.notify_one();
  }
  return SQLITE_OK;
}

void StateStore::CheckpointLoop() {
  std::unique_lock lock(checkpoint_mu_);
  for (;;) {
    checkpoint_cv_.wait(lock, [this] { return checkpoint_due_ || checkpoint_stop_; });
    if (checkpoint_stop_) return;
    checkpoint_due_ = false;
    lock.unlock();
    // PASSIVE: copies the journal into the database (and fsyncs) without blocking the
    // committer. A failure (busy, I/O) only leaves the journal longer; the next one retries.
    int pages = 0, copied = 0;
    int rc = sqlite3_wal_checkpoint_v2(checkpoint_db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &pages,
                                       &copied);
    if (rc == SQLITE_OK) checkpointed_pages_.store(copied, std::memory_order_relaxed);
    // Under steady commits the journal is never wholly copied at the moment a commit starts,
    // which is when SQLite starts it over, so it would grow for ever. Past a bound, copy the
    // little that arrived meanwhile with writers held back (RESTART): the next commit then
    // starts the journal over. This is the only time a commit waits for the disk.
    // The committer and scans are held back on db_mu_ rather than by SQLite's lock: a
    // connection that finds SQLite's lock taken sleeps in steps of up to 100 ms (its busy
    // handler), while db_mu_ wakes a waiter as soon as the checkpoint is done.
    if (rc == SQLITE_OK && pages >= kRestartPages) {
      std::lock_guard db_lock(db_mu_);
      if (sqlite3_wal_checkpoint_v2(checkpoint_db_, nullptr, SQLITE_CHECKPOINT_RESTART, nullptr,
                                    nullptr) == SQLITE_OK) {
        checkpointed_pages_.store(0, std::memory_order_relaxed);
      }
    }
    lock.lock();
  }
}

Status StateStore::Initialize() {
  std::lock_guard lock(db_mu_);
  auto exec = [&](const char* sql) -> Status {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) == SQLITE_OK) return Status::Ok();
    std::string why = message ? message : sqlite3_errmsg(db_);
    sqlite3_free(message);
    return Status::Error(kInvalid, why);
  };
  auto query_int = [&](const char* sql, int64_t* out) -> Status {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr) != SQLITE_OK) {
      return Status::Error(kInvalid, sqlite3_errmsg(db_));
    }
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) *out = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return Status::Error(kInvalid, sqlite3_errmsg(db_));
    return Status::Ok();
  };

  // Another lambda-local (e.g. `lambda-local invoke` beside `start`) may hold the write lock
  // for a moment.
  sqlite3_busy_timeout(db_, 5000);
  // The first read of the file: a file that is not a database fails here.
  int64_t application_id = 0, format = 0, tables = 0;
  if (Status s = query_int("PRAGMA application_id", &application_id); !s.ok()) return s;
  if (Status s = query_int("PRAGMA user_version", &format); !s.ok()) return s;
  if (Status s = query_int("SELECT count(*) FROM sqlite_master", &tables); !s.ok()) return s;
  if (application_id == 0 && tables > 0) {
    return Status::Error(kInvalid, "an SQLite database, but not lambda-local's");
  }
  if (application_id != 0 && application_id != kApplicationId) {
    return Status::Error(kInvalid, "an SQLite database, but not lambda-local's");
  }
  if (format > kFormat) {
    return Status::Error(kInvalid, fmt::format("written by a newer lambda-local (format {}, this "
                                               "one reads {})",
                                               format, kFormat));
  }
  // 8 KiB pages for a new database: a record of about 1 KiB (an SQS message) fits in its leaf
  // without an overflow page, so a commit writes fewer pages. (No-op on an existing file.)
  if (application_id == 0) {
    if (Status s = exec("PRAGMA page_size=8192"); !s.ok()) return s;
  }
  // WAL: a commit appends to the journal, readers never block the writer. NORMAL: the journal
  // is not fsynced at each commit, so a commit is in the OS's hands (it survives the process
  // being killed) but a power cut may lose the last ones; the database is never corrupted.
  if (Status s = exec("PRAGMA journal_mode=WAL"); !s.ok()) return s;
  if (Status s = exec("PRAGMA synchronous=NORMAL"); !s.ok()) return s;
  // After a big transaction (deleting a deep queue), give the journal's space back.
  if (Status s = exec("PRAGMA journal_size_limit=67108864"); !s.ok()) return s;
  if (application_id == 0) {
    if (Status s = exec(fmt::format("BEGIN; {}; PRAGMA application_id={}; PRAGMA user_version={}; "
                                    "COMMIT",
                                    kSchema, kApplicationId, kFormat)
                            .c_str());
        !s.ok()) {
      return s;
    }
  }

  if (Status s = StartCheckpointer(); !s.ok()) return s;

  statements_ = std::make_unique<Statements>();
  Statements& st = *statements_;
  struct {
    sqlite3_stmt** stmt;
    const char* sql;
  } const prepared[] = {
      {&st.begin, "BEGIN IMMEDIATE"},
      {&st.commit, "COMMIT"},
      {&st.rollback, "ROLLBACK"},
      {&st.put, "INSERT OR REPLACE INTO kv(section, key, value) VALUES (?1, ?2, ?3)"},
      {&st.remove, "DELETE FROM kv WHERE section = ?1 AND key = ?2"},
      {&st.remove_range, "DELETE FROM kv WHERE section = ?1 AND key >= ?2 AND key < ?3"},
      {&st.remove_from, "DELETE FROM kv WHERE section = ?1 AND key >= ?2"},
      {&st.scan_range,
       "SELECT key, value FROM kv WHERE section = ?1 AND key >= ?2 AND key < ?3 ORDER BY key "
       "LIMIT ?4"},
      {&st.scan_from,
       "SELECT key, value FROM kv WHERE section = ?1 AND key >= ?2 ORDER BY key LIMIT ?4"},
  };
  for (const auto& p : prepared) {
    if (sqlite3_prepare_v3(db_, p.sql, -1, SQLITE_PREPARE_PERSISTENT, p.stmt, nullptr) !=
        SQLITE_OK) {
      return Status::Error(kInvalid, fmt::format("{} ({})", sqlite3_errmsg(db_), p.sql));
    }
  }
  return Status::Ok();
}

StateSection StateStore::Section(std::string_view name) {
  if (!db_) return StateSection();
  std::lock_guard lock(mu_);
  auto it = section_names_.find(name);
  if (it == section_names_.end()) it = section_names_.emplace(name).first;
  return StateSection(this, &*it);
}

Status StateStore::Commit(StateBatch batch) { return Wait(Enqueue(std::move(batch))); }

StateStore::Ticket StateStore::Enqueue(StateBatch batch) {
  if (batch.empty() || !db_) return Ticket();
  auto pending = std::make_shared<Pending>();
  pending->batch = std::move(batch);
  std::lock_guard lock(mu_);
  queue_.push_back(pending);
  return Ticket(std::move(pending));
}

Status StateStore::Wait(const Ticket& ticket) {
  const std::shared_ptr<Pending>& mine = ticket.pending_;
  if (!mine) return Status::Ok();
  std::unique_lock lock(mu_);
  while (!mine->done) {
    if (committing_) {
      committed_.wait(lock);
      continue;
    }
    // Nobody is committing, so ours is still queued: lead a group of everything queued so
    // far (group commit), in order.
    LeadGroup(lock);
  }
  return mine->status;
}

void StateStore::Submit(StateBatch batch) {
  if (batch.empty() || !db_) return;
  auto pending = std::make_shared<Pending>();
  pending->batch = std::move(batch);
  pending->submitted = true;
  {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(pending));
    ++submitted_queued_;
  }
  flush_cv_.notify_one();
}

void StateStore::LeadGroup(std::unique_lock<std::mutex>& lock) {
  std::vector<std::shared_ptr<Pending>> group(std::make_move_iterator(queue_.begin()),
                                              std::make_move_iterator(queue_.end()));
  queue_.clear();
  for (const auto& pending : group) submitted_queued_ -= pending->submitted ? 1 : 0;
  committing_ = true;
  lock.unlock();
  Status status;
  {
    std::lock_guard db_lock(db_mu_);
    status = CommitGroupLocked(group);
  }
  lock.lock();
  for (const auto& pending : group) {
    pending->status = status;
    pending->done = true;
  }
  committing_ = false;
  committed_.notify_all();
  if (submitted_queued_ > 0) flush_cv_.notify_one();
}

void StateStore::FlushLoop() {
  std::unique_lock lock(mu_);
  for (;;) {
    flush_cv_.wait(lock, [this] { return flush_stop_ || (submitted_queued_ > 0 && !committing_); });
    if (submitted_queued_ > 0 && !committing_) {
      LeadGroup(lock);
    } else if (flush_stop_ && !committing_) {
      return;
    }
  }
}

Status StateStore::CommitGroupLocked(const std::vector<std::shared_ptr<Pending>>& group) {
  Statements& st = *statements_;
  auto step = [&](sqlite3_stmt* stmt) {
    int rc = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    return rc;
  };
  if (step(st.begin) != SQLITE_DONE) return Error(kNotSaved, "cannot begin a transaction");
  for (const auto& pending : group) {
    for (const StateBatch::Op& op : pending->batch.ops_) {
      if (Status s = ApplyLocked(op); !s.ok()) {
        step(st.rollback);
        return s;
      }
    }
  }
  if (step(st.commit) != SQLITE_DONE) {
    Status s = Error(kNotSaved, "cannot commit");
    step(st.rollback);
    return s;
  }
  return Status::Ok();
}

Status StateStore::ApplyLocked(const StateBatch::Op& op) {
  Statements& st = *statements_;
  sqlite3_stmt* stmt = nullptr;
  std::string end;
  switch (op.kind) {
    case StateBatch::Kind::kPut:
      stmt = st.put;
      BindBlob(stmt, 3, op.value);
      break;
    case StateBatch::Kind::kDelete:
      stmt = st.remove;
      break;
    case StateBatch::Kind::kDeletePrefix:
      end = PrefixEnd(op.key);
      stmt = end.empty() ? st.remove_from : st.remove_range;
      if (!end.empty()) BindBlob(stmt, 3, end);
      break;
  }
  Resetter reset(stmt);
  BindText(stmt, 1, *op.section);
  BindBlob(stmt, 2, op.key);
  if (sqlite3_step(stmt) != SQLITE_DONE) return Error(kNotSaved, "cannot write");
  return Status::Ok();
}

Status StateStore::ReadChunkLocked(const std::string& section, const std::string& from,
                                   const std::string& to, size_t limit,
                                   std::vector<std::pair<std::string, std::string>>& out) {
  sqlite3_stmt* stmt = to.empty() ? statements_->scan_from : statements_->scan_range;
  Resetter reset(stmt);
  BindText(stmt, 1, section);
  BindBlob(stmt, 2, from);
  if (!to.empty()) BindBlob(stmt, 3, to);
  sqlite3_bind_int64(stmt, 4, int64_t(limit));
  for (;;) {
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) return Status::Ok();
    if (rc != SQLITE_ROW) return Error(kUnreadable, "cannot read");
    out.emplace_back(ColumnBytes(stmt, 0), ColumnBytes(stmt, 1));
  }
}

Status StateStore::Error(const char* code, std::string_view what) const {
  return Status::Error(code, fmt::format("state database {}: {}: {}", file_.string(), what,
                                              sqlite3_errmsg(db_)));
}

}  // namespace ll
