"""The Lambda control plane: CreateFunction with a zip, GetFunction (and its code download URL),
GetFunctionConfiguration, ListFunctions paging, UpdateFunctionCode / UpdateFunctionConfiguration,
DeleteFunction; validation errors (AWS codes and statuses, zip-slip and symlink entries);
reserved concurrency and account settings; resource policies and tags."""
import base64
import json
import os
import re
import subprocess
import tempfile
import threading
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

from .harness import (ACCOUNT, BASH_BOOTSTRAP, NODE_CJS, PY_APP, ROLE, ControlPlaneTestCase, ZipEntry, code_sha256,
                      error_code, function_arn, http_status, make_zip, payload_json, unique_name)

PY_FILES = {"app.py": PY_APP}
NODE_FILES = {"index.js": NODE_CJS}
BASH_FILES = {"bootstrap": BASH_BOOTSTRAP}

# AWS's LastModified format: 2019-10-29T21:35:35.522+0000
LAST_MODIFIED = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+0000$")
RESERVED_REASON = "ReservedFunctionConcurrentInvocationLimitExceeded"


def tagged_app(tag: str) -> str:
    """PY_APP plus app.tagged, which answers with a tag baked into the code."""
    return PY_APP + f"\n\ndef tagged(event, context):\n    return {{'tag': {tag!r}, 'event': event}}\n"


