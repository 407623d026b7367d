// lambda-local Node.js runtime client (nodejs18.x / 20.x / 22.x).
// Speaks the Lambda Runtime API 2018-06-01 the way AWS's own Node runtime
// (aws-lambda-nodejs-runtime-interface-client) does, so handler loading, the
// context object, callback semantics, error shapes and log lines match what a
// function sees on AWS. No dependencies: node:* modules only.
import http from 'node:http';
import net from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import util from 'node:util';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const env = process.env;
const API = env.AWS_LAMBDA_RUNTIME_API || '127.0.0.1:9001';
const HOST = API.slice(0, API.lastIndexOf(':')).replace(/^\[|\]$/g, '');
const PORT = Number(API.slice(API.lastIndexOf(':') + 1));
const PREFIX = '/2018-06-01/runtime/';
const INIT_ERROR_EXIT = 1; // AWS exits 129 (128 for a rejection) after an init error; the emulator asks for 1
const REQUEST_ID = Symbol.for('aws.lambda.runtime.requestId'); // same global slot AWS uses (read by some libraries)

// One keep-alive socket for the whole process: every GET/POST reuses it.
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
agent.createConnection = (opts, cb) => net.createConnection(opts, cb).setNoDelay(true);

// ---- errors (same names/messages as AWS's Errors.js) ----
const runtimeError = (name, init) => {
  const C = class extends Error { constructor(m, p) { super(m); init?.(this, m, p); } };
  Object.defineProperty(C, 'name', { value: name }); // JSON logs use constructor.name
  C.prototype.name = `Runtime.${name}`;
  return C;
};
const ImportModuleError = runtimeError('ImportModuleError');
const HandlerNotFound = runtimeError('HandlerNotFound');
const MalformedHandlerName = runtimeError('MalformedHandlerName');
const UserCodeSyntaxError = runtimeError('UserCodeSyntaxError');
const NodeJsExit = runtimeError('NodeJsExit');
const UnhandledPromiseRejection = runtimeError('UnhandledPromiseRejection', (e, reason, promise) => {
  e.reason = reason;
  e.promise = promise;
});
const NODEJS_EXIT_MSG = 'The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a Promise that was never settled. For more information, see https://nodejs.org/docs/latest/api/process.html#exit-codes';

const isErrorLike = (o) => o && typeof o.name === 'string' && typeof o.message === 'string' &&
  typeof o.stack === 'string' && o.name && o.message && o.stack;

// Body of /error posts: {errorType, errorMessage, trace}; non-Errors become {typeof, toString(), []}.
function toRapidResponse(e) {
  try {
    if (util.types.isNativeError(e) || isErrorLike(e)) {
      return { errorType: e.name, errorMessage: e.message, trace: e.stack.split('\n') };
    }
    return { errorType: typeof e, errorMessage: e.toString(), trace: [] };
  } catch {
    return { errorType: 'handled', errorMessage: 'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack' };
  }
}

// Log form of an error ("\t{json}"): enumerable props kept, stack as an array.
function toFormatted(e) {
  try {
    return '\t' + JSON.stringify(e, (_k, v) => {
      if (!(v instanceof Error)) return v;
      const o = Object.assign({ errorType: v.name, errorMessage: v.message, code: v.code }, v);
      if (typeof v.stack === 'string') o.stack = v.stack.split('\n');
      return o;
    });
  } catch {
    return '\t' + JSON.stringify(toRapidResponse(e));
  }
}

const serialize = (body) => {
  try { return JSON.stringify(body === undefined ? null : body); } catch { throw new Error('Unable to stringify response body'); }
};

// ---- console patch: one synchronous write per call, tagged with the request id ----
const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];
const JSON_LOGS = env.AWS_LAMBDA_LOG_FORMAT?.toUpperCase() === 'JSON';
const MIN_LEVEL = Math.max(0, LEVELS.indexOf(env.AWS_LAMBDA_LOG_LEVEL?.toUpperCase()));

