#include "watch/code_watcher.h"

#include <unistd.h>

#include <condition_variable>
#include <fstream>
#include <mutex>

#include <catch2/catch.hpp>

using namespace ll;

TEST_CASE("a change anywhere below a watched folder names that folder") {
  auto root = std::filesystem::temp_directory_path() / ("ll-watch-" + std::to_string(getpid()));
  std::filesystem::create_directories(root / "pkg");
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::filesystem::path> seen;
  CodeWatcher watcher([&](const std::filesystem::path& changed) {
    std::lock_guard<std::mutex> lock(mu);
    seen.push_back(changed);
    cv.notify_all();
  });
  REQUIRE(watcher.Watch(root));
  std::ofstream(root / "pkg" / "mod.py") << "x = 1\n";
  {
    std::unique_lock<std::mutex> lock(mu);
    REQUIRE(cv.wait_for(lock, std::chrono::seconds(5), [&] { return !seen.empty(); }));
    CHECK(seen.front() == root);
  }
  watcher.Stop();
  std::filesystem::remove_all(root);
}
