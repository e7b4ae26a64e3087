import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { type BootstrapOptions, bootstrap, type Runtime } from '../bootstrap.ts';
import type { ServerConfig } from '../config.ts';
import { ListenError } from '../startup-failure.ts';

export interface RunningServer {
  runtime: Runtime;
  /** The address it listens on, e.g. http://127.0.0.1:8080. */
  url: string;
  port: number;
  /**
   * Graceful shutdown: readiness turns 503, the server stops accepting connections, in-flight requests finish
   * (up to `shutdownTimeoutMs`, then remaining connections are closed), the model and the prediction log close.
   */
  shutdown(): Promise<void>;
}

function listen(server: Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const reason = error.code === 'EADDRINUSE' ? 'the port is already in use' : error.message;
      reject(new ListenError(`cannot listen on ${host}:${port}: ${reason}`));
    });
    server.once('listening', () => resolve(server.address() as AddressInfo));
  });
}

/** Where a client on this machine reaches the server: loopback when it listens on every interface. */
function reachableHost({ address, family }: AddressInfo): string {
  if (address === '0.0.0.0') return '127.0.0.1';
  if (address === '::') return '[::1]';
  return family === 'IPv6' ? `[${address}]` : address;
}

function closeGracefully(server: Server, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const closed = new Promise<void>((done) => server.close(() => done()));
    // Keep-alive connections become idle as their last response is sent: close them as they do.
    const sweep = setInterval(() => server.closeIdleConnections(), 25);
    const deadline = setTimeout(() => server.closeAllConnections(), timeoutMs);
    closed.then(() => {
      clearInterval(sweep);
      clearTimeout(deadline);
      resolve();
    });
  });
}

type Fetch = (request: Request, env?: unknown) => Response | Promise<Response>;

/** An unread rest of a body up to this size is read (drained) so the connection can stay open. */
const DRAINABLE_BYTES = 64 * 1024;

/**
 * A body answered before it was read (a 413 for its size, a 415 for its type, a 404) is left unread. Kept
 * alive, the connection would first have to read the rest of it: @hono/node-server drains it for up to 500 ms
 * while the answer says keep-alive, then closes the socket anyway. For a large or chunked body the answer says
 * `Connection: close` instead, and Node closes the socket as soon as it is sent. HTTP/1.1 transport only: the
 * Lambda handler has no connection to close.
 */
function closingAfterUnreadBodies(fetch: Fetch): Fetch {
  const close = (response: Response, incoming: IncomingMessage | undefined) => {
    if (incoming && !incoming.readableEnded && hasLargeBody(incoming))
      response.headers.set('connection', 'close');
    return response;
  };
  return (request, env) => {
    const { incoming } = (env ?? {}) as { incoming?: IncomingMessage };
    const response = fetch(request, env);
    return response instanceof Promise ? response.then((r) => close(r, incoming)) : close(response, incoming);
  };
}

function hasLargeBody({ headers }: IncomingMessage): boolean {
  return (
    headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > DRAINABLE_BYTES
  );
}

/** Loads the model, builds the app and serves it over HTTP (@hono/node-server): local, ECS and EKS. */
export async function startServer(
  config: ServerConfig,
  options: BootstrapOptions = {},
): Promise<RunningServer> {
  return serveRuntime(await bootstrap(config, options));
}

/** Serves a bootstrapped runtime; `fetch` defaults to its app (the benchmark puts a bare route in front). */
export async function serveRuntime(
  runtime: Runtime,
  fetch: Fetch = runtime.app.fetch,
): Promise<RunningServer> {
  const { config } = runtime;
  const server = serve({
    fetch: closingAfterUnreadBodies(fetch),
    port: config.port,
    hostname: config.host,
    serverOptions: {
      // Longer than the ALB's 60 s idle timeout, so the load balancer, not the app, closes idle connections.
      keepAliveTimeout: 65_000,
      headersTimeout: 20_000,
      requestTimeout: 30_000,
    },
  }) as Server;
  const address = await listen(server, config.host, config.port);
  runtime.logger.info('listening', { host: address.address, port: address.port });
  const url = `http://${reachableHost(address)}:${address.port}`;

  let stopping: Promise<void> | undefined;
  const shutdown = () => {
    stopping ??= (async () => {
      runtime.logger.info('shutting down: draining in-flight requests');
      runtime.startDraining();
      const unfollowed = runtime.follower?.stop();
      await closeGracefully(server, config.shutdownTimeoutMs);
      await unfollowed; // no swap after this: the model closed next is the last one
      await runtime.models.close();
      await runtime.predictionLog.close();
      runtime.logger.info('stopped');
      runtime.logger.flush();
    })();
    return stopping;
  };
  return { runtime, url, port: address.port, shutdown };
}

/** SIGTERM (ECS, EKS, Ctrl-C as SIGINT): graceful shutdown, then exit 0. */
export function exitOnSignals(server: RunningServer): void {
  const stop = (signal: NodeJS.Signals) => {
    server.runtime.logger.info('signal received', { signal });
    server.shutdown().then(
      () => process.exit(0),
      (error: unknown) => {
        server.runtime.logger.error('shutdown failed', { error });
        server.runtime.logger.flush();
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
