-- One row per `run` that consumed: what it was asked, its time series (one
-- point a second, coarser for long runs) and its totals, so `wallet-sim
-- report` can draw any past run.
create table runs (
  id          uuid primary key,
  started_at  timestamptz not null,
  ended_at    timestamptz not null default now(),
  topic       text not null,
  options     jsonb not null,
  series      jsonb not null,
  summary     jsonb not null,
  statistics  jsonb not null
);
create index runs_ended_at on runs (ended_at desc);