class FunctionCrudTest(ControlPlaneTestCase):
    def assert_configuration(self, cfg, name, runtime, handler, zip_bytes):
        self.assertEqual(cfg["FunctionName"], name)
        self.assertEqual(cfg["FunctionArn"], function_arn(name))
        self.assertEqual(cfg["Runtime"], runtime)
        self.assertEqual(cfg["Handler"], handler)
        self.assertEqual(cfg["Role"], ROLE)
        self.assertEqual(cfg["CodeSize"], len(zip_bytes))
        self.assertEqual(cfg["CodeSha256"], code_sha256(zip_bytes))
        self.assertEqual(cfg["Version"], "$LATEST")
        self.assertEqual(cfg["Timeout"], 3)
        self.assertEqual(cfg["MemorySize"], 128)
        self.assertEqual(cfg["PackageType"], "Zip")
        self.assertEqual(cfg["Architectures"], ["x86_64"])
        self.assertRegex(cfg["LastModified"], LAST_MODIFIED)
        self.assertIsInstance(cfg.get("RevisionId"), str)
        self.assertTrue(cfg["RevisionId"])
        self.assertIn(cfg["State"], ("Pending", "Active"))

    def create_and_check(self, runtime, handler, files):
        name = unique_name("crud")
        zip_bytes = make_zip(files)
        created = self.create(name, files, runtime=runtime, handler=handler)
        self.assert_configuration(created, name, runtime, handler, zip_bytes)
        self.wait_active(name)
        self.wait_updated(name)
        got = self.lam.get_function(FunctionName=name)
        self.assertEqual(http_status(got), 200)
        self.assert_configuration(got["Configuration"], name, runtime, handler, zip_bytes)
        self.assertEqual(got["Configuration"]["State"], "Active")
        self.assertEqual(got["Configuration"]["LastUpdateStatus"], "Successful")
        self.assertEqual(got["Configuration"]["RevisionId"], created["RevisionId"])
        cfg = self.lam.get_function_configuration(FunctionName=name)
        self.assertEqual(http_status(cfg), 200)
        self.assert_configuration(cfg, name, runtime, handler, zip_bytes)
        r = self.lam.invoke(FunctionName=name, Payload=json.dumps({"hello": runtime}).encode())
        body = payload_json(r)
        self.assertEqual(r["StatusCode"], 200)
        self.assertNotIn("FunctionError", r, body)
        self.assertEqual(r["ExecutedVersion"], "$LATEST")
        self.assertEqual(body["event"], {"hello": runtime})
        return name, body

    def test_create_python_function(self):
        self.create_and_check("python3.12", "app.echo", PY_FILES)

    def test_create_node_function(self):
        _, body = self.create_and_check("nodejs20.x", "index.handler", NODE_FILES)
        self.assertEqual(body["kind"], "cjs")

    def test_create_provided_function_with_executable_bootstrap(self):
        # The bootstrap's 0755 mode travels in the zip entry's external_attr only.
        _, body = self.create_and_check("provided.al2023", "unused", BASH_FILES)
        self.assertEqual(body["kind"], "bash")

    def test_create_with_settings(self):
        name = unique_name("settings")
        created = self.create(name, PY_FILES, handler="app.info", Timeout=30, MemorySize=256,
                              Description="made by a test", Environment={"Variables": {"COLOR": "blue"}})
        self.assertEqual(created["Timeout"], 30)
        self.assertEqual(created["MemorySize"], 256)
        self.assertEqual(created["Description"], "made by a test")
        self.assertEqual(created["Environment"]["Variables"], {"COLOR": "blue"})
        self.wait_active(name)
        info = payload_json(self.lam.invoke(FunctionName=name, Payload=b"{}"))
        self.assertEqual(info["env"]["COLOR"], "blue")
        self.assertEqual(info["env"]["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"], "256")
        self.assertEqual(info["context"]["function_name"], name)
        self.assertEqual(info["context"]["invoked_function_arn"], function_arn(name))
        self.assertGreater(info["context"]["remaining_ms"], 20000)

    def test_get_function_code_location_serves_the_zip(self):
        name = unique_name("code")
        zip_bytes = make_zip(PY_FILES)
        self.create(name, PY_FILES)
        code = self.lam.get_function(FunctionName=name)["Code"]
        self.assertEqual(code["RepositoryType"], "S3")
        url = urllib.parse.urlsplit(code["Location"])
        self.assertEqual(url.scheme, "http")
        self.assertIn(url.hostname, ("127.0.0.1", "localhost"))
        self.assertEqual(url.port, self.emu.port, code["Location"])
        with urllib.request.urlopen(code["Location"], timeout=30) as resp:
            self.assertEqual(resp.status, 200)
            downloaded = resp.read()
        self.assertEqual(downloaded, zip_bytes)

    def test_update_function_code(self):
        name = unique_name("update-code")
        first = self.create(name, {"app.py": tagged_app("old")}, handler="app.tagged")
        self.wait_active(name)
        self.assertEqual(payload_json(self.lam.invoke(FunctionName=name, Payload=b"{}"))["tag"], "old")

        new_zip = make_zip({"app.py": tagged_app("new code")})
        updated = self.lam.update_function_code(FunctionName=name, ZipFile=new_zip)
        self.assertEqual(http_status(updated), 200)
        self.assertEqual(updated["CodeSha256"], code_sha256(new_zip))
        self.assertEqual(updated["CodeSize"], len(new_zip))
        self.assertNotEqual(updated["RevisionId"], first["RevisionId"])
        self.assertIn(updated["LastUpdateStatus"], ("InProgress", "Successful"))
        self.assertRegex(updated["LastModified"], LAST_MODIFIED)
        self.wait_updated(name)
        # The warm environment of the old code must not answer any more.
        self.assertEqual(payload_json(self.lam.invoke(FunctionName=name, Payload=b"{}"))["tag"], "new code")
        code = self.lam.get_function(FunctionName=name)["Code"]
        with urllib.request.urlopen(code["Location"], timeout=30) as resp:
            self.assertEqual(resp.read(), new_zip)

    def test_update_function_code_with_stale_revision_id(self):
        name = unique_name("revision")
        created = self.create(name, PY_FILES)
        self.lam.update_function_code(FunctionName=name, ZipFile=make_zip({"app.py": tagged_app("x")}))
        with self.assertRaises(self.lam.exceptions.PreconditionFailedException) as cm:
            self.lam.update_function_code(FunctionName=name, ZipFile=make_zip(PY_FILES),
                                          RevisionId=created["RevisionId"])
        self.assertEqual(http_status(cm.exception), 412)

    def test_update_function_configuration_is_partial_and_replaces_env(self):
        name = unique_name("update-config")
        created = self.create(name, PY_FILES, handler="app.info", Timeout=20,
                              Environment={"Variables": {"KEEP_OUT": "a", "CHANGE": "1"}})
        self.wait_active(name)
        env = payload_json(self.lam.invoke(FunctionName=name, Payload=b"{}"))["env"]
        self.assertEqual((env.get("KEEP_OUT"), env.get("CHANGE")), ("a", "1"))

        updated = self.lam.update_function_configuration(
            FunctionName=name, Environment={"Variables": {"CHANGE": "2", "ADDED": "yes"}})
        self.assertEqual(http_status(updated), 200)
        self.assertEqual(updated["Environment"]["Variables"], {"CHANGE": "2", "ADDED": "yes"})
        self.assertEqual(updated["Timeout"], 20, "a field the update did not name changed")
        self.assertEqual(updated["Handler"], "app.info")
        self.assertEqual(updated["CodeSha256"], created["CodeSha256"])
        self.assertNotEqual(updated["RevisionId"], created["RevisionId"])
        self.wait_updated(name)
        env = payload_json(self.lam.invoke(FunctionName=name, Payload=b"{}"))["env"]
        self.assertEqual(env.get("CHANGE"), "2")
        self.assertEqual(env.get("ADDED"), "yes")
        self.assertNotIn("KEEP_OUT", env, "Environment.Variables must replace the whole map")

        # An update that does not mention Environment keeps it; Timeout and MemorySize apply.
        again = self.lam.update_function_configuration(FunctionName=name, Timeout=45, MemorySize=512)
        self.assertEqual(again["Environment"]["Variables"], {"CHANGE": "2", "ADDED": "yes"})
        self.assertEqual((again["Timeout"], again["MemorySize"]), (45, 512))
        self.wait_updated(name)
        info = payload_json(self.lam.invoke(FunctionName=name, Payload=b"{}"))
        self.assertEqual(info["env"]["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"], "512")
        self.assertGreater(info["context"]["remaining_ms"], 30000)
        self.assertEqual(info["env"].get("CHANGE"), "2")

    def test_update_handler(self):
        name = unique_name("handler")
        self.create(name, PY_FILES, handler="app.echo")
        self.assertIn("invocations", payload_json(self.lam.invoke(FunctionName=name, Payload=b"{}")))
        self.lam.update_function_configuration(FunctionName=name, Handler="app.info")
        self.wait_updated(name)
        self.assertIn("context", payload_json(self.lam.invoke(FunctionName=name, Payload=b"{}")))

    def test_delete_function(self):
        name = unique_name("delete")
        self.create(name, PY_FILES)
        self.wait_active(name)
        payload_json(self.lam.invoke(FunctionName=name, Payload=b"{}"))  # leaves a warm environment
        deleted = self.lam.delete_function(FunctionName=name)
        self.assertIn(http_status(deleted), (200, 204))
        err = self.assert_not_found(self.lam.invoke, FunctionName=name, Payload=b"{}")
        self.assertIn(function_arn(name), err.response["Error"]["Message"])
        self.assert_not_found(self.lam.get_function, FunctionName=name)
        self.assert_not_found(self.lam.get_function_configuration, FunctionName=name)
        self.assert_not_found(self.lam.delete_function, FunctionName=name)
        names = [f["FunctionName"] for f in self.lam.list_functions()["Functions"]]
        self.assertNotIn(name, names)
        # The name is free again.
        self.create(name, {"app.py": tagged_app("reborn")}, handler="app.tagged")
        self.assertEqual(payload_json(self.lam.invoke(FunctionName=name, Payload=b"{}"))["tag"], "reborn")

    def test_unknown_function_is_not_found_everywhere(self):
        name = unique_name("nobody")
        self.assert_not_found(self.lam.get_function, FunctionName=name)
        self.assert_not_found(self.lam.get_function_configuration, FunctionName=name)
        self.assert_not_found(self.lam.update_function_code, FunctionName=name, ZipFile=make_zip(PY_FILES))
        self.assert_not_found(self.lam.update_function_configuration, FunctionName=name, Timeout=5)

    def test_functions_are_addressable_by_arn(self):
        name = unique_name("by-arn")
        self.create(name, PY_FILES)
        self.assertEqual(self.lam.get_function(FunctionName=function_arn(name))["Configuration"]["FunctionName"],
                         name)
        self.assertEqual(self.lam.get_function_configuration(
            FunctionName=f"{ACCOUNT}:function:{name}")["FunctionName"], name)
        r = self.lam.invoke(FunctionName=function_arn(name), Payload=b'{"by": "arn"}')
        self.assertEqual(payload_json(r)["event"], {"by": "arn"})

    def test_aws_cli_create_get_invoke_delete(self):
        name = unique_name("cli")
        with tempfile.TemporaryDirectory() as tmp:
            zip_path = os.path.join(tmp, "fn.zip")
            with open(zip_path, "wb") as f:
                f.write(make_zip(PY_FILES))
            r = self.emu.aws("lambda", "create-function", "--function-name", name, "--runtime", "python3.12",
                             "--role", ROLE, "--handler", "app.echo", "--zip-file", f"fileb://{zip_path}")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(json.loads(r.stdout)["FunctionName"], name)
            r = self.emu.aws("lambda", "wait", "function-active-v2", "--function-name", name)
            self.assertEqual(r.returncode, 0, r.stderr)
            out = os.path.join(tmp, "out.json")
            r = self.emu.aws("lambda", "invoke", "--function-name", name, "--payload", '{"via": "cli"}', out)
            self.assertEqual(r.returncode, 0, r.stderr)
            with open(out) as f:
                self.assertEqual(json.load(f)["event"], {"via": "cli"})
            r = self.emu.aws("lambda", "delete-function", "--function-name", name)
            self.assertEqual(r.returncode, 0, r.stderr)
            r = self.emu.aws("lambda", "get-function", "--function-name", name)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("ResourceNotFoundException", r.stderr)


