/**
 * The benchmark's server process: the real app, configured from the environment like src/node/start.ts, with a
 * bare Hono hello-world route in front of it. The hello route is the same-run ceiling: same process, same
 * @hono/node-server, none of the app's middleware. Its POST twin reads and parses a JSON body first: the
 * ceiling of any route that takes a body, which a GET does not pay for.
 */
import { Hono } from 'hono';
import { bootstrap } from '../src/bootstrap.ts';
import { loadConfig } from '../src/config.ts';
import { exitOnSignals, serveRuntime } from '../src/node/server.ts';

const runtime = await bootstrap(loadConfig());
const app = new Hono();
app.get('/hello', (c) => c.text('Hello, World!'));
app.post('/hello', async (c) => {
  JSON.parse(await c.req.text());
  return c.text('Hello, World!');
});
app.route('/', runtime.app);
exitOnSignals(await serveRuntime(runtime, app.fetch));
