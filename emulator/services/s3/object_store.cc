#include "services/s3/object_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstring>
#include <set>
#include <vector>

#include <fmt/format.h>

#include "base/strings.h"
#include "services/s3/s3_errors.h"
#include "store/record.h"

namespace ll::s3 {
namespace {

constexpr uint64_t kFormat = 1;  // the first number of every row; a later layout bumps it
constexpr char kInvalid[] = "StateStoreInvalid";

Status NoSuchBucket() {
  return Status::Error(errors::kNoSuchBucket, "The specified bucket does not exist");
}
Status NoSuchKey() { return Status::Error(errors::kNoSuchKey, "The specified key does not exist."); }
Status Internal(std::string_view what) {
  return Status::Error(errors::kInternalError, fmt::format("lambda-local: {}", what));
}
Status Errno(std::string_view what) { return Internal(fmt::format("{}: {}", what, strerror(errno))); }

void WritePairs(RecordWriter& w, const std::vector<std::pair<std::string, std::string>>& pairs) {
  w.U64(pairs.size());
  for (const auto& [k, v] : pairs) w.Str(k).Str(v);
}

bool ReadPairs(RecordReader& r, std::vector<std::pair<std::string, std::string>>* pairs) {
  uint64_t n = 0;
  if (!r.U64(&n)) return false;
  for (uint64_t i = 0; i < n; ++i) {
    auto& [k, v] = pairs->emplace_back();
    if (!r.Str(&k) || !r.Str(&v)) return false;
  }
  return true;
}

bool ReadSizes(RecordReader& r, std::vector<uint64_t>* sizes) {
  uint64_t n = 0;
  if (!r.U64(&n) || n > 10000) return false;
  sizes->resize(n);
  for (uint64_t& size : *sizes) {
    if (!r.U64(&size)) return false;
  }
  return true;
}

}  // namespace

// ---- encodings ----

std::string EncodeObjectMeta(const ObjectMeta& m) {
  RecordWriter w;
  w.U64(kFormat).Str(m.blob).U64(m.size).Str(m.etag).I64(m.last_modified_ms);
  w.Str(m.content_type).Str(m.content_encoding).Str(m.content_disposition);
  w.Str(m.content_language).Str(m.cache_control).Str(m.expires).Str(m.storage_class);
  w.Str(m.checksum_algorithm).Str(m.checksum).Str(m.website_redirect);
  WritePairs(w, m.metadata);
  WritePairs(w, m.tags);
  w.Str(m.version_id).Bool(m.delete_marker).U64(m.version_seq).U64(m.part_sizes.size());
  for (uint64_t size : m.part_sizes) w.U64(size);
  return w.Take();
}

bool DecodeObjectMeta(std::string_view bytes, ObjectMeta* m) {
  RecordReader r(bytes);
  uint64_t format = 0;
  return r.U64(&format) && format == kFormat && r.Str(&m->blob) && r.U64(&m->size) &&
         r.Str(&m->etag) && r.I64(&m->last_modified_ms) && r.Str(&m->content_type) &&
         r.Str(&m->content_encoding) && r.Str(&m->content_disposition) &&
         r.Str(&m->content_language) && r.Str(&m->cache_control) && r.Str(&m->expires) &&
         r.Str(&m->storage_class) && r.Str(&m->checksum_algorithm) && r.Str(&m->checksum) &&
         r.Str(&m->website_redirect) && ReadPairs(r, &m->metadata) && ReadPairs(r, &m->tags) &&
         r.Str(&m->version_id) && r.Bool(&m->delete_marker) && r.U64(&m->version_seq) &&
         ReadSizes(r, &m->part_sizes) && r.done();
}

std::string EncodeBucketInfo(const BucketInfo& b) {
  RecordWriter w;
  w.U64(kFormat).Str(b.name).Str(b.region).I64(b.created_ms).U64(b.settings.size());
  for (const auto& [k, v] : b.settings) w.Str(k).Str(v);
  return w.Take();
}

bool DecodeBucketInfo(std::string_view bytes, BucketInfo* b) {
  RecordReader r(bytes);
  uint64_t format = 0, n = 0;
  if (!(r.U64(&format) && format == kFormat && r.Str(&b->name) && r.Str(&b->region) &&
        r.I64(&b->created_ms) && r.U64(&n))) {
    return false;
  }
  for (uint64_t i = 0; i < n; ++i) {
    std::string k, v;
    if (!r.Str(&k) || !r.Str(&v)) return false;
    b->settings[std::move(k)] = std::move(v);
  }
  return r.done();
}

std::string EncodeUpload(const Upload& u) {
  RecordWriter w;
  w.U64(kFormat).Str(u.id).Str(u.bucket).Str(u.key).I64(u.initiated_ms).Str(EncodeObjectMeta(u.meta));
  return w.Take();
}

bool DecodeUpload(std::string_view bytes, Upload* u) {
  RecordReader r(bytes);
  uint64_t format = 0;
  std::string meta;
  return r.U64(&format) && format == kFormat && r.Str(&u->id) && r.Str(&u->bucket) &&
         r.Str(&u->key) && r.I64(&u->initiated_ms) && r.Str(&meta) && r.done() &&
         DecodeObjectMeta(meta, &u->meta);
}

std::string EncodeUploadPart(const StoredPart& p) {
  RecordWriter w;
  w.U64(kFormat).Str(p.blob).U64(p.size).Str(p.md5).I64(p.last_modified_ms).Str(p.checksum);
  return w.Take();
}

bool DecodeUploadPart(std::string_view bytes, StoredPart* p) {
  RecordReader r(bytes);
  uint64_t format = 0;
  return r.U64(&format) && format == kFormat && r.Str(&p->blob) && r.U64(&p->size) &&
         r.Str(&p->md5) && r.I64(&p->last_modified_ms) && r.Str(&p->checksum) && r.done();
}

// ---- BlobWriter ----

BlobWriter::BlobWriter(int fd, std::filesystem::path temp, std::filesystem::path blobs)
    : fd_(fd), temp_(std::move(temp)), blobs_(std::move(blobs)) {}

BlobWriter::~BlobWriter() {
  close(fd_);
  if (!committed_) unlink(temp_.c_str());
}

Status BlobWriter::Write(std::string_view data) {
  while (!data.empty()) {
    ssize_t n = write(fd_, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("cannot write an object's bytes");
    }
    data.remove_prefix(size_t(n));
    size_ += uint64_t(n);
  }
  return Status::Ok();
}

Status BlobWriter::CopyFrom(int fd, uint64_t offset, uint64_t length,
                            const std::function<void(std::string_view)>& observe) {
  loff_t from = loff_t(offset);
  uint64_t left = length;
  while (left > 0 && !observe) {
    ssize_t n = copy_file_range(fd, &from, fd_, nullptr, size_t(std::min<uint64_t>(left, 1 << 30)), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP)) break;
    if (n < 0) return Errno("cannot copy an object's bytes");
    if (n == 0) return Internal("an object's file is shorter than its size");
    left -= uint64_t(n);
    size_ += uint64_t(n);
  }
  std::vector<char> buf(left > 0 ? 256 * 1024 : 0);
  while (left > 0) {
    ssize_t n = pread(fd, buf.data(), size_t(std::min<uint64_t>(left, buf.size())), from);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno("cannot read an object's bytes");
    if (n == 0) return Internal("an object's file is shorter than its size");
    std::string_view chunk(buf.data(), size_t(n));
    if (observe) observe(chunk);
    if (Status s = Write(chunk); !s.ok()) return s;
    from += n;
    left -= uint64_t(n);
  }
  return Status::Ok();
}

