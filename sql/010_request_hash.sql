-- The wallet service derives a money request's transaction id from its
-- wallet and Idempotency-Key (issue 22), so nothing is written before the
-- message is published: the ledger row is the only record of the request.
-- It keeps the request's fingerprint, so that the same key with another
-- request (the same id, another body) is told apart from a replay. Null for
-- the transactions `run` produces.
alter table transactions add column request_hash text check (request_hash ~ '^[0-9a-f]{64}$');

-- A money request answered 202 (pending) before the ledger decided it: what
-- GET /v1/transactions/{id} answers `pending` from until the ledger row is
-- there. Only 202 answers write here, never a request answered with its decision.
create table pending_writes (
  transaction_id  uuid primary key,
  account_id      uuid not null,
  created_at      timestamptz not null default now()
);
