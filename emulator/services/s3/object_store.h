// ObjectStore: S3's buckets and objects. An object's bytes are a file under <root>/blobs/,
// named by a random id (a key never becomes a path), written beside it first and renamed into
// place once whole, and never changed after: an overwrite is a new file, a copy a hard link.
// The index (buckets, keys, metadata) is in memory and in the state store (sections
// "s3.buckets" and "s3.objects"), committed before a change is acknowledged; at start the
// index is read back and files it does not name (a crash between rename and commit) removed.
//
// Thread-safety: every method is thread-safe; one mutex guards the index, never held while a
// body is read or written.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "store/state_store.h"

namespace ll::s3 {

// What S3 keeps of an object besides its bytes.
struct ObjectMeta {
  std::string blob;  // the file under blobs/
  uint64_t size = 0;
  std::string etag;  // quoted, as sent in the ETag header
  int64_t last_modified_ms = 0;
  std::string content_type;
  std::string content_encoding;
  std::string content_disposition;
  std::string content_language;
  std::string cache_control;
  std::string expires;
  std::string storage_class;       // "" is STANDARD
  std::string checksum_algorithm;  // "CRC32", "CRC32C", "SHA1", "SHA256" or ""
  std::string checksum;            // base64, for checksum_algorithm
  std::string website_redirect;
  std::vector<std::pair<std::string, std::string>> metadata;  // x-amz-meta-<name>, name lower-case
  std::vector<std::pair<std::string, std::string>> tags;
  // Versioning: "" is the null version (answered as "null"); a delete marker has no bytes.
  std::string version_id;
  bool delete_marker = false;
  uint64_t version_seq = 0;  // orders a key's versions, oldest first
  std::vector<uint64_t> part_sizes;  // of a multipart object, in order; empty otherwise
};

// The version id as S3 answers it: "null" for the null version.
inline std::string ShownVersionId(const std::string& version_id) {
  return version_id.empty() ? "null" : version_id;
}

struct BucketInfo {
  std::string name;
  std::string region;
  int64_t created_ms = 0;
  // Stored settings S3 returns as they were put, by subresource ("policy", "cors",
  // "lifecycle", "notification", "tagging", "versioning", ...).
  std::map<std::string, std::string> settings;
  // "" (never enabled), "Enabled" or "Suspended".
  std::string versioning() const {
    auto it = settings.find("versioning-status");
    return it == settings.end() ? "" : it->second;
  }
};

// What a delete did: removed an object or version, or added a delete marker.
struct DeleteOutcome {
  bool removed = false;        // something went (an object, a version or a marker)
  bool delete_marker = false;  // the version removed or added is a delete marker
  std::string version_id;      // of that version ("" when the bucket was never versioned)
  bool versioned = false;      // the bucket has versioning (Enabled or Suspended)
};

// A file being written for a new object; removed unless Commit is called.
class BlobWriter {
 public:
  ~BlobWriter();
  BlobWriter(const BlobWriter&) = delete;
  BlobWriter& operator=(const BlobWriter&) = delete;

  Status Write(std::string_view data);
  // Appends `length` bytes of the file `fd` from `offset`: copied by the kernel, or read and
  // passed through `observe` first when one is given (to hash them).
  Status CopyFrom(int fd, uint64_t offset, uint64_t length,
                  const std::function<void(std::string_view)>& observe = {});
  uint64_t size() const { return size_; }
  // Renames the file into place; returns its blob id.
  Result<std::string> Commit();