Result<std::string> BlobWriter::Commit() {
  std::string id = RandomHex(32);
  std::filesystem::path dir = blobs_ / id.substr(0, 2);
  if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return Errno("cannot make a blob folder");
  if (rename(temp_.c_str(), (dir / id.substr(2)).c_str()) != 0) {
    return Errno("cannot move an object into place");
  }
  committed_ = true;
  return id;
}

// ---- ObjectStore ----

ObjectStore::ObjectStore(std::filesystem::path root, StateStore* state)
    : root_(std::move(root)),
      blobs_(root_ / "blobs"),
      temp_(root_ / "incoming"),
      state_(state),
      buckets_section_(state->Section("s3.buckets")),
      objects_section_(state->Section("s3.objects")),
      uploads_section_(state->Section("s3.uploads")),
      parts_section_(state->Section("s3.parts")),
      versions_section_(state->Section("s3.versions")),
      next_seq_(uint64_t(NowEpochMs()) * 1000) {}

Result<std::unique_ptr<ObjectStore>> ObjectStore::Open(const std::filesystem::path& root,
                                                       StateStore* state) {
  std::unique_ptr<ObjectStore> store(new ObjectStore(root, state));
  std::error_code ec;
  std::filesystem::create_directories(store->blobs_, ec);
  if (!ec) std::filesystem::create_directories(store->temp_, ec);
  if (ec) {
    return Status::Error("StateDirUnavailable", fmt::format("cannot make the S3 folder {}: {}",
                                                            root.string(), ec.message()));
  }
  return store;
}

std::filesystem::path ObjectStore::BlobPath(const std::string& blob) const {
  if (blob.size() < 3) return blobs_ / "invalid";
  return blobs_ / blob.substr(0, 2) / blob.substr(2);
}

void ObjectStore::RemoveBlob(const std::string& blob) const {
  if (!blob.empty()) unlink(BlobPath(blob).c_str());
}

