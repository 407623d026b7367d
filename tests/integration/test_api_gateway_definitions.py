"""API Gateway APIs declared without SAM events: plain CloudFormation (AWS::ApiGateway::RestApi /
Resource / Method / Stage / Deployment, AWS::ApiGatewayV2::Api / Integration / Route / Stage, and
an HTTP API's "quick create" Target) and OpenAPI definitions (SAM's DefinitionBody inline and
through Fn::Transform AWS::Include, DefinitionUri as a local JSON file), all served by the real
binary on its API port and on the main port by API id.

Expected values come from AWS's documentation, not from lambda-local's implementation:
* CloudFormation reference: AWS::ApiGateway::Resource (ParentId `!GetAtt Api.RootResourceId` or
  another resource, PathPart `{id}` / `{proxy+}`), AWS::ApiGateway::Method (Integration Type
  AWS_PROXY, IntegrationHttpMethod POST, Uri
  `arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function ARN>/invocations`),
  AWS::ApiGateway::Stage (StageName, Variables), AWS::ApiGatewayV2::Route (RouteKey
  "GET /orders/{id}", Target "integrations/<IntegrationId>"), AWS::ApiGatewayV2::Integration
  (IntegrationUri a function ARN, PayloadFormatVersion), AWS::ApiGatewayV2::Api (Target: quick
  create makes a `$default` route and stage with payload 2.0).
* API Gateway Developer Guide: the x-amazon-apigateway-integration and
  x-amazon-apigateway-any-method OpenAPI extensions; the Lambda proxy event of REST APIs
  (resource, pathParameters, stageVariables, requestContext.stage / resourcePath / apiId) and of
  HTTP APIs (version "2.0", routeKey, rawPath, and payload 1.0 with httpMethod / resource).
* SAM: DefinitionBody / DefinitionUri of AWS::Serverless::Api / HttpApi; a function's Api event with
  RestApiId on an API with a DefinitionBody adds its path to the definition.

lambda-local's own choices (not AWS's) that the tests pin: non-proxy integrations (mock, HTTP
proxy) answer 501 with {"message": "lambda-local serves only Lambda proxy integrations
(aws_proxy); <method> <path> has <integration>"}, and what is not served is listed at start as
`note:` lines.

No sleeps and no timing assertions: every request is synchronous."""
import json
import unittest

from .harness import Project, free_port, run_cli
from .test_api_gateway import ApiGatewayTestCase, request

APP = r'''
import json, os


def echo(event, context):
    return {"statusCode": 200,
            "headers": {"Content-Type": "application/json", "X-Function": context.function_name},
            "body": json.dumps(event)}


def environment(event, context):
    return {k: v for k, v in os.environ.items() if k.startswith("API_")}
'''

LAMBDA_URI = "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Echo.Arn}/invocations"

REPORTS_JSON = json.dumps({
    "openapi": "3.0.1",
    "info": {"title": "reports", "version": "1"},
    "paths": {
        "/reports/{year}": {
            "get": {
                "x-amazon-apigateway-integration": {
                    "type": "aws_proxy",
                    # a definition file is not processed by CloudFormation: ${Echo.Arn} is read as !Sub would
                    "uri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${Echo.Arn}/invocations",
                    "payloadFormatVersion": "2.0",
                }
            }
        }
    },
})

INCLUDED_YAML = '''
openapi: "3.0.1"
info: {title: included, version: "1"}
paths:
  /included:
    get:
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        uri:
          Fn::Sub: %s
''' % LAMBDA_URI

