// /metrics in the Prometheus text format (prom-client): requests by route and
// status, their latency, transactions by type and outcome, the ledger
// group's lag, and the requests waiting for a decision.

import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ResultEvent } from '../domain/events.js';

export interface ServiceMetrics {
  readonly registry: Registry;
  instrument(app: FastifyInstance): void;
  /** A decision this process saw (result events for every transaction, whoever applied it). */
  decided(event: ResultEvent): void;
}

// Seconds; from a cached read (a millisecond) to a write that waited its full limit.
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createServiceMetrics(sources: { waiting: () => number; lag: () => number | null }): ServiceMetrics {
  const registry = new Registry();
  const requests = new Counter({
    name: 'wallet_sim_http_requests_total',
    help: 'HTTP requests by route, method and status',
    labelNames: ['route', 'method', 'status'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'wallet_sim_http_request_duration_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['route', 'method'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const transactions = new Counter({
    name: 'wallet_sim_transactions_total',
    help: 'Ledger decisions seen, by type and outcome',
    labelNames: ['type', 'outcome'],
    registers: [registry],
  });
  new Gauge({
    name: 'wallet_sim_requests_waiting',
    help: 'Requests waiting for a ledger decision',
    registers: [registry],
    collect() {
      this.set(sources.waiting());
    },
  });
  new Gauge({
    name: 'wallet_sim_consumer_lag_messages',
    help: 'Transactions the ledger group has not committed yet (NaN when unknown)',
    registers: [registry],
    collect() {
      this.set(sources.lag() ?? Number.NaN);
    },
  });
  return {
    registry,
    instrument(app) {
      app.addHook('onResponse', async (request, reply) => {
        // The route's pattern, not its URL: ids would make a label per wallet.
        const route = request.routeOptions.url ?? 'unknown';
        requests.inc({ route, method: request.method, status: String(reply.statusCode) });
        latency.observe({ route, method: request.method }, reply.elapsedTime / 1000);
      });
    },
    decided(event) {
      if (event.eventId === event.transactionId) transactions.inc({ type: event.type, outcome: event.declineReason ?? event.status });
    },
  };
}