Status ObjectStore::Restore() {
  std::set<std::string> named;
  {
    std::lock_guard lock(mu_);
    Status bad;
    Status scanned = buckets_section_.ForEach([&](std::string_view key, std::string_view value) {
      BucketInfo info;
      if (!DecodeBucketInfo(value, &info)) {
        if (bad.ok()) bad = Status::Error(kInvalid, fmt::format("bucket row {} cannot be read", key));
        return;
      }
      buckets_[info.name].info = std::move(info);
    });
    if (!scanned.ok()) return scanned;
    if (!bad.ok()) return bad;
    scanned = objects_section_.ForEach([&](std::string_view row, std::string_view value) {
      size_t slash = row.find('/');
      ObjectMeta meta;
      if (slash == std::string_view::npos || !DecodeObjectMeta(value, &meta)) {
        if (bad.ok()) bad = Status::Error(kInvalid, fmt::format("object row {} cannot be read", row));
        return;
      }
      auto bucket = buckets_.find(std::string(row.substr(0, slash)));
      if (bucket == buckets_.end()) return;  // its bucket was deleted
      next_seq_ = std::max(next_seq_, meta.version_seq + 1);
      std::string key(row.substr(slash + 1));
      if (meta.delete_marker) {
        bucket->second.markers[key] = std::move(meta);
      } else {
        named.insert(meta.blob);
        bucket->second.objects[key] = std::move(meta);
      }
    });
    if (!scanned.ok()) return scanned;
    if (!bad.ok()) return bad;
    // Noncurrent versions: "<bucket>/<key>\0<seq, 16 hex>", so a key's rows come oldest first.
    scanned = versions_section_.ForEach([&](std::string_view row, std::string_view value) {
      size_t slash = row.find('/');
      size_t nul = row.rfind('\0');
      ObjectMeta meta;
      if (slash == std::string_view::npos || nul == std::string_view::npos || nul < slash ||
          !DecodeObjectMeta(value, &meta)) {
        if (bad.ok()) bad = Status::Error(kInvalid, "a version row cannot be read");
        return;
      }
      auto bucket = buckets_.find(std::string(row.substr(0, slash)));
      if (bucket == buckets_.end()) return;
      next_seq_ = std::max(next_seq_, meta.version_seq + 1);
      if (!meta.delete_marker) named.insert(meta.blob);
      bucket->second.older[std::string(row.substr(slash + 1, nul - slash - 1))].push_back(std::move(meta));
    });
    if (!scanned.ok()) return scanned;
    if (!bad.ok()) return bad;
    scanned = uploads_section_.ForEach([&](std::string_view row, std::string_view value) {
      Upload upload;
      if (!DecodeUpload(value, &upload)) {
        if (bad.ok()) bad = Status::Error(kInvalid, fmt::format("upload row {} cannot be read", row));
        return;
      }
      if (buckets_.count(upload.bucket)) uploads_[upload.id] = std::move(upload);
    });
    if (!scanned.ok()) return scanned;
    if (!bad.ok()) return bad;
    scanned = parts_section_.ForEach([&](std::string_view row, std::string_view value) {
      size_t slash = row.find('/');
      StoredPart part;
      if (slash == std::string_view::npos || !DecodeUploadPart(value, &part)) {
        if (bad.ok()) bad = Status::Error(kInvalid, fmt::format("part row {} cannot be read", row));
        return;
      }
      auto upload = uploads_.find(std::string(row.substr(0, slash)));
      if (upload == uploads_.end()) return;
      named.insert(part.blob);
      upload->second.parts[std::stoi(std::string(row.substr(slash + 1)))] = std::move(part);
    });
    if (!scanned.ok()) return scanned;
    if (!bad.ok()) return bad;
  }
  // Files no row names: uploads cut off, or renamed into place by a change never committed.
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(temp_, ec)) {
    std::filesystem::remove(entry.path(), ec);
  }
  for (const auto& dir : std::filesystem::directory_iterator(blobs_, ec)) {
    std::string prefix = dir.path().filename().string();
    for (const auto& file : std::filesystem::directory_iterator(dir.path(), ec)) {
      if (!named.count(prefix + file.path().filename().string())) {
        std::filesystem::remove(file.path(), ec);
      }
    }
  }
  return Status::Ok();
}

void ObjectStore::PutBucketRow(StateBatch& batch, const BucketInfo& info) const {
  batch.Put(buckets_section_, info.name, EncodeBucketInfo(info));
}

void ObjectStore::PutObjectRow(StateBatch& batch, const std::string& bucket,
                               const std::string& key, const ObjectMeta& meta) const {
  batch.Put(objects_section_, bucket + '/' + key, EncodeObjectMeta(meta));
}

Status ObjectStore::Save(StateStore::Ticket ticket, const std::vector<std::string>& garbage) {
  if (Status s = state_->Wait(ticket); !s.ok()) {
    // Unsaved: the index in memory is ahead of the one on disk from now on, so no file is
    // removed any more (the one on disk may still name it); the next start removes strays.
    unsaved_ = true;
    return Internal("could not save the change to its state folder: " + s.message());
  }
  if (unsaved_) return Status::Ok();
  for (const std::string& blob : garbage) RemoveBlob(blob);
  return Status::Ok();
}

