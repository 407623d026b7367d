#include "store/code_package.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

using namespace ll;
namespace fs = std::filesystem;

namespace {

// Builds zips in memory with libarchive's writer, as a unix zip tool would.
class ZipBuilder {
 public:
  ZipBuilder& File(std::string name, std::string data, mode_t perm = 0644) {
    Add(std::move(name), AE_IFREG, perm).data = std::move(data);
    return *this;
  }
  ZipBuilder& Dir(std::string name, mode_t perm = 0755) {
    Add(std::move(name), AE_IFDIR, perm);
    return *this;
  }
  ZipBuilder& Symlink(std::string name, std::string target) {
    Add(std::move(name), AE_IFLNK, 0777).symlink = std::move(target);
    return *this;
  }
  ZipBuilder& HardLink(std::string name, std::string target) {
    Add(std::move(name), AE_IFREG, 0644).hardlink = std::move(target);
    return *this;
  }
  // A file of `size` zero bytes, fed to the writer a chunk at a time.
  ZipBuilder& Zeros(std::string name, int64_t size) {
    Add(std::move(name), AE_IFREG, 0644).zeros = size;
    return *this;
  }

  std::string Build() const {
    std::string out;
    archive* a = archive_write_new();
    archive_write_set_format_zip(a);
    archive_write_zip_set_compression_deflate(a);
    archive_write_set_bytes_per_block(a, 0);
    REQUIRE(archive_write_open(a, &out, nullptr, Append, nullptr) == ARCHIVE_OK);
    for (const Item& item : items_) {
      archive_entry* e = archive_entry_new();
      archive_entry_set_pathname(e, item.name.c_str());
      archive_entry_set_filetype(e, item.type);
      archive_entry_set_perm(e, item.perm);
      if (!item.symlink.empty()) archive_entry_set_symlink(e, item.symlink.c_str());
      if (!item.hardlink.empty()) archive_entry_set_hardlink(e, item.hardlink.c_str());
      archive_entry_set_size(e, item.zeros ? item.zeros : static_cast<int64_t>(item.data.size()));
      REQUIRE(archive_write_header(a, e) == ARCHIVE_OK);
      archive_write_data(a, item.data.data(), item.data.size());
      std::string chunk(1 << 20, '\0');
      for (int64_t left = item.zeros; left > 0; left -= chunk.size()) {
        archive_write_data(a, chunk.data(), std::min<int64_t>(left, chunk.size()));
      }
      archive_entry_free(e);
    }
    REQUIRE(archive_write_close(a) == ARCHIVE_OK);
    archive_write_free(a);
    return out;
  }

 private:
  struct Item {
    std::string name;
    mode_t type = 0;
    mode_t perm = 0;
    std::string data;
    std::string symlink;
    std::string hardlink;
    int64_t zeros = 0;
  };
  static la_ssize_t Append(archive*, void* out, const void* buf, size_t n) {
    static_cast<std::string*>(out)->append(static_cast<const char*>(buf), n);
    return static_cast<la_ssize_t>(n);
  }
  Item& Add(std::string name, mode_t type, mode_t perm) {
    Item& item = items_.emplace_back();
    item.name = std::move(name);
    item.type = type;
    item.perm = perm;
    return item;
  }
  std::vector<Item> items_;
};

// The header of `name` in the local ("PK\3\4") or central ("PK\1\2") directory, where zip keeps
// sizes, the "made by" host and the unix mode; tests rewrite them to get zips no writer would make.
char* Record(std::string& zip, std::string_view signature, size_t length_at, size_t name_at,
             std::string_view name) {
  for (size_t at = zip.find(signature); at != std::string::npos; at = zip.find(signature, at + 1)) {
    char* rec = zip.data() + at;
    auto byte = [rec](size_t i) { return static_cast<size_t>(static_cast<uint8_t>(rec[i])); };
    size_t length = byte(length_at) | byte(length_at + 1) << 8;
    if (std::string_view(rec + name_at, length) == name) return rec;
  }
  FAIL("no record for " << name);
  return nullptr;
}
char* CentralRecord(std::string& zip, std::string_view name) {
  return Record(zip, "PK\1\2", 28, 46, name);
}
char* LocalRecord(std::string& zip, std::string_view name) {
  return Record(zip, "PK\3\4", 26, 30, name);
}
void PutLe32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(v >> (8 * i));
}
void SetUnixMode(std::string& zip, std::string_view name, uint32_t mode) {
  PutLe32(CentralRecord(zip, name) + 38, mode << 16);
}
void SetMadeByMsDos(std::string& zip, std::string_view name, uint32_t dos_attributes) {
  char* rec = CentralRecord(zip, name);
  rec[5] = 0;
  PutLe32(rec + 38, dos_attributes);
}

