'use strict';
/*
 * Lamina's Node.js runtime client ("bootstrap") for nodejs18.x … nodejs24.x.
 *
 * How lamina-init runs it (cwd = $LAMBDA_TASK_ROOT = /var/task, AWS's environment):
 *
 *   node --expose-gc --max-http-header-size=81920 \
 *        --max-semi-space-size=<S> --max-old-space-size=<O> \
 *        [--no-experimental-require-module --no-experimental-detect-module] \
 *        /var/runtime/nodejs/bootstrap.js
 *
 * - S and O as AWS's /var/runtime/bootstrap derives them from AWS_LAMBDA_FUNCTION_MEMORY_SIZE=M
 *   (integer MiB): new = M / 10, S = new / 2, O = M - new. Omit both when the function's
 *   NODE_OPTIONS already names --max-semi-space-size or --max-old-space-size (either spelling).
 * - The bracketed pair only for nodejs18.x/20.x/22.x (AWS disables require(esm) and module-syntax
 *   detection there; node >= 20.19 enables them by default, so without the pair an ES module in a
 *   plain .js file would load where AWS reports Runtime.UserCodeSyntaxError). Drop a flag when
 *   NODE_OPTIONS turns the feature back on (--experimental-require-module /
 *   --experimental-detect-module), as AWS does. Not for nodejs24.x.
 * - All flags are optional: a bare `node /var/runtime/nodejs/bootstrap.js` works.
 * - AWS_LAMBDA_EXEC_WRAPPER, when set, is the launcher's business: exec the wrapper with the
 *   whole node command line above as its arguments.
 *
 * Environment read: AWS_LAMBDA_RUNTIME_API (host:port), _HANDLER, LAMBDA_TASK_ROOT (else cwd),
 * AWS_LAMBDA_FUNCTION_NAME/_VERSION/_MEMORY_SIZE, AWS_LAMBDA_LOG_GROUP_NAME/_STREAM_NAME,
 * AWS_EXECUTION_ENV (AWS_Lambda_nodejsNN.x selects the behaviour generation, see below; set from
 * node's major version when absent), AWS_LAMBDA_LOG_FORMAT (TEXT|JSON), AWS_LAMBDA_LOG_LEVEL,
 * _LAMBDA_TELEMETRY_LOG_FD (optional framed-log fd, as AWS), NODE_PATH (AWS's default when
 * absent), AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA, AWS_LAMBDA_NODEJS_DISABLE_CALLBACK_WARNING.
 *
 * Behaviour follows AWS's aws-lambda-nodejs-runtime-interface-client: v3 for nodejs18.x-22.x
 * (callback handlers, context.succeed/fail/done, callbackWaitsForEmptyEventLoop via node's
 * 'beforeExit') and v4 for nodejs24.x (async/promise and streaming handlers only; a handler
 * declaring three or more parameters is refused at init with Runtime.CallbackHandlerDeprecated).
 * Only node built-ins are used; see README.md for the deviations from AWS.
 */

const http = require('http');
const util = require('util');
const fs = require('fs');
const path = require('path');

const env = process.env;
const noop = () => {};

// ---------------------------------------------------------------------------------------------
// Runtime identity and module search path (what AWS's shell bootstrap sets up)

const execEnvMatch = /^AWS_Lambda_nodejs(\d+)/.exec(env.AWS_EXECUTION_ENV || '');
const RUNTIME_MAJOR = execEnvMatch
  ? Number(execEnvMatch[1])
  : Number(process.versions.node.split('.')[0]);
if (!env.AWS_EXECUTION_ENV) env.AWS_EXECUTION_ENV = `AWS_Lambda_nodejs${RUNTIME_MAJOR}.x`;
const MODERN = RUNTIME_MAJOR >= 24; // AWS RIC v4 semantics

if (!env.NODE_PATH) {
  env.NODE_PATH = [
    `/opt/nodejs/node${RUNTIME_MAJOR}/node_modules`,
    '/opt/nodejs/node_modules',
    '/var/runtime/node_modules',
    '/var/runtime',
    '/var/task',
  ].join(':');
  require('module')._initPaths(); // NODE_PATH is otherwise only read at node start-up
}

// ---------------------------------------------------------------------------------------------
// Errors (names and shapes as AWS's runtime reports them)

const RT = {};
for (const name of [
  'ImportModuleError',
  'HandlerNotFound',
  'MalformedHandlerName',
  'UserCodeSyntaxError',
  'MalformedStreamingHandler',
  'InvalidStreamingOperation',
  'CallbackHandlerDeprecated',
  'JSONStringifyError',
]) {
  const C = { [name]: class extends Error {} }[name];
  C.prototype.name = `Runtime.${name}`;
  RT[name] = C;
}
class NodeJsExit extends Error {
  constructor() {
    super(
      'The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly ' +
        'caused by a Promise that was never settled. For more information, see ' +
        'https://nodejs.org/docs/latest/api/process.html#exit-codes',
    );
  }
}
NodeJsExit.prototype.name = 'Runtime.NodeJsExit';
class UnhandledPromiseRejection extends Error {
  constructor(reason, promise) {
    super(reason);
    this.reason = reason;
    this.promise = promise;
  }
}
UnhandledPromiseRejection.prototype.name = 'Runtime.UnhandledPromiseRejection';