const jsonReplacer = (_k, v) => v instanceof Error
  ? Object.assign({ errorType: v?.constructor?.name ?? 'UnknownError', errorMessage: v.message,
      stackTrace: typeof v.stack === 'string' ? v.stack.split('\n') : v.stack }, v)
  : v;
function jsonLine(time, level, id, params) {
  const r = { timestamp: time, level, requestId: id };
  if (params.length === 1) {
    r.message = params[0];
    try { return JSON.stringify(r, jsonReplacer); } catch { r.message = util.format(r.message); return JSON.stringify(r); }
  }
  r.message = util.format(...params);
  const err = params.find((p) => p instanceof Error);
  if (err) Object.assign(r, { errorType: err?.constructor?.name ?? 'UnknownError', errorMessage: err.message,
    stackTrace: typeof err.stack === 'string' ? err.stack.split('\n') : [] });
  return JSON.stringify(r);
}

// Newlines are kept (as in CloudWatch); the record is still a single write so the
// emulator can attribute it to the invocation in flight.
function writeLog(stream, level, msg, params) {
  const time = new Date().toISOString();
  const id = globalThis[REQUEST_ID];
  stream.write(JSON_LOGS ? jsonLine(time, level, id, [msg, ...params]) + '\n'
    : `${time}\t${id}\t${level}\t${util.format(msg, ...params)}\n`);
}
const nop = () => {};
const logger = (level) => LEVELS.indexOf(level) < MIN_LEVEL ? nop
  : (msg, ...params) => writeLog(process.stdout, level, msg, params);
console.trace = logger('TRACE');
console.debug = logger('DEBUG');
console.info = console.log = logger('INFO');
console.warn = logger('WARN');
console.error = logger('ERROR');
console.fatal = logger('FATAL');

// AWS's "Invoke Error" / "Uncaught Exception" lines. Init-time ones go to stderr.
function logError(msg, err, stream = process.stdout) {
  const e = err instanceof Error ? err : new Error(err);
  if (JSON_LOGS) writeLog(stream, 'ERROR', e, []);
  else writeLog(stream, 'ERROR', msg, [toFormatted(e)]);
}

// ---- Runtime API client ----
function send(method, p, body, headers, onDone, viaAgent = agent, retried = false) {
  const req = http.request({ host: HOST, port: PORT, method, path: PREFIX + p, headers, agent: viaAgent }, (res) => {
    let data = '';
    res.setEncoding('utf8');
    res.on('data', (c) => { data += c; });
    res.on('end', () => onDone(res, data));
  });
  req.on('error', (err) => {
    // The server may have closed the idle keep-alive socket just as we reused it: retry once.
    if (!retried && req.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE')) {
      send(method, p, body, headers, onDone, viaAgent, true);
    } else {
      process.stderr.write(`lambda-local bootstrap: ${method} ${PREFIX}${p} failed: ${err.message}\n`);
      process.exit(1);
    }
  });
  req.end(body);
}

function post(p, body, extraHeaders, done, viaAgent) {
  const headers = { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) };
  if (extraHeaders) Object.assign(headers, extraHeaders);
  send('POST', p, body, headers, () => done(), viaAgent);
}

// Header values must be latin1 without control chars, or http.request throws.
const headerSafe = (s) => String(s).replace(/[^\t\x20-\x7e\x80-\xff]/g, '');
function postError(p, err, done, viaAgent) {
  const r = toRapidResponse(err);
  const headers = typeof r.errorType === 'string' ? { 'Lambda-Runtime-Function-Error-Type': headerSafe(r.errorType) } : null;
  post(p, serialize(r), headers, done, viaAgent);
}
const invocationPath = (id, what) => `invocation/${encodeURIComponent(id)}/${what}`;

