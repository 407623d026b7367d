#include "base/fake_clock.h"

#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <thread>

#include <catch2/catch.hpp>

using namespace ll;
using namespace std::chrono_literals;

TEST_CASE("fake clock: time moves only when advanced", "[clock]") {
  FakeClock clock;
  const auto t0 = clock.Now();
  CHECK(clock.Now() == t0);
  clock.Advance(1500ms);
  CHECK(clock.Now() - t0 == std::chrono::milliseconds(1500));
}

TEST_CASE("fake clock: a condition-variable wait ends when the deadline is advanced past", "[clock]") {
  FakeClock clock;
  std::mutex mu;
  std::condition_variable cv;
  const auto deadline = clock.Now() + 3600s;
  auto waited = std::async(std::launch::async, [&] {
    std::unique_lock<std::mutex> lock(mu);
    std::cv_status status;
    do {
      status = clock.WaitUntil(cv, lock, deadline);
    } while (status != std::cv_status::timeout);
    return clock.Now() >= deadline;
  });
  clock.AwaitWaiters(1);
  clock.Advance(1800s);  // not yet: the waiter wakes and waits again
  clock.Advance(1800s);
  CHECK(waited.get());
}

TEST_CASE("fake clock: a passed deadline does not wait at all", "[clock]") {
  FakeClock clock;
  std::mutex mu;
  std::condition_variable cv;
  std::unique_lock<std::mutex> lock(mu);
  CHECK(clock.WaitUntil(cv, lock, clock.Now()) == std::cv_status::timeout);
  pollfd none[1] = {{-1, 0, 0}};
  CHECK(clock.Poll(none, 1, clock.Now() - 1s) == 0);
}

TEST_CASE("fake clock: poll returns a ready descriptor, or 0 at the advanced deadline", "[clock]") {
  FakeClock clock;
  int sv[2];
  REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
  pollfd fds[1] = {{sv[0], POLLIN, 0}};

  REQUIRE(write(sv[1], "x", 1) == 1);
  CHECK(clock.Poll(fds, 1, clock.Now() + 10s) == 1);
  CHECK((fds[0].revents & POLLIN));
  char c;
  REQUIRE(read(sv[0], &c, 1) == 1);

  auto polled = std::async(std::launch::async, [&] { return clock.Poll(fds, 1, clock.Now() + 10s); });
  clock.AwaitWaiters(1);
  clock.Advance(10s);
  CHECK(polled.get() == 0);
  close(sv[0]);
  close(sv[1]);
}
