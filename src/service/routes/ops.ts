// Health, readiness, metrics and the OpenAPI document.

import type { FastifyInstance } from 'fastify';
import type { ServiceMetrics } from '../metrics.js';
import { PROBLEM_CONTENT_TYPE } from '../problems.js';

export interface OpsDeps {
  readonly metrics: ServiceMetrics;
  /** Null when ready; else what is not. */
  readonly notReady: () => string | null;
}

export async function opsRoutes(app: FastifyInstance, deps: OpsDeps): Promise<void> {
  app.get(
    '/healthz',
    { schema: { summary: 'The process answers', response: { 200: { type: 'object', properties: { status: { type: 'string' } } } } } },
    async () => ({
      status: 'ok',
    }),
  );
  app.get(
    '/readyz',
    { schema: { summary: 'Kafka and PostgreSQL answer and the ledger consumer has joined its group' } },
    async (_request, reply) => {
      const problem = deps.notReady();
      if (problem === null) return { status: 'ready' };
      return reply
        .code(503)
        .header('retry-after', '1')
        .type(PROBLEM_CONTENT_TYPE)
        .send(JSON.stringify({ type: '/problems/unavailable', title: 'Not ready', status: 503, detail: problem }));
    },
  );
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
    reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics()),
  );
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