// ---- handler loading (mirrors AWS's UserFunction.js) ----
function hasPackageJsonTypeModule(folder) {
  if (folder.endsWith('/node_modules')) return false;
  const pj = path.join(folder, 'package.json');
  if (fs.existsSync(pj)) {
    try {
      return JSON.parse(fs.readFileSync(pj, 'utf8'))?.type === 'module';
    } catch (e) {
      console.warn(`${pj} cannot be read, it will be ignored for ES module detection purposes.`, e);
      return false;
    }
  }
  return folder === '/' ? false : hasPackageJsonTypeModule(path.resolve(folder, '..'));
}

async function tryRequire(file) {
  if (!fs.existsSync(file)) return undefined;
  try {
    return require(file);
  } catch (e) {
    // Node can disagree with our package.json walk; let the ESM loader have a go.
    if (e?.code === 'ERR_REQUIRE_ESM') return import(pathToFileURL(file).href);
    throw e;
  }
}
const tryImport = async (file) => fs.existsSync(file) ? import(pathToFileURL(file).href) : undefined;

// Order as AWS: extensionless (require), .js (require unless "type":"module"), then .js as ESM, .mjs, .cjs, then node resolution.
async function loadModule(appRoot, moduleRoot, name) {
  const base = path.resolve(appRoot, moduleRoot, name);
  const isModule = hasPackageJsonTypeModule(path.dirname(base));
  const loaded = (await tryRequire(base)) ||
    (!isModule && (await tryRequire(base + '.js'))) ||
    (isModule && (await tryImport(base + '.js'))) ||
    (await tryImport(base + '.mjs')) ||
    (await tryRequire(base + '.cjs'));
  if (loaded) return loaded;
  return require(require.resolve(name, { paths: [appRoot, moduleRoot] }));
}

async function loadHandler(appRoot, full) {
  if (full.includes('..')) {
    throw new MalformedHandlerName(`'${full}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`);
  }
  const base = path.basename(full);
  const moduleRoot = full.substring(0, full.indexOf(base));
  const m = base.match(/^([^.]*)\.(.*)$/);
  if (!m) throw new MalformedHandlerName('Bad handler');
  let app;
  try {
    app = await loadModule(appRoot, moduleRoot, m[1]);
  } catch (e) {
    if (e instanceof SyntaxError) throw new UserCodeSyntaxError(e);
    if (e?.code === 'MODULE_NOT_FOUND') throw new ImportModuleError(e);
    throw e;
  }
  const fn = m[2].split('.').reduce((o, k) => o && o[k], app);
  if (!fn) throw new HandlerNotFound(`${full} is undefined or not exported`);
  if (typeof fn !== 'function') throw new HandlerNotFound(`${full} is not a function`);
  return fn;
}

// ---- invoke loop ----
// Called as runtime.handler(...) so stack traces read "at Runtime.handler (...)" as on AWS.
class Runtime { constructor(fn) { this.handler = fn; } }
let runtime;
let handlerIsAsync = false;
let currentId; // undefined until the first invoke: errors before that are init errors
let onBeforeExit = nop; // AWS's BeforeExitListener: fires when the event loop drains
process.on('beforeExit', () => onBeforeExit());

const ENV_DATA = {
  functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
  functionName: env.AWS_LAMBDA_FUNCTION_NAME,
  memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, // a string on AWS too
  logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
  logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
};
const parseHeaderJson = (v, name) => {
  if (v === undefined) return undefined;
  try { return JSON.parse(v); } catch (err) { throw new Error(`Cannot parse ${name} as json: ${err.toString()}`); }
};

const scheduleNext = () => setImmediate(next);
const next = () => send('GET', 'invocation/next', undefined, undefined, onInvoke);