class ListFunctionsTest(ControlPlaneTestCase):
    COUNT = 55

    @classmethod
    def set_up_functions(cls):
        cls.names = sorted(f"list-{i:03d}" for i in range(cls.COUNT))
        zip_bytes = make_zip({"app.py": "def handler(e, c):\n    return e\n"})
        for name in cls.names:
            cls.lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="app.handler",
                                    Code={"ZipFile": zip_bytes})

    def test_pages_of_at_most_50(self):
        first = self.lam.list_functions()
        self.assertEqual(http_status(first), 200)
        self.assertEqual(len(first["Functions"]), 50)
        self.assertTrue(first.get("NextMarker"), "55 functions but no NextMarker after the first page")
        second = self.lam.list_functions(Marker=first["NextMarker"])
        self.assertEqual(len(second["Functions"]), 5)
        self.assertNotIn("NextMarker", second)
        seen = [f["FunctionName"] for f in first["Functions"] + second["Functions"]]
        self.assertEqual(sorted(seen), self.names, "pages overlap or miss functions")
        for f in first["Functions"]:
            self.assertEqual(f["FunctionArn"], function_arn(f["FunctionName"]))
            self.assertEqual(f["Runtime"], "python3.12")
            self.assertEqual(f["Version"], "$LATEST")

    def test_max_items(self):
        seen, marker, pages = [], None, 0
        while True:
            kwargs = {"MaxItems": 10}
            if marker:
                kwargs["Marker"] = marker
            page = self.lam.list_functions(**kwargs)
            pages += 1
            self.assertLessEqual(len(page["Functions"]), 10)
            seen += [f["FunctionName"] for f in page["Functions"]]
            marker = page.get("NextMarker")
            if not marker:
                break
            self.assertLess(pages, 20, "NextMarker never ends")
        self.assertEqual(pages, 6)
        self.assertEqual(sorted(seen), self.names)

    def test_max_items_above_50_still_pages_by_50(self):
        page = self.lam.list_functions(MaxItems=100)
        self.assertLessEqual(len(page["Functions"]), 50)
        self.assertIn("NextMarker", page)

    def test_paginator(self):
        names = [f["FunctionName"] for page in self.lam.get_paginator("list_functions").paginate()
                 for f in page["Functions"]]
        self.assertEqual(sorted(names), self.names)

    def test_aws_cli_lists_all(self):
        r = self.emu.aws("lambda", "list-functions")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(sorted(f["FunctionName"] for f in json.loads(r.stdout)["Functions"]), self.names)

    def test_account_usage_counts_functions(self):
        usage = self.lam.get_account_settings()["AccountUsage"]
        self.assertEqual(usage["FunctionCount"], self.COUNT)
        self.assertGreater(usage["TotalCodeSize"], 0)


