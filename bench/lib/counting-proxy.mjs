// A tiny HTTP proxy in front of the AWS sandbox that counts the AWS calls going
// through it, per operation. The sandbox's admin state has no request counters,
// so the benchmark counts on the wire, outside both the backend and the sandbox;
// per operation and per access key id (one per account, in the benchmark).
//
// Run as its own process (`node counting-proxy.mjs <sandbox url>`) so that its
// work does not run on the event loop of the load generator. Control routes live
// under /_bench/: GET stats, POST reset, POST arm, POST block.
import { spawn } from 'node:child_process';
import { Agent, createServer, request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import {
  CHAIN_OPERATION,
  isThrottlingResponse,
  operationOf,
} from './operations.mjs';

function runProxy(targetUrl) {
  const target = new URL(targetUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  let armed = false;
  let stats;
  const reset = () => {
    stats = {
      byOperation: {},
      calls: 0,
      throttled: 0,
      errors: 0,
      blocked: 0,
      firstRequestAt: undefined,
      lastResponseAt: undefined,
      inFlight: 0,
      /** Per access key id (the sandbox tells accounts apart by it). */
      byAccessKey: {},
      /**
       * Per access key id, each CHAIN_OPERATION call as [received, answered]
       * in milliseconds of this process's clock: when its request reached
       * the proxy and when its answer had left it (see chainTurnaround).
       */
      chainCalls: {},
    };
  };
  reset();

  const readBody = req =>
    new Promise((resolve, reject) => {
      const chunks = [];
      req.on('data', c => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('error', reject);
    });

  const json = (res, status, body) => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  };

  const server = createServer(async (req, res) => {
    const receivedAt = performance.now();
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://proxy');
    if (url.pathname.startsWith('/_bench/')) {
      const route = `${req.method} ${url.pathname}`;
      if (route === 'GET /_bench/stats') return json(res, 200, stats);
      if (route === 'POST /_bench/reset') {
        reset();
        return json(res, 200, stats);
      }
      if (route === 'POST /_bench/arm') {
        armed = true;
        return json(res, 200, { armed });
      }
      if (route === 'POST /_bench/block') {
        armed = false;
        return json(res, 200, { armed });
      }
      return json(res, 404, { error: `no route ${route}` });
    }

    if (!armed) {
      // Until the benchmark arms it, every AWS call fails at once with an error
      // the SDK does not retry, so the backend's boot-time refresh ends quickly
      // and the measured refresh is the first one that reads anything.
      stats.blocked += 1;
      const text = JSON.stringify({
        __type: 'AccessDeniedException',
        message: 'benchmark proxy not armed yet',
      });
      res.writeHead(403, {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-errortype': 'AccessDeniedException',
        'content-length': Buffer.byteLength(text),
      });
      res.end(text);
      return;
    }

    const operation = operationOf({
      method: req.method ?? 'GET',
      path: url.pathname,
      headers: req.headers,
      body: body.toString('utf8'),
    });
    const entry = (stats.byOperation[operation] ??= {
      calls: 0,
      throttled: 0,
      errors: 0,
      firstAt: Date.now(),
      lastAt: undefined,
    });
    entry.calls += 1;
    stats.calls += 1;
    stats.inFlight += 1;
    stats.firstRequestAt ??= Date.now();
    const accessKey =
      /Credential=([^/,\s]+)\//.exec(
        String(req.headers.authorization ?? ''),
      )?.[1] ?? 'unsigned';
    const account = (stats.byAccessKey[accessKey] ??= {
      calls: 0,
      throttled: 0,
      firstAt: Date.now(),
      lastAt: undefined,
    });
    account.calls += 1;

    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent,
      },
      upstreamRes => {
        const status = upstreamRes.statusCode ?? 502;
        const done = () => {
          if (operation === CHAIN_OPERATION) {
            (stats.chainCalls[accessKey] ??= []).push([
              receivedAt,
              performance.now(),
            ]);
          }
          stats.inFlight -= 1;
          stats.lastResponseAt = Date.now();
          entry.lastAt = stats.lastResponseAt;
          account.lastAt = stats.lastResponseAt;
        };
        if (status < 400) {
          // Streamed through: the proxy stands for the network, and should
          // spend as little of the shared CPUs as it can.
          res.writeHead(status, upstreamRes.headers);
          upstreamRes.pipe(res);
          upstreamRes.on('end', done);
          return;
        }
        const chunks = [];
        upstreamRes.on('data', c => chunks.push(c));
        upstreamRes.on('end', () => {
          const payload = Buffer.concat(chunks);
          const throttled = isThrottlingResponse(
            status,
            upstreamRes.headers,
            payload.toString('utf8'),
          );
          if (throttled) {
            entry.throttled += 1;
            stats.throttled += 1;
            account.throttled += 1;
          } else {
            entry.errors += 1;
            stats.errors += 1;
          }
          res.writeHead(status, upstreamRes.headers);
          res.end(payload);
          done();
        });
      },
    );
    upstream.on('error', error => {
      entry.errors += 1;
      stats.errors += 1;
      stats.inFlight -= 1;
      stats.lastResponseAt = Date.now();
      if (!res.headersSent) res.writeHead(502);
      res.end(String(error));
    });
    upstream.end(body);
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(
      `${JSON.stringify({ port: server.address().port })}\n`,
    );
  });
  process.on('SIGTERM', () => process.exit(0));
}

/** Starts the proxy as a child process in front of `targetUrl`. */
export async function startCountingProxy(targetUrl) {
  const child = spawn(
    process.execPath,
    [fileURLToPath(import.meta.url), targetUrl],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise((resolve, reject) => {
    let buffer = '';
    child.stdout.on('data', data => {
      buffer += data.toString();
      const line = buffer.split('\n')[0];
      if (buffer.includes('\n')) resolve(JSON.parse(line).port);
    });
    child.on('exit', code =>
      reject(new Error(`counting proxy exited with ${code}`)),
    );
  });
  const url = `http://127.0.0.1:${port}`;
  const control = async (method, path) => {
    const res = await fetch(`${url}/_bench/${path}`, { method });
    if (!res.ok) throw new Error(`proxy ${method} ${path}: HTTP ${res.status}`);
    return res.json();
  };
  return {
    url,
    pid: child.pid,
    stats: () => control('GET', 'stats'),
    reset: () => control('POST', 'reset'),
    arm: () => control('POST', 'arm'),
    block: () => control('POST', 'block'),
    stop() {
      child.kill('SIGTERM');
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  runProxy(process.argv[2]);
}
