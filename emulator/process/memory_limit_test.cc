#include "process/memory_limit.h"

#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include <catch2/catch.hpp>

using namespace ll;

TEST_CASE("groups left by a lambda-local that was killed are removed by the next one") {
  std::unique_ptr<MemoryLimiter> first = MemoryLimiter::Create();
  if (!first->uses_cgroups()) return;  // nothing is left behind without cgroups
  // Describe() ends with "(<parent>/lambda-local-<pid>)".
  const std::string describe = first->Describe();
  const std::string root = describe.substr(describe.find('(') + 1, describe.size() - describe.find('(') - 2);
  const std::string parent = root.substr(0, root.rfind('/'));
  const std::string stale = parent + "/lambda-local-999999999";  // above any pid_max: no such process
  REQUIRE(mkdir(stale.c_str(), 0755) == 0);
  REQUIRE(mkdir((stale + "/env-0").c_str(), 0755) == 0);
  first.reset();
  std::unique_ptr<MemoryLimiter> second = MemoryLimiter::Create();
  struct stat st;
  CHECK(stat(stale.c_str(), &st) != 0);
  CHECK(second->uses_cgroups());
}
