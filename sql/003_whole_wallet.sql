-- A whole wallet: deposits, withdrawals, refunds and transfers; every message
-- accounted for (ledger row, duplicate or dead letter); the history that the
-- result events build.

-- A transfer is two ledger rows: 'transfer' debits the source under the
-- transaction's own id, 'transfer_in' credits the destination under an id
-- derived from it, with related_transaction_id pointing back. A refund points
-- at the purchase it refunds.
alter table transactions drop constraint transactions_type_check;
alter table transactions add constraint transactions_type_check
  check (type in ('opening', 'purchase', 'deposit', 'withdrawal', 'refund', 'transfer', 'transfer_in'));
alter table transactions
  add column kafka_topic              text,
  add column counterparty_account_id  uuid,
  add column related_transaction_id   uuid;
create index transactions_related_transaction_id on transactions (related_transaction_id) where related_transaction_id is not null;

-- Messages whose transaction id the ledger already had: with ledger rows and
-- dead letters, every consumed offset is accounted for (see `audit`).
create table duplicates (
  topic            text not null,
  kafka_partition  integer not null,
  kafka_offset     bigint not null,
  transaction_id   uuid not null,
  recorded_at      timestamptz not null default now(),
  primary key (topic, kafka_partition, kafka_offset)
);

-- Built by the history consumer group from result events, one row per ledger
-- row: a second, independent view of each account that `audit` compares with
-- the ledger. The event id is the ledger row's id, so a redelivered event
-- changes nothing.
create table account_activity (
  event_id        uuid primary key,
  transaction_id  uuid not null,
  account_id      uuid not null,
  type            text not null,
  status          text not null check (status in ('approved', 'declined')),
  decline_reason  text,
  amount          numeric(19, 4) not null check (amount > 0),
  currency        char(3) not null,
  balance_after   numeric(19, 4),
  applied_at      timestamptz not null,
  recorded_at     timestamptz not null default now()
);
create index account_activity_account_id on account_activity (account_id, applied_at);
