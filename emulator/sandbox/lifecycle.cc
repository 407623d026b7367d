#include "sandbox/lifecycle.h"

namespace ll {
namespace {

using enum EnvState;
constexpr std::optional<EnvState> kNo;  // the move is refused

// kMoves[from][event]. Exit, kill and timeout end any state. A runtime that asks for an event
// after reporting its init error waits in GET /next until the environment is shut down.
constexpr std::optional<EnvState> kMoves[kEnvStateCount][kEnvEventCount] = {
    //                Next         Deliver    SendFailed  Response    Error       InitError    Timeout  Exit   Kill
    /* Starting   */ {kReady,      kNo,       kNo,        kNo,        kNo,        kInitFailed, kDead,   kDead, kDead},
    /* Ready      */ {kReady,      kInvoking, kNo,        kNo,        kNo,        kNo,         kDead,   kDead, kDead},
    /* Invoking   */ {kNo,         kNo,       kReady,     kResponded, kResponded, kNo,         kDead,   kDead, kDead},
    /* Responded  */ {kReady,      kNo,       kNo,        kNo,        kNo,        kNo,         kDead,   kDead, kDead},
    /* InitFailed */ {kInitFailed, kNo,       kNo,        kNo,        kNo,        kNo,         kDead,   kDead, kDead},
    /* Dead       */ {kNo,         kNo,       kNo,        kNo,        kNo,        kNo,         kDead,   kDead, kDead},
};

}  // namespace

std::optional<EnvState> EnvMove(EnvState from, EnvEvent event) {
  return kMoves[int(from)][int(event)];
}

const char* EnvStateName(EnvState state) {
  switch (state) {
    case EnvState::kStarting: return "Starting";
    case EnvState::kReady: return "Ready";
    case EnvState::kInvoking: return "Invoking";
    case EnvState::kResponded: return "Responded";
    case EnvState::kInitFailed: return "InitFailed";
    case EnvState::kDead: return "Dead";
  }
  return "?";
}

const char* EnvEventName(EnvEvent event) {
  switch (event) {
    case EnvEvent::kNext: return "Next";
    case EnvEvent::kDeliver: return "Deliver";
    case EnvEvent::kSendFailed: return "SendFailed";
    case EnvEvent::kResponse: return "Response";
    case EnvEvent::kError: return "Error";
    case EnvEvent::kInitError: return "InitError";
    case EnvEvent::kTimeout: return "Timeout";
    case EnvEvent::kExit: return "Exit";
    case EnvEvent::kKill: return "Kill";
  }
  return "?";
}

}  // namespace ll