// v4 gives its errors an own `name` (so it shows in the logged JSON); v3 keeps it on the prototype.
function rtError(C, message) {
  const e = new C(message);
  Error.captureStackTrace(e, rtError); // the stack starts where the error is thrown
  if (MODERN) e.name = C.prototype.name;
  return e;
}

function isErrorLike(o) {
  return (
    o &&
    typeof o.name === 'string' && o.name &&
    typeof o.message === 'string' && o.message &&
    typeof o.stack === 'string' && o.stack
  );
}

/** The /error and /init/error body: {errorType, errorMessage, trace}. */
function toRapidResponse(error) {
  try {
    if (util.types.isNativeError(error) || isErrorLike(error)) {
      return {
        errorType: error.name?.replaceAll('\x7F', '%7F'),
        errorMessage: error.message?.replaceAll('\x7F', '%7F'),
        trace: error.stack.replaceAll('\x7F', '%7F').split('\n'),
      };
    }
    return { errorType: typeof error, errorMessage: error.toString(), trace: [] };
  } catch (_) {
    const r = {
      errorType: 'handled',
      errorMessage:
        'callback called with Error argument, but there was a problem while retrieving one or ' +
        'more of its message, name, and stack',
    };
    if (MODERN) r.trace = [];
    return r;
  }
}

function intoError(err) {
  return err instanceof Error ? err : new Error(err);
}

function withEnumerableProperties(v) {
  if (v instanceof Error) {
    const ret = Object.assign({ errorType: v.name, errorMessage: v.message, code: v.code }, v);
    if (typeof v.stack === 'string') ret.stack = v.stack.split('\n');
    return ret;
  }
  return v;
}

/** "\t{json}" — the text-format rendering of an error in AWS's own log lines. */
function toFormatted(error) {
  try {
    return '\t' + JSON.stringify(error, (_k, v) => withEnumerableProperties(v));
  } catch (_) {
    return '\t' + JSON.stringify(toRapidResponse(error));
  }
}

// ---------------------------------------------------------------------------------------------
// Logging: console.* → "<ISO time>\t<requestId>\t<LEVEL>\t<message>\n", one write per record

let currentRequestId; // undefined until the first invoke, printed as "undefined" like AWS
let currentTenantId;

const LEVELS = {
  TRACE: { name: 'TRACE', priority: 1, tlvMask: 0b00100 },
  DEBUG: { name: 'DEBUG', priority: 2, tlvMask: 0b01000 },
  INFO: { name: 'INFO', priority: 3, tlvMask: 0b01100 },
  WARN: { name: 'WARN', priority: 4, tlvMask: 0b10000 },
  ERROR: { name: 'ERROR', priority: 5, tlvMask: 0b10100 },
  FATAL: { name: 'FATAL', priority: 6, tlvMask: 0b11000 },
};
const JSON_FORMAT = (env.AWS_LAMBDA_LOG_FORMAT || '').toUpperCase() === 'JSON';

function jsonErrorReplacer(_k, value) {
  if (value instanceof Error) {
    return Object.assign(
      {
        errorType: value?.constructor?.name ?? 'UnknownError',
        errorMessage: value.message,
        stackTrace: typeof value.stack === 'string' ? value.stack.split('\n') : value.stack,
      },
      value,
    );
  }
  return value;
}

function formatJson(time, level, message, params) {
  const result = { timestamp: time, level: level.name, requestId: currentRequestId };
  if (currentTenantId != null && currentTenantId !== '') result.tenantId = currentTenantId;
  if (params.length === 0) {
    result.message = message;
    try {
      return JSON.stringify(result, jsonErrorReplacer);
    } catch (_) {
      result.message = util.format(result.message);
      return JSON.stringify(result);
    }
  }
  result.message = util.format(message, ...params);
  for (const p of params) {
    if (p instanceof Error) {
      result.errorType = p?.constructor?.name ?? 'UnknownError';
      result.errorMessage = p.message;
      result.stackTrace = typeof p.stack === 'string' ? p.stack.split('\n') : [];
      break;
    }
  }
  return JSON.stringify(result);
}

