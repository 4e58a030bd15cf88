-- The W3C trace id of the request behind each history row (issue 22): the
-- HTTP request's traceparent travels in the Kafka headers of the transaction,
-- then of its result event, and lands here. Null for transactions that came
-- without one (`run`'s producer).
alter table account_activity add column trace_id text check (trace_id ~ '^[0-9a-f]{32}$');