class ValidationTest(ControlPlaneTestCase):
    """Requests AWS rejects. The client skips botocore's own parameter checks so that the
    emulator, not botocore, has to reject them (MemorySize 64 is below the model's minimum)."""

    @classmethod
    def set_up_functions(cls):
        cls.raw = cls.emu.lambda_client(parameter_validation=False)

    def create_raw(self, name, files=PY_FILES, zip_bytes=None, **kwargs):
        params = dict(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="app.echo",
                      Code={"ZipFile": zip_bytes if zip_bytes is not None else make_zip(files)})
        params.update(kwargs)
        return self.raw.create_function(**params)

    def assert_rejected(self, code, status, call, *args, **kwargs):
        with self.assertRaises(self.raw.exceptions.ClientError) as cm:
            call(*args, **kwargs)
        self.assertEqual(error_code(cm.exception), code, cm.exception.response)
        self.assertEqual(http_status(cm.exception), status, cm.exception.response)
        return cm.exception

    def assert_create_rejected(self, code, status, **kwargs):
        name = unique_name("invalid")
        err = self.assert_rejected(code, status, self.create_raw, name, **kwargs)
        self.assert_not_found(self.raw.get_function, FunctionName=name)
        return err

    def test_duplicate_name_is_a_conflict(self):
        name = unique_name("dup")
        self.create(name, PY_FILES)
        with self.assertRaises(self.lam.exceptions.ResourceConflictException) as cm:
            create = dict(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="app.echo",
                          Code={"ZipFile": make_zip({"app.py": tagged_app("second")})})
            self.lam.create_function(**create)
        self.assertEqual(http_status(cm.exception), 409)
        self.assertEqual(error_code(cm.exception), "ResourceConflictException")
        # The first function is untouched.
        self.assertEqual(self.lam.get_function(FunctionName=name)["Configuration"]["CodeSha256"],
                         code_sha256(make_zip(PY_FILES)))

    def test_timeout_above_900(self):
        err = self.assert_create_rejected("ValidationException", 400, Timeout=901)
        self.assertIn("901", err.response["Error"]["Message"])

    def test_timeout_900_is_fine(self):
        self.assertEqual(self.create_raw(unique_name("t900"), Timeout=900)["Timeout"], 900)

    def test_memory_below_128(self):
        self.assert_create_rejected("ValidationException", 400, MemorySize=64)

    def test_memory_above_10240(self):
        self.assert_create_rejected("ValidationException", 400, MemorySize=10241)

    def test_update_configuration_is_validated_too(self):
        name = unique_name("upd-invalid")
        self.create(name, PY_FILES)
        self.assert_rejected("ValidationException", 400, self.raw.update_function_configuration,
                             FunctionName=name, Timeout=901)
        self.assert_rejected("InvalidParameterValueException", 400, self.raw.update_function_configuration,
                             FunctionName=name, Environment={"Variables": {"AWS_REGION": "eu-west-1"}})
        self.assertEqual(self.lam.get_function_configuration(FunctionName=name)["Timeout"], 3)

    def test_reserved_environment_variable(self):
        err = self.assert_create_rejected("InvalidParameterValueException", 400,
                                          Environment={"Variables": {"AWS_REGION": "eu-west-1"}})
        self.assertIn("AWS_REGION", err.response["Error"]["Message"])

    def test_environment_over_4_kb(self):
        self.assert_create_rejected("InvalidParameterValueException", 400,
                                    Environment={"Variables": {"BIG": "x" * 4200}})

    def test_environment_under_4_kb_is_fine(self):
        r = self.create_raw(unique_name("env-ok"), Environment={"Variables": {"BIG": "x" * 3000}})
        self.assertEqual(len(r["Environment"]["Variables"]["BIG"]), 3000)

    def test_invalid_environment_variable_name(self):
        self.assert_create_rejected("ValidationException", 400, Environment={"Variables": {"1abc": "v"}})

    def test_unknown_runtime(self):
        self.assert_create_rejected("InvalidParameterValueException", 400, Runtime="java99")

    def test_garbage_zip(self):
        name = unique_name("garbage")
        with self.assertRaises(self.raw.exceptions.InvalidZipFileException) as cm:
            self.create_raw(name, zip_bytes=b"this is not a zip file at all" * 10)
        self.assertEqual(http_status(cm.exception), 502)
        self.assert_not_found(self.raw.get_function, FunctionName=name)

    def test_garbage_zip_on_update_keeps_the_old_code(self):
        name = unique_name("garbage-upd")
        self.create(name, {"app.py": tagged_app("intact")}, handler="app.tagged")
        with self.assertRaises(self.raw.exceptions.InvalidZipFileException):
            self.raw.update_function_code(FunctionName=name, ZipFile=b"PK\x03\x04 truncated")
        self.assertEqual(payload_json(self.lam.invoke(FunctionName=name, Payload=b"{}"))["tag"], "intact")

    # ---- entries that would write outside the function's folder --------------------------------
    def state_dir(self):
        return self.project.path(".lambda-local")

    def files_named(self, basename, root):
        found = []
        for dirpath, _, filenames in os.walk(root):
            if basename in filenames:
                found.append(os.path.join(dirpath, basename))
        return found

    def assert_nothing_escaped(self, basename, extra_paths=()):
        """No file `basename` outside the state folder: anywhere else in the project, in the
        folders above it, or at the given absolute paths."""
        state = os.path.realpath(self.state_dir())
        outside = [p for p in self.files_named(basename, self.project.dir)
                   if not os.path.realpath(p).startswith(state + os.sep)]
        d = self.project.dir
        for _ in range(4):  # the parent folders a few ../ would reach
            d = os.path.dirname(d)
            if os.path.exists(os.path.join(d, basename)):
                outside.append(os.path.join(d, basename))
        outside += [p for p in extra_paths if os.path.lexists(p)]
        for p in outside:
            try:
                os.remove(p)
            except OSError:
                pass
        self.assertEqual(outside, [], "a zip entry was written outside the state folder")

    def test_zip_slip_relative(self):
        token = uuid.uuid4().hex
        evil = f"evil-{token}.txt"
        deep = "../" * 12 + f"tmp/deep-{token}.txt"  # from any depth this reaches /tmp
        for entry in (f"../{evil}", f"../../{evil}", f"sub/../../{evil}", deep):
            with self.subTest(entry=entry):
                name = unique_name("slip")
                with self.assertRaises(self.raw.exceptions.InvalidZipFileException) as cm:
                    self.create_raw(name, files={"app.py": PY_APP, entry: "pwned"})
                self.assertEqual(error_code(cm.exception), "InvalidZipFileException")
                self.assert_not_found(self.raw.get_function, FunctionName=name)
        self.assert_nothing_escaped(evil)
        self.assert_nothing_escaped(f"deep-{token}.txt", [f"/tmp/deep-{token}.txt"])

    def test_zip_slip_absolute(self):
        token = uuid.uuid4().hex
        target = f"/tmp/abs-{token}.txt"
        name = unique_name("abs")
        with self.assertRaises(self.raw.exceptions.InvalidZipFileException):
            self.create_raw(name, files={"app.py": PY_APP, target: "pwned"})
        self.assert_not_found(self.raw.get_function, FunctionName=name)
        self.assert_nothing_escaped(os.path.basename(target), [target])

    def test_zip_slip_on_update(self):
        token = uuid.uuid4().hex
        name = unique_name("slip-upd")
        self.create(name, {"app.py": tagged_app("before")}, handler="app.tagged")
        with self.assertRaises(self.raw.exceptions.InvalidZipFileException):
            self.raw.update_function_code(FunctionName=name,
                                          ZipFile=make_zip({"app.py": PY_APP, f"../upd-{token}.txt": "x"}))
        self.assert_nothing_escaped(f"upd-{token}.txt")
        self.assertEqual(payload_json(self.lam.invoke(FunctionName=name, Payload=b"{}"))["tag"], "before")

    def test_symlink_pointing_outside(self):
        for target in ("/etc/passwd", "../../../../../../etc", "/tmp"):
            with self.subTest(target=target):
                name = unique_name("symlink")
                with self.assertRaises(self.raw.exceptions.InvalidZipFileException):
                    self.create_raw(name, files={"app.py": PY_APP, "link": ZipEntry(target, 0o120777)})
                self.assert_not_found(self.raw.get_function, FunctionName=name)

    def test_write_through_symlink(self):
        # A symlink to a folder outside, then a file entry beneath the link.
        outside = tempfile.mkdtemp(prefix="lambda-local-it-outside-")
        self.addCleanup(lambda: subprocess.run(["rm", "-rf", outside]))
        name = unique_name("symlink-write")
        with self.assertRaises(self.raw.exceptions.InvalidZipFileException):
            self.create_raw(name, files={"app.py": PY_APP, "out": ZipEntry(outside, 0o120777),
                                         "out/pwned.txt": "pwned"})
        self.assertEqual(os.listdir(outside), [], "a zip entry was written through a symlink")
        self.assert_not_found(self.raw.get_function, FunctionName=name)

    def test_symlink_inside_the_package_is_fine(self):
        # AWS accepts symlinks that stay inside the package (e.g. from `zip -y`).
        name = unique_name("symlink-ok")
        r = self.create_raw(name, files={"app.py": PY_APP, "handler.py": ZipEntry("app.py", 0o120777)},
                            Handler="handler.echo")
        self.assertEqual(http_status(r), 201)
        self.assertEqual(payload_json(self.lam.invoke(FunctionName=name, Payload=b'{"via": "link"}'))["event"],
                         {"via": "link"})

    def test_emulator_healthy_after_rejections(self):
        name = unique_name("after")
        self.create(name, PY_FILES)
        self.assertEqual(payload_json(self.lam.invoke(FunctionName=name, Payload=b'{"ok": 1}'))["event"],
                         {"ok": 1})


