-- Users, their wallets (accounts) and cards, and the ledger of every
-- transaction wallet-sim applied. Correctness lives here: the ledger's primary
-- key is the producer's transaction id (a redelivered message cannot apply
-- twice), and no balance can go below zero whatever the code above does.

create table users (
  id          uuid primary key,
  name        text not null,
  email       text not null unique,
  created_at  timestamptz not null default now()
);

create table accounts (
  id          uuid primary key,
  user_id     uuid not null references users (id),
  currency    char(3) not null check (currency ~ '^[A-Z]{3}$'),
  balance     numeric(19, 4) not null check (balance >= 0),
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now()
);
create index accounts_user_id on accounts (user_id);

-- The full card number is generated (Luhn-valid) but never stored: only the
-- BIN, the last four digits and the masked form.
create table cards (
  id             uuid primary key,
  account_id     uuid not null references accounts (id),
  brand          text not null,
  bin            char(6) not null check (bin ~ '^[0-9]{6}$'),
  last4          char(4) not null check (last4 ~ '^[0-9]{4}$'),
  masked_number  text not null check (masked_number ~ '^[0-9]{6}[*]+[0-9]{4}$'),
  expiry_month   smallint not null check (expiry_month between 1 and 12),
  expiry_year    smallint not null check (expiry_year between 2000 and 2100),
  status         text not null default 'active' check (status in ('active', 'blocked')),
  created_at     timestamptz not null default now()
);
create index cards_account_id on cards (account_id);

-- One row per transaction id, approved or declined. Opening balances are rows
-- too (type 'opening'), so the books reconcile from this table alone.
-- account_id has no foreign key on purpose: a transaction for an unknown
-- account is recorded as declined 'unknown_account'.
create table transactions (
  id                      uuid primary key,
  account_id              uuid not null,
  type                    text not null check (type in ('opening', 'purchase', 'deposit', 'withdrawal', 'refund', 'transfer')),
  amount                  numeric(19, 4) not null check (amount > 0),
  currency                char(3) not null,
  status                  text not null check (status in ('approved', 'declined')),
  decline_reason          text,
  balance_before          numeric(19, 4),
  balance_after           numeric(19, 4) check (balance_after >= 0),
  card_id                 uuid,
  channel                 text check (channel in ('card_present', 'online')),
  merchant_name           text,
  merchant_category_code  char(4),
  merchant_city           text,
  merchant_country        char(2),
  event_time              timestamptz not null,
  applied_at              timestamptz not null default now(),
  kafka_partition         integer,
  kafka_offset            bigint,
  check ((status = 'declined') = (decline_reason is not null))
);
create index transactions_account_id on transactions (account_id);
