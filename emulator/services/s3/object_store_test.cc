// ObjectStore over a real folder and state store: writes become whole files renamed into
// place, overwrites and deletes remove the old bytes once committed, listings page and group,
// and a reopened store has what was committed and nothing it did not name.
#include "services/s3/object_store.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "base/strings.h"
#include "services/s3/s3_errors.h"

using namespace ll;
using namespace ll::s3;

namespace {

struct TempDir {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("lambda-local-s3-test-" + RandomHex(8));
  TempDir() { std::filesystem::create_directories(path); }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

size_t CountFiles(const std::filesystem::path& dir) {
  size_t n = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) n += e.is_regular_file();
  return n;
}

std::string Put(ObjectStore& store, const std::string& bucket, const std::string& key,
                std::string_view bytes) {
  auto writer = store.NewBlob();
  REQUIRE(writer.ok());
  REQUIRE((*writer)->Write(bytes).ok());
  auto blob = (*writer)->Commit();
  REQUIRE(blob.ok());
  ObjectMeta meta;
  meta.blob = *blob;
  meta.size = bytes.size();
  meta.etag = "\"e\"";
  REQUIRE(store.PutObject(bucket, key, meta).ok());
  return *blob;
}

std::string Read(ObjectStore& store, const std::string& bucket, const std::string& key) {
  auto opened = store.OpenObject(bucket, key);
  REQUIRE(opened.ok());
  std::string out(opened->meta.size, '\0');
  REQUIRE(pread(opened->fd, out.data(), out.size(), 0) == ssize_t(out.size()));
  close(opened->fd);
  return out;
}

}  // namespace

TEST_CASE("object store: put, overwrite, copy and delete keep exactly the named files", "[s3]") {
  TempDir dir;
  auto state = StateStore::Open(dir.path / "state.db");
  REQUIRE(state.ok());
  auto store = ObjectStore::Open(dir.path / "s3", state->get());
  REQUIRE(store.ok());
  ObjectStore& s = **store;
  REQUIRE(s.CreateBucket("b", "us-east-1", false).ok());
  CHECK(s.CreateBucket("b", "us-east-1", false).code() == errors::kBucketAlreadyOwnedByYou);
  CHECK(s.CreateBucket("b", "us-east-1", true).ok());

  Put(s, "b", "../escape", "one");
  CHECK(Read(s, "b", "../escape") == "one");
  Put(s, "b", "../escape", "two!");  // the last put wins, whole
  CHECK(Read(s, "b", "../escape") == "two!");
  CHECK(CountFiles(dir.path / "s3" / "blobs") == 1);
  CHECK_FALSE(std::filesystem::exists(dir.path / "escape"));

  auto copy = s.LinkBlob(s.HeadObject("b", "../escape")->blob);
  REQUIRE(copy.ok());
  ObjectMeta meta = *s.HeadObject("b", "../escape");
  meta.blob = *copy;
  REQUIRE(s.PutObject("b", "copy", meta).ok());
  DeleteOutcome deleted;
  REQUIRE(s.DeleteObject("b", "../escape", nullptr, &deleted).ok());
  CHECK(deleted.removed);
  CHECK_FALSE(deleted.delete_marker);
  CHECK(Read(s, "b", "copy") == "two!");  // a copy shares bytes, never loses them
  CHECK(s.HeadObject("b", "../escape").status().code() == errors::kNoSuchKey);
  CHECK(s.DeleteBucket("b").code() == errors::kBucketNotEmpty);
  REQUIRE(s.DeleteObject("b", "copy").ok());
  CHECK(CountFiles(dir.path / "s3" / "blobs") == 0);
  CHECK(s.DeleteBucket("b").ok());
  CHECK(s.PutObject("b", "k", ObjectMeta{}).code() == errors::kNoSuchBucket);
}

TEST_CASE("object store: a write never committed leaves no file", "[s3]") {
  TempDir dir;
  auto state = StateStore::Open(dir.path / "state.db");
  REQUIRE(state.ok());
  auto store = ObjectStore::Open(dir.path / "s3", state->get());
  REQUIRE(store.ok());
  {
    auto writer = (*store)->NewBlob();
    REQUIRE(writer.ok());
    REQUIRE((*writer)->Write("half").ok());
  }  // dropped: an upload cut short
  CHECK(CountFiles(dir.path / "s3") == 0);
}