class ConcurrencyTest(ControlPlaneTestCase):
    def test_reserved_zero_throttles_every_sync_invoke(self):
        name = unique_name("zero")
        self.create(name, PY_FILES)
        put = self.lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
        self.assertEqual(http_status(put), 200)
        self.assertEqual(put["ReservedConcurrentExecutions"], 0)
        got = self.lam.get_function_concurrency(FunctionName=name)
        self.assertEqual(got["ReservedConcurrentExecutions"], 0)
        self.assertEqual(self.lam.get_function(FunctionName=name)["Concurrency"],
                         {"ReservedConcurrentExecutions": 0})
        for _ in range(3):
            with self.assertRaises(self.lam.exceptions.TooManyRequestsException) as cm:
                self.lam.invoke(FunctionName=name, Payload=b"{}")
            self.assertEqual(http_status(cm.exception), 429)
            self.assertEqual(cm.exception.response.get("Reason"), RESERVED_REASON)

        deleted = self.lam.delete_function_concurrency(FunctionName=name)
        self.assertEqual(http_status(deleted), 204)
        self.assertNotIn("ReservedConcurrentExecutions", self.lam.get_function_concurrency(FunctionName=name))
        self.assertNotIn("ReservedConcurrentExecutions",
                         self.lam.get_function(FunctionName=name).get("Concurrency", {}))
        r = self.lam.invoke(FunctionName=name, Payload=b'{"after": "delete"}')
        self.assertEqual(payload_json(r)["event"], {"after": "delete"})

    def test_reserved_one_throttles_the_second_concurrent_invoke(self):
        name = unique_name("one")
        self.create(name, PY_FILES, handler="app.sleep", Timeout=10)
        self.lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)
        # Warm it up, so neither invoke below pays a cold start while the other waits.
        payload_json(self.lam.invoke(FunctionName=name, Payload=b'{"seconds": 0}'))
        barrier = threading.Barrier(2)

        def one(_):
            barrier.wait()
            try:
                r = self.lam.invoke(FunctionName=name, Payload=b'{"seconds": 1.5}')
                r["Payload"].read()
                return 200
            except self.lam.exceptions.TooManyRequestsException as e:
                return (429, e.response.get("Reason"))
        with ThreadPoolExecutor(2) as pool:
            outcomes = sorted(pool.map(one, range(2)), key=str)
        self.assertEqual(outcomes, [(429, RESERVED_REASON), 200])

    def test_concurrency_of_unknown_function(self):
        name = unique_name("ghost")
        self.assert_not_found(self.lam.put_function_concurrency, FunctionName=name, ReservedConcurrentExecutions=1)
        self.assert_not_found(self.lam.get_function_concurrency, FunctionName=name)

    def test_account_settings(self):
        settings = self.lam.get_account_settings()
        self.assertEqual(http_status(settings), 200)
        limit, usage = settings["AccountLimit"], settings["AccountUsage"]
        for key in ("TotalCodeSize", "CodeSizeUnzipped", "CodeSizeZipped", "ConcurrentExecutions",
                    "UnreservedConcurrentExecutions"):
            self.assertIsInstance(limit.get(key), int, f"AccountLimit.{key}: {limit}")
        for key in ("TotalCodeSize", "FunctionCount"):
            self.assertIsInstance(usage.get(key), int, f"AccountUsage.{key}: {usage}")
        self.assertEqual(limit["ConcurrentExecutions"], 64)  # lambda-local's default --max-concurrency

    def test_reserving_lowers_unreserved_concurrency(self):
        name = unique_name("reserve")
        self.create(name, PY_FILES)
        before = self.lam.get_account_settings()
        self.lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=5)
        during = self.lam.get_account_settings()
        self.assertEqual(during["AccountLimit"]["UnreservedConcurrentExecutions"],
                         before["AccountLimit"]["UnreservedConcurrentExecutions"] - 5)
        self.assertEqual(during["AccountUsage"]["FunctionCount"], before["AccountUsage"]["FunctionCount"])
        self.lam.delete_function_concurrency(FunctionName=name)
        after = self.lam.get_account_settings()
        self.assertEqual(after["AccountLimit"]["UnreservedConcurrentExecutions"],
                         before["AccountLimit"]["UnreservedConcurrentExecutions"])

    def test_function_count_follows_create_and_delete(self):
        before = self.lam.get_account_settings()["AccountUsage"]
        name = unique_name("count")
        zip_bytes = make_zip(PY_FILES)
        self.create(name, PY_FILES)
        during = self.lam.get_account_settings()["AccountUsage"]
        self.assertEqual(during["FunctionCount"], before["FunctionCount"] + 1)
        self.assertEqual(during["TotalCodeSize"], before["TotalCodeSize"] + len(zip_bytes))
        self.lam.delete_function(FunctionName=name)
        self.assertEqual(self.lam.get_account_settings()["AccountUsage"]["FunctionCount"],
                         before["FunctionCount"])