function onInvoke(res, body) {
  if (res.statusCode !== 200) {
    process.stderr.write(`lambda-local bootstrap: /invocation/next returned ${res.statusCode}: ${body}\n`);
    process.exit(1);
  }
  const h = res.headers;
  const id = h['lambda-runtime-aws-request-id'];
  currentId = globalThis[REQUEST_ID] = id;
  if (h['lambda-runtime-trace-id']) env._X_AMZN_TRACE_ID = h['lambda-runtime-trace-id'];
  else delete env._X_AMZN_TRACE_ID;

  // Callback bookkeeping, as AWS's CallbackContext.js: the first of callback/succeed/fail/done wins.
  let finished = false;
  let completed = false;
  let waitForEmptyEventLoop = true;
  const once = (fn) => function () { if (!finished) { fn.apply(null, arguments); finished = true; } };
  const fail = (err) => {
    logError('Invoke Error', err);
    postError(invocationPath(id, 'error'), err, scheduleNext);
  };
  const complete = (result) => {
    if (completed) {
      console.error('Invocation has already been reported as done. Cannot call complete more than once per invocation.');
      return;
    }
    completed = true;
    post(invocationPath(id, 'response'), serialize(result), null, scheduleNext); // throws on circular JSON
  };
  const done = (err, result) => { onBeforeExit = nop; if (err != null) fail(err); else complete(result); };
  const callback = once((err, result) => {
    onBeforeExit = nop;
    if (err != null) fail(err);
    else if (!waitForEmptyEventLoop) complete(result);
    else onBeforeExit = () => setImmediate(() => complete(result)); // respond once the loop drains
  });
  const context = {
    get callbackWaitsForEmptyEventLoop() { return waitForEmptyEventLoop; },
    set callbackWaitsForEmptyEventLoop(v) { waitForEmptyEventLoop = v; },
    succeed: once((result) => done(null, result)),
    fail: once((err) => done(err == null ? 'handled' : err, null)),
    done: once(done),
  };

  // Handler never settled and the loop drained: async handlers fail, others return null.
  onBeforeExit = () => {
    completed = true;
    if (handlerIsAsync) {
      const err = new NodeJsExit(NODEJS_EXIT_MSG);
      logError('Invoke Error', err);
      postError(invocationPath(id, 'error'), err, scheduleNext);
    } else {
      post(invocationPath(id, 'response'), 'null', null, scheduleNext);
    }
  };

  try {
    const deadline = Number(h['lambda-runtime-deadline-ms']);
    Object.assign(context, ENV_DATA, {
      clientContext: parseHeaderJson(h['lambda-runtime-client-context'], 'ClientContext'),
      identity: parseHeaderJson(h['lambda-runtime-cognito-identity'], 'CognitoIdentity'),
      invokedFunctionArn: h['lambda-runtime-invoked-function-arn'],
      awsRequestId: id,
      tenantId: h['lambda-runtime-aws-tenant-id'],
      getRemainingTimeInMillis: () => deadline - Date.now(),
    });
    const result = runtime.handler(JSON.parse(body), context, callback);
    if (result && typeof result.then === 'function') {
      result.then(context.succeed, context.fail).catch(context.fail);
    }
  } catch (err) {
    callback(err);
  }
}

// ---- crashes: report against the invoke in flight (or as an init error), then exit like AWS ----
let crashing = false;
function crash(err, code) {
  if (crashing) return;
  crashing = true;
  // Own connection: the shared socket may be parked in a GET /next that will not return.
  if (currentId === undefined) postError('init/error', err, () => process.exit(INIT_ERROR_EXIT), false);
  else postError(invocationPath(currentId, 'error'), err, () => process.exit(code), false);
}
const initStream = () => currentId === undefined ? process.stderr : process.stdout;
process.on('uncaughtException', (err) => {
  logError('Uncaught Exception', err, initStream());
  crash(err, 129);
});
process.on('unhandledRejection', (reason, promise) => {
  const err = new UnhandledPromiseRejection(reason, promise);
  logError('Unhandled Promise Rejection', err, initStream());
  crash(err, 128);
});

try {
  const fn = await loadHandler(env.LAMBDA_TASK_ROOT || process.cwd(), env._HANDLER || '');
  runtime = new Runtime(fn);
  handlerIsAsync = fn.constructor?.name === 'AsyncFunction';
  scheduleNext();
} catch (err) {
  logError('Uncaught Exception', err, process.stderr);
  crash(err, INIT_ERROR_EXIT);
}