TEMPLATE = '''
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    CodeUri: py/
    Timeout: 30
Resources:
  Ids:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.environment
      Environment:
        Variables:
          API_REST: !Ref ShopRest
          API_HTTP: !Ref ShopHttp
          API_QUICK: !Ref Quick
          API_CATALOG: !Ref Catalog
          API_REPORTS: !Ref Reports
          API_INCLUDED: !Ref Included
  Echo:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.echo
  Extra:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.echo
      Events:
        Extra:
          Type: Api
          Properties: {RestApiId: !Ref Catalog, Path: /catalog-extra, Method: get}

  # ---- a REST API in plain CloudFormation; methods before the resources they name
  GetItem:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref ShopRest
      ResourceId: !Ref ItemResource
      HttpMethod: GET
      AuthorizationType: NONE
      Integration:
        Type: AWS_PROXY
        IntegrationHttpMethod: POST
        Uri: !Sub %(uri)s
  RootMethod:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref ShopRest
      ResourceId: !GetAtt ShopRest.RootResourceId
      HttpMethod: GET
      AuthorizationType: NONE
      Integration: {Type: AWS_PROXY, IntegrationHttpMethod: POST, Uri: !Sub "%(uri)s"}
  AnyFile:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref ShopRest
      ResourceId: !Ref FilesResource
      HttpMethod: ANY
      AuthorizationType: NONE
      Integration: {Type: AWS_PROXY, IntegrationHttpMethod: POST, Uri: !Sub "%(uri)s"}
  ItemOptions:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref ShopRest
      ResourceId: !Ref ItemResource
      HttpMethod: OPTIONS
      AuthorizationType: NONE
      Integration:
        Type: MOCK
        RequestTemplates: {application/json: '{"statusCode": 200}'}
        IntegrationResponses:
          - StatusCode: "200"
            ResponseParameters: {method.response.header.Access-Control-Allow-Origin: "'*'"}
  ShopRest:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: shop-rest}
  ItemsResource:
    Type: AWS::ApiGateway::Resource
    Properties: {RestApiId: !Ref ShopRest, ParentId: !GetAtt ShopRest.RootResourceId, PathPart: items}
  ItemResource:
    Type: AWS::ApiGateway::Resource
    Properties: {RestApiId: !Ref ShopRest, ParentId: !Ref ItemsResource, PathPart: "{id}"}
  FilesResource:
    Type: AWS::ApiGateway::Resource
    Properties: {RestApiId: !Ref ShopRest, ParentId: !GetAtt ShopRest.RootResourceId, PathPart: "{proxy+}"}
  RestDeployment:
    Type: AWS::ApiGateway::Deployment
    DependsOn: [GetItem, RootMethod, AnyFile, ItemOptions]
    Properties: {RestApiId: !Ref ShopRest}
  RestStage:
    Type: AWS::ApiGateway::Stage
    Properties:
      RestApiId: !Ref ShopRest
      DeploymentId: !Ref RestDeployment
      StageName: dev
      Variables: {color: red}

  # ---- an HTTP API in plain CloudFormation
  ShopHttp:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: shop-http, ProtocolType: HTTP}
  OrdersIntegration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref ShopHttp
      IntegrationType: AWS_PROXY
      IntegrationUri: !GetAtt Echo.Arn
      PayloadFormatVersion: "2.0"
  LegacyIntegration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref ShopHttp
      IntegrationType: AWS_PROXY
      IntegrationMethod: POST
      IntegrationUri: !Sub %(uri)s
      PayloadFormatVersion: "1.0"
  ExternalIntegration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref ShopHttp
      IntegrationType: HTTP_PROXY
      IntegrationMethod: ANY
      IntegrationUri: https://example.com/{proxy}
      PayloadFormatVersion: "1.0"
  GetOrder:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref ShopHttp
      RouteKey: GET /orders/{id}
      Target: !Join ["/", ["integrations", !Ref OrdersIntegration]]
  PostLegacy:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref ShopHttp
      RouteKey: POST /legacy
      Target: !Sub integrations/${LegacyIntegration}
  External:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref ShopHttp
      RouteKey: ANY /ext/{proxy+}
      Target: !Sub integrations/${ExternalIntegration}
  HttpStage:
    Type: AWS::ApiGatewayV2::Stage
    Properties:
      ApiId: !Ref ShopHttp
      StageName: $default
      AutoDeploy: true
      StageVariables: {tier: gold}

  # ---- OpenAPI definitions
  Catalog:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      DefinitionBody:
        openapi: "3.0.1"
        info: {title: catalog, version: "1"}
        paths:
          /catalog/{id}:
            get:
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: !Sub %(uri)s
          /catalog-mock:
            get:
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: {application/json: '{"statusCode": 200}'}
          /catalog-extra:
            get:
              summary: integrated by the function Extra's Api event
  Reports:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefinitionUri: openapi/reports.json
  Included:
    Type: AWS::Serverless::Api
    Properties:
      StageName: inc
      DefinitionBody:
        Fn::Transform:
          Name: AWS::Include
          Parameters: {Location: openapi/included.yaml}

  # ---- not served, listed at start
  Sockets:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: sockets, ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.action}
  SocketConnect:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Sockets, RouteKey: $connect}
  InS3:
    Type: AWS::ApiGateway::RestApi
    Properties:
      BodyS3Location: {Bucket: my-bucket, Key: api.yaml}

  # ---- quick create, last: its $default route takes what no other API's route does
  Quick:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: quick, ProtocolType: HTTP, Target: !GetAtt Echo.Arn}
''' % {"uri": LAMBDA_URI}