class PermissionsAndTagsTest(ControlPlaneTestCase):
    def test_add_get_remove_permission(self):
        name = unique_name("policy")
        self.create(name, PY_FILES)
        self.assert_not_found(self.lam.get_policy, FunctionName=name)  # no policy yet

        added = self.lam.add_permission(FunctionName=name, StatementId="s3-invoke", Action="lambda:InvokeFunction",
                                        Principal="s3.amazonaws.com", SourceArn="arn:aws:s3:::my-bucket",
                                        SourceAccount=ACCOUNT)
        self.assertEqual(http_status(added), 201)
        self.assertIsInstance(added["Statement"], str)
        statement = json.loads(added["Statement"])
        self.assertEqual(statement["Sid"], "s3-invoke")
        self.assertEqual(statement["Effect"], "Allow")
        self.assertEqual(statement["Principal"], {"Service": "s3.amazonaws.com"})
        self.assertEqual(statement["Action"], "lambda:InvokeFunction")
        self.assertEqual(statement["Resource"], function_arn(name))
        self.assertEqual(statement["Condition"]["ArnLike"], {"AWS:SourceArn": "arn:aws:s3:::my-bucket"})
        self.assertEqual(statement["Condition"]["StringEquals"], {"AWS:SourceAccount": ACCOUNT})

        self.lam.add_permission(FunctionName=name, StatementId="sns-invoke", Action="lambda:InvokeFunction",
                                Principal="sns.amazonaws.com")
        got = self.lam.get_policy(FunctionName=name)
        self.assertEqual(http_status(got), 200)
        self.assertIsInstance(got["RevisionId"], str)
        policy = json.loads(got["Policy"])
        self.assertEqual(policy["Version"], "2012-10-17")
        self.assertEqual(sorted(s["Sid"] for s in policy["Statement"]), ["s3-invoke", "sns-invoke"])
        self.assertIn(statement, policy["Statement"])

        with self.assertRaises(self.lam.exceptions.ResourceConflictException) as cm:
            self.lam.add_permission(FunctionName=name, StatementId="s3-invoke", Action="lambda:InvokeFunction",
                                    Principal="s3.amazonaws.com")
        self.assertEqual(http_status(cm.exception), 409)

        removed = self.lam.remove_permission(FunctionName=name, StatementId="s3-invoke")
        self.assertEqual(http_status(removed), 204)
        policy = json.loads(self.lam.get_policy(FunctionName=name)["Policy"])
        self.assertEqual([s["Sid"] for s in policy["Statement"]], ["sns-invoke"])
        self.assert_not_found(self.lam.remove_permission, FunctionName=name, StatementId="s3-invoke")
        self.lam.remove_permission(FunctionName=name, StatementId="sns-invoke")
        self.assert_not_found(self.lam.get_policy, FunctionName=name)

    def test_permission_on_unknown_function(self):
        self.assert_not_found(self.lam.add_permission, FunctionName=unique_name("ghost"), StatementId="x",
                              Action="lambda:InvokeFunction", Principal="s3.amazonaws.com")

    def test_tags(self):
        name = unique_name("tags")
        self.create(name, PY_FILES, Tags={"team": "core", "env": "dev"})
        arn = function_arn(name)
        listed = self.lam.list_tags(Resource=arn)
        self.assertEqual(http_status(listed), 200)
        self.assertEqual(listed["Tags"], {"team": "core", "env": "dev"})
        self.assertEqual(self.lam.get_function(FunctionName=name)["Tags"], {"team": "core", "env": "dev"})

        tagged = self.lam.tag_resource(Resource=arn, Tags={"env": "prod", "cost": "42"})
        self.assertEqual(http_status(tagged), 204)
        self.assertEqual(self.lam.list_tags(Resource=arn)["Tags"], {"team": "core", "env": "prod", "cost": "42"})

        untagged = self.lam.untag_resource(Resource=arn, TagKeys=["team", "cost"])
        self.assertEqual(http_status(untagged), 204)
        self.assertEqual(self.lam.list_tags(Resource=arn)["Tags"], {"env": "prod"})
        self.lam.untag_resource(Resource=arn, TagKeys=["env"])
        self.assertEqual(self.lam.list_tags(Resource=arn)["Tags"], {})

    def test_tags_of_unknown_function(self):
        arn = function_arn(unique_name("ghost"))
        self.assert_not_found(self.lam.list_tags, Resource=arn)
        self.assert_not_found(self.lam.tag_resource, Resource=arn, Tags={"a": "b"})

    def test_deleted_function_takes_its_tags_and_policy(self):
        name = unique_name("gone")
        self.create(name, PY_FILES, Tags={"a": "1"})
        self.lam.add_permission(FunctionName=name, StatementId="s", Action="lambda:InvokeFunction",
                                Principal="s3.amazonaws.com")
        self.lam.delete_function(FunctionName=name)
        self.create(name, PY_FILES)
        self.assertEqual(self.lam.list_tags(Resource=function_arn(name))["Tags"], {})
        self.assert_not_found(self.lam.get_policy, FunctionName=name)