 private:
  friend class ObjectStore;
  BlobWriter(int fd, std::filesystem::path temp, std::filesystem::path blobs);
  int fd_;
  std::filesystem::path temp_;
  std::filesystem::path blobs_;
  uint64_t size_ = 0;
  bool committed_ = false;
};

// A multipart upload in progress: the object's settings from CreateMultipartUpload, and the
// parts uploaded so far, by number.
struct StoredPart {
  std::string blob;
  uint64_t size = 0;
  std::string md5;  // raw
  int64_t last_modified_ms = 0;
  std::string checksum;  // base64, for the upload's checksum algorithm
};

struct Upload {
  std::string id;
  std::string bucket;
  std::string key;
  ObjectMeta meta;  // everything but the bytes, size and ETag
  int64_t initiated_ms = 0;
  std::map<int, StoredPart> parts;
};

struct ListQuery {
  std::string prefix;
  std::string delimiter;
  std::string after;  // keys strictly greater than this (marker, start-after, token)
  size_t max_keys = 1000;
};

struct VersionQuery {
  std::string prefix;
  std::string delimiter;
  std::string key_marker;
  std::string version_marker;  // with key_marker: versions after this one of that key
  size_t max_keys = 1000;
};

struct VersionPage {
  std::vector<std::pair<std::string, ObjectMeta>> versions;  // objects and markers, newest first per key
  std::vector<bool> latest;                                  // beside versions
  std::vector<std::string> common_prefixes;
  bool truncated = false;
  std::string next_key_marker;
  std::string next_version_marker;
};

struct ListPage {
  std::vector<std::pair<std::string, ObjectMeta>> objects;
  std::vector<std::string> common_prefixes;
  bool truncated = false;
  std::string last;  // the last key or common prefix returned (the next marker)
};

// An object opened for reading: its metadata and a file descriptor the caller owns.
struct OpenedObject {
  ObjectMeta meta;
  int fd = -1;
};

class ObjectStore {
 public:
  // Keeps files under `root` (created when missing) and the index in `state` (may be a
  // disabled store: then nothing survives the process).
  static Result<std::unique_ptr<ObjectStore>> Open(const std::filesystem::path& root,
                                                   StateStore* state);

  // Reads the index back and removes files it does not name. Called once, before serving.
  Status Restore();

  // Buckets.
  // BucketAlreadyOwnedByYou when it exists, unless `idempotent` (us-east-1 answers 200 then).
  Status CreateBucket(const std::string& name, const std::string& region, bool idempotent);
  Status DeleteBucket(const std::string& name);  // BucketNotEmpty, NoSuchBucket
  Result<BucketInfo> GetBucket(const std::string& name) const;
  std::vector<BucketInfo> ListBuckets() const;
  // Sets (or with nullopt removes) a stored setting of the bucket.
  Status SetBucketSetting(const std::string& name, const std::string& setting,
                          std::optional<std::string> value);

  // Objects.
  Result<std::unique_ptr<BlobWriter>> NewBlob();
  // A new name for the bytes of `blob` (a hard link): copies share bytes, never change them.
  Result<std::string> LinkBlob(const std::string& blob);
  // Makes `meta` the object at `key`, replacing any (the last Put wins whole). NoSuchBucket
  // when the bucket is gone (then the blob is removed).
  // With versioning Enabled the object is a new version (`version_id`, if given, says which);
  // otherwise it replaces the null version.
  Status PutObject(const std::string& bucket, const std::string& key, ObjectMeta meta,
                   std::string* version_id = nullptr);
  // The current version, or `version` ("null" for the null version). NoSuchKey (also when the
  // current version is a delete marker: *marker says so), NoSuchVersion, or MethodNotAllowed
  // for a version that is a delete marker (*marker set).
  Result<ObjectMeta> HeadObject(const std::string& bucket, const std::string& key,
                                const std::string* version = nullptr,
                                ObjectMeta* marker = nullptr) const;
  Result<OpenedObject> OpenObject(const std::string& bucket, const std::string& key,
                                  const std::string* version = nullptr,
                                  ObjectMeta* marker = nullptr) const;
  // Without `version`: removes the object (a never-versioned bucket) or adds a delete marker.
  // With one: removes that version for good. Ok when there is nothing to remove.
  Status DeleteObject(const std::string& bucket, const std::string& key,
                      const std::string* version = nullptr, DeleteOutcome* outcome = nullptr);
  // PutBucketVersioning: "Enabled" or "Suspended", with the document to give back.
  Status SetVersioning(const std::string& bucket, const std::string& status, std::string xml);
  Result<VersionPage> ListVersions(const std::string& bucket, const VersionQuery& query) const;
  // Replaces the object's tags (NoSuchKey when it is gone).
  Status SetObjectTags(const std::string& bucket, const std::string& key,
                       std::vector<std::pair<std::string, std::string>> tags);
  Result<ListPage> List(const std::string& bucket, const ListQuery& query) const;

