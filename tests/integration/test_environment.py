"""What a function sees: environment variables (AWS's reserved ones and the template's), the
template's intrinsic functions, Globals, and --region / --account-id."""
import os

from .harness import BASH_BOOTSTRAP, NODE_CJS, PY_APP, EmulatorTestCase, wait_until

REGION = "eu-west-2"
ACCOUNT = "123456789012"

TEMPLATE = """
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage:
    Type: String
    Default: dev
  Greeting:
    Type: String
    Default: Hello
Globals:
  Function:
    Runtime: python3.12
    Timeout: 7
    MemorySize: 512
    Environment:
      Variables:
        GLOBAL_ONLY: from-globals
        OVERRIDDEN: from-globals
Resources:
  EnvPy:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: !Sub "${Stage}-env-py"
      Handler: app.info
      CodeUri: py/
      MemorySize: 256
      Environment:
        Variables:
          OVERRIDDEN: from-function
          GREETING: !Ref Greeting
          SUBBED: !Sub "${AWS::Region}/${AWS::AccountId}/${Stage}"
          SUB_WITH_VARS: !Sub ["${Who} says ${Greeting}", {Who: tester}]
          JOINED: !Join ["-", [a, !Ref Stage, c]]
          OTHER_ARN: !GetAtt EnvNode.Arn
          OTHER_NAME: !Ref EnvNode
          TZ: Europe/Paris
          AWS_REGION: user-region
          AWS_DEFAULT_REGION: user-region
          AWS_LAMBDA_FUNCTION_NAME: user-name
          AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "1"
          AWS_LAMBDA_FUNCTION_VERSION: "42"
          AWS_LAMBDA_LOG_GROUP_NAME: user-group
          AWS_EXECUTION_ENV: user-exec-env
          LAMBDA_TASK_ROOT: /nowhere
          AWS_LAMBDA_RUNTIME_API: "127.0.0.1:1"
  EnvNode:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: !Sub "${Stage}-env-node"
      Runtime: nodejs20.x
      Handler: index.handler
      CodeUri: node/
      Environment:
        Variables:
          GREETING: !Ref Greeting
          AWS_LAMBDA_FUNCTION_NAME: user-name
          _HANDLER: nothing.here
  EnvProvided:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: provided.al2
      Handler: my.handler
      CodeUri: provided/
      Environment:
        Variables:
          ENV_DUMP: ENV_DUMP_PLACEHOLDER
          AWS_REGION: user-region
"""

PROVIDED_BOOTSTRAP = """#!/bin/sh
{ env; echo "PWD_IS=$(pwd)"; } > "$ENV_DUMP"
exec "$LAMBDA_TASK_ROOT/runtime.sh"
"""


