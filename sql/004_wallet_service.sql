-- The wallet service (`wallet-sim serve`).
--
-- An Idempotency-Key names one request for good: the first request with a key
-- inserts its row, a replay finds it, and the same key with another request
-- (method, path and body: request_hash) is refused. A money request's row
-- holds the transaction id it was given and the exact message published, so
-- a retry publishes the same bytes and the ledger's primary key keeps it
-- once. resource_id is what the request made: the transaction, user or wallet.
create table idempotency_keys (
  key           text primary key check (length(key) between 1 and 255),
  request_hash  text not null check (request_hash ~ '^[0-9a-f]{64}$'),
  resource_id   uuid not null unique,
  account_id    uuid,
  message       text,
  created_at    timestamptz not null default now()
);

-- Statements are paged newest first by a cursor (applied_at, offset, id).
create index transactions_statement on transactions (account_id, applied_at desc, (coalesce(kafka_offset, -1)) desc, id desc);
-- History of a wallet, newest first.
create index account_activity_newest on account_activity (account_id, applied_at desc, event_id desc);