struct TempDir {
  TempDir() {
    char tmpl[] = "/tmp/code_package_test.XXXXXX";
    REQUIRE(mkdtemp(tmpl));
    path = tmpl;
  }
  ~TempDir() { fs::remove_all(path); }
  fs::path path;
};

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

mode_t PermOf(const fs::path& p) {
  struct stat st;
  REQUIRE(lstat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

// Unpacks `zip` into a fresh folder's "code", checks it was refused with nothing left anywhere, and
// returns the message.
std::string ExpectRefused(const std::string& zip) {
  TempDir parent;
  Status s = UnpackZip(zip, parent.path / "code");
  CHECK_FALSE(s.ok());
  CHECK(s.code() == "InvalidZipFileException");
  CHECK_FALSE(fs::exists(fs::symlink_status(parent.path / "code")));
  CHECK(fs::is_empty(parent.path));
  return s.message();
}

}  // namespace

TEST_CASE("DescribeZip reports base64 SHA-256 and size") {
  CodePackageInfo abc = DescribeZip("abc");
  CHECK(abc.sha256_base64 == "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
  CHECK(abc.size == 3);
  CodePackageInfo empty = DescribeZip("");
  CHECK(empty.sha256_base64 == "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  CHECK(empty.size == 0);
  std::string zip = ZipBuilder().File("a", "b").Build();
  CHECK(DescribeZip(zip).size == static_cast<int64_t>(zip.size()));
  CHECK(DescribeZip(zip).sha256_base64.size() == 44);
}

TEST_CASE("UnpackZip writes files, directories, modes and inside symlinks") {
  std::string zip = ZipBuilder()
                        .File("bootstrap", "#!/bin/sh\necho hi\n", 0755)
                        .Dir("lib/")
                        .File("lib/util.py", "x = 1\n", 0644)
                        .File("lib/secret.txt", "s", 0600)
                        .File("deep/er/still/data.json", "{}")  // parents not listed
                        .Dir("private/", 0700)
                        .File("private/key", "k", 0400)
                        .Symlink("lib/current", "util.py")
                        .Symlink("deep/er/root_bootstrap", "../../bootstrap")
                        .Symlink("self", ".")
                        .Symlink("loop_a", "loop_b")  // the kernel refuses loops: harmless
                        .Symlink("loop_b", "loop_a")
                        .File("h\xc3\xa9llo.txt", "unicode")
                        .Build();
  TempDir parent;
  fs::path code = parent.path / "code";
  Status s = UnpackZip(zip, code);
  REQUIRE(s.ok());
  CHECK(ReadAll(code / "bootstrap") == "#!/bin/sh\necho hi\n");
  CHECK(PermOf(code / "bootstrap") == 0755);
  CHECK(PermOf(code / "lib/util.py") == 0644);
  CHECK(PermOf(code / "lib/secret.txt") == 0600);
  CHECK(PermOf(code / "private") == 0700);
  CHECK(PermOf(code / "private/key") == 0400);
  CHECK(PermOf(code) == 0755);
  CHECK(PermOf(code / "lib") == 0755);
  CHECK(PermOf(code / "deep/er/still") == 0755);
  CHECK(ReadAll(code / "deep/er/still/data.json") == "{}");
  CHECK(fs::is_symlink(code / "lib/current"));
  CHECK(fs::read_symlink(code / "lib/current") == "util.py");
  CHECK(ReadAll(code / "lib/current") == "x = 1\n");
  CHECK(ReadAll(code / "deep/er/root_bootstrap") == "#!/bin/sh\necho hi\n");
  CHECK(fs::is_symlink(code / "self"));
  CHECK(fs::read_symlink(code / "loop_a") == "loop_b");
  CHECK(ReadAll(code / "h\xc3\xa9llo.txt") == "unicode");
  // Only the code directory itself: the temporary one was renamed into place.
  CHECK(std::distance(fs::directory_iterator(parent.path), fs::directory_iterator()) == 1);
}

TEST_CASE("UnpackZip gives entries without unix modes 0644 and directories 0755") {
  std::string zip = ZipBuilder().Dir("dir/").File("dir/a.txt", "a").File("b.txt", "b").Build();
  SetMadeByMsDos(zip, "dir/", 0x10);
  SetMadeByMsDos(zip, "dir/a.txt", 0);
  SetMadeByMsDos(zip, "b.txt", 0x20);  // "archive" attribute, as Windows sets it
  TempDir parent;
  REQUIRE(UnpackZip(zip, parent.path / "code").ok());
  CHECK(PermOf(parent.path / "code/dir") == 0755);
  CHECK(PermOf(parent.path / "code/dir/a.txt") == 0644);
  CHECK(PermOf(parent.path / "code/b.txt") == 0644);
}

TEST_CASE("UnpackZip drops group and other write and special bits") {
  std::string zip = ZipBuilder().File("open", "o", 0666).File("suid", "s", 04755).Build();
  TempDir parent;
  REQUIRE(UnpackZip(zip, parent.path / "code").ok());
  CHECK(PermOf(parent.path / "code/open") == 0644);
  CHECK(PermOf(parent.path / "code/suid") == 0755);
}

TEST_CASE("UnpackZip fills an empty existing directory, refuses a full one, leaves both as found") {
  std::string zip = ZipBuilder().File("index.js", "exports.handler = 1").Build();
  TempDir parent;
  fs::create_directory(parent.path / "code");
  REQUIRE(UnpackZip(zip, parent.path / "code/").ok());
  CHECK(ReadAll(parent.path / "code/index.js") == "exports.handler = 1");
  Status again = UnpackZip(zip, parent.path / "code");
  CHECK_FALSE(again.ok());
  CHECK(again.code() == "ServiceException");
  CHECK(std::distance(fs::directory_iterator(parent.path), fs::directory_iterator()) == 1);
  CHECK(ReadAll(parent.path / "code/index.js") == "exports.handler = 1");

  fs::create_directory(parent.path / "empty");
  Status refused =
      UnpackZip(ZipBuilder().File("ok", "ok").File("../evil", "x").Build(), parent.path / "empty");
  CHECK(refused.code() == "InvalidZipFileException");
  CHECK(fs::is_empty(parent.path / "empty"));
  CHECK(std::distance(fs::directory_iterator(parent.path), fs::directory_iterator()) == 2);
}

TEST_CASE("UnpackZip refuses entries that escape, all or nothing") {
  // Each package starts with a harmless file, which must not be written either.
  auto with_good_file = [] { return ZipBuilder().File("index.js", "ok"); };
  SECTION("parent directory") {
    CHECK_THAT(ExpectRefused(with_good_file().File("../evil", "x").Build()),
               Catch::Contains("'../evil'"));
  }
  SECTION("absolute path") {
    ExpectRefused(with_good_file().File("/abs/evil", "x").Build());
    CHECK_FALSE(fs::exists("/abs"));
  }
  SECTION("dot-dot after a directory") {
    ExpectRefused(with_good_file().File("a/../../evil", "x").Build());
  }
  SECTION("symlink to an absolute path, then a file through it") {
    CHECK_THAT(
        ExpectRefused(with_good_file().Symlink("link", "/etc").File("link/passwd", "x").Build()),
        Catch::Contains("'link'"));
  }
  SECTION("symlink up and out") {
    ExpectRefused(with_good_file().Symlink("up", "../..").Build());
    ExpectRefused(with_good_file().Symlink("a/b/up", "../../..").Build());
  }
  SECTION("symlink out through another symlink") {
    // Each target alone stays inside; together `x` resolves to the package's parent.
    ExpectRefused(with_good_file().Symlink("d/up", "..").Symlink("x", "d/up/..").Build());
  }
  SECTION("path through a symlink that stays inside, in either order") {
    ExpectRefused(
        with_good_file().Dir("sub/").Symlink("inner", "sub").File("inner/x", "x").Build());
    ExpectRefused(
        with_good_file().Dir("sub/").File("inner/x", "x").Symlink("inner", "sub").Build());
  }
  SECTION("path through a file") {
    ExpectRefused(with_good_file().File("f", "x").File("f/g", "x").Build());
  }
  SECTION("the same path twice") {
    ExpectRefused(with_good_file().File("index.js", "again").Build());
  }
  SECTION("devices and sockets") {
    std::string chr = with_good_file().File("tty", "").Build();
    SetUnixMode(chr, "tty", S_IFCHR | 0666);
    ExpectRefused(chr);
    std::string blk = with_good_file().File("disk", "").Build();
    SetUnixMode(blk, "disk", S_IFBLK | 0660);
    ExpectRefused(blk);
    std::string sock = with_good_file().File("sock", "").Build();
    SetUnixMode(sock, "sock", S_IFSOCK | 0777);
    ExpectRefused(sock);
  }
}

TEST_CASE("Zip has no hard links: a hard link entry arrives as a separate empty file") {
  // libarchive's zip writer stores the link as an empty regular file and its reader never reports
  // one, so UnpackZip's refusal of hard links is unreachable from a zip; check nothing is shared.
  std::string zip = ZipBuilder().File("target", "content").HardLink("link", "target").Build();
  TempDir parent;
  REQUIRE(UnpackZip(zip, parent.path / "code").ok());
  CHECK(ReadAll(parent.path / "code/target") == "content");
  CHECK(ReadAll(parent.path / "code/link").empty());
  CHECK(fs::hard_link_count(parent.path / "code/target") == 1);
}

TEST_CASE("UnpackZip refuses bytes that are not a zip") {
  const std::string kMessage =
      "Could not unzip uploaded file. Please check your file, then try to upload again.";
  CHECK(ExpectRefused("this is not a zip file at all") == kMessage);
  CHECK(ExpectRefused("") == kMessage);
  std::string zip = ZipBuilder().File("a.txt", std::string(5000, 'a')).File("b.txt", "b").Build();
  ExpectRefused(zip.substr(0, zip.size() / 2));
  std::string corrupt = ZipBuilder().File("a.txt", std::string(5000, 'a')).Build();
  corrupt[60] ^= 0x55;  // inside the deflated data: the headers still read, the data does not
  ExpectRefused(corrupt);
}

TEST_CASE("UnpackZip refuses more than 250 MB unzipped") {
  const std::string kMessage = "Unzipped size must be smaller than 262144000 bytes";
  std::string zip = ZipBuilder().File("a", "a").Zeros("big", kMaxUnzippedCodeBytes).Build();
  CHECK(ExpectRefused(zip) == kMessage);  // one byte over
  SECTION("even when the zip understates the size") {
    // libarchive only notices the lie at the end of the entry, so the count must stop it first.
    zip = ZipBuilder().Zeros("big", kMaxUnzippedCodeBytes + (1 << 20)).Build();
    PutLe32(LocalRecord(zip, "big") + 22, 10);
    PutLe32(CentralRecord(zip, "big") + 24, 10);
    CHECK(ExpectRefused(zip) == kMessage);
  }
}