class EnvironmentTest(EmulatorTestCase):
    ARGS = ("--region", REGION, "--account-id", ACCOUNT)
    FILES = {"py/app.py": PY_APP, "node/index.js": NODE_CJS,
             "provided/bootstrap": PROVIDED_BOOTSTRAP, "provided/runtime.sh": BASH_BOOTSTRAP}

    @classmethod
    def setUpClass(cls):
        import tempfile
        cls.env_dump = os.path.join(tempfile.gettempdir(), f"lambda-local-it-env-{os.getpid()}.txt")
        cls.TEMPLATE = TEMPLATE.replace("ENV_DUMP_PLACEHOLDER", cls.env_dump)
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            if os.path.exists(cls.env_dump):
                os.remove(cls.env_dump)

    def arn(self, name):
        return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"

    def test_function_name_from_sub_and_arns_from_region_and_account(self):
        names = sorted(f["FunctionName"] for f in self.lam.list_functions()["Functions"])
        self.assertEqual(names, ["EnvProvided", "dev-env-node", "dev-env-py"])
        cfg = self.lam.get_function_configuration(FunctionName="dev-env-py")
        self.assertEqual(cfg["FunctionArn"], self.arn("dev-env-py"))
        self.assertEqual(cfg["MemorySize"], 256)
        self.assertEqual(cfg["Timeout"], 7)
        self.assertEqual(cfg["Runtime"], "python3.12")
        with self.assertRaises(self.lam.exceptions.ResourceNotFoundException):
            self.lam.invoke(FunctionName="EnvPy", Payload=b"{}")  # the logical id is not the name

    def test_python_reserved_variables(self):
        body = self.invoke_json("dev-env-py", {})
        env, ctx = body["env"], body["context"]
        task_root = self.project.path("py")
        expected = {
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_LAMBDA_FUNCTION_NAME": "dev-env-py",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/dev-env-py",
            "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
            "_HANDLER": "app.info",
            "LAMBDA_TASK_ROOT": task_root,
        }
        for key, value in expected.items():
            with self.subTest(variable=key):
                self.assertEqual(env.get(key), value)
        self.assertRegex(env.get("AWS_LAMBDA_RUNTIME_API", ""), r"^127\.0\.0\.1:\d+$")
        self.assertNotEqual(env["AWS_LAMBDA_RUNTIME_API"], "127.0.0.1:1")
        self.assertRegex(env.get("AWS_LAMBDA_LOG_STREAM_NAME", ""), r"^\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}$")
        self.assertIn("LAMBDA_RUNTIME_DIR", env)
        self.assertTrue(env.get("AWS_ACCESS_KEY_ID"))
        self.assertTrue(env.get("AWS_SECRET_ACCESS_KEY"))
        self.assertRegex(env.get("_X_AMZN_TRACE_ID", ""), r"^Root=1-[0-9a-f]{8}-[0-9a-f]{24}")
        self.assertEqual(os.path.realpath(body["cwd"]), task_root)
        # the context agrees with the environment
        self.assertEqual(ctx["function_name"], "dev-env-py")
        self.assertEqual(ctx["memory_limit_in_mb"], "256")
        self.assertEqual(ctx["function_version"], "$LATEST")
        self.assertEqual(ctx["log_group_name"], "/aws/lambda/dev-env-py")
        self.assertEqual(ctx["log_stream_name"], env["AWS_LAMBDA_LOG_STREAM_NAME"])
        self.assertEqual(ctx["invoked_function_arn"], self.arn("dev-env-py"))
        self.assertGreater(ctx["remaining_ms"], 5000)
        self.assertLessEqual(ctx["remaining_ms"], 7000)

    def test_user_variables_globals_and_intrinsics(self):
        env = self.invoke_json("dev-env-py", {})["env"]
        expected = {
            "GLOBAL_ONLY": "from-globals",
            "OVERRIDDEN": "from-function",
            "GREETING": "Hello",
            "SUBBED": f"{REGION}/{ACCOUNT}/dev",
            "SUB_WITH_VARS": "tester says Hello",
            "JOINED": "a-dev-c",
            "OTHER_ARN": self.arn("dev-env-node"),
            "OTHER_NAME": "dev-env-node",
            "TZ": "Europe/Paris",  # not reserved: the function may set it
            "LANG": "en_US.UTF-8",
        }
        for key, value in expected.items():
            with self.subTest(variable=key):
                self.assertEqual(env.get(key), value)

    def test_node_environment(self):
        body = self.invoke_json("dev-env-node", {})
        env = body["env"]
        self.assertEqual(env["AWS_LAMBDA_FUNCTION_NAME"], "dev-env-node")
        self.assertEqual(env["_HANDLER"], "index.handler")
        self.assertEqual(env["AWS_EXECUTION_ENV"], "AWS_Lambda_nodejs20.x")
        self.assertEqual(env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"], "512")  # from Globals
        self.assertEqual(env["AWS_REGION"], REGION)
        self.assertEqual(env["GREETING"], "Hello")
        self.assertEqual(env["GLOBAL_ONLY"], "from-globals")
        self.assertEqual(env["OVERRIDDEN"], "from-globals")
        self.assertEqual(os.path.realpath(body["cwd"]), self.project.path("node"))
        self.assertEqual(body["functionName"], "dev-env-node")
        self.assertEqual(body["memoryLimitInMB"], "512")
        self.assertEqual(body["functionVersion"], "$LATEST")
        self.assertEqual(body["logGroupName"], "/aws/lambda/dev-env-node")
        self.assertEqual(body["logStreamName"], env["AWS_LAMBDA_LOG_STREAM_NAME"])
        self.assertEqual(body["invokedFunctionArn"], self.arn("dev-env-node"))
        self.assertGreater(body["remainingMs"], 5000)
        self.assertLessEqual(body["remainingMs"], 7000)

    def test_provided_environment(self):
        body = self.invoke_json("EnvProvided", {"x": 1})
        self.assertEqual(body["event"], {"x": 1})
        self.assertTrue(wait_until(lambda: os.path.exists(self.env_dump), 5))
        with open(self.env_dump) as f:
            lines = f.read().splitlines()
        env = dict(line.split("=", 1) for line in lines if "=" in line)
        self.assertEqual(env["_HANDLER"], "my.handler")
        self.assertEqual(env["AWS_REGION"], REGION)
        self.assertEqual(env["AWS_LAMBDA_FUNCTION_NAME"], "EnvProvided")
        self.assertEqual(env["LAMBDA_TASK_ROOT"], self.project.path("provided"))
        self.assertEqual(os.path.realpath(env["PWD_IS"]), self.project.path("provided"))
        self.assertNotIn("AWS_EXECUTION_ENV", env)  # AWS sets none for OS-only runtimes
        self.assertRegex(env["AWS_LAMBDA_RUNTIME_API"], r"^127\.0\.0\.1:\d+$")
