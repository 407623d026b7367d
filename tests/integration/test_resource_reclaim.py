"""Threads and memory end when their owner ends: retired mapping workers, idle async lanes and
idle execution environments give back their threads, so a long CI run or a Terraform loop that
creates and deletes things does not grow the emulator."""
import json
import os
import unittest

from .harness import CPP_ECHO_RUNTIME, Emulator, FileFrom, Project, wait_until

FUNCTIONS = 200


def template() -> str:
    lines = [
        "Resources:",
        "  Jobs:",
        "    Type: AWS::SQS::Queue",
        "    Properties: {QueueName: jobs, VisibilityTimeout: 30}",
        "  Worker:",
        "    Type: AWS::Serverless::Function",
        "    Properties: {Runtime: provided.al2023, Handler: x, CodeUri: cpp/, Timeout: 3}",
    ]
    for i in range(FUNCTIONS):
        lines += [
            f"  Fn{i}:",
            "    Type: AWS::Serverless::Function",
            "    Properties: {Runtime: provided.al2023, Handler: x, CodeUri: cpp/, Timeout: 3}",
        ]
    return "\n".join(lines) + "\n"


def usage(pid: int) -> tuple[int, int]:
    """(threads, virtual memory in kB) of a process."""
    threads = vm = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("Threads:"):
                threads = int(line.split()[1])
            elif line.startswith("VmSize:"):
                vm = int(line.split()[1])
    return threads, vm


@unittest.skipUnless(os.path.exists(CPP_ECHO_RUNTIME), "the C++ echo runtime is not built")
class ResourceReclaimTest(unittest.TestCase):
    def test_mappings_and_async_functions_give_back_threads_and_memory(self):
        project = Project(template(), {"cpp/bootstrap": FileFrom(CPP_ECHO_RUNTIME)})
        self.addCleanup(project.cleanup)
        with Emulator(project, ["--idle-timeout", "1", "--no-watch", "--ephemeral"]) as emu:
            lam = emu.lambda_client()
            sqs = emu.client("sqs")
            arn = sqs.get_queue_attributes(QueueUrl=sqs.get_queue_url(QueueName="jobs")["QueueUrl"],
                                           AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            pid = emu.proc.pid
            reports = lambda: sum(1 for line in emu.lines if "REPORT RequestId" in line)

            def churn(mappings: int, functions: int):
                before = reports()
                for _ in range(mappings):
                    m = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="Worker")
                    lam.delete_event_source_mapping(UUID=m["UUID"])
                for i in range(functions):
                    lam.invoke(FunctionName=f"Fn{i}", InvocationType="Event", Payload=json.dumps({"i": i}))
                ran = wait_until(lambda: reports() >= before + functions, 180)
                self.assertTrue(ran, emu.describe_output(20))

            # A smaller round first, so what is made once and then reused (malloc arenas, glibc's
            # bounded cache of ended threads' stacks, the registry's thread) is in the baseline:
            # what is measured is growth per round, which used to be unbounded.
            threads_at_start = usage(pid)[0]
            churn(50, 50)
            self.assertTrue(wait_until(lambda: usage(pid)[0] <= threads_at_start + 3, 120, interval=0.2))
            base_threads, base_vm = usage(pid)

            churn(200, FUNCTIONS)
            peak_threads, peak_vm = usage(pid)

            # Idle environments (1 s), idle async lanes and retired workers all end.
            back = wait_until(lambda: usage(pid)[0] <= base_threads + 3, 120, interval=0.2)
            threads, vm = usage(pid)
            self.assertTrue(back, f"threads: {base_threads} at start, {peak_threads} at peak, {threads} now")
            self.assertLessEqual(vm, base_vm * 1.10,
                                 f"virtual memory: {base_vm} kB at start, {peak_vm} kB at peak, {vm} kB now")


if __name__ == "__main__":
    unittest.main()