function makeLogSink() {
  const fdString = env._LAMBDA_TELEMETRY_LOG_FD;
  delete env._LAMBDA_TELEMETRY_LOG_FD;
  const fd = fdString === undefined || fdString === '' ? NaN : Number(fdString);
  if (Number.isInteger(fd) && fd >= 0) {
    // AWS's framed telemetry log protocol: type(4) length(4) timestamp-µs(8) message, big-endian.
    return (level, message, params) => {
      const now = new Date();
      const time = now.toISOString();
      const text = JSON_FORMAT
        ? formatJson(time, level, message, params)
        : `${time}\t${currentRequestId}\t${level.name}\t${util.format(message, ...params)}\n`;
      const body = Buffer.from(text, 'utf8');
      const frame = Buffer.allocUnsafe(16 + body.length);
      frame.writeUInt32BE(((JSON_FORMAT ? 0xa55a0002 : 0xa55a0003) | level.tlvMask) >>> 0, 0);
      frame.writeInt32BE(body.length, 4);
      frame.writeBigInt64BE(BigInt(now.valueOf()) * 1000n, 8);
      body.copy(frame, 16);
      fs.writeSync(fd, frame);
    };
  }
  return (level, message, params) => {
    const time = new Date().toISOString();
    const line = JSON_FORMAT
      ? formatJson(time, level, message, params)
      : `${time}\t${currentRequestId}\t${level.name}\t${util.format(message, ...params)}`;
    // Newlines become CR so that a multi-line message stays one line, i.e. one record.
    process.stdout.write(line.replace(/\n/g, '\r') + '\n');
  };
}

function patchConsole() {
  const sink = makeLogSink();
  const min = LEVELS[(env.AWS_LAMBDA_LOG_LEVEL || '').toUpperCase()] ?? LEVELS.TRACE;
  const make = (level) =>
    level.priority >= min.priority ? (message, ...params) => sink(level, message, params) : noop;
  console.trace = make(LEVELS.TRACE);
  console.debug = make(LEVELS.DEBUG);
  console.info = make(LEVELS.INFO);
  console.log = console.info;
  console.warn = make(LEVELS.WARN);
  console.error = make(LEVELS.ERROR);
  console.fatal = (message, ...params) => sink(LEVELS.FATAL, message, params);
}

function logError(msg, err) {
  if (JSON_FORMAT) console.error(intoError(err));
  else console.error(msg, toFormatted(intoError(err)));
}

// ---------------------------------------------------------------------------------------------
// Runtime API client: one keep-alive connection, like AWS's client

const RUNTIME_API = env.AWS_LAMBDA_RUNTIME_API || '127.0.0.1:9001';
const apiSep = RUNTIME_API.lastIndexOf(':');
const API_HOST = RUNTIME_API.slice(0, apiSep).replace(/^\[(.*)\]$/, '$1');
const API_PORT = Number(RUNTIME_API.slice(apiSep + 1));
const API_PREFIX = '/2018-06-01/runtime';
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const ERROR_TYPE_HEADER = 'Lambda-Runtime-Function-Error-Type';
const XRAY_CAUSE_HEADER = 'Lambda-Runtime-Function-XRay-Error-Cause';
const XRAY_CAUSE_MAX = 16 * 1024;

/** Header values must be latin-1 without control characters; escape whatever is not. */
function headerSafe(value) {
  return String(value).replace(/[^\t\x20-\x7e\x80-\xff]/gu, (c) => {
    try {
      return encodeURIComponent(c);
    } catch (_) {
      return '%EF%BF%BD'; // a lone surrogate
    }
  });
}

/**
 * One HTTP exchange with the Runtime API. Retries once when a reused keep-alive connection turned
 * out to be closed by the server. `fresh` uses a new connection (for fatal reports that must not
 * queue behind a pending /next).
 */
function apiRequest(method, apiPath, headers, body, fresh) {
  return new Promise((resolve, reject) => {
    const attempt = (retry) => {
      const req = http.request(
        {
          host: API_HOST,
          port: API_PORT,
          method,
          path: API_PREFIX + apiPath,
          headers,
          agent: fresh ? false : agent,
        },
        (res) => {
          res.setEncoding('utf8');
          let data = '';
          res.on('data', (chunk) => (data += chunk));
          res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: data }));
          res.on('error', reject);
        },
      );
      req.on('error', (err) => {
        if (retry && req.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE')) {
          attempt(false);
        } else {
          reject(err);
        }
      });
      req.end(body);
    };
    attempt(true);
  });
}

function serializeResponse(result) {
  let s;
  try {
    s = JSON.stringify(result === undefined ? null : result);
  } catch (_) {
    throw MODERN
      ? rtError(RT.JSONStringifyError, 'Unable to stringify response body')
      : new Error('Unable to stringify response body');
  }
  return s === undefined ? 'null' : s; // a bare function or symbol
}

