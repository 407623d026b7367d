// Every quota lambda-local enforces, in one place: AWS's, so clients see the same limits and
// messages as on AWS (messages are formatted from these constants), then lambda-local's own caps.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ll::limits {

// ---- Lambda (AWS's quotas) ----
inline constexpr size_t kSyncPayloadBytes = 6291456;    // a RequestResponse request or response
inline constexpr size_t kAsyncPayloadBytes = 1048576;   // an Event invoke: 1 MB since October 2025
inline constexpr size_t kClientContextBytes = 3583;     // X-Amz-Client-Context, base64
inline constexpr size_t kLogTailBytes = 4096;           // X-Amz-Log-Result
inline constexpr int64_t kCodeZippedBytes = 52428800;   // a zip uploaded directly
inline constexpr int64_t kCodeUnzippedBytes = 262144000;
inline constexpr int64_t kTotalCodeBytes = 80530636800;  // the account's code storage
inline constexpr size_t kLayersPerFunction = 5;
inline constexpr int kFunctionsPage = 50;           // ListFunctions MaxItems
inline constexpr int kEventInvokeConfigsPage = 50;  // ListFunctionEventInvokeConfigs MaxItems
inline constexpr int kMappingsPage = 100;           // ListEventSourceMappings MaxItems

// Asynchronous invocation defaults.
inline constexpr int kDefaultAsyncRetries = 2;
inline constexpr int kDefaultMaxEventAgeSeconds = 21600;

// Event source mappings.
inline constexpr int kMaxFilters = 5;
inline constexpr int kMinMappingConcurrency = 2;  // ScalingConfig.MaximumConcurrency
inline constexpr int kMaxMappingConcurrency = 1000;
inline constexpr int kMaxBatchingWindowSeconds = 300;
inline constexpr int kSqsMaxBatchSize = 10000;
inline constexpr int kSqsFifoMaxBatchSize = 10;
inline constexpr int kSqsBatchSizeWithoutWindow = 10;  // above it, a batching window is required
inline constexpr int kSqsDefaultMappingConcurrency = 5;

// ---- lambda-local's own caps ----
// The largest request body the front port reads: a 50 MB zip sent base64 in JSON fits, and an
// oversized invoke is still read and answered 413 in Lambda's shape.
inline constexpr size_t kMaxRequestBytes = 80u << 20;
// The largest body the front port lets a service read: S3's largest single PUT (5 GiB). Each
// service reads with its own, smaller limit where it has one.
inline constexpr uint64_t kMaxFrontBodyBytes = 5ull << 30;
// The form of an unsigned query-protocol request, read to find which service it is for.
inline constexpr size_t kMaxRoutingFormBytes = 1u << 20;
// Invoker threads of one mapping, whatever ScalingConfig asks (they share two cores anyway).
inline constexpr int kMaxMappingInvokerThreads = 32;

}  // namespace ll::limits
