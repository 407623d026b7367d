"""Versions and aliases: PublishVersion freezes code and configuration, ListVersionsByFunction,
alias CRUD, invoking by version / alias / qualified ARN / `name:alias` with the right
ExecutedVersion, and weighted alias routing."""
import json
import urllib.request

from .harness import (PY_APP, ROLE, ControlPlaneTestCase, code_sha256, function_arn, http_status, make_zip,
                      unique_name)

# app.tagged answers with a tag baked into the code, the COLOR variable and what the runtime
# says about the version that runs.
TAGGED = PY_APP + r'''

CODE_TAG = "@TAG@"


def tagged(event, context):
    return {"tag": CODE_TAG, "color": os.environ.get("COLOR"),
            "version": context.function_version,
            "envVersion": os.environ["AWS_LAMBDA_FUNCTION_VERSION"],
            "invokedArn": context.invoked_function_arn,
            "memory": context.memory_limit_in_mb}
'''


def code(tag: str) -> dict:
    return {"app.py": TAGGED.replace("@TAG@", tag)}


class VersionsTest(ControlPlaneTestCase):
    """One function with versions 1 ("one", COLOR red, 128 MB), 2 ("two", COLOR green, 256 MB)
    and $LATEST ("three", COLOR blue, 512 MB)."""

    @classmethod
    def set_up_functions(cls):
        cls.name = unique_name("versions")
        lam = cls.lam
        lam.create_function(FunctionName=cls.name, Runtime="python3.12", Role=ROLE, Handler="app.tagged",
                            Code={"ZipFile": make_zip(code("one"))}, Environment={"Variables": {"COLOR": "red"}})
        cls.v1 = lam.publish_version(FunctionName=cls.name, Description="first")
        lam.update_function_code(FunctionName=cls.name, ZipFile=make_zip(code("two")))
        lam.update_function_configuration(FunctionName=cls.name, MemorySize=256,
                                          Environment={"Variables": {"COLOR": "green"}})
        cls.v2 = lam.publish_version(FunctionName=cls.name)
        lam.update_function_code(FunctionName=cls.name, ZipFile=make_zip(code("three")))
        lam.update_function_configuration(FunctionName=cls.name, MemorySize=512,
                                          Environment={"Variables": {"COLOR": "blue"}})

    def run_qualified(self, **kwargs):
        kwargs.setdefault("FunctionName", self.name)
        r = self.lam.invoke(Payload=b"{}", **kwargs)
        body = r["Payload"].read()
        self.assertEqual(r["StatusCode"], 200)
        self.assertNotIn("FunctionError", r, body)
        return r["ExecutedVersion"], json.loads(body)

    def test_publish_version_response(self):
        self.assertEqual(http_status(self.v1), 201)
        self.assertEqual(self.v1["Version"], "1")
        self.assertEqual(self.v1["FunctionArn"], function_arn(self.name, "1"))
        self.assertEqual(self.v1["CodeSha256"], code_sha256(make_zip(code("one"))))
        self.assertEqual(self.v1["Description"], "first")
        self.assertEqual(self.v1["Environment"]["Variables"], {"COLOR": "red"})
        self.assertEqual(self.v2["Version"], "2")
        self.assertEqual(self.v2["FunctionArn"], function_arn(self.name, "2"))
        self.assertEqual(self.v2["MemorySize"], 256)

    def test_versions_run_frozen_code_and_configuration(self):
        expected = {"1": ("one", "red", "128"), "2": ("two", "green", "256"), "$LATEST": ("three", "blue", "512")}
        for qualifier, (tag, color, memory) in expected.items():
            with self.subTest(qualifier=qualifier):
                executed, body = self.run_qualified(Qualifier=qualifier)
                self.assertEqual(executed, qualifier)
                self.assertEqual((body["tag"], body["color"], str(body["memory"])), (tag, color, memory))
                self.assertEqual(body["version"], qualifier)
                self.assertEqual(body["envVersion"], qualifier)
                self.assertEqual(body["invokedArn"], function_arn(self.name, qualifier))
        executed, body = self.run_qualified()
        self.assertEqual((executed, body["tag"]), ("$LATEST", "three"))
        self.assertEqual(body["invokedArn"], function_arn(self.name))

    def test_invoke_version_by_qualified_name_and_arn(self):
        for function_name in (f"{self.name}:1", function_arn(self.name, "1")):
            with self.subTest(function_name=function_name):
                executed, body = self.run_qualified(FunctionName=function_name)
                self.assertEqual((executed, body["tag"]), ("1", "one"))

    def test_get_function_configuration_of_a_version(self):
        cfg = self.lam.get_function_configuration(FunctionName=self.name, Qualifier="1")
        self.assertEqual(cfg["Version"], "1")
        self.assertEqual(cfg["FunctionArn"], function_arn(self.name, "1"))
        self.assertEqual(cfg["Environment"]["Variables"], {"COLOR": "red"})
        self.assertEqual(cfg["MemorySize"], 128)
        latest = self.lam.get_function_configuration(FunctionName=self.name)
        self.assertEqual(latest["Version"], "$LATEST")
        self.assertEqual(latest["Environment"]["Variables"], {"COLOR": "blue"})
        by_name = self.lam.get_function_configuration(FunctionName=f"{self.name}:2")
        self.assertEqual(by_name["Version"], "2")

    def test_version_code_location_serves_the_versions_zip(self):
        for qualifier, tag in (("1", "one"), ("2", "two"), (None, "three")):
            with self.subTest(qualifier=qualifier):
                kwargs = {"Qualifier": qualifier} if qualifier else {}
                got = self.lam.get_function(FunctionName=self.name, **kwargs)
                with urllib.request.urlopen(got["Code"]["Location"], timeout=30) as resp:
                    self.assertEqual(resp.read(), make_zip(code(tag)))

    def test_list_versions_by_function(self):
        listed = self.lam.list_versions_by_function(FunctionName=self.name)
        self.assertEqual(http_status(listed), 200)
        versions = listed["Versions"]
        self.assertEqual([v["Version"] for v in versions], ["$LATEST", "1", "2"])
        self.assertEqual(versions[1]["FunctionArn"], function_arn(self.name, "1"))
        self.assertEqual(versions[1]["CodeSha256"], self.v1["CodeSha256"])
        self.assertEqual(versions[2]["MemorySize"], 256)
        self.assertNotIn("NextMarker", listed)

    def test_unknown_version_is_not_found(self):
        self.assert_not_found(self.lam.invoke, FunctionName=self.name, Qualifier="99", Payload=b"{}")
        self.assert_not_found(self.lam.get_function_configuration, FunctionName=self.name, Qualifier="99")

    def test_updating_latest_does_not_touch_versions(self):
        name = unique_name("frozen")
        self.create(name, code("before"), handler="app.tagged", Environment={"Variables": {"COLOR": "x"}})
        published = self.lam.publish_version(FunctionName=name)
        self.lam.update_function_code(FunctionName=name, ZipFile=make_zip(code("after")))
        self.lam.update_function_configuration(FunctionName=name, Environment={"Variables": {"COLOR": "y"}})
        self.wait_updated(name)
        _, latest = self.run_qualified(FunctionName=name)
        _, frozen = self.run_qualified(FunctionName=name, Qualifier=published["Version"])
        self.assertEqual((latest["tag"], latest["color"]), ("after", "y"))
        self.assertEqual((frozen["tag"], frozen["color"]), ("before", "x"))

    def test_publishing_unchanged_latest_returns_the_last_version(self):
        name = unique_name("unchanged")
        self.create(name, code("same"), handler="app.tagged")
        first = self.lam.publish_version(FunctionName=name)
        again = self.lam.publish_version(FunctionName=name)
        self.assertEqual(first["Version"], "1")
        self.assertEqual(again["Version"], "1")
        self.assertEqual([v["Version"] for v in self.lam.list_versions_by_function(FunctionName=name)["Versions"]],
                         ["$LATEST", "1"])

    def test_publish_on_create(self):
        name = unique_name("publish-on-create")
        created = self.create(name, code("p"), handler="app.tagged", Publish=True)
        self.assertEqual(created["Version"], "1")
        executed, body = self.run_qualified(FunctionName=name, Qualifier="1")
        self.assertEqual((executed, body["tag"]), ("1", "p"))

    def test_publish_on_update_code(self):
        name = unique_name("publish-on-update")
        self.create(name, code("a"), handler="app.tagged")
        updated = self.lam.update_function_code(FunctionName=name, ZipFile=make_zip(code("b")), Publish=True)
        self.assertEqual(updated["Version"], "1")
        executed, body = self.run_qualified(FunctionName=name, Qualifier="1")
        self.assertEqual((executed, body["tag"]), ("1", "b"))

    def test_delete_one_version(self):
        name = unique_name("delete-version")
        self.create(name, code("a"), handler="app.tagged")
        self.lam.publish_version(FunctionName=name)
        self.lam.update_function_code(FunctionName=name, ZipFile=make_zip(code("b")))
        self.lam.publish_version(FunctionName=name)
        deleted = self.lam.delete_function(FunctionName=name, Qualifier="1")
        self.assertIn(http_status(deleted), (200, 204))
        self.assert_not_found(self.lam.invoke, FunctionName=name, Qualifier="1", Payload=b"{}")
        self.assertEqual(self.run_qualified(FunctionName=name, Qualifier="2")[1]["tag"], "b")
        self.assertEqual([v["Version"] for v in self.lam.list_versions_by_function(FunctionName=name)["Versions"]],
                         ["$LATEST", "2"])
        # Version numbers are never reused.
        self.lam.update_function_code(FunctionName=name, ZipFile=make_zip(code("c")))
        self.assertEqual(self.lam.publish_version(FunctionName=name)["Version"], "3")