Status ObjectStore::CreateBucket(const std::string& name, const std::string& region,
                                 bool idempotent) {
  StateStore::Ticket ticket;
  {
    std::lock_guard lock(mu_);
    if (buckets_.count(name)) {
      if (idempotent) return Status::Ok();
      return Status::Error(errors::kBucketAlreadyOwnedByYou,
                           "Your previous request to create the named bucket succeeded and you "
                           "already own it.");
    }
    Bucket& bucket = buckets_[name];
    bucket.info.name = name;
    bucket.info.region = region;
    bucket.info.created_ms = NowEpochMs();
    StateBatch batch;
    PutBucketRow(batch, bucket.info);
    ticket = state_->Enqueue(std::move(batch));
  }
  return Save(ticket, {});
}

Status ObjectStore::DeleteBucket(const std::string& name) {
  StateStore::Ticket ticket;
  std::vector<std::string> garbage;
  {
    std::lock_guard lock(mu_);
    auto it = buckets_.find(name);
    if (it == buckets_.end()) return NoSuchBucket();
    if (!it->second.empty()) {
      return Status::Error(errors::kBucketNotEmpty,
                           "The bucket you tried to delete is not empty");
    }
    buckets_.erase(it);
    StateBatch batch;
    batch.Delete(buckets_section_, name);
    // Uploads in progress go with their bucket.
    for (auto u = uploads_.begin(); u != uploads_.end();) {
      if (u->second.bucket != name) {
        ++u;
        continue;
      }
      DeleteUploadRowsLocked(batch, u->second);
      for (const auto& [number, part] : u->second.parts) garbage.push_back(part.blob);
      u = uploads_.erase(u);
    }
    ticket = state_->Enqueue(std::move(batch));
  }
  return Save(ticket, garbage);
}

Result<BucketInfo> ObjectStore::GetBucket(const std::string& name) const {
  std::lock_guard lock(mu_);
  auto it = buckets_.find(name);
  if (it == buckets_.end()) return NoSuchBucket();
  return it->second.info;
}

std::vector<BucketInfo> ObjectStore::ListBuckets() const {
  std::lock_guard lock(mu_);
  std::vector<BucketInfo> out;
  out.reserve(buckets_.size());
  for (const auto& [name, bucket] : buckets_) out.push_back(bucket.info);
  return out;
}

Status ObjectStore::SetBucketSetting(const std::string& name, const std::string& setting,
                                     std::optional<std::string> value) {
  StateStore::Ticket ticket;
  {
    std::lock_guard lock(mu_);
    auto it = buckets_.find(name);
    if (it == buckets_.end()) return NoSuchBucket();
    if (value) {
      it->second.info.settings[setting] = std::move(*value);
    } else {
      it->second.info.settings.erase(setting);
    }
    StateBatch batch;
    PutBucketRow(batch, it->second.info);
    ticket = state_->Enqueue(std::move(batch));
  }
  return Save(ticket, {});
}

Result<std::unique_ptr<BlobWriter>> ObjectStore::NewBlob() {
  std::filesystem::path temp = temp_ / (RandomHex(32) + ".part");
  int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("cannot start writing an object");
  return std::unique_ptr<BlobWriter>(new BlobWriter(fd, std::move(temp), blobs_));
}

Result<std::string> ObjectStore::LinkBlob(const std::string& blob) {
  std::string id = RandomHex(32);
  std::filesystem::path dir = blobs_ / id.substr(0, 2);
  if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return Errno("cannot make a blob folder");
  if (link(BlobPath(blob).c_str(), BlobPath(id).c_str()) != 0) return Errno("cannot copy an object");
  return id;
}

std::string ObjectStore::VersionRowKey(const std::string& bucket, const std::string& key,
                                       uint64_t seq) const {
  return fmt::format("{}/{}{}{:016x}", bucket, key, '\0', seq);
}

void ObjectStore::RetireCurrentLocked(Bucket& b, const std::string& key, bool replace_null,
                                      StateBatch& batch, std::vector<std::string>& garbage) {
  const std::string& name = b.info.name;
  std::optional<ObjectMeta> current;
  if (auto it = b.objects.find(key); it != b.objects.end()) {
    current = std::move(it->second);
    b.objects.erase(it);
  } else if (auto m = b.markers.find(key); m != b.markers.end()) {
    current = std::move(m->second);
    b.markers.erase(m);
  }
  if (current) {
    batch.Delete(objects_section_, name + '/' + key);
    if (replace_null && current->version_id.empty()) {
      if (!current->delete_marker) garbage.push_back(current->blob);
    } else {
      batch.Put(versions_section_, VersionRowKey(name, key, current->version_seq),
                EncodeObjectMeta(*current));
      b.older[key].push_back(std::move(*current));
    }
  }
  if (!replace_null) return;
  // A new null version replaces the one kept as noncurrent, if any.
  auto older = b.older.find(key);
  if (older == b.older.end()) return;
  auto& list = older->second;
  for (auto v = list.begin(); v != list.end();) {
    if (!v->version_id.empty()) {
      ++v;
      continue;
    }
    batch.Delete(versions_section_, VersionRowKey(name, key, v->version_seq));
    if (!v->delete_marker) garbage.push_back(v->blob);
    v = list.erase(v);
  }
  if (list.empty()) b.older.erase(older);
}

