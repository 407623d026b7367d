// CodeWatcher: watches folders (recursively, with inotify) and reports which one changed, so
// a template function's next invoke runs the code now on disk. One thread, no polling.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace ll {

class CodeWatcher {
 public:
  using OnChange = std::function<void(const std::filesystem::path& root)>;
  explicit CodeWatcher(OnChange on_change);
  ~CodeWatcher();  // Stop()

  // Watches `root` and every folder below it. False when inotify is unavailable.
  bool Watch(const std::filesystem::path& root);
  void Stop();

 private:
  void AddTree(const std::filesystem::path& dir, const std::filesystem::path& root);
  void Run();

  const OnChange on_change_;
  int inotify_fd_ = -1;
  int wake_fd_ = -1;
  std::mutex mu_;
  std::map<int, std::pair<std::filesystem::path, std::filesystem::path>> watches_;  // wd -> (dir, root)
  std::thread thread_;
};

}  // namespace ll
