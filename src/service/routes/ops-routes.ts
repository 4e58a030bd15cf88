// Health, readiness, metrics and the OpenAPI document.

import type { FastifyInstance } from 'fastify';
import type { ServiceMetrics } from '../metrics.js';
import { ProblemError, sendProblem } from '../problems.js';
import { problems } from '../schemas.js';

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
    {
      schema: {
        summary: 'Kafka and PostgreSQL answer and the ledger consumer has joined its group',
        response: { 200: { type: 'object', properties: { status: { type: 'string' } } }, ...problems(503) },
      },
    },
    async (_request, reply) => {
      const problem = deps.notReady();
      if (problem === null) return { status: 'ready' };
      return sendProblem(reply, new ProblemError('unavailable', problem, {}, 1));
    },
  );
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
    reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics()),
  );
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