class WireShapeTest(ControlPlaneTestCase):
    """The raw HTTP of control-plane answers, as curl sees them: status, x-amzn-ErrorType, body
    member casing (ResourceNotFoundException has `Message`, the 400/409 ones `message`)."""

    def create_body(self, name, **extra):
        body = {"FunctionName": name, "Runtime": "python3.12", "Role": ROLE, "Handler": "app.echo",
                "Code": {"ZipFile": base64.b64encode(make_zip(PY_FILES)).decode()}}
        body.update(extra)
        return json.dumps(body)

    def assert_error(self, status, headers, body, code, expected_status, message_key):
        self.assertEqual(status, expected_status, body)
        self.assertEqual(headers["x-amzn-ErrorType"], code)
        self.assertTrue(headers.get("x-amzn-RequestId"), "no x-amzn-RequestId header")
        data = json.loads(body)
        self.assertEqual(data.get("Type"), "User", data)
        self.assertIsInstance(data.get(message_key), str, data)
        return data

    def test_create_get_delete_over_plain_http(self):
        name = unique_name("wire")
        status, headers, body = self.emu.request("POST", "/2015-03-31/functions", self.create_body(name),
                                                 {"Content-Type": "application/json"})
        self.assertEqual(status, 201, body)
        self.assertTrue(headers["Content-Type"].startswith("application/json"))
        self.assertEqual(json.loads(body)["FunctionName"], name)
        status, _, body = self.emu.request("GET", f"/2015-03-31/functions/{name}/configuration")
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body)["FunctionArn"], function_arn(name))
        encoded_arn = urllib.parse.quote(function_arn(name), safe="")
        status, _, body = self.emu.request("GET", f"/2015-03-31/functions/{encoded_arn}")
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body)["Configuration"]["FunctionName"], name)
        status, _, body = self.emu.request("DELETE", f"/2015-03-31/functions/{name}")
        self.assertIn(status, (200, 204), body)

    def test_not_found_shape(self):
        name = unique_name("wire-missing")
        status, headers, body = self.emu.request("GET", f"/2015-03-31/functions/{name}")
        data = self.assert_error(status, headers, body, "ResourceNotFoundException", 404, "Message")
        self.assertIn(function_arn(name), data["Message"])

    def test_conflict_shape(self):
        name = unique_name("wire-dup")
        self.create(name, PY_FILES)
        status, headers, body = self.emu.request("POST", "/2015-03-31/functions", self.create_body(name),
                                                 {"Content-Type": "application/json"})
        self.assert_error(status, headers, body, "ResourceConflictException", 409, "message")

    def test_invalid_parameter_shape(self):
        status, headers, body = self.emu.request(
            "POST", "/2015-03-31/functions", self.create_body(unique_name("wire-rt"), Runtime="java99"),
            {"Content-Type": "application/json"})
        self.assert_error(status, headers, body, "InvalidParameterValueException", 400, "message")

    def test_body_that_is_not_json(self):
        status, headers, body = self.emu.request("POST", "/2015-03-31/functions", b"{not json",
                                                 {"Content-Type": "application/json"})
        self.assertEqual(status, 400, body)
        self.assertIn(headers["x-amzn-ErrorType"], ("InvalidRequestContentException", "SerializationException"))

    def test_missing_required_member(self):
        body = json.loads(self.create_body(unique_name("wire-norole")))
        del body["Role"]
        status, headers, raw = self.emu.request("POST", "/2015-03-31/functions", json.dumps(body),
                                                {"Content-Type": "application/json"})
        self.assertEqual(status, 400, raw)
        self.assertEqual(headers["x-amzn-ErrorType"], "ValidationException")