  // Multipart uploads. NoSuchUpload when `id` is not an upload of that bucket and key.
  Result<std::string> CreateUpload(const std::string& bucket, const std::string& key,
                                   ObjectMeta meta);
  // Adds or replaces part `number` (its old bytes are removed once replaced).
  Status PutUploadPart(const std::string& id, const std::string& bucket, const std::string& key,
                       int number, StoredPart part);
  Result<Upload> GetUpload(const std::string& id, const std::string& bucket,
                           const std::string& key) const;
  std::vector<Upload> ListUploads(const std::string& bucket) const;  // NoSuchBucket: empty
  Status AbortUpload(const std::string& id, const std::string& bucket, const std::string& key);
  // Ends the upload: `meta` (whose blob holds the parts' bytes joined) becomes the object at
  // its key, and the parts are removed, in one commit.
  Status CompleteUpload(const std::string& id, const std::string& bucket, const std::string& key,
                        ObjectMeta meta, std::string* version_id = nullptr);
  // The file of a blob, for reading (the caller closes it); -1 when it cannot be opened.
  int OpenBlob(const std::string& blob) const;

  const std::filesystem::path& root() const { return root_; }

 private:
  struct Bucket {
    BucketInfo info;
    std::map<std::string, ObjectMeta> objects;  // current versions that are objects
    std::map<std::string, ObjectMeta> markers;  // current versions that are delete markers
    std::map<std::string, std::vector<ObjectMeta>> older;  // noncurrent versions, oldest first
    bool empty() const { return objects.empty() && markers.empty() && older.empty(); }
  };
  // Makes `meta` the current version of `key` as the bucket's versioning says (the version
  // before it kept as noncurrent, or removed when both are the null version). mu_ held.
  void PlaceLocked(Bucket& bucket, const std::string& key, ObjectMeta& meta, StateBatch& batch,
                   std::vector<std::string>& garbage);
  // The current version of `key` set aside (kept as noncurrent, or dropped when `replace_null`
  // and it is the null version), and with `replace_null` the noncurrent null version dropped.
  void RetireCurrentLocked(Bucket& bucket, const std::string& key, bool replace_null,
                           StateBatch& batch, std::vector<std::string>& garbage);
  // The newest noncurrent version of `key` becomes current (or the key has none). mu_ held.
  void PromoteLocked(Bucket& bucket, const std::string& key, StateBatch& batch);
  // The version `shown` ("null" or an id) of `key`: current or noncurrent, or null.
  const ObjectMeta* FindVersionLocked(const Bucket& bucket, const std::string& key,
                                      const std::string& shown) const;
  std::string VersionRowKey(const std::string& bucket, const std::string& key,
                            uint64_t seq) const;
  // The upload `id` of `bucket` and `key`, or null. mu_ held.
  Upload* FindUploadLocked(const std::string& id, const std::string& bucket,
                           const std::string& key);
  void DeleteUploadRowsLocked(StateBatch& batch, const Upload& upload) const;
  ObjectStore(std::filesystem::path root, StateStore* state);
  std::filesystem::path BlobPath(const std::string& blob) const;
  void RemoveBlob(const std::string& blob) const;
  // Commits `batch` and then removes `garbage` (blobs no longer named) when it committed.
  Status Save(StateStore::Ticket ticket, const std::vector<std::string>& garbage);
  void PutBucketRow(StateBatch& batch, const BucketInfo& info) const;
  void PutObjectRow(StateBatch& batch, const std::string& bucket, const std::string& key,
                    const ObjectMeta& meta) const;

  // Const after construction.
  const std::filesystem::path root_;
  const std::filesystem::path blobs_;
  const std::filesystem::path temp_;
  StateStore* const state_;
  const StateSection buckets_section_;
  const StateSection objects_section_;
  const StateSection uploads_section_;
  const StateSection parts_section_;
  const StateSection versions_section_;  // noncurrent versions

  mutable std::mutex mu_;
  std::map<std::string, Bucket> buckets_;  // guarded by mu_
  std::map<std::string, Upload> uploads_;  // by id; guarded by mu_
  uint64_t next_seq_;                      // guarded by mu_
  std::atomic<bool> unsaved_{false};       // a commit failed: remove no file any more
};

// The encodings of the index rows, exposed for tests.
std::string EncodeObjectMeta(const ObjectMeta& meta);
bool DecodeObjectMeta(std::string_view bytes, ObjectMeta* meta);
std::string EncodeBucketInfo(const BucketInfo& info);
bool DecodeBucketInfo(std::string_view bytes, BucketInfo* info);
std::string EncodeUpload(const Upload& upload);  // without its parts
bool DecodeUpload(std::string_view bytes, Upload* upload);
std::string EncodeUploadPart(const StoredPart& part);
bool DecodeUploadPart(std::string_view bytes, StoredPart* part);

}  // namespace ll::s3
