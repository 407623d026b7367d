// Tests for bootstrap.mjs: a fake Runtime API (node:http) hands out invocations
// to a spawned bootstrap and records what it posts back.
// Run from the repo root: node --test emulator/runtimes/nodejs/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BOOTSTRAP = path.join(path.dirname(fileURLToPath(import.meta.url)), 'bootstrap.mjs');
const ISO = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z';

// Writes files into a fresh temp folder: { 'index.js': '...', 'package.json': '...' }.
function codeDir(files) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lambda-local-node-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

// Fake Runtime API. invoke() queues an event and resolves with the post that answers it.
async function startApi({ connectionClose = false } = {}) {
  const closeHeader = connectionClose ? { Connection: 'close' } : {};
  const queue = [];        // invocations waiting for a GET /next
  const parked = [];       // GET /next responses waiting for an invocation
  const waiting = new Map(); // request id -> resolve
  const api = { posts: [], connections: 0, initError: null };
  let onInitError;
  api.initErrorPosted = new Promise((r) => { onInitError = r; });

  const pump = () => {
    while (queue.length && parked.length) {
      const inv = queue.shift();
      const res = parked.shift();
      res.writeHead(200, { 'Content-Type': 'application/json', ...inv.headers, ...closeHeader });
      res.end(inv.body);
    }
  };
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      if (req.method === 'GET' && req.url === '/2018-06-01/runtime/invocation/next') {
        parked.push(res);
        pump();
        return;
      }
      const rec = { url: req.url, headers: req.headers, body, json: body ? JSON.parse(body) : undefined };
      api.posts.push(rec);
      res.writeHead(202, { 'Content-Type': 'application/json', ...closeHeader });
      res.end('{"status":"OK"}');
      const m = req.url.match(/^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/);
      if (m) {
        rec.kind = m[2];
        waiting.get(decodeURIComponent(m[1]))?.(rec);
      } else if (req.url === '/2018-06-01/runtime/init/error') {
        api.initError = rec;
        onInitError(rec);
      }
    });
  });
  server.on('connection', () => { api.connections++; });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  api.address = `127.0.0.1:${server.address().port}`;

  let seq = 0;
  api.invoke = (event, extraHeaders = {}) => {
    const id = `req-${++seq}-${Math.random().toString(16).slice(2, 8)}`;
    const headers = {
      'Lambda-Runtime-Aws-Request-Id': id,
      'Lambda-Runtime-Deadline-Ms': String(Date.now() + 3000),
      'Lambda-Runtime-Invoked-Function-Arn': 'arn:aws:lambda:us-east-1:000000000000:function:fn',
      'Lambda-Runtime-Trace-Id': `Root=1-00000000-${id};Sampled=0`,
      ...extraHeaders,
    };
    const answered = new Promise((resolve) => waiting.set(id, resolve));
    queue.push({ body: JSON.stringify(event), headers });
    pump();
    return answered.then((rec) => ({ ...rec, id }));
  };
  api.close = () => {
    for (const res of parked) res.destroy();
    server.closeAllConnections?.();
    return new Promise((r) => server.close(r));
  };
  return api;
}

// Spawns the bootstrap like the emulator does; collects output and the exit code.
function startRuntime(api, dir, handler, extraEnv = {}) {
  const child = spawn(process.execPath, [BOOTSTRAP], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      _HANDLER: handler,
      AWS_LAMBDA_RUNTIME_API: api.address,
      LAMBDA_TASK_ROOT: dir,
      AWS_LAMBDA_FUNCTION_NAME: 'fn',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/fn',
      AWS_LAMBDA_LOG_STREAM_NAME: '2024/01/01/[$LATEST]abc',
      AWS_REGION: 'us-east-1',
      ...extraEnv,
    },
  });
  const rt = { child, stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (c) => { rt.stdout += c; });
  child.stderr.setEncoding('utf8').on('data', (c) => { rt.stderr += c; });
  rt.exited = new Promise((r) => child.on('exit', (code) => r(code)));
  rt.stop = () => { if (child.exitCode === null) child.kill('SIGKILL'); return rt.exited; };
  return rt;
}