FILES = {"py/app.py": APP, "openapi/reports.json": REPORTS_JSON, "openapi/included.yaml": INCLUDED_YAML}


def not_served(what: str) -> dict:
    return {"message": "lambda-local serves only Lambda proxy integrations (aws_proxy); " + what}


class DefinitionsTest(ApiGatewayTestCase):
    TEMPLATE = TEMPLATE
    FILES = FILES
    ROUTE_COUNT = 10

    # ---- REST API in plain CloudFormation -------------------------------------------------------
    def test_rest_method_on_a_nested_resource(self):
        event = self.echoed(self.via_api_port("GET", "/items/42?q=1"), "Echo")
        self.assertEqual(event["resource"], "/items/{id}")
        self.assertEqual(event["path"], "/items/42")
        self.assertEqual(event["httpMethod"], "GET")
        self.assertEqual(event["pathParameters"], {"id": "42"})
        self.assertEqual(event["queryStringParameters"], {"q": "1"})
        self.assertEqual(event["stageVariables"], {"color": "red"})
        self.assertEqual(event["requestContext"]["stage"], "dev")
        self.assertEqual(event["requestContext"]["resourcePath"], "/items/{id}")
        self.assertEqual(event["requestContext"]["apiId"], self.ids["API_REST"])

    def test_rest_api_by_id_on_the_main_port(self):
        event = self.echoed(self.via_restapis(self.ids["API_REST"], "dev", "GET", "/items/7"), "Echo")
        self.assertEqual(event["pathParameters"], {"id": "7"})
        event = self.echoed(self.via_host(self.ids["API_REST"], "GET", "/dev/"), "Echo")
        self.assertEqual(event["resource"], "/")  # the root resource's method
        # another stage is not this API's
        reply = self.via_restapis(self.ids["API_REST"], "prod", "GET", "/items/7")
        self.assertNotEqual(reply.status, 200, reply)

    def test_rest_greedy_resource_takes_any_method(self):
        event = self.echoed(self.via_restapis(self.ids["API_REST"], "dev", "DELETE", "/docs/a/b.txt"), "Echo")
        self.assertEqual(event["resource"], "/{proxy+}")
        self.assertEqual(event["httpMethod"], "DELETE")
        self.assertEqual(event["pathParameters"], {"proxy": "docs/a/b.txt"})

    def test_rest_mock_method_answers_501(self):
        reply = self.via_api_port("OPTIONS", "/items/42")
        self.assertEqual(reply.status, 501, reply)
        self.assertEqual(reply.json(), not_served(
            "OPTIONS /items/{id} has a mock integration with VTL mapping templates"))

    # ---- HTTP API in plain CloudFormation -------------------------------------------------------
    def test_http_route_payload_2(self):
        # by Host: on the API port, ShopRest's ANY /{proxy+} comes first (its API is declared first)
        event = self.echoed(self.via_host(self.ids["API_HTTP"], "GET", "/orders/9?x=1"), "Echo")
        self.assertEqual(event["version"], "2.0")
        self.assertEqual(event["routeKey"], "GET /orders/{id}")
        self.assertEqual(event["rawPath"], "/orders/9")
        self.assertEqual(event["rawQueryString"], "x=1")
        self.assertEqual(event["pathParameters"], {"id": "9"})
        self.assertEqual(event["stageVariables"], {"tier": "gold"})
        self.assertEqual(event["requestContext"]["stage"], "$default")
        self.assertEqual(event["requestContext"]["apiId"], self.ids["API_HTTP"])
        event = self.echoed(self.via_restapis(self.ids["API_HTTP"], "$default", "GET", "/orders/10"), "Echo")
        self.assertEqual(event["pathParameters"], {"id": "10"})

    def test_http_route_payload_1(self):
        event = self.echoed(self.via_host(self.ids["API_HTTP"], "POST", "/legacy", body=b"hello",
                                          headers={"Content-Type": "text/plain"}), "Echo")
        self.assertNotIn("rawPath", event)
        self.assertEqual(event["httpMethod"], "POST")
        self.assertEqual(event["resource"], "/legacy")
        self.assertEqual(event["body"], "hello")
        self.assertEqual(event["requestContext"]["apiId"], self.ids["API_HTTP"])

    def test_http_proxy_integration_answers_501(self):
        reply = self.via_host(self.ids["API_HTTP"], "GET", "/ext/anything")
        self.assertEqual(reply.status, 501, reply)
        self.assertEqual(reply.json(), not_served("ANY /ext/{proxy+} has an HTTP proxy integration"))

    def test_quick_create_default_route(self):
        event = self.echoed(self.via_host(self.ids["API_QUICK"], "PUT", "/any/path"), "Echo")
        self.assertEqual(event["version"], "2.0")
        self.assertEqual(event["routeKey"], "$default")
        self.assertEqual(event["rawPath"], "/any/path")
        self.assertEqual(event["requestContext"]["apiId"], self.ids["API_QUICK"])

    # ---- OpenAPI definitions --------------------------------------------------------------------
    def test_definition_body_route(self):
        event = self.echoed(self.via_restapis(self.ids["API_CATALOG"], "v1", "GET", "/catalog/5"), "Echo")
        self.assertEqual(event["resource"], "/catalog/{id}")
        self.assertEqual(event["pathParameters"], {"id": "5"})
        self.assertEqual(event["requestContext"]["stage"], "v1")

    def test_function_event_on_a_definition_api(self):
        event = self.echoed(self.via_restapis(self.ids["API_CATALOG"], "v1", "GET", "/catalog-extra"), "Extra")
        self.assertEqual(event["resource"], "/catalog-extra")

    def test_definition_mock_answers_501(self):
        reply = self.via_restapis(self.ids["API_CATALOG"], "v1", "GET", "/catalog-mock")
        self.assertEqual(reply.status, 501, reply)
        self.assertEqual(reply.json(), not_served("GET /catalog-mock has a mock integration with VTL mapping templates"))

    def test_definition_uri_json_file(self):
        event = self.echoed(self.via_host(self.ids["API_REPORTS"], "GET", "/reports/2024"), "Echo")
        self.assertEqual(event["version"], "2.0")
        self.assertEqual(event["routeKey"], "GET /reports/{year}")
        self.assertEqual(event["pathParameters"], {"year": "2024"})

    def test_aws_include_of_a_local_file(self):
        event = self.echoed(self.via_restapis(self.ids["API_INCLUDED"], "inc", "GET", "/included"), "Echo")
        self.assertEqual(event["resource"], "/included")

    # ---- what is not served is said at start -----------------------------------------------------
    def test_start_lists_what_is_not_served(self):
        out = self.emu.output()
        for line in ("note: API Sockets (AWS::ApiGatewayV2::Api): a WebSocket API: not served",
                     "note: API ShopRest: OPTIONS /items/{id} has a mock integration with VTL mapping templates "
                     "(Method ItemOptions): not served (lambda-local answers 501)",
                     "note: API ShopHttp: ANY /ext/{proxy+} has an HTTP proxy integration (Route External): not served",
                     "note: API Catalog: GET /catalog-mock has a mock integration",
                     "note: API InS3: BodyS3Location s3://my-bucket/api.yaml"):
            self.assertIn(line, out)
        self.assertNotIn("ignored resources", out)  # every API Gateway type here is read
        listed = [line for line in out.splitlines() if "not served (501)" in line]
        self.assertEqual(len(listed), 3, out)