function xrayCause(err) {
  try {
    const frames = [];
    if (err && typeof err.stack === 'string') {
      const lines = err.stack.replace(/\x7F/g, '%7F').split('\n');
      lines.shift();
      for (const stackLine of lines) {
        let line = stackLine.trim().replace(/\(|\)/g, '');
        line = line.substring(line.indexOf(' ') + 1);
        const cut = line.lastIndexOf(' ');
        const label = cut >= 0 ? line.slice(0, cut) : null;
        const where = (label ? line.slice(cut + 1) : line).split(':');
        frames.push({ path: where[0], line: parseInt(where[1]), label: label || 'anonymous' });
      }
    }
    return JSON.stringify({
      working_directory: process.cwd(),
      exceptions: [
        {
          type: err?.name?.replace(/\x7F/g, '%7F'),
          message: err?.message?.replace(/\x7F/g, '%7F'),
          stack: frames,
        },
      ],
      paths: [...new Set(frames.map((f) => f.path))],
    });
  } catch (_) {
    return '';
  }
}

const client = {
  async next() {
    const res = await apiRequest('GET', '/invocation/next', undefined, undefined, false);
    if (res.status !== 200) {
      throw new Error(`Failed to get next invocation, status ${res.status}: ${res.body}`);
    }
    return res;
  },

  /** Posts the result; `callback` runs once the platform has answered (or the post failed). */
  postInvocationResponse(result, id, callback) {
    const body = serializeResponse(result); // throws like AWS's client when not serializable
    apiRequest(
      'POST',
      `/invocation/${encodeURIComponent(id)}/response`,
      { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
      body,
      false,
    ).then(() => callback(), () => callback());
  },

  postInvocationError(error, id, callback, fatal) {
    const apiPath = `/invocation/${encodeURIComponent(id)}/error`;
    this._postError(apiPath, error, callback, fatal, true);
  },

  postInitError(error, callback) {
    this._postError('/init/error', error, callback, true, false);
  },

  _postError(apiPath, error, callback, fatal, withXRay) {
    const response = toRapidResponse(error);
    const body = JSON.stringify(response);
    const headers = {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(body),
      [ERROR_TYPE_HEADER]: headerSafe(response.errorType),
    };
    const cause = withXRay ? xrayCause(error) : '';
    if (cause && cause.length <= XRAY_CAUSE_MAX) headers[XRAY_CAUSE_HEADER] = headerSafe(cause);
    apiRequest('POST', apiPath, headers, body, fatal).then(() => callback(), () => callback());
  },
};

// ---------------------------------------------------------------------------------------------
// Process-wide hooks

let beforeExitListener = noop;
let dying = false;

/** Exits once what was written to stdout/stderr (pipes are asynchronous on POSIX) is out. */
function flushAndExit(code) {
  const pending = [process.stdout, process.stderr].filter((s) => s.writableLength > 0);
  let left = pending.length;
  if (left === 0) process.exit(code);
  for (const s of pending) s.write('', () => --left === 0 && process.exit(code));
}

/** Reports a fatal error once and exits with `code` when the platform has it. */
function die(report, code) {
  if (dying) return;
  dying = true;
  setTimeout(() => process.exit(code), 3000).unref(); // never hang on a dead Runtime API
  report(() => flushAndExit(code));
}

const errorCallbacks = {
  uncaughtException: (error) => die((cb) => client.postInitError(error, cb), 129),
  unhandledRejection: (error) => die((cb) => client.postInitError(error, cb), 128),
};

function setInvokeErrorCallbacks(id) {
  errorCallbacks.uncaughtException = (error) =>
    die((cb) => client.postInvocationError(error, id, cb, true), 129);
  errorCallbacks.unhandledRejection = (error) =>
    die((cb) => client.postInvocationError(error, id, cb, true), 128);
}

function installProcessHooks() {
  process.on('uncaughtException', (error) => {
    if (dying) return;
    logError('Uncaught Exception', error);
    errorCallbacks.uncaughtException(error);
  });
  process.on('unhandledRejection', (reason, promise) => {
    if (dying) return;
    const error = new UnhandledPromiseRejection(reason, promise);
    logError('Unhandled Promise Rejection', error);
    errorCallbacks.unhandledRejection(error);
  });
  process.on('beforeExit', () => beforeExitListener());
}

// ---------------------------------------------------------------------------------------------
// Loading the user's handler ("dir/file.export.nested")

const HANDLER_STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const HANDLER_HIGHWATERMARK = Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark');
const STREAM_RESPONSE = 'response';

function hasFolderPackageJsonTypeModule(folder) {
  if (folder.endsWith('/node_modules')) return false;
  const pj = path.join(folder, 'package.json');
  if (fs.existsSync(pj)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(pj));
      if (pkg) return pkg.type === 'module';
    } catch (e) {
      console.warn(`${pj} cannot be read, it will be ignored for ES module detection purposes.`, e);
      return false;
    }
  }
  if (folder === '/') return false;
  return hasFolderPackageJsonTypeModule(path.resolve(folder, '..'));
}

