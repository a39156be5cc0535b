// An HTTP proxy between the backend and the AWS sandbox. It records every AWS
// call (who made it, which operation) and can take its endpoint off the
// network for a while, the way a region outage looks to a client: connections
// are refused until it comes back.
import { createServer, request as httpRequest } from 'node:http';
import { freePort } from '../../lib/net.mjs';

/** The operation of an AWS request: JSON protocols name it in X-Amz-Target, query protocols in Action. */
function operationOf(req, body) {
  const target = req.headers['x-amz-target'];
  if (target) return String(target).split('.').pop();
  const action = /(?:^|&)Action=([^&]+)/.exec(body);
  if (action) return decodeURIComponent(action[1]);
  return `${req.method} ${req.url.split('?')[0]}`;
}

function accessKeyOf(req) {
  const match = /Credential=([^/]+)\//.exec(req.headers.authorization ?? '');
  return match?.[1];
}

export async function startAwsProxy(targetUrl) {
  const target = new URL(targetUrl);
  const port = await freePort();
  const calls = [];
  const sockets = new Set();
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      calls.push({
        at: Date.now(),
        accessKeyId: accessKeyOf(req),
        operation: operationOf(req, body.toString('utf8')),
      });
      const upstream = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        upstreamRes => {
          res.writeHead(upstreamRes.statusCode, upstreamRes.headers);
          upstreamRes.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      res.on('close', () => upstream.destroy());
      upstream.end(body);
    });
  });
  server.on('connection', socket => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const listen = () =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  await listen();
  let up = true;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    /** Refuses connections from now on and cuts the open ones. */
    async down() {
      if (!up) return;
      up = false;
      const closed = new Promise(r => server.close(r));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
    async up() {
      if (up) return;
      await listen();
      up = true;
    },
    async stop() {
      await this.down();
    },
  };
}
