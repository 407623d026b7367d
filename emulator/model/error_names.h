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
inline constexpr char kResourceConflict[] = "ResourceConflictException";
inline constexpr char kPreconditionFailed[] = "PreconditionFailedException";
inline constexpr char kValidation[] = "ValidationException";
inline constexpr char kInvalidRuntime[] = "InvalidRuntimeException";
inline constexpr char kInvalidZipFile[] = "InvalidZipFileException";
inline constexpr char kPolicyLengthExceeded[] = "PolicyLengthExceededException";
inline constexpr char kUnsupportedMediaType[] = "UnsupportedMediaTypeException";

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

// lambda-local's own failures at start and in the state folder (never sent to a client).
inline constexpr char kInvalidTemplate[] = "InvalidTemplate";
inline constexpr char kPortUnavailable[] = "PortUnavailable";
inline constexpr char kStateDirUnavailable[] = "StateDirUnavailable";
inline constexpr char kStateNotSaved[] = "StateNotSaved";
inline constexpr char kStateInvalid[] = "StateInvalid";

}  // namespace ll::errors