function tryRequire(file) {
  return fs.existsSync(file) ? require(file) : undefined;
}

async function tryImport(file) {
  if (!fs.existsSync(file)) return undefined;
  return import(require('url').pathToFileURL(file).href);
}

async function loadModule(appRoot, moduleRoot, moduleName) {
  const base = path.resolve(appRoot, moduleRoot, moduleName);
  if (MODERN) {
    // v4: everything through import(), in the order "", .js, .mjs, .cjs
    for (const ext of ['', '.js', '.mjs', '.cjs']) {
      const m = await tryImport(base + ext);
      if (m) return m;
    }
  } else {
    // v3: extensionless and CommonJS .js by require, ES modules by import
    const extensionless = tryRequire(base);
    if (extensionless) return extensionless;
    const typeModule =
      fs.existsSync(base + '.js') && hasFolderPackageJsonTypeModule(path.dirname(base + '.js'));
    if (!typeModule) {
      const loaded = tryRequire(base + '.js');
      if (loaded) return loaded;
    }
    const loaded =
      (typeModule && (await tryImport(base + '.js'))) ||
      (await tryImport(base + '.mjs')) ||
      tryRequire(base + '.cjs');
    if (loaded) return loaded;
  }
  // Fall back to node's own resolution (node_modules, NODE_PATH).
  const paths = MODERN ? [appRoot, path.join(appRoot, moduleRoot)] : [appRoot, moduleRoot];
  return require(require.resolve(moduleName, { paths }));
}

function resolveNested(object, dotted) {
  return dotted.split('.').reduce((nested, key) => {
    if (MODERN) return nested && typeof nested === 'object' ? nested[key] : undefined;
    return nested && nested[key];
  }, object);
}

async function loadHandler(appRoot, fullHandler) {
  if (fullHandler.includes('..')) {
    throw rtError(
      RT.MalformedHandlerName,
      `'${fullHandler}' is not a valid handler name. Use absolute paths when specifying root ` +
        'directories in handler names.',
    );
  }
  const handlerString = path.basename(fullHandler);
  let moduleRoot = fullHandler.substring(0, fullHandler.indexOf(handlerString));
  if (MODERN) moduleRoot = moduleRoot.replace(/\/$/, '');
  const match = /^([^.]*)\.(.*)$/.exec(handlerString);
  if (!match) throw rtError(RT.MalformedHandlerName, 'Bad handler');
  const [, moduleName, handlerPath] = match;

  let userModule;
  try {
    userModule = await loadModule(appRoot, moduleRoot, moduleName);
  } catch (e) {
    if (e instanceof SyntaxError) {
      const err = rtError(RT.UserCodeSyntaxError, String(e));
      if (MODERN) err.stack = e.stack;
      throw err;
    }
    if (e && e.code === 'MODULE_NOT_FOUND') throw rtError(RT.ImportModuleError, String(e));
    throw e;
  }

  let handler = resolveNested(userModule, handlerPath);
  if (!handler && MODERN && userModule && typeof userModule === 'object' && 'default' in userModule) {
    handler = resolveNested(userModule.default, handlerPath);
  }
  if (!handler) {
    throw rtError(RT.HandlerNotFound, `${fullHandler} is undefined or not exported`);
  }
  if (typeof handler !== 'function') {
    throw rtError(RT.HandlerNotFound, `${fullHandler} is not a function`);
  }
  return handler;
}

function handlerMetadata(handler) {
  const mark = handler[HANDLER_STREAMING];
  let streaming = false;
  if (mark !== undefined && mark !== null && mark !== false) {
    if (mark !== STREAM_RESPONSE) {
      throw rtError(RT.MalformedStreamingHandler, 'Only response streaming is supported.');
    }
    streaming = true;
  }
  const hwmRaw = handler[HANDLER_HIGHWATERMARK];
  const hwm = hwmRaw === undefined || hwmRaw === null || hwmRaw === false ? NaN : parseInt(hwmRaw);
  let isAsync = false;
  try {
    isAsync = handler.constructor?.name === 'AsyncFunction';
  } catch (_) {}
  return {
    streaming,
    highWaterMark: Number.isNaN(hwm) ? undefined : hwm,
    isAsync,
    argsNum: handler.length,
  };
}

// ---------------------------------------------------------------------------------------------
// Response streaming (awslambda.streamifyResponse)

class HttpResponseStream {
  static from(underlyingStream, prelude) {
    underlyingStream.setContentType('application/vnd.awslambda.http-integration-response');
    const metadataPrelude = JSON.stringify(prelude);
    underlyingStream._onBeforeFirstWrite = (write) => {
      write(metadataPrelude);
      write(new Uint8Array(8)); // eight NUL bytes end the prelude
    };
    return underlyingStream;
  }
}

