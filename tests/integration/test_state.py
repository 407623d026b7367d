"""State: functions created through the API (with their versions, aliases, tags, policies,
concurrency and event-invoke configs) survive a restart when lambda-local starts again with the
same `--state-dir` (default `.lambda-local/` in the project folder); with `--ephemeral`
nothing is kept."""
import json
import os
import shutil
import tempfile
import unittest
import urllib.request

from .harness import (PY_APP, ROLE, Emulator, EmulatorError, Project, code_sha256, function_arn, http_status, make_zip,
                      payload_json, unique_name)

TEMPLATE = """
Resources:
  TemplateFn:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: app.echo, CodeUri: py/}
"""
FILES = {"py/app.py": PY_APP}


def tagged_app(tag):
    return PY_APP + f"\n\ndef tagged(event, context):\n    return {{'tag': {tag!r}, " \
                    "'color': os.environ.get('COLOR')}\n"


class StateTest(unittest.TestCase):
    def setUp(self):
        self.project = Project(TEMPLATE, FILES)
        self.addCleanup(self.project.cleanup)
        self.state_dir = tempfile.mkdtemp(prefix="lambda-local-it-state-")
        self.addCleanup(shutil.rmtree, self.state_dir, True)

    def start(self, *args):
        emu = Emulator(self.project, args).start()
        self.addCleanup(emu.kill)
        return emu, emu.lambda_client()

    def create(self, lam, name, tag, **kwargs):
        r = lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="app.tagged",
                                Code={"ZipFile": make_zip({"app.py": tagged_app(tag)})}, **kwargs)
        self.assertEqual(http_status(r), 201)
        return r

    def run_tag(self, lam, name, **kwargs):
        r = lam.invoke(FunctionName=name, Payload=b"{}", **kwargs)
        body = payload_json(r)
        self.assertNotIn("FunctionError", r, body)
        return body["tag"]

    def assert_not_found(self, lam, call, **kwargs):
        with self.assertRaises(lam.exceptions.ResourceNotFoundException):
            getattr(lam, call)(**kwargs)

    def test_function_survives_a_restart_with_the_same_state_dir(self):
        name = unique_name("kept")
        emu, lam = self.start("--state-dir", self.state_dir)
        created = self.create(lam, name, "kept", Environment={"Variables": {"COLOR": "teal"}}, Timeout=17)
        self.assertEqual(self.run_tag(lam, name), "kept")
        emu.stop_and_check(self)

        emu, lam = self.start("--state-dir", self.state_dir)
        cfg = lam.get_function(FunctionName=name)["Configuration"]
        for key in ("FunctionArn", "CodeSha256", "CodeSize", "RevisionId", "Handler", "Runtime", "Timeout",
                    "Environment", "LastModified"):
            self.assertEqual(cfg[key], created[key], key)
        self.assertEqual(cfg["State"], "Active")
        r = lam.invoke(FunctionName=name, Payload=b"{}")
        self.assertEqual(payload_json(r), {"tag": "kept", "color": "teal"})
        # The code URL points at the new process and still serves the same zip.
        location = lam.get_function(FunctionName=name)["Code"]["Location"]
        with urllib.request.urlopen(location, timeout=30) as resp:
            self.assertEqual(code_sha256(resp.read()), created["CodeSha256"])
        names = [f["FunctionName"] for f in lam.list_functions()["Functions"]]
        self.assertEqual(sorted(names), sorted([name, "TemplateFn"]), "functions lost or duplicated")
        self.assertEqual(self.run_tag_template(lam), {"restarted": True})
        emu.stop_and_check(self)

    def run_tag_template(self, lam):
        return payload_json(lam.invoke(FunctionName="TemplateFn", Payload=b'{"restarted": true}'))["event"]

    def test_versions_aliases_and_settings_survive(self):
        name = unique_name("settings")
        emu, lam = self.start("--state-dir", self.state_dir)
        self.create(lam, name, "v1", Tags={"team": "core"})
        lam.publish_version(FunctionName=name)
        lam.update_function_code(FunctionName=name, ZipFile=make_zip({"app.py": tagged_app("v2")}))
        lam.publish_version(FunctionName=name)
        lam.update_function_code(FunctionName=name, ZipFile=make_zip({"app.py": tagged_app("latest")}))
        lam.create_alias(FunctionName=name, Name="prod", FunctionVersion="1",
                         RoutingConfig={"AdditionalVersionWeights": {"2": 0.25}})
        lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=3)
        lam.add_permission(FunctionName=name, StatementId="s3", Action="lambda:InvokeFunction",
                           Principal="s3.amazonaws.com")
        lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=1)
        emu.stop_and_check(self)

        emu, lam = self.start("--state-dir", self.state_dir)
        self.assertEqual([v["Version"] for v in lam.list_versions_by_function(FunctionName=name)["Versions"]],
                         ["$LATEST", "1", "2"])
        self.assertEqual(self.run_tag(lam, name, Qualifier="1"), "v1")
        self.assertEqual(self.run_tag(lam, name, Qualifier="2"), "v2")
        self.assertEqual(self.run_tag(lam, name), "latest")
        alias = lam.get_alias(FunctionName=name, Name="prod")
        self.assertEqual(alias["FunctionVersion"], "1")
        self.assertEqual(alias["RoutingConfig"], {"AdditionalVersionWeights": {"2": 0.25}})
        self.assertEqual(lam.list_tags(Resource=function_arn(name))["Tags"], {"team": "core"})
        self.assertEqual(lam.get_function_concurrency(FunctionName=name)["ReservedConcurrentExecutions"], 3)
        self.assertEqual([s["Sid"] for s in json.loads(lam.get_policy(FunctionName=name)["Policy"])["Statement"]],
                         ["s3"])
        self.assertEqual(lam.get_function_event_invoke_config(FunctionName=name)["MaximumRetryAttempts"], 1)
        # Version numbers continue where they stopped.
        lam.update_function_code(FunctionName=name, ZipFile=make_zip({"app.py": tagged_app("v3")}))
        self.assertEqual(lam.publish_version(FunctionName=name)["Version"], "3")
        emu.stop_and_check(self)

    def test_updates_and_deletes_survive(self):
        kept, deleted = unique_name("updated"), unique_name("deleted")
        emu, lam = self.start("--state-dir", self.state_dir)
        self.create(lam, kept, "old")
        self.create(lam, deleted, "doomed")
        lam.update_function_code(FunctionName=kept, ZipFile=make_zip({"app.py": tagged_app("new")}))
        lam.update_function_configuration(FunctionName=kept, Environment={"Variables": {"COLOR": "red"}})
        lam.delete_function(FunctionName=deleted)
        emu.stop_and_check(self)

        emu, lam = self.start("--state-dir", self.state_dir)
        self.assertEqual(payload_json(lam.invoke(FunctionName=kept, Payload=b"{}")), {"tag": "new", "color": "red"})
        self.assert_not_found(lam, "get_function", FunctionName=deleted)
        emu.stop_and_check(self)

    def test_default_state_dir_is_in_the_project(self):
        name = unique_name("default")
        emu, lam = self.start()
        self.create(lam, name, "default")
        self.assertTrue(os.path.isdir(self.project.path(".lambda-local")),
                        f"no .lambda-local/ in the project: {os.listdir(self.project.dir)}")
        emu.stop_and_check(self)
        emu, lam = self.start()
        self.assertEqual(self.run_tag(lam, name), "default")
        emu.stop_and_check(self)

    def test_state_is_written_before_the_response(self):
        # A crash (SIGKILL) right after CreateFunction answered must not lose the function.
        name = unique_name("durable")
        emu, lam = self.start("--state-dir", self.state_dir)
        self.create(lam, name, "durable")  # not invoked: no function process to orphan
        emu.close_clients()
        emu.kill()  # SIGKILL
        emu, lam = self.start("--state-dir", self.state_dir)
        self.assertEqual(self.run_tag(lam, name), "durable")
        emu.stop_and_check(self)

    def test_state_json_of_an_earlier_lambda_local_is_imported_once(self):
        # Before state.db, the functions were kept in state.json: the first start imports it.
        name = unique_name("legacy")
        code_dir = os.path.join(self.state_dir, "functions", name, "code")
        os.makedirs(code_dir)
        with open(os.path.join(code_dir, "app.py"), "w") as f:
            f.write(tagged_app("imported"))
        latest = {"name": name, "logical_id": "", "runtime": "python3.12", "handler": "app.tagged",
                  "code_dir": code_dir, "memory_mb": 128, "timeout_s": 3, "environment": {"COLOR": "blue"},
                  "reserved_concurrency": None, "region": "us-east-1", "account_id": "000000000000",
                  "version": "$LATEST", "revision_id": "rev-1", "last_modified": "2024-01-02T03:04:05.678+0000"}
        legacy = {"format": 1, "functions": [{"name": name, "from_template": False, "latest": latest,
                                             "zip_path": "", "versions": [], "last_version": 0,
                                             "aliases": [], "invoke_configs": {}, "policy_statements": {},
                                             "policy_revision_id": "", "tags": {"from": "json"}}]}
        with open(os.path.join(self.state_dir, "state.json"), "w") as f:
            json.dump(legacy, f)
        for _ in range(2):  # imported by the first start, then kept in state.db
            emu, lam = self.start("--state-dir", self.state_dir)
            self.assertEqual(payload_json(lam.invoke(FunctionName=name, Payload=b"{}")),
                             {"tag": "imported", "color": "blue"})
            self.assertEqual(lam.list_tags(Resource=function_arn(name))["Tags"], {"from": "json"})
            emu.stop_and_check(self)
            self.assertFalse(os.path.exists(os.path.join(self.state_dir, "state.json")))
            self.assertTrue(os.path.exists(os.path.join(self.state_dir, "state.json.imported")))
            self.assertTrue(os.path.exists(os.path.join(self.state_dir, "state.db")))

    def test_an_unreadable_state_database_stops_the_start_with_its_name(self):
        with open(os.path.join(self.state_dir, "state.db"), "wb") as f:
            f.write(b"not a database " * 1000)
        emu = Emulator(self.project, ["--state-dir", self.state_dir])
        with self.assertRaises(EmulatorError) as cm:
            emu.start()
        self.addCleanup(emu.kill)
        self.assertIn("state.db", str(cm.exception))
        self.assertIn("move it away", str(cm.exception))

    def test_ephemeral_keeps_nothing(self):
        name = unique_name("ephemeral")
        emu, lam = self.start("--ephemeral")
        self.create(lam, name, "gone soon")
        self.assertEqual(self.run_tag(lam, name), "gone soon")
        emu.stop_and_check(self)
        self.assertFalse(os.path.exists(self.project.path(".lambda-local")),
                         "--ephemeral left a state folder in the project")

        emu, lam = self.start("--ephemeral")
        self.assert_not_found(lam, "get_function", FunctionName=name)
        self.assertEqual([f["FunctionName"] for f in lam.list_functions()["Functions"]], ["TemplateFn"])
        emu.stop_and_check(self)

        emu, lam = self.start()  # a normal start after an ephemeral one finds nothing either
        self.assert_not_found(lam, "get_function", FunctionName=name)
        emu.stop_and_check(self)

    def test_ephemeral_does_not_write_to_the_state_dir(self):
        name = unique_name("ephemeral-dir")
        emu, lam = self.start("--ephemeral")
        self.create(lam, name, "x")
        emu.stop_and_check(self)
        emu, lam = self.start("--state-dir", self.state_dir)
        self.assert_not_found(lam, "get_function", FunctionName=name)
        emu.stop_and_check(self)


if __name__ == "__main__":
    unittest.main()
