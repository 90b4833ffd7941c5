/**
 * The Handrail HTTP API: one Hono app, served by API Gateway + Lambda on AWS (handler.ts) and by
 * Node in the local runtime.
 *
 * @example
 * const res = await createApp().request('/runs/run-123');
 */
import { Hono } from 'hono';
import { shownId } from '../shared/ids.js';
import { bodyLimits } from './body-limits.js';
import { errorResponse } from './errors.js';
import { lambdaContextLogging } from './lambda-context.js';
import { approvals } from './routes/approvals.js';
import { autonomy } from './routes/autonomy.js';
import { inbox } from './routes/inbox.js';
import { knowledge } from './routes/knowledge.js';
import { review } from './routes/review.js';
import { runs } from './routes/runs.js';
import { slack } from './routes/slack.js';
import { usage } from './routes/usage.js';
import { webhooks } from './routes/webhooks.js';

export function createApp(): Hono {
  const app = new Hono();
  // Every route, including those mounted later (the local runtime's /sink and /outbox).
  app.use('*', lambdaContextLogging(), bodyLimits());
  app.get('/health', (c) => c.json({ ok: true }));
  app.route('/webhooks', webhooks);
  app.route('/runs', runs);
  app.route('/approvals', approvals);
  app.route('/autonomy', autonomy);
  app.route('/review', review);
  app.route('/knowledge', knowledge);
  app.route('/inbox', inbox);
  app.route('/slack', slack);
  app.route('/usage', usage);
  app.notFound((c) => c.json({ error: { code: 'NotFound', message: `No route ${c.req.method.slice(0, 16)} ${shownId(c.req.path)}` } }, 404));
  app.onError(errorResponse);
  return app;
}