function setupGlobals() {
  const off = env.AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA;
  if (off === '1' || off === 'true') return;
  globalThis.awslambda = {
    ...globalThis.awslambda,
    streamifyResponse: (handler, options) => {
      handler[HANDLER_STREAMING] = STREAM_RESPONSE;
      if (typeof options?.highWaterMark === 'number') {
        handler[HANDLER_HIGHWATERMARK] = parseInt(options.highWaterMark);
      }
      return handler;
    },
    HttpResponseStream,
  };
}

const WRITABLE_FNS = [
  'cork', 'destroy', 'end', 'uncork', 'write', 'addListener', 'emit', 'eventNames',
  'getMaxListeners', 'listenerCount', 'listeners', 'off', 'on', 'once', 'prependListener',
  'prependOnceListener', 'rawListeners', 'removeAllListeners', 'removeListener',
  'setMaxListeners', 'setContentType',
];
const WRITABLE_RW = ['destroyed', 'writable', '_onBeforeFirstWrite'];
const WRITABLE_RO = [
  'writableFinished', 'writableObjectMode', 'writableBuffer', 'writableEnded',
  'writableNeedDrain', 'writableHighWaterMark', 'writableCorked', 'writableLength',
];

/** The response stream handed to a streaming handler: a chunked POST to /response. */
function createResponseStream(id) {
  let started = false;
  let resolveDone;
  let rejectDone;
  const responseDone = new Promise((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });
  const req = http.request(
    {
      host: API_HOST,
      port: API_PORT,
      method: 'POST',
      path: `${API_PREFIX}/invocation/${encodeURIComponent(id)}/response`,
      agent,
      headers: {
        'Lambda-Runtime-Function-Response-Mode': 'streaming',
        Trailer: [ERROR_TYPE_HEADER, 'Lambda-Runtime-Function-Error-Body'],
        'Content-Type': 'application/octet-stream',
      },
    },
    (res) => {
      res.resume();
      res.on('aborted', (err) => {
        rejectDone(err);
        req.destroy(err);
      });
      res.on('end', () => resolveDone());
    },
  );
  req.on('error', (err) => {
    rejectDone(err);
    req.destroy(err);
  });
  responseDone.catch(noop);

  const origWrite = req.write.bind(req);
  const origEnd = req.end.bind(req);
  req.write = function (chunk, encoding, callback) {
    if (typeof chunk !== 'string' && !Buffer.isBuffer(chunk) && chunk?.constructor !== Uint8Array) {
      chunk = JSON.stringify(chunk);
    }
    if (!started && typeof req._onBeforeFirstWrite === 'function') {
      req._onBeforeFirstWrite((c) => origWrite(c));
    }
    started = true;
    return origWrite(chunk, encoding, callback);
  };
  req.end = function (chunk, encoding, callback) {
    if (typeof chunk === 'function') return origEnd(chunk);
    if (chunk !== undefined && chunk !== null) {
      if (typeof encoding === 'function') {
        callback = encoding;
        encoding = undefined;
      }
      req.write(chunk, encoding);
    }
    return origEnd(callback);
  };
  req.setContentType = function (contentType) {
    if (started) throw rtError(RT.InvalidStreamingOperation, 'Cannot set content-type, too late.');
    req.setHeader('Content-Type', contentType);
  };

  const stream = Object.fromEntries(WRITABLE_FNS.map((fn) => [fn, req[fn].bind(req)]));
  for (const p of WRITABLE_RW) {
    Object.defineProperty(stream, p, { get: () => req[p], set: (v) => (req[p] = v) });
  }
  for (const p of WRITABLE_RO) Object.defineProperty(stream, p, { get: () => req[p] });

  const fail = (err, callback) => {
    logError('Invoke Error', err);
    const error = toRapidResponse(err);
    try {
      req.addTrailers({
        [ERROR_TYPE_HEADER]: headerSafe(error.errorType),
        'Lambda-Runtime-Function-Error-Body': Buffer.from(JSON.stringify(error)).toString('base64'),
      });
    } catch (_) {}
    if (req.writableEnded || req.destroyed) callback();
    else origEnd(callback);
  };
  return { stream, responseDone, fail };
}

// ---------------------------------------------------------------------------------------------
// The invoke context

function parseJsonHeader(value, name) {
  if (!value) return undefined; // absent (the platform omits empty headers)
  try {
    return JSON.parse(value);
  } catch (err) {
    throw new Error(`Cannot parse ${name} as json: ${err.toString()}`);
  }
}

