#include "process/memory_limit.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string_view>
#include <vector>

#include <fmt/format.h>

namespace ll {
namespace {

bool WriteFile(const std::string& path, const std::string& value) {
  std::ofstream out(path);
  if (!out) return false;
  out << value;
  out.flush();
  return bool(out);
}

int64_t ReadInt(const std::string& path) {
  std::ifstream in(path);
  int64_t v = 0;
  in >> v;
  return in ? v : 0;
}

// This process's cgroup path for `controller` ("" means the v2 unified entry).
std::string OwnCgroupPath(const std::string& controller) {
  std::ifstream in("/proc/self/cgroup");
  std::string line;
  while (std::getline(in, line)) {
    // hierarchy-id:controllers:path
    size_t a = line.find(':');
    size_t b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    std::string controllers = line.substr(a + 1, b - a - 1);
    std::string path = line.substr(b + 1);
    if (controller.empty() ? controllers.empty() : controllers == controller) return path;
  }
  return "";
}

// --- cgroups -------------------------------------------------------------------------------

// Removes the lambda-local-<pid> groups under `parent` whose process is gone (killed before it
// could remove its own), with their boxes; groups still holding a process stay.
void RemoveStaleGroups(const std::string& parent) {
  DIR* dir = opendir(parent.c_str());
  if (!dir) return;
  std::vector<std::string> stale;
  while (dirent* e = readdir(dir)) {
    std::string_view name = e->d_name;
    if (name.rfind("lambda-local-", 0) != 0) continue;
    char* end = nullptr;
    long pid = strtol(e->d_name + 13, &end, 10);
    if (pid <= 0 || *end != '\0' || pid == getpid()) continue;
    if (kill(pid_t(pid), 0) != 0 && errno == ESRCH) stale.push_back(parent + "/" + e->d_name);
  }
  closedir(dir);
  for (const std::string& group : stale) {
    if (DIR* boxes = opendir(group.c_str())) {
      while (dirent* e = readdir(boxes)) {
        if (std::string_view(e->d_name).rfind("env-", 0) == 0) rmdir((group + "/" + e->d_name).c_str());
      }
      closedir(boxes);
    }
    rmdir(group.c_str());
  }
}

class CgroupBox : public MemoryBox {
 public:
  // The peak file stays open: it is read after every invocation.
  CgroupBox(int version, std::string dir)
      : version_(version),
        dir_(std::move(dir)),
        peak_fd_(open((dir_ + (version == 2 ? "/memory.peak" : "/memory.max_usage_in_bytes")).c_str(),
                      O_RDONLY | O_CLOEXEC)) {}
  ~CgroupBox() override {
    if (peak_fd_ >= 0) close(peak_fd_);
    // The environment's processes are gone by now; a leftover group would only leak a directory.
    rmdir(dir_.c_str());
  }
  std::string procs_path() const override { return dir_ + "/cgroup.procs"; }
  bool SetLimit(int64_t limit_bytes) override {
    const std::string limit = std::to_string(limit_bytes);
    if (version_ == 2) return WriteFile(dir_ + "/memory.max", limit) && WriteFile(dir_ + "/memory.swap.max", "0");
    // From no limit: memory first, then memory+swap, which may never be below it.
    bool ok = WriteFile(dir_ + "/memory.limit_in_bytes", limit);
    WriteFile(dir_ + "/memory.memsw.limit_in_bytes", limit);  // absent without swap accounting
    return ok;
  }
  void Attach(pid_t) override {}
  int64_t PeakBytes() const override {
    char buf[32];
    ssize_t n = peak_fd_ < 0 ? -1 : pread(peak_fd_, buf, sizeof buf - 1, 0);
    if (n <= 0) return 0;
    buf[n] = '\0';
    return strtoll(buf, nullptr, 10);
  }

 private:
  const int version_;
  const std::string dir_;
  const int peak_fd_;
};

class CgroupLimiter : public MemoryLimiter {
 public:
  CgroupLimiter(int version, std::string root) : version_(version), root_(std::move(root)) {}
  ~CgroupLimiter() override { rmdir(root_.c_str()); }

  std::string Describe() const override {
    return fmt::format("memory cgroup v{} ({})", version_, root_);
  }

  bool uses_cgroups() const override { return true; }
  std::unique_ptr<MemoryBox> NewBox() override {
    std::string dir = fmt::format("{}/env-{}", root_, next_id_++);
    if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return nullptr;
    return std::make_unique<CgroupBox>(version_, dir);
  }

