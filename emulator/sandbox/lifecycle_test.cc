#include "sandbox/lifecycle.h"

#include <map>
#include <utility>

#include <catch2/catch.hpp>

using namespace ll;

namespace {

using enum EnvState;
using enum EnvEvent;

// The legal moves, written out one by one; every pair not listed must be refused.
const std::map<std::pair<EnvState, EnvEvent>, EnvState> kLegal = {
    {{kStarting, kNext}, kReady},
    {{kStarting, kInitError}, kInitFailed},
    {{kStarting, kTimeout}, kDead},
    {{kStarting, kExit}, kDead},
    {{kStarting, kKill}, kDead},

    {{kReady, kNext}, kReady},  // a runtime may wait on more than one connection
    {{kReady, kDeliver}, kInvoking},
    {{kReady, kTimeout}, kDead},
    {{kReady, kExit}, kDead},
    {{kReady, kKill}, kDead},

    {{kInvoking, kSendFailed}, kReady},
    {{kInvoking, kResponse}, kResponded},
    {{kInvoking, kError}, kResponded},
    {{kInvoking, kTimeout}, kDead},
    {{kInvoking, kExit}, kDead},
    {{kInvoking, kKill}, kDead},

    {{kResponded, kNext}, kReady},
    {{kResponded, kTimeout}, kDead},
    {{kResponded, kExit}, kDead},
    {{kResponded, kKill}, kDead},

    {{kInitFailed, kNext}, kInitFailed},
    {{kInitFailed, kTimeout}, kDead},
    {{kInitFailed, kExit}, kDead},
    {{kInitFailed, kKill}, kDead},

    {{kDead, kTimeout}, kDead},
    {{kDead, kExit}, kDead},
    {{kDead, kKill}, kDead},
};

}  // namespace

TEST_CASE("lifecycle: every state x every event is the listed move or refused", "[lifecycle]") {
  int legal = 0;
  for (int s = 0; s < kEnvStateCount; ++s) {
    for (int e = 0; e < kEnvEventCount; ++e) {
      const EnvState state = EnvState(s);
      const EnvEvent event = EnvEvent(e);
      INFO(EnvStateName(state) << " + " << EnvEventName(event));
      auto it = kLegal.find({state, event});
      std::optional<EnvState> moved = EnvMove(state, event);
      if (it == kLegal.end()) {
        CHECK_FALSE(moved.has_value());
      } else {
        ++legal;
        REQUIRE(moved.has_value());
        CHECK(EnvStateName(*moved) == std::string(EnvStateName(it->second)));
      }
    }
  }
  CHECK(legal == int(kLegal.size()));
}

TEST_CASE("lifecycle: Dead is final and reachable from everywhere", "[lifecycle]") {
  for (int s = 0; s < kEnvStateCount; ++s) {
    for (EnvEvent end : {kTimeout, kExit, kKill}) CHECK(EnvMove(EnvState(s), end) == kDead);
  }
  for (int e = 0; e < kEnvEventCount; ++e) {
    auto moved = EnvMove(kDead, EnvEvent(e));
    CHECK((!moved || *moved == kDead));
  }
}

TEST_CASE("lifecycle: a warm invocation goes round Ready, Invoking, Responded", "[lifecycle]") {
  EnvState s = kStarting;
  for (EnvEvent e : {kNext, kDeliver, kResponse, kNext, kDeliver, kError, kNext}) {
    auto moved = EnvMove(s, e);
    REQUIRE(moved);
    s = *moved;
  }
  CHECK(s == kReady);
}

TEST_CASE("lifecycle: names", "[lifecycle]") {
  CHECK(std::string(EnvStateName(kInitFailed)) == "InitFailed");
  CHECK(std::string(EnvEventName(kSendFailed)) == "SendFailed");
}
