#include "store/code_package.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <system_error>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "base/strings.h"
#include "model/error_names.h"

namespace ll {
namespace {

// Bounds the work of resolving symlinks through each other; real packages use a few thousand steps.
constexpr int64_t kSymlinkStepBudget = 1 << 22;

Status NotAZip() {
  return Status::Error(errors::kInvalidZipFile,
                       "Could not unzip uploaded file. Please check your file, "
                       "then try to upload again.");
}
Status TooBig() {
  return Status::Error(errors::kInvalidZipFile, fmt::format("Unzipped size must be smaller than {} bytes",
                                                    kMaxUnzippedCodeBytes));
}
Status BadEntry(std::string_view name, std::string_view why) {
  return Status::Error(errors::kInvalidZipFile,
                       fmt::format("Could not unzip uploaded file: entry '{}' {}.", name, why));
}
Status IoError(std::string_view what) {
  return Status::Error(errors::kService,
                       fmt::format("Could not unpack code: {}: {}", what, std::strerror(errno)));
}

// Owns a file descriptor.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    std::swap(fd_, other.fd_);
    return *this;
  }
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

using ArchivePtr = std::unique_ptr<archive, int (*)(archive*)>;

// A fresh reader over the bytes; each pass needs its own, as libarchive reads forward only. If
// the bytes are not a zip, reading the first header fails.
ArchivePtr OpenZip(std::string_view bytes) {
  ArchivePtr a(archive_read_new(), archive_read_free);
  archive_read_support_format_zip(a.get());
  archive_read_open_memory(a.get(), bytes.data(), bytes.size());
  return a;
}

struct Entry {
  std::string name;                // as stored in the zip, for messages
  std::vector<std::string> parts;  // its path without empty or "." components; never ".."
  mode_t type = 0;                 // AE_IFREG, AE_IFDIR or AE_IFLNK
  mode_t perm = 0;
  std::string target;  // symlinks only
};

// The package's paths as a tree, so each check costs one step per path component, not per prefix.
struct Node {
  mode_t type = AE_IFDIR;  // a parent that no entry names is a directory
  bool named = false;      // some entry names it
  std::string target;
  std::map<std::string, Node, std::less<>> children;
};

std::vector<std::string> Split(std::string_view path) {
  std::vector<std::string> parts;
  for (size_t start = 0; start <= path.size();) {
    size_t end = std::min(path.find('/', start), path.size());
    if (end > start) parts.emplace_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

Result<Entry> CheckHeader(archive_entry* header) {
  Entry e;
  const char* name = archive_entry_pathname(header);
  const char* target = archive_entry_symlink(header);
  e.name = name ? name : "";
  e.target = target ? target : "";
  e.type = archive_entry_filetype(header);
  if (archive_entry_hardlink(header)) return BadEntry(e.name, "is a hard link");
  if (e.type != AE_IFREG && e.type != AE_IFDIR && e.type != AE_IFLNK) {
    return BadEntry(e.name, "is not a regular file, directory or symbolic link");
  }
  if (e.name.size() >= PATH_MAX) return BadEntry(e.name, "has a path that is too long");
  if (e.name.empty()) return BadEntry(e.name, "has no name");
  if (e.name[0] == '/') return BadEntry(e.name, "has an absolute path");
  for (std::string& part : Split(e.name)) {
    if (part == "..") return BadEntry(e.name, "has a '..' path component");
    if (part.size() > NAME_MAX) return BadEntry(e.name, "has a name that is too long");
    if (part != ".") e.parts.push_back(std::move(part));
  }
  if (e.parts.empty() && e.type != AE_IFDIR) return BadEntry(e.name, "has no name");
  // libarchive reports 0664 (dirs 0775) for entries zipped without unix modes; dropping group and
  // other write gives those AWS's 0644/0755 and leaves a unix 0755 bootstrap executable.
  e.perm = archive_entry_perm(header) & 0755;
  if (e.perm == 0) e.perm = e.type == AE_IFDIR ? 0755 : 0644;
  if (e.type != AE_IFLNK) return e;
  if (e.target.empty() || e.target.size() >= PATH_MAX) {
    return BadEntry(e.name, "is a symbolic link without a usable target");
  }
  if (e.target[0] == '/') return BadEntry(e.name, "is a symbolic link to an absolute path");
  return e;
}

// Refuses duplicates and paths through non-directories whichever order the zip lists them in:
// `link/x` must fail even when the symlink `link` comes after it.
Status AddToTree(Node& root, const Entry& e) {
  Node* node = &root;
  for (size_t i = 0; i < e.parts.size(); ++i) {
    if (node->type != AE_IFDIR) return BadEntry(e.name, "goes through a file or symbolic link");
    node = &node->children[e.parts[i]];
  }
  if (e.parts.empty()) return Status::Ok();  // "./" names the package root itself
  if (node->named && (node->type != AE_IFDIR || e.type != AE_IFDIR)) {
    return BadEntry(e.name, "appears twice");
  }
  if (e.type != AE_IFDIR && !node->children.empty()) {
    return BadEntry(e.name, "is not a directory but other entries go through it");
  }
  node->named = true;
  node->type = e.type;
  node->target = e.target;
  return Status::Ok();
}

// The node for `name` in `dir`, or null when the package has nothing there.
const Node* Child(const Node* dir, std::string_view name) {
  if (!dir) return nullptr;
  auto it = dir->children.find(name);
  return it == dir->children.end() ? nullptr : &it->second;
}

// Follows a symlink as the kernel would, through the package's other symlinks, and says whether
// every step stays inside. Reading the target alone would pass `d/up -> ..` with `x -> d/up/..`,
// which resolves to the package's parent. `budget` caps the work a hostile package can cause.
bool StaysInside(const Node& root, const Entry& link, int64_t& budget) {
  std::vector<const Node*> at = {&root};  // null: a path the package does not contain
  for (size_t i = 0; i + 1 < link.parts.size(); ++i) {
    at.push_back(&at.back()->children.at(link.parts[i]));
  }
  std::vector<std::string> todo = Split(link.target);  // a stack: the next component is last
  std::reverse(todo.begin(), todo.end());
  for (int hops = 0; !todo.empty();) {
    if (--budget < 0) return false;
    std::string part = std::move(todo.back());
    todo.pop_back();
    if (part == ".") continue;
    if (part == "..") {
      if (at.size() == 1) return false;
      at.pop_back();
      continue;
    }
    const Node* child = Child(at.back(), part);
    if (!child || child->type != AE_IFLNK) {
      at.push_back(child);
    } else if (++hops > 40) {
      return true;  // the kernel gives up with ELOOP, so a loop reaches nowhere
    } else {
      std::vector<std::string> more = Split(child->target);
      todo.insert(todo.end(), more.rbegin(), more.rend());
    }
  }
  return true;
}

// First pass: checks every header, so a bad package is refused before anything touches the disk.
Result<std::vector<Entry>> ReadEntries(std::string_view zip_bytes) {
  ArchivePtr a = OpenZip(zip_bytes);
  std::vector<Entry> entries;
  Node root;
  int64_t declared = 0;
  archive_entry* header;
  for (int r; (r = archive_read_next_header(a.get(), &header)) != ARCHIVE_EOF;) {
    if (r < ARCHIVE_WARN) return NotAZip();
    Result<Entry> entry = CheckHeader(header);
    if (!entry.ok()) return entry.status();
    if (Status s = AddToTree(root, *entry); !s.ok()) return s;
    int64_t size = entry->type == AE_IFREG ? std::max<int64_t>(0, archive_entry_size(header)) : 0;
    if (size > kMaxUnzippedCodeBytes - declared) return TooBig();
    declared += size;
    entries.push_back(std::move(*entry));
  }
  int64_t budget = kSymlinkStepBudget;
  for (const Entry& e : entries) {
    if (e.type == AE_IFLNK && !StaysInside(root, e, budget)) {
      return BadEntry(e.name, "is a symbolic link that points outside the package");
    }
  }
  return entries;
}

// Opens the directory of the first `n` components of `parts` beneath `root`, creating what is
// missing. O_NOFOLLOW on every step keeps a symlink from redirecting us even if a check were wrong.
Result<Fd> OpenDirs(int root, const std::vector<std::string>& parts, size_t n) {
  Fd dir(dup(root));
  for (size_t i = 0; i < n && dir.get() >= 0; ++i) {
    bool created = mkdirat(dir.get(), parts[i].c_str(), 0700) == 0;
    if (!created && errno != EEXIST) return IoError(parts[i]);
    dir = Fd(openat(dir.get(), parts[i].c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (created && dir.get() >= 0 && fchmod(dir.get(), 0755) != 0) return IoError(parts[i]);
  }
  if (dir.get() < 0) return IoError("opening a directory");
  return dir;
}

Status WriteFile(archive* a, int dir, const Entry& e, int64_t& unzipped) {
  Fd file(openat(dir, e.parts.back().c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                 0600));
  if (file.get() < 0) return IoError(e.name);
  char buf[64 * 1024];
  for (la_ssize_t n; (n = archive_read_data(a, buf, sizeof(buf))) != 0;) {
    if (n < 0) return NotAZip();
    // Counted again here because the sizes in the headers are only the zip's word for it.
    unzipped += n;
    if (unzipped > kMaxUnzippedCodeBytes) return TooBig();
    errno = ENOSPC;  // what a short write to a regular file means; a failed write sets its own
    if (write(file.get(), buf, n) != n) return IoError(e.name);
  }
  // After writing, so that read-only files can still be filled; exact, whatever the umask.
  if (fchmod(file.get(), e.perm) != 0) return IoError(e.name);
  return Status::Ok();
}

// Second pass: writes the checked entries beneath `root`, a fresh directory only we can enter.
Status Extract(std::string_view zip_bytes, const std::vector<Entry>& entries, int root) {
  ArchivePtr a = OpenZip(zip_bytes);
  int64_t unzipped = 0;
  for (const Entry& e : entries) {
    archive_entry* header;
    if (archive_read_next_header(a.get(), &header) < ARCHIVE_WARN) return NotAZip();
    if (e.parts.empty()) continue;
    bool is_dir = e.type == AE_IFDIR;
    Result<Fd> dir = OpenDirs(root, e.parts, e.parts.size() - (is_dir ? 0 : 1));
    if (!dir.ok()) return dir.status();
    Status s;
    if (e.type == AE_IFREG) {
      s = WriteFile(a.get(), dir->get(), e, unzipped);
    } else if (e.type == AE_IFLNK) {
      if (symlinkat(e.target.c_str(), dir->get(), e.parts.back().c_str()) != 0) s = IoError(e.name);
    } else if (fchmod(dir->get(), e.perm | 0700) != 0) {  // we must still write into it
      s = IoError(e.name);
    }
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace

CodePackageInfo DescribeZip(std::string_view zip_bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(zip_bytes.data(), zip_bytes.size(), digest, &length, EVP_sha256(), nullptr);
  return {Base64Encode(std::string_view(reinterpret_cast<const char*>(digest), length)),
          static_cast<int64_t>(zip_bytes.size())};
}

Status UnpackZip(std::string_view zip_bytes, const std::filesystem::path& dest_dir) {
  namespace fs = std::filesystem;
  fs::path dest = dest_dir.lexically_normal();
  if (dest.filename().empty()) dest = dest.parent_path();
  std::error_code ec;
  fs::file_status status = fs::symlink_status(dest, ec);
  if (fs::exists(status) && !(fs::is_directory(status) && fs::is_empty(dest, ec))) {
    return Status::Error(errors::kService, "Code directory already exists: " + dest.string());
  }
  Result<std::vector<Entry>> entries = ReadEntries(zip_bytes);
  if (!entries.ok()) return entries.status();

  // Unpacked beside dest and renamed into place, so a failure half way leaves nothing behind.
  fs::path parent = dest.has_parent_path() ? dest.parent_path() : fs::path(".");
  std::string temp = (parent / ("." + dest.filename().string() + ".unpacking-XXXXXX")).string();
  if (!mkdtemp(temp.data())) return IoError(temp);
  Fd root(open(temp.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  Status s = root.get() < 0 ? IoError(temp) : Extract(zip_bytes, *entries, root.get());
  if (s.ok() && fchmod(root.get(), 0755) != 0) s = IoError(temp);
  if (s.ok() && rename(temp.c_str(), dest.c_str()) != 0) s = IoError(dest.string());
  if (!s.ok()) fs::remove_all(temp, ec);
  return s;
}

}  // namespace ll
