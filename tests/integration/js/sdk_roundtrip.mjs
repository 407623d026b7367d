// Drives lambda-local with the AWS SDK for JavaScript v3 (@aws-sdk/client-lambda), the way a
// Node.js user would: CreateFunction with a zip, the FunctionActiveV2 waiter, GetFunction,
// Invoke (RequestResponse and Event), DeleteFunction, then an Invoke that must fail.
// Input from the environment: LL_ENDPOINT, LL_FUNCTION, LL_ROLE, LL_ZIP (path of the zip) and
// LL_EVENT_FILE (where the function writes the event of the Event invoke).
// Output: one JSON object on stdout with what each call returned; test_js_sdk.py asserts on it.
// Run from a folder whose node_modules (or a parent's) holds @aws-sdk/client-lambda.
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  InvokeCommand,
  LambdaClient,
  waitUntilFunctionActiveV2,
} from '@aws-sdk/client-lambda';

const { LL_ENDPOINT, LL_FUNCTION: FunctionName, LL_ROLE, LL_ZIP, LL_EVENT_FILE } = process.env;
const client = new LambdaClient({
  endpoint: LL_ENDPOINT,
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  maxAttempts: 1,
});
const encode = (value) => new TextEncoder().encode(JSON.stringify(value));
const decode = (bytes) => {
  if (!bytes || !bytes.length) return null;
  const text = new TextDecoder().decode(bytes);
  try { return JSON.parse(text); } catch { return { unparsable: text }; }
};
const out = {};

const created = await client.send(new CreateFunctionCommand({
  FunctionName,
  Runtime: 'nodejs20.x',
  Role: LL_ROLE,
  Handler: 'index.handler',
  Code: { ZipFile: readFileSync(LL_ZIP) },
  Environment: { Variables: { GREETING: 'hello from the js sdk' } },
}));
out.create = {
  status: created.$metadata.httpStatusCode,
  FunctionName: created.FunctionName,
  FunctionArn: created.FunctionArn,
  Runtime: created.Runtime,
  CodeSha256: created.CodeSha256,
  CodeSize: created.CodeSize,
  State: created.State,
};

const waited = await waitUntilFunctionActiveV2(
  { client, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { FunctionName });
out.wait = { state: waited.state };

const got = await client.send(new GetFunctionCommand({ FunctionName }));
out.get = { State: got.Configuration.State, Location: got.Code.Location };

const invoked = await client.send(new InvokeCommand({ FunctionName, Payload: encode({ from: 'js sdk' }) }));
out.invoke = {
  StatusCode: invoked.StatusCode,
  ExecutedVersion: invoked.ExecutedVersion,
  FunctionError: invoked.FunctionError ?? null,
  payload: decode(invoked.Payload),
};

const queued = await client.send(new InvokeCommand({
  FunctionName, InvocationType: 'Event', Payload: encode({ from: 'js sdk, async', path: LL_EVENT_FILE }) }));
out.event = { StatusCode: queued.StatusCode, delivered: false };
for (let i = 0; i < 200 && !out.event.delivered; i++) {  // up to ~20 s
  out.event.delivered = existsSync(LL_EVENT_FILE);
  if (!out.event.delivered) await sleep(100);
}

const deleted = await client.send(new DeleteFunctionCommand({ FunctionName }));
out.delete = { status: deleted.$metadata.httpStatusCode };

try {
  await client.send(new InvokeCommand({ FunctionName, Payload: encode({}) }));
  out.afterDelete = { error: null };
} catch (err) {
  out.afterDelete = { error: err.name, status: err.$metadata?.httpStatusCode ?? null, message: err.message };
}

console.log(JSON.stringify(out));
