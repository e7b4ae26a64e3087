import { createServer } from 'node:http';
import type { Send } from '../../src/smoke/smoke.ts';

const features = [
  { name: 'pregnant', dtype: 'integer' as const, min: 0, max: 17 },
  { name: 'glucose', dtype: 'float' as const, min: 1, max: 600 },
];

const json = (body: unknown, status = 200, type = 'application/json', headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': type, ...headers } });

type Override = Record<string, (request: Request) => Response>;

/**
 * A stand-in for the inference app that keeps the HTTP contract the smoke suite checks, mounted at `mountedAt`
 * (an API Gateway stage); `override` replaces the answer of one route (`"POST /predict"`).
 */
export function contractApp(override: Override = {}, mountedAt = ''): Send {
  return async (request) => {
    const { pathname: fullPath } = new URL(request.url);
    if (!fullPath.startsWith(`${mountedAt}/`)) return json({}, 404);
    const route = `${request.method} ${fullPath.slice(mountedAt.length)}`;
    if (override[route]) return override[route](request);
    if (route === 'GET /health' || route === 'GET /ready') return json({ status: 'ok' });
    if (route === 'GET /v1/models') return json({ models: [{ name: 'm', version: '1', features }] });
    if (route === 'POST /predict') {
      const body = (await request.json()) as Record<string, number>;
      if (body.pregnant! > 17) {
        return json({ status: 422, errors: [{ pointer: '/pregnant' }] }, 422, 'application/problem+json');
      }
      const id = request.headers.get('x-request-id') ?? 'generated';
      const prediction = { prediction: 1, probability: 0.7, risk_level: 'high', request_id: id };
      return json(prediction, 200, 'application/json', { 'x-request-id': id });
    }
    return json({}, 404);
  };
}

/** Serves `send` over HTTP on a loopback port. */
export async function serve(send: Send): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = chunks.length ? Buffer.concat(chunks) : undefined;
    const headers = Object.entries(req.headers).map(
      ([name, value]) => [name, String(value)] as [string, string],
    );
    const response = await send(
      new Request(`http://${req.headers.host}${req.url}`, { method: req.method, headers, body }),
    );
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
