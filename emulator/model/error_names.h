// Every customer-visible error name lambda-local emits, in one place.
// API errors (x-amzn-ErrorType) first, then function/runtime error types.
#pragma once

namespace ll::errors {

// Lambda API error codes.
inline constexpr char kResourceNotFound[] = "ResourceNotFoundException";
inline constexpr char kInvalidRequestContent[] = "InvalidRequestContentException";
inline constexpr char kInvalidParameterValue[] = "InvalidParameterValueException";
inline constexpr char kRequestTooLarge[] = "RequestEntityTooLargeException";
inline constexpr char kTooManyRequests[] = "TooManyRequestsException";
inline constexpr char kService[] = "ServiceException";
inline constexpr char kUnknownOperation[] = "UnknownOperationException";
inline constexpr char kNotImplemented[] = "NotImplemented";

// Throttle reasons (TooManyRequestsException.Reason).
inline constexpr char kReasonConcurrentLimit[] = "ConcurrentInvocationLimitExceeded";
inline constexpr char kReasonReservedLimit[] = "ReservedFunctionConcurrentInvocationLimitExceeded";

// Function error types reported by the platform itself.
inline constexpr char kSandboxTimedout[] = "Sandbox.Timedout";
inline constexpr char kRuntimeExitError[] = "Runtime.ExitError";
inline constexpr char kResponseSizeTooLarge[] = "Function.ResponseSizeTooLarge";
inline constexpr char kRuntimeUnknown[] = "Runtime.Unknown";
inline constexpr char kRuntimeInvalidEntrypoint[] = "Runtime.InvalidEntrypoint";

// Runtime API error types (answers to the runtime itself).
inline constexpr char kInvalidRequestId[] = "InvalidRequestID";
inline constexpr char kRuntimeTooLarge[] = "RequestEntityTooLarge";
inline constexpr char kInvalidStateTransition[] = "InvalidStateTransition";
inline constexpr char kRuntimeShutdown[] = "Runtime.Shutdown";
inline constexpr char kRuntimeApiNotFound[] = "NotFound";

}  // namespace ll::errors