TEST_CASE("object store: listings page by key and group by delimiter", "[s3]") {
  TempDir dir;
  auto state = StateStore::Open(dir.path / "state.db");
  REQUIRE(state.ok());
  auto store = ObjectStore::Open(dir.path / "s3", state->get());
  REQUIRE(store.ok());
  ObjectStore& s = **store;
  REQUIRE(s.CreateBucket("b", "us-east-1", false).ok());
  for (const char* key : {"a", "b/1", "b/2", "b/3/x", "c", "d/1"}) Put(s, "b", key, key);

  ListQuery q;
  q.delimiter = "/";
  auto page = s.List("b", q);
  REQUIRE(page.ok());
  CHECK(page->objects.size() == 2);  // a, c
  CHECK(page->common_prefixes == std::vector<std::string>{"b/", "d/"});
  CHECK_FALSE(page->truncated);

  // Two at a time, carrying on after the last one returned (a key or a prefix).
  q.max_keys = 2;
  std::vector<std::string> seen;
  for (int pages = 0; pages < 10; ++pages) {
    auto p = s.List("b", q);
    REQUIRE(p.ok());
    for (const auto& [key, meta] : p->objects) seen.push_back(key);
    for (const auto& prefix : p->common_prefixes) seen.push_back(prefix);
    if (!p->truncated) break;
    q.after = p->last;
  }
  std::sort(seen.begin(), seen.end());
  CHECK(seen == std::vector<std::string>{"a", "b/", "c", "d/"});

  ListQuery sub;
  sub.prefix = "b/";
  sub.delimiter = "/";
  page = s.List("b", sub);
  CHECK(page->objects.size() == 2);  // b/1, b/2
  CHECK(page->common_prefixes == std::vector<std::string>{"b/3/"});
}

TEST_CASE("object store: a reopened store has what was committed and drops stray files", "[s3]") {
  TempDir dir;
  {
    auto state = StateStore::Open(dir.path / "state.db");
    REQUIRE(state.ok());
    auto store = ObjectStore::Open(dir.path / "s3", state->get());
    REQUIRE(store.ok());
    REQUIRE((*store)->CreateBucket("b", "eu-west-1", false).ok());
    Put(**store, "b", "kept", "bytes");
    auto upload = (*store)->CreateUpload("b", "big", ObjectMeta{});
    REQUIRE(upload.ok());
    auto writer = (*store)->NewBlob();
    REQUIRE((*writer)->Write("part").ok());
    StoredPart part;
    part.blob = *(*writer)->Commit();
    part.size = 4;
    REQUIRE((*store)->PutUploadPart(*upload, "b", "big", 1, part).ok());
  }
  // A file renamed into place whose row was never committed (a crash between the two).
  std::filesystem::create_directories(dir.path / "s3" / "blobs" / "ff");
  std::ofstream(dir.path / "s3" / "blobs" / "ff" / "stray").put('x');
  std::ofstream(dir.path / "s3" / "incoming" / "cut.part").put('x');

  auto state = StateStore::Open(dir.path / "state.db");
  REQUIRE(state.ok());
  auto store = ObjectStore::Open(dir.path / "s3", state->get());
  REQUIRE(store.ok());
  REQUIRE((*store)->Restore().ok());
  CHECK(Read(**store, "b", "kept") == "bytes");
  CHECK((*store)->GetBucket("b")->region == "eu-west-1");
  auto uploads = (*store)->ListUploads("b");
  REQUIRE(uploads.size() == 1);
  CHECK(uploads[0].parts.at(1).size == 4);
  CHECK_FALSE(std::filesystem::exists(dir.path / "s3" / "blobs" / "ff" / "stray"));
  CHECK_FALSE(std::filesystem::exists(dir.path / "s3" / "incoming" / "cut.part"));
  CHECK(CountFiles(dir.path / "s3" / "blobs") == 2);  // the object and the part
}