  // Makes a lambda-local-<pid> group under this process's own group; nullptr when not allowed.
  static std::unique_ptr<CgroupLimiter> TryV2() {
    std::string mount;
    for (const char* candidate : {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"}) {
      std::ifstream controllers(std::string(candidate) + "/cgroup.controllers");
      if (controllers) {
        mount = candidate;
        break;
      }
    }
    if (mount.empty()) return nullptr;
    std::string parent = mount + OwnCgroupPath("");
    std::ifstream in(parent + "/cgroup.controllers");
    std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (all.find("memory") == std::string::npos) return nullptr;
    RemoveStaleGroups(parent);
    std::string root = fmt::format("{}/lambda-local-{}", parent, getpid());
    if (mkdir(root.c_str(), 0755) != 0 && errno != EEXIST) return nullptr;
    if (!WriteFile(parent + "/cgroup.subtree_control", "+memory") ||
        !WriteFile(root + "/cgroup.subtree_control", "+memory")) {
      rmdir(root.c_str());
      return nullptr;
    }
    return std::make_unique<CgroupLimiter>(2, root);
  }

  static std::unique_ptr<CgroupLimiter> TryV1() {
    std::string mount = "/sys/fs/cgroup/memory";
    struct stat st;
    if (stat((mount + "/memory.limit_in_bytes").c_str(), &st) != 0) return nullptr;
    std::string own = OwnCgroupPath("memory");
    std::string parent = mount + (own == "/" ? "" : own);
    RemoveStaleGroups(parent);
    std::string root = fmt::format("{}/lambda-local-{}", parent, getpid());
    if (mkdir(root.c_str(), 0755) != 0 && errno != EEXIST) return nullptr;
    // Prove a limit can be set before relying on it.
    if (!WriteFile(root + "/memory.use_hierarchy", "1") && ReadInt(root + "/memory.use_hierarchy") != 1) {
      // use_hierarchy is inherited and may be read-only; that is fine.
    }
    std::string probe = root + "/probe";
    if (mkdir(probe.c_str(), 0755) != 0 ||
        !WriteFile(probe + "/memory.limit_in_bytes", std::to_string(128 << 20))) {
      rmdir(probe.c_str());
      rmdir(root.c_str());
      return nullptr;
    }
    rmdir(probe.c_str());
    return std::make_unique<CgroupLimiter>(1, root);
  }

 private:
  int version_;
  std::string root_;
  std::atomic<int> next_id_{0};
};

// --- RSS watch --------------------------------------------------------------------------------

class RssLimiter;

class RssBox : public MemoryBox {
 public:
  explicit RssBox(RssLimiter* owner) : owner_(owner) {}
  ~RssBox() override;
  std::string procs_path() const override { return ""; }
  bool SetLimit(int64_t limit_bytes) override {
    limit_.store(limit_bytes);
    return true;
  }
  void Attach(pid_t process_group) override;
  int64_t PeakBytes() const override { return peak_.load(); }

  std::atomic<int64_t> limit_{INT64_MAX};
  std::atomic<int64_t> peak_{0};
  std::atomic<pid_t> group_{0};

 private:
  RssLimiter* owner_;
};

// One thread samples every attached process group's total RSS and kills groups over limit.
class RssLimiter : public MemoryLimiter {
 public:
  RssLimiter() { thread_ = std::thread([this] { Run(); }); }
  ~RssLimiter() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  std::string Describe() const override {
    return "RSS watch of each process group every 50 ms (no memory cgroup could be made)";
  }
  bool uses_cgroups() const override { return false; }
  std::unique_ptr<MemoryBox> NewBox() override { return std::make_unique<RssBox>(this); }
  void Add(RssBox* box) {
    std::lock_guard<std::mutex> lock(mu_);
    boxes_[box] = true;
  }
  void Remove(RssBox* box) {
    std::lock_guard<std::mutex> lock(mu_);
    boxes_.erase(box);
  }

 private:
  void Run() {
    const long page = sysconf(_SC_PAGESIZE);
    std::unique_lock<std::mutex> lock(mu_);
    while (!stopping_) {
      if (!boxes_.empty()) {
        std::map<pid_t, int64_t> rss_by_group;
        if (DIR* proc = opendir("/proc")) {
          while (dirent* e = readdir(proc)) {
            if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
            std::string base = std::string("/proc/") + e->d_name;
            std::ifstream stat_in(base + "/stat");
            std::string stat_line;
            std::getline(stat_in, stat_line);
            size_t paren = stat_line.rfind(')');
            if (paren == std::string::npos) continue;
            std::istringstream fields(stat_line.substr(paren + 2));
            std::string state;
            long ppid, pgrp;
            fields >> state >> ppid >> pgrp;
            std::ifstream statm(base + "/statm");
            long size = 0, resident = 0;
            statm >> size >> resident;
            rss_by_group[pid_t(pgrp)] += int64_t(resident) * page;
          }
          closedir(proc);
        }
        for (auto& [box, unused] : boxes_) {
          pid_t group = box->group_.load();
          if (group <= 0) continue;
          int64_t rss = rss_by_group[group];
          if (rss > box->peak_.load()) box->peak_.store(rss);
          if (rss > box->limit_.load()) kill(-group, SIGKILL);
        }
      }
      cv_.wait_for(lock, std::chrono::milliseconds(50));
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::map<RssBox*, bool> boxes_;  // guarded by mu_
  bool stopping_ = false;          // guarded by mu_
  std::thread thread_;
};

RssBox::~RssBox() { owner_->Remove(this); }

void RssBox::Attach(pid_t process_group) {
  group_.store(process_group);
  owner_->Add(this);
}

}  // namespace

std::unique_ptr<MemoryLimiter> MemoryLimiter::Create() {
  if (auto v2 = CgroupLimiter::TryV2()) return v2;
  if (auto v1 = CgroupLimiter::TryV1()) return v1;
  return std::make_unique<RssLimiter>();
}

}  // namespace ll