/** Adds the environment and per-invoke data to `context`, in AWS's property order. */
function attachContextData(context, headers) {
  const traceId = headers['lambda-runtime-trace-id'];
  if (traceId) env._X_AMZN_TRACE_ID = traceId;
  else delete env._X_AMZN_TRACE_ID;
  const deadline = Number(headers['lambda-runtime-deadline-ms']);
  const headerData = {
    clientContext: parseJsonHeader(headers['lambda-runtime-client-context'], 'ClientContext'),
    identity: parseJsonHeader(headers['lambda-runtime-cognito-identity'], 'CognitoIdentity'),
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    tenantId: headers['lambda-runtime-aws-tenant-id'],
  };
  if (MODERN) headerData.xRayTraceId = traceId;
  headerData.getRemainingTimeInMillis = () => deadline - Date.now();
  const envData = {
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
  };
  return MODERN
    ? Object.assign(context, headerData, envData)
    : Object.assign(context, envData, headerData);
}

function isPromise(obj) {
  return obj && obj.then && typeof obj.then === 'function';
}

async function nextInvocation() {
  const res = await client.next();
  const id = res.headers['lambda-runtime-aws-request-id'];
  if (!id) throw new Error('invocation id is missing or invalid');
  currentRequestId = id;
  currentTenantId = res.headers['lambda-runtime-aws-tenant-id'];
  return { id, headers: res.headers, body: res.body };
}

// ---------------------------------------------------------------------------------------------
// v3 loop (nodejs18.x - nodejs22.x): callbacks, context.done/succeed/fail, beforeExit

function buildCallbackContext(id, scheduleNext) {
  const postError = (err, callback) => {
    logError('Invoke Error', err);
    client.postInvocationError(err, id, callback);
  };
  let isCompleteInvoked = false;
  const complete = (result, callback) => {
    if (isCompleteInvoked) {
      console.error(
        'Invocation has already been reported as done. Cannot call complete more than once per invocation.',
      );
      return;
    }
    isCompleteInvoked = true;
    client.postInvocationResponse(result, id, callback);
  };
  let waitForEmptyEventLoop = true;

  const callback = (err, result) => {
    beforeExitListener = noop;
    if (err !== undefined && err !== null) {
      postError(err, scheduleNext);
    } else if (!waitForEmptyEventLoop) {
      complete(result, scheduleNext);
    } else {
      // Respond once the event loop has drained (node emits 'beforeExit').
      beforeExitListener = () => setImmediate(() => complete(result, scheduleNext));
    }
  };
  const done = (err, result) => {
    beforeExitListener = noop;
    if (err !== undefined && err !== null) postError(err, scheduleNext);
    else complete(result, scheduleNext);
  };
  const succeed = (result) => done(null, result);
  const fail = (err) => (err === undefined || err === null ? done('handled') : done(err, null));

  // Only the first of callback/succeed/fail/done counts.
  let finished = false;
  const once = (fn) =>
    function () {
      if (!finished) {
        fn.apply(null, arguments);
        finished = true;
      }
    };
  const context = {
    get callbackWaitsForEmptyEventLoop() {
      return waitForEmptyEventLoop;
    },
    set callbackWaitsForEmptyEventLoop(value) {
      waitForEmptyEventLoop = value;
    },
    succeed: once(succeed),
    fail: once(fail),
    done: once(done),
  };
  return [once(callback), context, () => (isCompleteInvoked = true)];
}

function startLegacyLoop(handler, metadata) {
  const scheduleIteration = () => {
    setImmediate(() => {
      const once = metadata.streaming ? handleOnceStreaming : handleOnce;
      once().then(noop, (err) => {
        console.log(`Unexpected Top Level Error: ${err.toString()}`);
        errorCallbacks.uncaughtException(err);
      });
    });
  };

  async function handleOnce() {
    const { id, headers, body } = await nextInvocation();
    const [callback, context, markCompleted] = buildCallbackContext(id, scheduleIteration);
    try {
      setInvokeErrorCallbacks(id);
      // If neither the callback nor a promise completes the invoke before the event loop
      // drains: async handlers fail with Runtime.NodeJsExit, others succeed with null.
      beforeExitListener = () => {
        markCompleted();
        if (metadata.isAsync) {
          const error = new NodeJsExit();
          logError('Invoke Error', error);
          client.postInvocationError(error, id, scheduleIteration);
        } else {
          client.postInvocationResponse(null, id, scheduleIteration);
        }
      };
      const result = handler(JSON.parse(body), attachContextData(context, headers), callback);
      if (isPromise(result)) {
        result.then(context.succeed, context.fail).catch(context.fail);
      }
    } catch (err) {
      callback(err);
    }
  }

  async function handleOnceStreaming() {
    const { id, headers, body } = await nextInvocation();
    let waitForEmptyEventLoop = true;
    const streamingContext = {
      get callbackWaitsForEmptyEventLoop() {
        return waitForEmptyEventLoop;
      },
      set callbackWaitsForEmptyEventLoop(value) {
        waitForEmptyEventLoop = value;
      },
    };
    await runStreamingInvoke(handler, id, headers, body, streamingContext, () => {
      beforeExitListener = noop;
      if (!waitForEmptyEventLoop) scheduleIteration();
      else beforeExitListener = () => setImmediate(scheduleIteration);
    }, () => {
      beforeExitListener = () => scheduleIteration();
    });
  }

  scheduleIteration();
}

