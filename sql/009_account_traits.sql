-- What the generator reads of each account besides its currency and
-- balance (issue 23, ten million accounts): its first card and its owner's
-- profile, one row per account, written with the account. Read through the
-- joins of accounts, cards and customer_profiles, the generator's directory
-- took 46 s at ten million accounts; merged with accounts along both primary
-- keys, it takes a third of that (docs/performance.md).
--
-- A copy of what cards and customer_profiles say, kept by the code that
-- writes accounts (db/seed.ts, db/user-accounts.ts). Accounts written by
-- other means get theirs when the directory is next read (db/accounts.ts).
create table account_traits (
  account_id    uuid primary key references accounts (id),
  card_id       uuid references cards (id),
  segment       text,
  home_city     text,
  home_country  char(2),
  activity      numeric(4, 2),
  amount_scale  numeric(4, 2)
);

-- The accounts there are now, in id order (the order the directory reads them in).
insert into account_traits (account_id, card_id, segment, home_city, home_country, activity, amount_scale)
select a.id, c.id, p.segment, p.home_city, p.home_country, p.activity, p.amount_scale
from accounts a
left join customer_profiles p on p.user_id = a.user_id
left join (select distinct on (account_id) account_id, id from cards order by account_id, id) c on c.account_id = a.id
order by a.id;
