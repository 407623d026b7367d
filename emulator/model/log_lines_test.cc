#include "model/log_lines.h"

#include <catch2/catch.hpp>

using namespace ll;

TEST_CASE("REPORT line matches AWS field order and format") {
  ReportFields r;
  r.request_id = "id-1";
  r.duration_ms = 26.731;
  r.memory_size_mb = 128;
  r.max_memory_used_mb = 56;
  CHECK(ReportLine(r) ==
        "REPORT RequestId: id-1\tDuration: 26.73 ms\tBilled Duration: 27 ms\tMemory Size: 128 MB\t"
        "Max Memory Used: 56 MB\t");
  r.init_duration_ms = 130.494;
  r.status = "timeout";
  CHECK(ReportLine(r) ==
        "REPORT RequestId: id-1\tDuration: 26.73 ms\tBilled Duration: 27 ms\tMemory Size: 128 MB\t"
        "Max Memory Used: 56 MB\tInit Duration: 130.49 ms\tStatus: timeout\t");
}

TEST_CASE("platform messages") {
  CHECK(StartLine("x", "$LATEST") == "START RequestId: x Version: $LATEST");
  CHECK(EndLine("x") == "END RequestId: x");
  CHECK(TimeoutMessage("x", 3) == "RequestId: x Error: Task timed out after 3.00 seconds");
  CHECK(ExitMessage("x", "exit status 1") == "RequestId: x Error: Runtime exited with error: exit status 1");
  CHECK(PlatformErrorJson("Sandbox.Timedout", "m\"") ==
        "{\"errorMessage\":\"m\\\"\",\"errorType\":\"Sandbox.Timedout\"}");
}