void ObjectStore::PlaceLocked(Bucket& b, const std::string& key, ObjectMeta& meta,
                              StateBatch& batch, std::vector<std::string>& garbage) {
  const bool enabled = b.info.versioning() == "Enabled";
  meta.version_id = enabled ? RandomHex(32) : "";
  meta.version_seq = next_seq_++;
  RetireCurrentLocked(b, key, !enabled, batch, garbage);
  PutObjectRow(batch, b.info.name, key, meta);
  if (meta.delete_marker) {
    b.markers[key] = meta;
  } else {
    b.objects[key] = meta;
  }
}

void ObjectStore::PromoteLocked(Bucket& b, const std::string& key, StateBatch& batch) {
  auto older = b.older.find(key);
  if (older == b.older.end()) return;
  ObjectMeta newest = std::move(older->second.back());
  older->second.pop_back();
  if (older->second.empty()) b.older.erase(older);
  batch.Delete(versions_section_, VersionRowKey(b.info.name, key, newest.version_seq));
  PutObjectRow(batch, b.info.name, key, newest);
  if (newest.delete_marker) {
    b.markers[key] = std::move(newest);
  } else {
    b.objects[key] = std::move(newest);
  }
}

const ObjectMeta* ObjectStore::FindVersionLocked(const Bucket& b, const std::string& key,
                                                 const std::string& shown) const {
  const std::string id = shown == "null" ? "" : shown;
  if (auto it = b.objects.find(key); it != b.objects.end() && it->second.version_id == id) {
    return &it->second;
  }
  if (auto it = b.markers.find(key); it != b.markers.end() && it->second.version_id == id) {
    return &it->second;
  }
  if (auto it = b.older.find(key); it != b.older.end()) {
    for (const ObjectMeta& v : it->second) {
      if (v.version_id == id) return &v;
    }
  }
  return nullptr;
}

Status ObjectStore::PutObject(const std::string& bucket_name, const std::string& key,
                              ObjectMeta meta, std::string* version_id) {
  StateStore::Ticket ticket;
  std::vector<std::string> garbage;
  {
    std::lock_guard lock(mu_);
    auto bucket = buckets_.find(bucket_name);
    if (bucket == buckets_.end()) {
      RemoveBlob(meta.blob);
      return NoSuchBucket();
    }
    StateBatch batch;
    PlaceLocked(bucket->second, key, meta, batch, garbage);
    if (version_id) *version_id = meta.version_id;
    ticket = state_->Enqueue(std::move(batch));
  }
  return Save(ticket, garbage);
}

namespace {

Status NoSuchVersion() {
  return Status::Error(errors::kNoSuchVersion, "The specified version does not exist.");
}

}  // namespace

Result<ObjectMeta> ObjectStore::HeadObject(const std::string& bucket_name, const std::string& key,
                                           const std::string* version, ObjectMeta* marker) const {
  std::lock_guard lock(mu_);
  auto bucket = buckets_.find(bucket_name);
  if (bucket == buckets_.end()) return NoSuchBucket();
  const Bucket& b = bucket->second;
  if (version) {
    const ObjectMeta* v = FindVersionLocked(b, key, *version);
    if (!v) return NoSuchVersion();
    if (v->delete_marker) {
      if (marker) *marker = *v;
      return Status::Error(errors::kMethodNotAllowed,
                           "The specified method is not allowed against this resource.");
    }
    return *v;
  }
  auto it = b.objects.find(key);
  if (it != b.objects.end()) return it->second;
  if (auto m = b.markers.find(key); m != b.markers.end() && marker) *marker = m->second;
  return NoSuchKey();
}