// Runs fn(api, rt) against a fresh API + runtime, always cleaning up.
async function withRuntime(files, handler, fn, extraEnv, apiOptions) {
  const dir = codeDir(files);
  const api = await startApi(apiOptions);
  const rt = startRuntime(api, dir, handler, extraEnv);
  try {
    await fn(api, rt, dir);
  } finally {
    await rt.stop();
    await api.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const CONTEXT_DUMP = `({
  awsRequestId: context.awsRequestId, functionName: context.functionName,
  functionVersion: context.functionVersion, invokedFunctionArn: context.invokedFunctionArn,
  memoryLimitInMB: context.memoryLimitInMB, logGroupName: context.logGroupName,
  logStreamName: context.logStreamName, identity: context.identity, clientContext: context.clientContext,
  remaining: context.getRemainingTimeInMillis(), waits: context.callbackWaitsForEmptyEventLoop,
  legacy: [typeof context.done, typeof context.succeed, typeof context.fail],
  trace: process.env._X_AMZN_TRACE_ID, event })`;

test('CommonJS .js async handler: response, context fields, one keep-alive socket', async () => {
  await withRuntime({ 'index.js': `exports.handler = async (event, context) => ${CONTEXT_DUMP};` }, 'index.handler', async (api) => {
    const r = await api.invoke({ hello: 'world' }, {
      'Lambda-Runtime-Client-Context': JSON.stringify({ custom: { k: 'v' } }),
      'Lambda-Runtime-Cognito-Identity': JSON.stringify({ cognitoIdentityId: 'id-1' }),
    });
    assert.equal(r.kind, 'response');
    assert.equal(r.headers['content-type'], 'application/json');
    const c = r.json;
    assert.equal(c.awsRequestId, r.id);
    assert.equal(c.functionName, 'fn');
    assert.equal(c.functionVersion, '$LATEST');
    assert.equal(c.invokedFunctionArn, 'arn:aws:lambda:us-east-1:000000000000:function:fn');
    assert.equal(c.memoryLimitInMB, '256');
    assert.equal(c.logGroupName, '/aws/lambda/fn');
    assert.equal(c.logStreamName, '2024/01/01/[$LATEST]abc');
    assert.deepEqual(c.clientContext, { custom: { k: 'v' } });
    assert.deepEqual(c.identity, { cognitoIdentityId: 'id-1' });
    assert.ok(c.remaining > 2000 && c.remaining <= 3000, `remaining ${c.remaining}`);
    assert.equal(c.waits, true);
    assert.deepEqual(c.legacy, ['function', 'function', 'function']);
    assert.equal(c.trace, `Root=1-00000000-${r.id};Sampled=0`);
    assert.deepEqual(c.event, { hello: 'world' });

    for (let i = 0; i < 20; i++) {
      const again = await api.invoke({ i });
      assert.deepEqual(again.json.event, { i });
      assert.equal(again.json.clientContext, undefined);
    }
    assert.equal(api.connections, 1, 'all requests should share one keep-alive connection');
  });
});

test('ES module .mjs handler with nested property and sub-folder', async () => {
  const files = { 'src/app.mjs': 'export const a = { b: async (event) => ({ esm: true, n: event.n * 2 }) };' };
  await withRuntime(files, 'src/app.a.b', async (api) => {
    const r = await api.invoke({ n: 21 });
    assert.deepEqual(r.json, { esm: true, n: 42 });
  });
});

test('.js under "type":"module" is imported as ESM', async () => {
  const files = {
    'package.json': '{"type":"module"}',
    'index.js': 'export const handler = async () => ({ meta: typeof import.meta.url });',
  };
  await withRuntime(files, 'index.handler', async (api) => {
    assert.deepEqual((await api.invoke({})).json, { meta: 'string' });
  });
});

test('.cjs is found after .js and .mjs', async () => {
  await withRuntime({ 'index.cjs': 'module.exports.handler = async () => "cjs";' }, 'index.handler', async (api) => {
    assert.equal((await api.invoke({})).json, 'cjs');
  });
});

test('callback handler: result, error, and waiting for the empty event loop', async () => {
  const files = {
    'index.js': `
      exports.handler = (event, context, callback) => {
        if (event.mode === 'error') return callback(new Error('cb failed'));
        if (event.mode === 'nowait') context.callbackWaitsForEmptyEventLoop = false;
        setTimeout(() => console.log('timer fired'), 150);
        callback(null, { mode: event.mode, at: Date.now() });
      };`,
  };
  await withRuntime(files, 'index.handler', async (api, rt) => {
    let t0 = Date.now();
    const waited = await api.invoke({ mode: 'wait' });
    assert.equal(waited.json.mode, 'wait');
    assert.ok(Date.now() - t0 >= 140, 'response should wait for the pending timer');
    assert.match(rt.stdout, /\tINFO\ttimer fired\n/);

    t0 = Date.now();
    const quick = await api.invoke({ mode: 'nowait' });
    assert.equal(quick.json.mode, 'nowait');
    assert.ok(Date.now() - t0 < 140, 'callbackWaitsForEmptyEventLoop=false responds at once');

    const failed = await api.invoke({ mode: 'error' });
    assert.equal(failed.kind, 'error');
    assert.equal(failed.json.errorMessage, 'cb failed');
  });
});

test('sync handler that never calls back responds null; undefined result is null', async () => {
  const files = { 'index.js': 'exports.handler = (e, c, cb) => { if (e.async) return Promise.resolve(undefined); return 5; };' };
  await withRuntime(files, 'index.handler', async (api) => {
    const r = await api.invoke({});
    assert.equal(r.kind, 'response');
    assert.equal(r.body, 'null');
    assert.equal((await api.invoke({ async: true })).body, 'null');
  });
});

test('thrown Error, custom error, non-Error throw, rejected promise', async () => {
  const files = {
    'index.mjs': `
      class ValidationError extends Error { constructor(m) { super(m); this.name = 'ValidationError'; } }
      export const handler = async (event) => {
        if (event.kind === 'error') throw new Error('boom');
        if (event.kind === 'custom') throw new ValidationError('bad input');
        if (event.kind === 'string') throw 'the string';
        return Promise.reject(new TypeError('rejected'));
      };`,
  };
  await withRuntime(files, 'index.handler', async (api, rt) => {
    const e1 = await api.invoke({ kind: 'error' });
    assert.equal(e1.kind, 'error');
    assert.equal(e1.headers['lambda-runtime-function-error-type'], 'Error');
    assert.equal(e1.json.errorType, 'Error');
    assert.equal(e1.json.errorMessage, 'boom');
    assert.equal(e1.json.trace[0], 'Error: boom');
    assert.match(e1.json.trace[1], /^ {4}at Runtime\.handler \(file:\/\/\/.*index\.mjs:4:\d+\)$/);
    assert.deepEqual(Object.keys(e1.json), ['errorType', 'errorMessage', 'trace']);
    // AWS logs the failure as one ERROR record before posting it.
    assert.match(rt.stdout, new RegExp(`${ISO}\\t${e1.id}\\tERROR\\tInvoke Error \\t\\{"errorType":"Error","errorMessage":"boom","stack":\\["Error: boom",`));

    const e2 = await api.invoke({ kind: 'custom' });
    assert.equal(e2.headers['lambda-runtime-function-error-type'], 'ValidationError');
    assert.equal(e2.json.errorType, 'ValidationError');

    const e3 = await api.invoke({ kind: 'string' });
    assert.deepEqual(e3.json, { errorType: 'string', errorMessage: 'the string', trace: [] });
    assert.equal(e3.headers['lambda-runtime-function-error-type'], 'string');

    const e4 = await api.invoke({ kind: 'reject' });
    assert.equal(e4.json.errorType, 'TypeError');
    assert.equal(e4.json.errorMessage, 'rejected');
    assert.equal(rt.child.exitCode, null, 'handled errors keep the runtime alive');
  });
});

test('unserializable result reports "Unable to stringify response body"', async () => {
  const files = { 'index.js': 'exports.handler = async () => { const o = {}; o.self = o; return o; };' };
  await withRuntime(files, 'index.handler', async (api) => {
    const r = await api.invoke({});
    assert.equal(r.kind, 'error');
    assert.equal(r.json.errorType, 'Error');
    assert.equal(r.json.errorMessage, 'Unable to stringify response body');
  });
});

test('async handler whose promise never settles fails with Runtime.NodeJsExit', async () => {
  await withRuntime({ 'index.js': 'exports.handler = async () => new Promise(() => {});' }, 'index.handler', async (api, rt) => {
    const r = await api.invoke({});
    assert.equal(r.json.errorType, 'Runtime.NodeJsExit');
    assert.equal((await api.invoke({})).json.errorType, 'Runtime.NodeJsExit', 'runtime keeps serving');
    assert.equal(rt.child.exitCode, null);
  });
});

async function initError(files, handler) {
  let result;
  await withRuntime(files, handler, async (api, rt) => {
    const rec = await api.initErrorPosted;
    const code = await rt.exited;
    result = { rec, code, stderr: rt.stderr, posts: api.posts };
  });
  return result;
}

test('missing module → Runtime.ImportModuleError init error, logged, exit 1', async () => {
  const { rec, code, stderr, posts } = await initError({ 'other.js': '' }, 'index.handler');
  assert.equal(posts.length, 1);
  assert.equal(rec.headers['lambda-runtime-function-error-type'], 'Runtime.ImportModuleError');
  assert.equal(rec.json.errorType, 'Runtime.ImportModuleError');
  assert.match(rec.json.errorMessage, /^Error: Cannot find module 'index'\nRequire stack:\n- \/.*bootstrap\.mjs$/);
  assert.equal(rec.json.trace[0], "Runtime.ImportModuleError: Error: Cannot find module 'index'");
  assert.equal(code, 1);
  assert.match(stderr, new RegExp(`^${ISO}\\tundefined\\tERROR\\tUncaught Exception \\t\\{"errorType":"Runtime.ImportModuleError","errorMessage":"Error: Cannot find module 'index'\\\\nRequire stack:`));
});

test('missing export → Runtime.HandlerNotFound', async () => {
  const { rec, code } = await initError({ 'index.js': 'exports.other = () => 1;' }, 'index.handler');
  assert.equal(rec.json.errorType, 'Runtime.HandlerNotFound');
  assert.equal(rec.json.errorMessage, 'index.handler is undefined or not exported');
  assert.equal(code, 1);
});

test('non-function export → Runtime.HandlerNotFound "is not a function"', async () => {
  const { rec } = await initError({ 'index.mjs': 'export const handler = 42;' }, 'index.handler');
  assert.equal(rec.json.errorMessage, 'index.handler is not a function');
});

test('syntax error → Runtime.UserCodeSyntaxError', async () => {
  const { rec } = await initError({ 'index.js': 'exports.handler = async () => {;' }, 'index.handler');
  assert.equal(rec.json.errorType, 'Runtime.UserCodeSyntaxError');
  assert.match(rec.json.errorMessage, /^SyntaxError: /);
});

test('malformed handler names → Runtime.MalformedHandlerName', async () => {
  const bad = await initError({ 'index.js': '' }, 'index');
  assert.equal(bad.rec.json.errorType, 'Runtime.MalformedHandlerName');
  assert.equal(bad.rec.json.errorMessage, 'Bad handler');
  const rel = await initError({ 'index.js': '' }, '../index.handler');
  assert.match(rel.rec.json.errorMessage, /is not a valid handler name/);
});

test('ES module importing a missing package fails like AWS (plain Error, ERR_MODULE_NOT_FOUND)', async () => {
  const { rec } = await initError({ 'index.mjs': 'import x from "no-such-pkg"; export const handler = async () => x;' }, 'index.handler');
  assert.equal(rec.json.errorType, 'Error');
  assert.match(rec.json.errorMessage, /^Cannot find package 'no-such-pkg' imported from /);
});

test('unhandled rejection after init, before the first invoke, is posted as an init error', async () => {
  const files = { 'index.js': 'setTimeout(() => Promise.reject(new Error("late init")), 100); exports.handler = async () => 1;' };
  const { rec, code, stderr } = await initError(files, 'index.handler');
  assert.equal(rec.json.errorType, 'Runtime.UnhandledPromiseRejection');
  assert.equal(rec.json.errorMessage, 'Error: late init');
  assert.equal(code, 1);
  assert.match(stderr, /\tundefined\tERROR\tUnhandled Promise Rejection \t\{"errorType":"Runtime.UnhandledPromiseRejection"/);
});

test('server closing the connection after every response is handled', async () => {
  await withRuntime({ 'index.js': 'exports.handler = async (e) => e.i;' }, 'index.handler', async (api) => {
    for (let i = 0; i < 10; i++) assert.equal((await api.invoke({ i })).json, i);
    assert.ok(api.connections >= 10);
  }, undefined, { connectionClose: true });
});

test('exception thrown by module code at init is posted as it is', async () => {
  const { rec, code } = await initError({ 'index.js': 'throw new RangeError("no config");' }, 'index.handler');
  assert.equal(rec.json.errorType, 'RangeError');
  assert.equal(rec.json.errorMessage, 'no config');
  assert.equal(code, 1);
});

test('console is patched: timestamp, request id, level, util.format, one record per call', async () => {
  const files = {
    'index.js': `
      console.log('during init');
      exports.handler = async () => {
        console.log('hello %s %d', 'world', 42);
        console.info({ a: 1 });
        console.warn('careful');
        console.error('bad', new Error('oops').message);
        console.debug('dbg');
        console.trace('trc');
        console.log('line1\\nline2');
        return 'ok';
      };`,
  };
  await withRuntime(files, 'index.handler', async (api, rt) => {
    const r = await api.invoke({});
    const id = r.id;
    // Everything logged by the invoke is already on the pipe when the response arrives.
    await new Promise((res) => setTimeout(res, 50));
    const expect = [
      ['undefined', 'INFO', 'during init'],
      [id, 'INFO', 'hello world 42'],
      [id, 'INFO', '{ a: 1 }'],
      [id, 'WARN', 'careful'],
      [id, 'ERROR', 'bad oops'],
      [id, 'DEBUG', 'dbg'],
      [id, 'TRACE', 'trc'],
      [id, 'INFO', 'line1\nline2'],
    ];
    const re = new RegExp(expect.map(([rid, lvl, msg]) => `${ISO}\\t${rid}\\t${lvl}\\t${msg.replace(/[{}]/g, '\\$&')}\\n`).join(''));
    assert.match(rt.stdout, re);
  });
});

test('AWS_LAMBDA_LOG_LEVEL filters lower levels', async () => {
  const files = { 'index.js': 'exports.handler = async () => { console.debug("hidden"); console.warn("shown"); };' };
  await withRuntime(files, 'index.handler', async (api, rt) => {
    await api.invoke({});
    await new Promise((res) => setTimeout(res, 50));
    assert.doesNotMatch(rt.stdout, /hidden/);
    assert.match(rt.stdout, /\tWARN\tshown\n/);
  }, { AWS_LAMBDA_LOG_LEVEL: 'info' });
});

test('uncaught exception during an invoke is reported for it, then exit 129', async () => {
  const files = { 'index.js': 'exports.handler = (e, c, cb) => { setTimeout(() => { throw new Error("async boom"); }, 10); };' };
  await withRuntime(files, 'index.handler', async (api, rt) => {
    const r = await api.invoke({});
    assert.equal(r.kind, 'error');
    assert.equal(r.json.errorType, 'Error');
    assert.equal(r.json.errorMessage, 'async boom');
    assert.equal(await rt.exited, 129);
    assert.match(rt.stdout, new RegExp(`\\t${r.id}\\tERROR\\tUncaught Exception \\t\\{"errorType":"Error"`));
  });
});

test('unhandled rejection during an invoke → Runtime.UnhandledPromiseRejection, exit 128', async () => {
  const files = { 'index.js': 'exports.handler = async () => { Promise.reject(new Error("lost")); await new Promise((r) => setTimeout(r, 50)); return 1; };' };
  await withRuntime(files, 'index.handler', async (api, rt) => {
    const r = await api.invoke({});
    assert.equal(r.kind, 'error');
    assert.equal(r.headers['lambda-runtime-function-error-type'], 'Runtime.UnhandledPromiseRejection');
    assert.equal(r.json.errorMessage, 'Error: lost');
    assert.equal(await rt.exited, 128);
  });
});

test('throughput: sequential invokes over one socket', async (t) => {
  await withRuntime({ 'index.js': 'exports.handler = async (e) => e;' }, 'index.handler', async (api) => {
    await api.invoke({ warm: true });
    const n = 2000;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await api.invoke({ i });
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    const rate = Math.round(n / secs);
    t.diagnostic(`bootstrap throughput: ${rate} invokes/s (fake API in the test process)`);
    assert.ok(rate > 300, `throughput too low: ${rate}/s`);
    assert.equal(api.connections, 1);
  });
});