/** Shared by both generations. `scheduleNext` ends the invoke; `armExit` sets the drain hook. */
async function runStreamingInvoke(handler, id, headers, body, context, scheduleNext, armExit) {
  const { stream, responseDone, fail } = createResponseStream(id);
  try {
    setInvokeErrorCallbacks(id);
    armExit();
    const ctx = attachContextData(context, headers);
    const result = handler(JSON.parse(body), stream, ctx);
    if (!isPromise(result)) {
      fail('Streaming does not support non-async handlers.', scheduleNext);
      return;
    }
    const value = await result;
    if (typeof value !== 'undefined') console.warn('Streaming handlers ignore return values.');
    await responseDone;
    if (!stream.writableFinished) {
      fail('Response stream is not finished.', scheduleNext);
      return;
    }
    scheduleNext();
  } catch (err) {
    fail(err, scheduleNext);
  }
}

// ---------------------------------------------------------------------------------------------
// v4 loop (nodejs24.x): `await handler(event, context)`, no callbacks

async function runModernLoop(handler, metadata) {
  for (;;) {
    const { id, headers, body } = await nextInvocation();
    setInvokeErrorCallbacks(id);
    if (metadata.streaming) {
      await new Promise((resolve) => {
        runStreamingInvoke(handler, id, headers, body, {}, resolve, () => {
          beforeExitListener = resolve;
        });
      });
      beforeExitListener = noop;
      continue;
    }
    // Should the event loop drain while the handler's promise is still pending, report
    // Runtime.NodeJsExit (as nodejs22.x does for async handlers) instead of exiting.
    let drained;
    const drainedPromise = new Promise((resolve) => (drained = resolve));
    beforeExitListener = () => drained();
    let outcome;
    try {
      const result = await Promise.race([
        (async () => handler(JSON.parse(body), attachContextData({}, headers)))().then(
          (value) => ({ value }),
          (error) => ({ error }),
        ),
        drainedPromise.then(() => ({ error: new NodeJsExit() })),
      ]);
      outcome = result;
    } catch (error) {
      outcome = { error };
    }
    beforeExitListener = noop;
    await new Promise((resolve) => setImmediate(resolve));
    if (!('error' in outcome)) {
      try {
        await new Promise((resolve) => client.postInvocationResponse(outcome.value, id, resolve));
        continue;
      } catch (error) {
        outcome = { error };
      }
    }
    logError('Invoke Error', outcome.error);
    await new Promise((resolve) => client.postInvocationError(outcome.error, id, resolve));
  }
}

// ---------------------------------------------------------------------------------------------
// Start

async function main() {
  patchConsole();
  installProcessHooks();
  setupGlobals();

  const appRoot = env.LAMBDA_TASK_ROOT || process.cwd();
  let handlerFn;
  let metadata;
  try {
    handlerFn = await loadHandler(appRoot, env._HANDLER || '');
    metadata = handlerMetadata(handlerFn);
    if (MODERN && metadata.argsNum >= 3 && !metadata.streaming) {
      throw rtError(
        RT.CallbackHandlerDeprecated,
        'ERROR: AWS Lambda has removed support for callback-based function handlers starting ' +
          'with Node.js 24. You need to modify this function to use a supported handler ' +
          'signature to use Node.js 24 or later. For more information see ' +
          'https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html.',
      );
    }
  } catch (err) {
    // v3 reaches this through its uncaughtException hook, v4 logs "Init Error".
    if (dying) return;
    logError(MODERN ? 'Init Error' : 'Uncaught Exception', err);
    die((cb) => client.postInitError(err, cb), MODERN ? 1 : 129);
    return;
  }

  if (!MODERN && metadata.argsNum === 3 && !metadata.isAsync && !metadata.streaming &&
      env.AWS_LAMBDA_NODEJS_DISABLE_CALLBACK_WARNING === undefined && RUNTIME_MAJOR >= 22) {
    console.warn(
      'AWS Lambda plans to remove support for callback-based function handlers starting with ' +
        'Node.js 24. You will need to update this function to use an async handler to use ' +
        'Node.js 24 or later. For more information and to provide feedback on this change, see ' +
        'https://github.com/aws/aws-lambda-nodejs-runtime-interface-client/issues/137. To ' +
        'disable this warning, set the AWS_LAMBDA_NODEJS_DISABLE_CALLBACK_WARNING environment ' +
        'variable.',
    );
  }

  if (MODERN) {
    runModernLoop(handlerFn, metadata).catch((err) => {
      console.log(`Unexpected Top Level Error: ${err.toString()}`);
      errorCallbacks.uncaughtException(err);
    });
  } else {
    startLegacyLoop(handlerFn, metadata);
  }
}

main();