Result<OpenedObject> ObjectStore::OpenObject(const std::string& bucket_name, const std::string& key,
                                             const std::string* version, ObjectMeta* marker) const {
  // Looked up and opened under one lock: a later overwrite removes this file only after
  // replacing the row.
  std::lock_guard lock(mu_);
  auto bucket = buckets_.find(bucket_name);
  if (bucket == buckets_.end()) return NoSuchBucket();
  const Bucket& b = bucket->second;
  const ObjectMeta* meta = nullptr;
  if (version) {
    meta = FindVersionLocked(b, key, *version);
    if (!meta) return NoSuchVersion();
    if (meta->delete_marker) {
      if (marker) *marker = *meta;
      return Status::Error(errors::kMethodNotAllowed,
                           "The specified method is not allowed against this resource.");
    }
  } else {
    auto it = b.objects.find(key);
    if (it == b.objects.end()) {
      if (auto m = b.markers.find(key); m != b.markers.end() && marker) *marker = m->second;
      return NoSuchKey();
    }
    meta = &it->second;
  }
  int fd = open(BlobPath(meta->blob).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno("cannot open an object's bytes");
  return OpenedObject{*meta, fd};
}

Status ObjectStore::DeleteObject(const std::string& bucket_name, const std::string& key,
                                 const std::string* version, DeleteOutcome* outcome) {
  DeleteOutcome out;
  StateStore::Ticket ticket;
  std::vector<std::string> garbage;
  {
    std::lock_guard lock(mu_);
    auto bucket = buckets_.find(bucket_name);
    if (bucket == buckets_.end()) return NoSuchBucket();
    Bucket& b = bucket->second;
    const std::string versioning = b.info.versioning();
    out.versioned = !versioning.empty();
    StateBatch batch;
    if (version) {
      // That version goes for good; if it was current, the one before it takes its place.
      const std::string id = *version == "null" ? "" : *version;
      out.version_id = id;
      bool current = false;
      if (auto it = b.objects.find(key); it != b.objects.end() && it->second.version_id == id) {
        garbage.push_back(it->second.blob);
        b.objects.erase(it);
        current = out.removed = true;
      } else if (auto m = b.markers.find(key); m != b.markers.end() && m->second.version_id == id) {
        b.markers.erase(m);
        current = out.removed = out.delete_marker = true;
      } else if (auto older = b.older.find(key); older != b.older.end()) {
        auto& list = older->second;
        for (auto v = list.begin(); v != list.end(); ++v) {
          if (v->version_id != id) continue;
          batch.Delete(versions_section_, VersionRowKey(bucket_name, key, v->version_seq));
          if (!v->delete_marker) garbage.push_back(v->blob);
          out.removed = true;
          out.delete_marker = v->delete_marker;
          list.erase(v);
          break;
        }
        if (list.empty()) b.older.erase(older);
      }
      if (current) {
        batch.Delete(objects_section_, bucket_name + '/' + key);
        PromoteLocked(b, key, batch);
      }
    } else if (versioning.empty()) {
      auto it = b.objects.find(key);
      if (it != b.objects.end()) {
        garbage.push_back(std::move(it->second.blob));
        b.objects.erase(it);
        out.removed = true;
        batch.Delete(objects_section_, bucket_name + '/' + key);
      }
    } else {
      // A delete marker becomes the current version.
      ObjectMeta marker;
      marker.delete_marker = true;
      marker.last_modified_ms = NowEpochMs();
      PlaceLocked(b, key, marker, batch, garbage);
      out.removed = out.delete_marker = true;
      out.version_id = marker.version_id;
    }
    if (!batch.empty()) ticket = state_->Enqueue(std::move(batch));
  }
  if (outcome) *outcome = out;
  return Save(ticket, garbage);
}

Status ObjectStore::SetVersioning(const std::string& bucket_name, const std::string& status,
                                  std::string xml) {
  StateStore::Ticket ticket;
  {
    std::lock_guard lock(mu_);
    auto it = buckets_.find(bucket_name);
    if (it == buckets_.end()) return NoSuchBucket();
    it->second.info.settings["versioning"] = std::move(xml);
    it->second.info.settings["versioning-status"] = status;
    StateBatch batch;
    PutBucketRow(batch, it->second.info);
    ticket = state_->Enqueue(std::move(batch));
  }
  return Save(ticket, {});
}

Result<VersionPage> ObjectStore::ListVersions(const std::string& bucket_name,
                                              const VersionQuery& q) const {
  std::lock_guard lock(mu_);
  auto bucket = buckets_.find(bucket_name);
  if (bucket == buckets_.end()) return NoSuchBucket();
  const Bucket& b = bucket->second;
  // The next key at or after `from` in any of the three maps.
  auto next_key = [&](const std::string& from) -> std::optional<std::string> {
    std::optional<std::string> best;
    auto consider = [&](const auto& map) {
      auto it = map.lower_bound(from);
      if (it != map.end() && (!best || it->first < *best)) best = it->first;
    };
    consider(b.objects);
    consider(b.markers);
    consider(b.older);
    return best;
  };
  VersionPage page;
  size_t count = 0;
  std::string from = std::max(q.prefix, q.key_marker);
  bool skip_to_version = !q.key_marker.empty() && !q.version_marker.empty();
  if (!q.key_marker.empty() && q.version_marker.empty()) {
    from = std::max(q.prefix, q.key_marker + '\0');
  }
  if (q.max_keys == 0) return page;  // nothing asked for: not truncated, as S3 answers
  while (auto key = next_key(from)) {
    if (key->compare(0, q.prefix.size(), q.prefix) != 0) break;
    if (!q.delimiter.empty()) {
      size_t at = key->find(q.delimiter, q.prefix.size());
      if (at != std::string::npos) {
        std::string common = key->substr(0, at + q.delimiter.size());
        if (count == q.max_keys) {
          page.truncated = true;
          break;
        }
        if (common != q.key_marker) {
          page.common_prefixes.push_back(common);
          page.next_key_marker = common;
          page.next_version_marker.clear();
          ++count;
        }
        std::string end = PrefixEnd(common);
        if (end.empty()) break;
        from = end;
        skip_to_version = false;
        continue;
      }
    }
    // This key's versions, newest first: the current one, then the older ones.
    std::vector<const ObjectMeta*> versions;
    if (auto it = b.objects.find(*key); it != b.objects.end()) versions.push_back(&it->second);
    if (auto it = b.markers.find(*key); it != b.markers.end()) versions.push_back(&it->second);
    if (auto it = b.older.find(*key); it != b.older.end()) {
      for (auto v = it->second.rbegin(); v != it->second.rend(); ++v) versions.push_back(&*v);
    }
    size_t start = 0;
    if (skip_to_version && *key == q.key_marker) {
      for (size_t i = 0; i < versions.size(); ++i) {
        if (ShownVersionId(versions[i]->version_id) == q.version_marker) start = i + 1;
      }
    }
    skip_to_version = false;
    bool stopped = false;
    for (size_t i = start; i < versions.size(); ++i) {
      if (count == q.max_keys) {
        page.truncated = true;
        stopped = true;
        break;
      }
      page.versions.emplace_back(*key, *versions[i]);
      page.latest.push_back(i == 0 && (b.objects.count(*key) || b.markers.count(*key)));
      page.next_key_marker = *key;
      page.next_version_marker = ShownVersionId(versions[i]->version_id);
      ++count;
    }
    if (stopped) break;
    from = *key + '\0';
  }
  if (!page.truncated) {
    page.next_key_marker.clear();
    page.next_version_marker.clear();
  }
  return page;
}

Status ObjectStore::SetObjectTags(const std::string& bucket_name, const std::string& key,
                                  std::vector<std::pair<std::string, std::string>> tags) {
  StateStore::Ticket ticket;
  {
    std::lock_guard lock(mu_);
    auto bucket = buckets_.find(bucket_name);
    if (bucket == buckets_.end()) return NoSuchBucket();
    auto it = bucket->second.objects.find(key);
    if (it == bucket->second.objects.end()) return NoSuchKey();
    it->second.tags = std::move(tags);
    StateBatch batch;
    PutObjectRow(batch, bucket_name, key, it->second);
    ticket = state_->Enqueue(std::move(batch));
  }
  return Save(ticket, {});
}

Result<ListPage> ObjectStore::List(const std::string& bucket_name, const ListQuery& q) const {
  std::lock_guard lock(mu_);
  auto bucket = buckets_.find(bucket_name);
  if (bucket == buckets_.end()) return NoSuchBucket();
  const auto& objects = bucket->second.objects;
  ListPage page;
  if (q.max_keys == 0) return page;  // nothing asked for: not truncated, as S3 answers
  auto it = objects.lower_bound(q.prefix);
  if (!q.after.empty() && q.after >= q.prefix) it = objects.upper_bound(q.after);
  size_t count = 0;
  while (it != objects.end()) {
    const std::string& key = it->first;
    if (key.compare(0, q.prefix.size(), q.prefix) != 0) break;
    if (count == q.max_keys) {
      page.truncated = true;
      break;
    }
    if (!q.delimiter.empty()) {
      size_t at = key.find(q.delimiter, q.prefix.size());
      if (at != std::string::npos) {
        std::string common = key.substr(0, at + q.delimiter.size());
        // A marker inside this prefix has already returned it.
        if (q.after.empty() || common > q.after ||
            q.after.compare(0, common.size(), common) != 0) {
          page.common_prefixes.push_back(common);
          page.last = common;
          ++count;
        }
        std::string end = PrefixEnd(common);
        if (end.empty()) break;
        it = objects.lower_bound(end);
        continue;
      }
    }
    page.objects.emplace_back(key, it->second);
    page.last = key;
    ++count;
    ++it;
  }
  return page;
}

// ---- multipart uploads ----

namespace {

Status NoSuchUpload() {
  return Status::Error(errors::kNoSuchUpload,
                       "The specified upload does not exist. The upload ID may be invalid, or the "
                       "upload may have been aborted or completed.");
}

std::string PartRowKey(const std::string& id, int number) {
  return fmt::format("{}/{:05}", id, number);
}

}  // namespace

Upload* ObjectStore::FindUploadLocked(const std::string& id, const std::string& bucket,
                                      const std::string& key) {
  auto it = uploads_.find(id);
  if (it == uploads_.end() || it->second.bucket != bucket || it->second.key != key) return nullptr;
  return &it->second;
}

void ObjectStore::DeleteUploadRowsLocked(StateBatch& batch, const Upload& upload) const {
  batch.Delete(uploads_section_, upload.id);
  batch.DeletePrefix(parts_section_, upload.id + "/");
}

Result<std::string> ObjectStore::CreateUpload(const std::string& bucket, const std::string& key,
                                              ObjectMeta meta) {
  StateStore::Ticket ticket;
  std::string id;
  {
    std::lock_guard lock(mu_);
    if (!buckets_.count(bucket)) return NoSuchBucket();
    // Base64-looking, as S3's upload ids are; '/' and '+' left out so it sits in a row key.
    id = RandomHex(64);
    Upload& upload = uploads_[id];
    upload.id = id;
    upload.bucket = bucket;
    upload.key = key;
    upload.meta = std::move(meta);
    upload.initiated_ms = NowEpochMs();
    StateBatch batch;
    batch.Put(uploads_section_, id, EncodeUpload(upload));
    ticket = state_->Enqueue(std::move(batch));
  }
  if (Status s = Save(ticket, {}); !s.ok()) return s;
  return id;
}

Status ObjectStore::PutUploadPart(const std::string& id, const std::string& bucket,
                                  const std::string& key, int number, StoredPart part) {
  StateStore::Ticket ticket;
  std::vector<std::string> garbage;
  {
    std::lock_guard lock(mu_);
    Upload* upload = FindUploadLocked(id, bucket, key);
    if (!upload) {
      RemoveBlob(part.blob);
      return NoSuchUpload();
    }
    StateBatch batch;
    batch.Put(parts_section_, PartRowKey(id, number), EncodeUploadPart(part));
    auto [it, inserted] = upload->parts.try_emplace(number);
    if (!inserted) garbage.push_back(std::move(it->second.blob));
    it->second = std::move(part);
    ticket = state_->Enqueue(std::move(batch));
  }
  return Save(ticket, garbage);
}

Result<Upload> ObjectStore::GetUpload(const std::string& id, const std::string& bucket,
                                      const std::string& key) const {
  std::lock_guard lock(mu_);
  if (!buckets_.count(bucket)) return NoSuchBucket();
  auto it = uploads_.find(id);
  if (it == uploads_.end() || it->second.bucket != bucket || it->second.key != key) {
    return NoSuchUpload();
  }
  return it->second;
}

std::vector<Upload> ObjectStore::ListUploads(const std::string& bucket) const {
  std::lock_guard lock(mu_);
  std::vector<Upload> out;
  for (const auto& [id, upload] : uploads_) {
    if (upload.bucket == bucket) out.push_back(upload);
  }
  return out;
}

Status ObjectStore::AbortUpload(const std::string& id, const std::string& bucket,
                                const std::string& key) {
  StateStore::Ticket ticket;
  std::vector<std::string> garbage;
  {
    std::lock_guard lock(mu_);
    if (!buckets_.count(bucket)) return NoSuchBucket();
    Upload* upload = FindUploadLocked(id, bucket, key);
    if (!upload) return NoSuchUpload();
    StateBatch batch;
    DeleteUploadRowsLocked(batch, *upload);
    for (const auto& [number, part] : upload->parts) garbage.push_back(part.blob);
    uploads_.erase(id);
    ticket = state_->Enqueue(std::move(batch));
  }
  return Save(ticket, garbage);
}

Status ObjectStore::CompleteUpload(const std::string& id, const std::string& bucket_name,
                                   const std::string& key, ObjectMeta meta,
                                   std::string* version_id) {
  StateStore::Ticket ticket;
  std::vector<std::string> garbage;
  {
    std::lock_guard lock(mu_);
    auto bucket = buckets_.find(bucket_name);
    Upload* upload = FindUploadLocked(id, bucket_name, key);
    if (bucket == buckets_.end() || !upload) {
      RemoveBlob(meta.blob);
      return bucket == buckets_.end() ? NoSuchBucket() : NoSuchUpload();
    }
    StateBatch batch;
    DeleteUploadRowsLocked(batch, *upload);
    for (const auto& [number, part] : upload->parts) garbage.push_back(part.blob);
    uploads_.erase(id);
    PlaceLocked(bucket->second, key, meta, batch, garbage);
    if (version_id) *version_id = meta.version_id;
    ticket = state_->Enqueue(std::move(batch));
  }
  return Save(ticket, garbage);
}

int ObjectStore::OpenBlob(const std::string& blob) const {
  return open(BlobPath(blob).c_str(), O_RDONLY | O_CLOEXEC);
}

}  // namespace ll::s3