class AliasesTest(ControlPlaneTestCase):
    @classmethod
    def set_up_functions(cls):
        cls.name = unique_name("aliases")
        lam = cls.lam
        lam.create_function(FunctionName=cls.name, Runtime="python3.12", Role=ROLE, Handler="app.tagged",
                            Code={"ZipFile": make_zip(code("one"))})
        lam.publish_version(FunctionName=cls.name)
        lam.update_function_code(FunctionName=cls.name, ZipFile=make_zip(code("two")))
        lam.publish_version(FunctionName=cls.name)
        lam.update_function_code(FunctionName=cls.name, ZipFile=make_zip(code("three")))

    def run_qualified(self, **kwargs):
        kwargs.setdefault("FunctionName", self.name)
        r = self.lam.invoke(Payload=b"{}", **kwargs)
        body = r["Payload"].read()
        self.assertEqual(r["StatusCode"], 200)
        self.assertNotIn("FunctionError", r, body)
        return r["ExecutedVersion"], json.loads(body)

    def test_alias_crud(self):
        alias = unique_name("crud")
        created = self.lam.create_alias(FunctionName=self.name, Name=alias, FunctionVersion="1",
                                        Description="first alias")
        self.assertEqual(http_status(created), 201)
        self.assertEqual(created["AliasArn"], function_arn(self.name, alias))
        self.assertEqual(created["Name"], alias)
        self.assertEqual(created["FunctionVersion"], "1")
        self.assertEqual(created["Description"], "first alias")
        self.assertIsInstance(created["RevisionId"], str)

        got = self.lam.get_alias(FunctionName=self.name, Name=alias)
        self.assertEqual(http_status(got), 200)
        self.assertEqual({k: got[k] for k in ("AliasArn", "Name", "FunctionVersion", "Description", "RevisionId")},
                         {k: created[k] for k in ("AliasArn", "Name", "FunctionVersion", "Description",
                                                  "RevisionId")})

        updated = self.lam.update_alias(FunctionName=self.name, Name=alias, FunctionVersion="2")
        self.assertEqual(http_status(updated), 200)
        self.assertEqual(updated["FunctionVersion"], "2")
        self.assertEqual(updated["Description"], "first alias", "UpdateAlias is partial")
        self.assertNotEqual(updated["RevisionId"], created["RevisionId"])
        executed, body = self.run_qualified(Qualifier=alias)
        self.assertEqual((executed, body["tag"]), ("2", "two"))

        names = [a["Name"] for a in self.lam.list_aliases(FunctionName=self.name)["Aliases"]]
        self.assertIn(alias, names)

        deleted = self.lam.delete_alias(FunctionName=self.name, Name=alias)
        self.assertEqual(http_status(deleted), 204)
        self.assert_not_found(self.lam.get_alias, FunctionName=self.name, Name=alias)
        self.assert_not_found(self.lam.invoke, FunctionName=self.name, Qualifier=alias, Payload=b"{}")
        self.assertNotIn(alias, [a["Name"] for a in self.lam.list_aliases(FunctionName=self.name)["Aliases"]])

    def test_list_aliases(self):
        name = unique_name("list-aliases")
        self.create(name, code("x"), handler="app.tagged")
        self.lam.publish_version(FunctionName=name)
        for alias, version in (("blue", "1"), ("green", "$LATEST")):
            self.lam.create_alias(FunctionName=name, Name=alias, FunctionVersion=version)
        listed = self.lam.list_aliases(FunctionName=name)
        self.assertEqual(http_status(listed), 200)
        self.assertEqual(sorted((a["Name"], a["FunctionVersion"], a["AliasArn"]) for a in listed["Aliases"]),
                         [("blue", "1", function_arn(name, "blue")), ("green", "$LATEST", function_arn(name, "green"))])
        only_1 = self.lam.list_aliases(FunctionName=name, FunctionVersion="1")["Aliases"]
        self.assertEqual([a["Name"] for a in only_1], ["blue"])

    def test_invoke_alias_every_way(self):
        alias = unique_name("prod")
        self.lam.create_alias(FunctionName=self.name, Name=alias, FunctionVersion="1")
        ways = {
            "Qualifier": {"FunctionName": self.name, "Qualifier": alias},
            "name:alias": {"FunctionName": f"{self.name}:{alias}"},
            "qualified ARN": {"FunctionName": function_arn(self.name, alias)},
        }
        for way, kwargs in ways.items():
            with self.subTest(way=way):
                executed, body = self.run_qualified(**kwargs)
                self.assertEqual(executed, "1")
                self.assertEqual(body["tag"], "one")
                self.assertEqual(body["version"], "1")
                self.assertEqual(body["invokedArn"], function_arn(self.name, alias))

    def test_alias_to_latest(self):
        alias = unique_name("live")
        self.lam.create_alias(FunctionName=self.name, Name=alias, FunctionVersion="$LATEST")
        executed, body = self.run_qualified(Qualifier=alias)
        self.assertEqual((executed, body["tag"]), ("$LATEST", "three"))

    def test_configuration_through_an_alias(self):
        alias = unique_name("cfg")
        self.lam.create_alias(FunctionName=self.name, Name=alias, FunctionVersion="2")
        cfg = self.lam.get_function_configuration(FunctionName=self.name, Qualifier=alias)
        self.assertEqual(cfg["Version"], "2")
        got = self.lam.get_function(FunctionName=f"{self.name}:{alias}")
        self.assertEqual(got["Configuration"]["Version"], "2")
        with urllib.request.urlopen(got["Code"]["Location"], timeout=30) as resp:
            self.assertEqual(resp.read(), make_zip(code("two")))

    def test_duplicate_alias_is_a_conflict(self):
        alias = unique_name("dup")
        self.lam.create_alias(FunctionName=self.name, Name=alias, FunctionVersion="1")
        with self.assertRaises(self.lam.exceptions.ResourceConflictException) as cm:
            self.lam.create_alias(FunctionName=self.name, Name=alias, FunctionVersion="2")
        self.assertEqual(http_status(cm.exception), 409)
        self.assertEqual(self.lam.get_alias(FunctionName=self.name, Name=alias)["FunctionVersion"], "1")

    def test_alias_to_unknown_version(self):
        alias = unique_name("nowhere")
        self.assert_not_found(self.lam.create_alias, FunctionName=self.name, Name=alias, FunctionVersion="99")
        self.assert_not_found(self.lam.get_alias, FunctionName=self.name, Name=alias)

    def test_weighted_routing_runs_both_versions(self):
        alias = unique_name("canary")
        created = self.lam.create_alias(FunctionName=self.name, Name=alias, FunctionVersion="1",
                                        RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}})
        self.assertEqual(created["RoutingConfig"], {"AdditionalVersionWeights": {"2": 0.5}})
        self.assertEqual(self.lam.get_alias(FunctionName=self.name, Name=alias)["RoutingConfig"],
                         {"AdditionalVersionWeights": {"2": 0.5}})
        seen = {}
        for _ in range(60):
            executed, body = self.run_qualified(Qualifier=alias)
            self.assertEqual(body["version"], executed, "ExecutedVersion is not the version that ran")
            self.assertEqual(body["tag"], {"1": "one", "2": "two"}.get(executed), executed)
            seen[executed] = seen.get(executed, 0) + 1
        self.assertEqual(set(seen), {"1", "2"}, f"60 invokes of a 50/50 alias ran only {seen}")

        # Routing removed: back to version 1 only.
        self.lam.update_alias(FunctionName=self.name, Name=alias, RoutingConfig={"AdditionalVersionWeights": {}})
        self.assertEqual({self.run_qualified(Qualifier=alias)[0] for _ in range(10)}, {"1"})

    def test_delete_function_removes_versions_and_aliases(self):
        name = unique_name("delete-all")
        self.create(name, code("x"), handler="app.tagged")
        self.lam.publish_version(FunctionName=name)
        self.lam.create_alias(FunctionName=name, Name="prod", FunctionVersion="1")
        self.lam.delete_function(FunctionName=name)
        self.assert_not_found(self.lam.invoke, FunctionName=name, Qualifier="1", Payload=b"{}")
        self.assert_not_found(self.lam.invoke, FunctionName=name, Qualifier="prod", Payload=b"{}")
        self.assert_not_found(self.lam.list_versions_by_function, FunctionName=name)
        self.assert_not_found(self.lam.list_aliases, FunctionName=name)
