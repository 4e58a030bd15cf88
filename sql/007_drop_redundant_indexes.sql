-- Two indexes repeated the leading columns of another: every ledger row and
-- every history row paid for an extra index insert, and on a ledger of 10M
-- rows the extra index (a third of a GB) competed for shared buffers.
-- transactions_statement (account_id, applied_at desc, …) serves every
-- lookup by account; account_activity_newest (account_id, applied_at desc,
-- event_id desc) every lookup by account, in either order.
drop index transactions_account_id;
drop index account_activity_account_id;
