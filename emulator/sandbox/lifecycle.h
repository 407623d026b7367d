// The lifecycle of one execution environment as one table: its states, the events that move
// it, and which moves are legal. Environment asks the table before every move, after it has
// validated the request (a move cannot be undone); what an invocation produced (its answer,
// its timings) is data kept beside the state.
#pragma once

#include <optional>

namespace ll {

enum class EnvState {
  kStarting,    // the process runs its init and has not asked for an event yet
  kReady,       // the runtime has asked for an event (GET /next) and has none
  kInvoking,    // an event went out; its response or error has not come
  kResponded,   // the runtime answered the event and has not asked for the next one
  kInitFailed,  // the runtime reported an init error (POST /init/error)
  kDead,        // exited, killed or timed out: never used again
};
inline constexpr int kEnvStateCount = 6;

enum class EnvEvent {
  kNext,        // runtime: GET /next
  kDeliver,     // invoker: an event went out on a waiting GET /next
  kSendFailed,  // invoker: that connection was gone; the event waits for another GET /next
  kResponse,    // runtime: POST /invocation/<id>/response for the event in flight
  kError,       // runtime: POST /invocation/<id>/error for the event in flight
  kInitError,   // runtime: POST /init/error
  kTimeout,     // invoker: the invocation's deadline passed
  kExit,        // supervisor: the process exited
  kKill,        // owner: the environment is shut down, or its failed init has been reported
};
inline constexpr int kEnvEventCount = 9;

// The state `event` moves `from` into, or nullopt when that move is not allowed.
std::optional<EnvState> EnvMove(EnvState from, EnvEvent event);

const char* EnvStateName(EnvState state);
const char* EnvEventName(EnvEvent event);

}  // namespace ll
