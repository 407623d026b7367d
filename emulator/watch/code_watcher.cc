#include "watch/code_watcher.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <set>

namespace ll {
namespace {

constexpr uint32_t kMask = IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO |
                           IN_ATTRIB | IN_MODIFY | IN_DELETE_SELF;

bool Ignored(const std::string& name) {
  // Editors' and interpreters' droppings are not code changes.
  return name == "__pycache__" || name == "node_modules" || name == ".git" ||
         (!name.empty() && name.back() == '~') || name.find(".swp") != std::string::npos;
}

}  // namespace

CodeWatcher::CodeWatcher(OnChange on_change) : on_change_(std::move(on_change)) {
  inotify_fd_ = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (inotify_fd_ >= 0 && wake_fd_ >= 0) thread_ = std::thread([this] { Run(); });
}

CodeWatcher::~CodeWatcher() {
  Stop();
  if (inotify_fd_ >= 0) close(inotify_fd_);
  if (wake_fd_ >= 0) close(wake_fd_);
}

bool CodeWatcher::Watch(const std::filesystem::path& root) {
  if (inotify_fd_ < 0) return false;
  AddTree(root, root);
  return true;
}

void CodeWatcher::AddTree(const std::filesystem::path& dir, const std::filesystem::path& root) {
  int wd = inotify_add_watch(inotify_fd_, dir.c_str(), kMask | IN_ONLYDIR);
  if (wd < 0) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    watches_[wd] = {dir, root};
  }
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator(dir, ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    if (it->is_directory(ec) && !it->is_symlink(ec) && !Ignored(it->path().filename().string())) {
      AddTree(it->path(), root);
    }
  }
}

void CodeWatcher::Run() {
  pollfd fds[2] = {{inotify_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
  alignas(inotify_event) char buf[16384];
  while (true) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents) return;
    std::set<std::filesystem::path> changed;
    while (true) {
      ssize_t n = read(inotify_fd_, buf, sizeof buf);
      if (n <= 0) break;
      for (char* p = buf; p < buf + n;) {
        auto* ev = reinterpret_cast<inotify_event*>(p);
        p += sizeof(inotify_event) + ev->len;
        std::string name = ev->len ? ev->name : "";
        if (Ignored(name)) continue;
        std::filesystem::path dir, root;
        {
          std::lock_guard<std::mutex> lock(mu_);
          auto it = watches_.find(ev->wd);
          if (it == watches_.end()) continue;
          std::tie(dir, root) = it->second;
        }
        if ((ev->mask & IN_ISDIR) && (ev->mask & (IN_CREATE | IN_MOVED_TO))) {
          AddTree(dir / name, root);  // new subfolders are watched too
        }
        changed.insert(root);
      }
    }
    for (const auto& root : changed) on_change_(root);
  }
}

void CodeWatcher::Stop() {
  if (!thread_.joinable()) return;
  uint64_t one = 1;
  (void)!write(wake_fd_, &one, sizeof one);
  thread_.join();
}

}  // namespace ll
