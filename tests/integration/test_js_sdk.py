"""The AWS SDK for JavaScript v3 (@aws-sdk/client-lambda) against lambda-local: an ES-module
Node script (js/sdk_roundtrip.mjs) creates a function from a zip, waits with
waitUntilFunctionActiveV2, invokes it, deletes it and checks the next invoke fails.

The SDK is installed once into tests/.cache/jssdk by tests/install_test_deps.sh (pinned
version); the test skips only when npm/node are missing."""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

from .harness import (REPO_ROOT, ROLE, ControlPlaneTestCase, code_sha256, fake_credentials_env, function_arn,
                      make_zip, unique_name)

TESTS_DIR = os.path.join(REPO_ROOT, "tests")
INSTALL_SCRIPT = os.path.join(TESTS_DIR, "install_test_deps.sh")
JSSDK_DIR = os.environ.get("LAMBDA_LOCAL_JSSDK_DIR", os.path.join(TESTS_DIR, ".cache", "jssdk"))
SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "js", "sdk_roundtrip.mjs")

_installed = []


def install_jssdk():
    """Installs @aws-sdk/client-lambda (idempotent). Skips only when npm/node are missing."""
    if _installed:
        return
    if shutil.which("npm") is None or shutil.which("node") is None:
        raise unittest.SkipTest("npm/node are not on PATH: cannot install @aws-sdk/client-lambda")
    env = dict(os.environ, LAMBDA_LOCAL_JSSDK_DIR=JSSDK_DIR)
    r = subprocess.run(["bash", INSTALL_SCRIPT, "jssdk"], cwd=TESTS_DIR, env=env, capture_output=True,
                       text=True, timeout=600)
    if r.returncode != 0:
        raise AssertionError(f"installing @aws-sdk/client-lambda failed (exit {r.returncode}):\n"
                             f"{r.stdout[-4000:]}\n{r.stderr[-4000:]}")
    _installed.append(True)


# An ES-module handler (.mjs), as `npm init` users write them for nodejs20.x.
HANDLER = r'''
import { writeFileSync, renameSync } from 'node:fs';

export const handler = async (event, context) => {
  if (event.path) {
    writeFileSync(event.path + '.tmp', JSON.stringify(event));
    renameSync(event.path + '.tmp', event.path);
  }
  return { event, greeting: process.env.GREETING, functionName: context.functionName,
           invokedFunctionArn: context.invokedFunctionArn };
};
'''


class JsSdkTest(ControlPlaneTestCase):
    @classmethod
    def setUpClass(cls):
        install_jssdk()  # before the emulator starts, so a skip leaves nothing running
        super().setUpClass()

    def run_script(self, name, zip_path, event_file):
        # Run from a folder below JSSDK_DIR so `import '@aws-sdk/client-lambda'` resolves.
        run_dir = tempfile.mkdtemp(prefix="run-", dir=JSSDK_DIR)
        self.addCleanup(shutil.rmtree, run_dir, True)
        script = os.path.join(run_dir, "sdk_roundtrip.mjs")
        shutil.copyfile(SCRIPT, script)
        env = fake_credentials_env(LL_ENDPOINT=self.emu.url, LL_FUNCTION=name, LL_ROLE=ROLE, LL_ZIP=zip_path,
                                   LL_EVENT_FILE=event_file)
        r = subprocess.run(["node", script], cwd=run_dir, env=env, capture_output=True, text=True, timeout=180)
        self.assertEqual(r.returncode, 0, f"node script failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}\n"
                                          + self.emu.describe_output(30))
        return json.loads(r.stdout.strip().splitlines()[-1])

    def test_create_wait_invoke_delete(self):
        name = unique_name("jssdk")
        zip_bytes = make_zip({"index.mjs": HANDLER})
        zip_path = self.project.path("jssdk-function.zip")
        with open(zip_path, "wb") as f:
            f.write(zip_bytes)
        event_file = self.project.path("jssdk-event.json")

        out = self.run_script(name, zip_path, event_file)

        self.assertEqual(out["create"], {
            "status": 201, "FunctionName": name, "FunctionArn": function_arn(name), "Runtime": "nodejs20.x",
            "CodeSha256": code_sha256(zip_bytes), "CodeSize": len(zip_bytes), "State": out["create"]["State"]})
        self.assertIn(out["create"]["State"], ("Pending", "Active"))
        self.assertEqual(out["wait"], {"state": "SUCCESS"})
        self.assertEqual(out["get"]["State"], "Active")
        self.assertTrue(out["get"]["Location"].startswith(self.emu.url) or
                        out["get"]["Location"].startswith(f"http://localhost:{self.emu.port}"), out["get"])
        self.assertEqual(out["invoke"], {
            "StatusCode": 200, "ExecutedVersion": "$LATEST", "FunctionError": None,
            "payload": {"event": {"from": "js sdk"}, "greeting": "hello from the js sdk", "functionName": name,
                        "invokedFunctionArn": function_arn(name)}})
        self.assertEqual(out["event"], {"StatusCode": 202, "delivered": True})
        with open(event_file) as f:
            self.assertEqual(json.load(f), {"from": "js sdk, async", "path": event_file})
        self.assertIn(out["delete"]["status"], (200, 204))
        self.assertEqual(out["afterDelete"]["error"], "ResourceNotFoundException", out["afterDelete"])
        self.assertEqual(out["afterDelete"]["status"], 404)
        self.assert_not_found(self.lam.get_function, FunctionName=name)
