"""Hot reload of template functions: after a handler file under a CodeUri folder changes on
disk, the next invoke runs the new code (allowing a moment for the file-system event);
with `lambda-local start --no-watch` the old code keeps answering."""
import os
import time
import unittest

from .harness import BASH_BOOTSTRAP, Emulator, Project, payload_json

RELOAD_TIMEOUT = 2.5  # seconds allowed for the inotify event to land and the environment to go

TEMPLATE = """
Resources:
  PyHot:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: app.handler, CodeUri: py/}
  PyNested:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: app.handler, CodeUri: nested/}
  NodeHot:
    Type: AWS::Serverless::Function
    Properties: {Runtime: nodejs20.x, Handler: index.handler, CodeUri: node/}
  BashHot:
    Type: AWS::Serverless::Function
    Properties: {Runtime: provided.al2023, Handler: unused, CodeUri: bash/}
"""


def py_handler(tag):
    return f"import os\n\ndef handler(event, context):\n    return {{'tag': {tag!r}, 'pid': os.getpid()}}\n"


def nested_app():
    return "import os\nfrom lib import helper\n\ndef handler(event, context):\n" \
           "    return {'tag': helper.TAG, 'pid': os.getpid()}\n"


def node_handler(tag):
    return f"exports.handler = async () => ({{ tag: {tag!r}, pid: process.pid }});\n"


def bash_bootstrap(tag):
    """harness's bash runtime, with a tag in every answer."""
    marker = r'{\"kind\":\"bash\"'
    assert marker in BASH_BOOTSTRAP
    return BASH_BOOTSTRAP.replace(marker, r'{\"tag\":\"' + tag + r'\",\"kind\":\"bash\"')


FILES = {
    "py/app.py": py_handler("one"),
    "nested/app.py": nested_app(),
    "nested/lib/__init__.py": "",
    "nested/lib/helper.py": "TAG = 'one'\n",
    "node/index.js": node_handler("one"),
    "bash/bootstrap": bash_bootstrap("one"),
}


class ReloadCases:
    """The changes every test class makes; check_reload says what must follow."""

    ARGS = ()

    def setUp(self):
        self.project = Project(TEMPLATE, FILES)
        self.addCleanup(self.project.cleanup)
        self.emu = Emulator(self.project, self.ARGS).start()
        self.addCleanup(self.emu.kill)
        self.addCleanup(self.emu.stop_and_check, self)
        self.lam = self.emu.lambda_client()

    def call(self, name):
        r = self.lam.invoke(FunctionName=name, Payload=b"{}")
        body = payload_json(r)
        self.assertNotIn("FunctionError", r, body)
        return body

    def tags_after_change(self, name, duration=RELOAD_TIMEOUT, stop_at=None):
        """Invokes `name` repeatedly for up to `duration` seconds (until it answers `stop_at`);
        returns every tag seen, in order."""
        seen = []
        deadline = time.monotonic() + duration
        while True:
            seen.append(self.call(name)["tag"])
            if seen[-1] == stop_at or time.monotonic() >= deadline:
                return seen
            time.sleep(0.1)

    def rewrite_in_place(self, rel, content):
        with open(self.project.path(rel), "w") as f:
            f.write(content)

    def replace_by_rename(self, rel, content):
        """How many editors save: write a temporary file, then rename it over the original."""
        path = self.project.path(rel)
        tmp = path + ".tmp~"
        with open(tmp, "w") as f:
            f.write(content)
        os.chmod(tmp, os.stat(path).st_mode)
        os.rename(tmp, path)

    def check_reload(self, name, change):
        first = self.call(name)
        self.assertEqual(first["tag"], "one")
        change()
        seen = self.tags_after_change(name, stop_at="two, rewritten")
        self.assertEqual(seen[-1], "two, rewritten",
                         f"{name} still ran the old code {RELOAD_TIMEOUT}s after its file changed: {seen}\n"
                         + self.emu.describe_output(20))
        # And it stays on the new code.
        self.assertEqual(self.call(name)["tag"], "two, rewritten")

    def test_python_handler_rewritten_in_place(self):
        self.check_reload("PyHot", lambda: self.rewrite_in_place("py/app.py", py_handler("two, rewritten")))

    def test_python_module_in_a_subfolder(self):
        self.check_reload("PyNested",
                          lambda: self.rewrite_in_place("nested/lib/helper.py", "TAG = 'two, rewritten'\n"))

    def test_node_handler_replaced_by_rename(self):
        self.check_reload("NodeHot", lambda: self.replace_by_rename("node/index.js", node_handler("two, rewritten")))

    def test_provided_bootstrap_replaced(self):
        self.check_reload("BashHot",
                          lambda: self.replace_by_rename("bash/bootstrap", bash_bootstrap("two, rewritten")))


class HotReloadTest(ReloadCases, unittest.TestCase):
    def test_new_file_is_picked_up(self):
        self.assertEqual(self.call("PyHot")["tag"], "one")
        self.project.write("py/extra.py", "TAG = 'two, rewritten'\n")
        self.rewrite_in_place("py/app.py", "import os\nimport extra\n\ndef handler(event, context):\n"
                                           "    return {'tag': extra.TAG, 'pid': os.getpid()}\n")
        seen = self.tags_after_change("PyHot", stop_at="two, rewritten")
        self.assertEqual(seen[-1], "two, rewritten", seen)

    def test_other_functions_keep_their_warm_environment(self):
        before = self.call("NodeHot")["pid"]
        self.call("PyHot")
        self.rewrite_in_place("py/app.py", py_handler("two, rewritten"))
        self.assertEqual(self.tags_after_change("PyHot", stop_at="two, rewritten")[-1], "two, rewritten")
        self.assertEqual(self.call("NodeHot")["pid"], before, "a change in py/ restarted NodeHot")


class NoWatchTest(ReloadCases, unittest.TestCase):
    """The same changes with --no-watch: the warm environment keeps running the old code."""

    ARGS = ("--no-watch",)

    def check_reload(self, name, change):
        first = self.call(name)
        self.assertEqual(first["tag"], "one")
        change()
        seen = self.tags_after_change(name)
        self.assertEqual(set(seen), {"one"}, f"{name} picked up a change despite --no-watch: {seen}")
        self.assertEqual(self.call(name)["pid"], first["pid"])