class BadDefinitionsTest(unittest.TestCase):
    """A template API Gateway would refuse stops `start` with one line naming the resource."""

    def start_error(self, resources: str, files: dict | None = None) -> str:
        template = '''
Resources:
  Echo:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: app.echo, CodeUri: py/}
''' + resources
        project = Project(template, {"py/app.py": APP, **(files or {})})
        self.addCleanup(project.cleanup)
        result = run_cli(["start", "--port", str(free_port()), "--api-port", str(free_port())], cwd=project.dir,
                         timeout=20)
        self.assertEqual(result.returncode, 1, result)
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        self.assertEqual(len(lines), 1, result.stderr)
        return lines[0]

    def test_method_on_an_unknown_resource(self):
        line = self.start_error('''
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: a}
  Broken:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: nothere
      HttpMethod: GET
      Integration: {Type: MOCK}
''')
        self.assertIn("Method Broken: 'nothere' is neither the root resource of API Api", line)

    def test_lambda_integration_without_payload_format(self):
        line = self.start_error('''
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: a, ProtocolType: HTTP}
  NoFormat:
    Type: AWS::ApiGatewayV2::Integration
    Properties: {ApiId: !Ref Api, IntegrationType: AWS_PROXY, IntegrationUri: !GetAtt Echo.Arn}
''')
        self.assertIn("Integration NoFormat: PayloadFormatVersion is required", line)

    def test_definition_file_that_is_not_json(self):
        line = self.start_error('''
  Api:
    Type: AWS::Serverless::HttpApi
    Properties: {DefinitionUri: api.json}
''', {"api.json": '{"openapi": "3.0.1", "paths": {'})
        self.assertIn("API Api: DefinitionUri: api.json is not valid JSON", line)


if __name__ == "__main__":
    unittest.main()
