-- Data worth studying (issue 16): who each customer is, and which
-- transactions were fraud.

-- A customer's profile, assigned at seeding: the segment that shapes their
-- behaviour, their home (card-present purchases happen mostly there), and
-- their own spread of activity and amounts around the segment's.
create table customer_profiles (
  user_id       uuid primary key references users (id),
  segment       text not null check (segment in ('commuter', 'family', 'student', 'traveller', 'retiree')),
  home_city     text not null,
  home_country  char(2) not null check (home_country ~ '^[A-Z]{2}$'),
  activity      numeric(4, 2) not null check (activity > 0),
  amount_scale  numeric(4, 2) not null check (amount_scale > 0)
);

-- The fraud label, kept apart from the transaction on purpose: nothing in
-- the message, its id or its ledger row says it was fraud. One row per
-- fraudulent transaction; an episode is one compromise (one card tested, one
-- card stolen, one account taken over) and groups its transactions. No
-- foreign key to the ledger: the label is written when the transaction is
-- produced, before the ledger has it.
create table fraud_labels (
  transaction_id  uuid primary key,
  account_id      uuid not null,
  scenario        text not null check (scenario in ('card_testing', 'stolen_card', 'account_takeover')),
  episode_id      uuid not null,
  step            text not null,
  labelled_at     timestamptz not null default now()
);
create index fraud_labels_episode_id on fraud_labels (episode_id);