TEST_CASE("object store: row encodings round-trip and refuse foreign bytes", "[s3]") {
  ObjectMeta m;
  m.blob = "0123";
  m.size = 42;
  m.etag = "\"e\"";
  m.metadata = {{"a", "1"}};
  m.tags = {{"t", "v"}};
  m.checksum_algorithm = "CRC32";
  m.checksum = "AAAAAA==";
  ObjectMeta back;
  REQUIRE(DecodeObjectMeta(EncodeObjectMeta(m), &back));
  CHECK(back.blob == m.blob);
  CHECK(back.size == 42);
  CHECK(back.metadata == m.metadata);
  CHECK(back.tags == m.tags);
  CHECK(back.checksum == m.checksum);
  std::string bytes = EncodeObjectMeta(m);
  CHECK_FALSE(DecodeObjectMeta(bytes.substr(0, bytes.size() - 1), &back));
  CHECK_FALSE(DecodeObjectMeta("garbage", &back));
  BucketInfo b{"name", "us-east-1", 5, {{"policy", "{}"}}};
  BucketInfo b2;
  REQUIRE(DecodeBucketInfo(EncodeBucketInfo(b), &b2));
  CHECK(b2.settings == b.settings);
}

TEST_CASE("object store: versions, delete markers and the null version", "[s3]") {
  TempDir dir;
  auto state = StateStore::Open(dir.path / "state.db");
  REQUIRE(state.ok());
  std::string v1, v2;
  {
    auto store = ObjectStore::Open(dir.path / "s3", state->get());
    REQUIRE(store.ok());
    ObjectStore& s = **store;
    REQUIRE(s.CreateBucket("b", "us-east-1", false).ok());
    Put(s, "b", "k", "null version");  // before versioning: the null version
    REQUIRE(s.SetVersioning("b", "Enabled", "<x/>").ok());
    auto put = [&](std::string_view bytes) {
      auto writer = s.NewBlob();
      REQUIRE((*writer)->Write(bytes).ok());
      ObjectMeta meta;
      meta.blob = *(*writer)->Commit();
      meta.size = bytes.size();
      std::string id;
      REQUIRE(s.PutObject("b", "k", meta, &id).ok());
      return id;
    };
    v1 = put("one");
    v2 = put("two");
    CHECK(v1 != v2);
    CHECK(Read(s, "b", "k") == "two");
    CHECK(s.HeadObject("b", "k", &v1)->size == 3);
    const std::string null_id = "null";
    CHECK(s.HeadObject("b", "k", &null_id)->size == 12);  // kept as noncurrent

    DeleteOutcome out;
    REQUIRE(s.DeleteObject("b", "k", nullptr, &out).ok());  // a marker
    CHECK(out.delete_marker);
    ObjectMeta marker;
    CHECK(s.HeadObject("b", "k", nullptr, &marker).status().code() == errors::kNoSuchKey);
    CHECK(marker.delete_marker);
    CHECK(marker.version_id == out.version_id);
    CHECK(s.HeadObject("b", "k", &out.version_id).status().code() == errors::kMethodNotAllowed);
    const std::string missing = "nope";
    CHECK(s.HeadObject("b", "k", &missing).status().code() == errors::kNoSuchVersion);
    auto listed = s.List("b", ListQuery{});
    CHECK(listed->objects.empty());
    auto versions = s.ListVersions("b", VersionQuery{});
    REQUIRE(versions->versions.size() == 4);  // marker, two, one, null: newest first
    CHECK(versions->versions[0].second.delete_marker);
    CHECK(versions->latest[0]);
    CHECK(versions->versions[1].second.version_id == v2);
    CHECK(versions->versions[3].second.version_id.empty());
    CHECK(s.DeleteBucket("b").code() == errors::kBucketNotEmpty);

    // Removing the marker brings "two" back.
    REQUIRE(s.DeleteObject("b", "k", &out.version_id).ok());
    CHECK(Read(s, "b", "k") == "two");
  }
  // All of it after a restart, in order.
  auto store = ObjectStore::Open(dir.path / "s3", state->get());
  REQUIRE(store.ok());
  REQUIRE((*store)->Restore().ok());
  CHECK(Read(**store, "b", "k") == "two");
  auto versions = (*store)->ListVersions("b", VersionQuery{});
  REQUIRE(versions->versions.size() == 3);
  CHECK(versions->versions[1].second.version_id == v1);
  // Paging one at a time walks the same versions.
  VersionQuery q;
  q.max_keys = 1;
  std::vector<std::string> seen;
  for (int i = 0; i < 10; ++i) {
    auto page = (*store)->ListVersions("b", q);
    for (const auto& [key, v] : page->versions) seen.push_back(ShownVersionId(v.version_id));
    if (!page->truncated) break;
    q.key_marker = page->next_key_marker;
    q.version_marker = page->next_version_marker;
  }
  CHECK(seen == std::vector<std::string>{v2, v1, "null"});
  CHECK(CountFiles(dir.path / "s3" / "blobs") == 3);
}
