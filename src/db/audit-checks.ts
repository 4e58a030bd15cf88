// The ledger's invariants, each checked by one SQL statement straight on the
// tables (and, for offsets, on the consumer group's committed offsets). Every
// check reports how many rows break it and a few of them.

import type { Sql } from './connect.js';

export interface CheckResult {
  readonly name: string;
  readonly description: string;
  readonly violations: number;
  /** A few of the violations: what is wrong, and where. */
  readonly examples: readonly string[];
  /** Set when the check could not run (e.g. no committed offsets yet). */
  readonly skipped?: string;
}

export interface PartitionBounds {
  readonly partition: number;
  /** First offset still in the topic. */
  readonly low: string;
  /** The group's committed offset: every offset below it was consumed. */
  readonly committed: string;
  /** The offset the next message will get. */
  readonly high: string;
}

const EXAMPLES_MAX = 5;

// Credits and debits of the ledger's row types.
const CREDIT_TYPES = ['opening', 'deposit', 'refund', 'transfer_in'];

type Row = { subject: string; detail: string; total: number };

async function check(name: string, description: string, rows: Promise<Row[]>): Promise<CheckResult> {
  const found = await rows;
  return { name, description, violations: found[0]?.total ?? 0, examples: found.map((row) => `${row.subject}: ${row.detail}`) };
}

/**
 * Money in flight (approved transfers without their credit leg) is normal
 * while the ledger group has messages to consume: the credit legs are among
 * them. Once it has consumed every message of the topic, none is left.
 */
async function transfersSettled(sql: Sql, offsets: readonly PartitionBounds[] | null, kafkaAway: string | null): Promise<CheckResult> {
  const name = 'transfers_settled';
  const description =
    'once the ledger group has consumed every message, no transfer is in flight (debited, its credit leg not yet applied)';
  const inFlight = sql<Row[]>`
    select t.id::text as subject, 'transfer of ' || t.amount || ' to ' || t.counterparty_account_id || ' has no credit leg' as detail,
           count(*) over ()::int as total
    from transactions t
    where t.type = 'transfer' and t.status = 'approved' and not exists (
      select 1 from transactions i where i.related_transaction_id = t.id and i.type = 'transfer_in' and i.status = 'approved')
    order by t.id limit ${EXAMPLES_MAX}`;
  const caughtUp = offsets !== null && offsets.every((bound) => bound.committed === bound.high);
  const found = await inFlight;
  const count = found[0]?.total ?? 0;
  if (caughtUp || count === 0) return check(name, description, Promise.resolve(found));
  return {
    name,
    description,
    violations: 0,
    examples: [],
    skipped: `${count} transfer(s) in flight: ${kafkaAway ?? (offsets === null ? 'the consumer group has committed no offsets' : 'the ledger group has messages left to consume')}`,
  };
}

/**
 * `offsets`: the ledger group's committed offsets, null when it committed
 * none; `kafkaAway`: why they are unknown when Kafka did not answer (the
 * checks that need them are then skipped, saying so, and the others run).
 */
export async function auditLedger(
  sql: Sql,
  topic: string,
  offsets: readonly PartitionBounds[] | null,
  kafkaAway: string | null = null,
): Promise<CheckResult[]> {
  return Promise.all([
    balancesMatchLedger(sql),
    noBalanceBelowZero(sql),
    transferLegsNetToZero(sql),
    transfersSettled(sql, offsets, kafkaAway),
    refundsWithinPurchase(sql),
    historyMatchesLedger(sql),
    offsetsAccountedFor(sql, topic, offsets, kafkaAway),
  ]);
}

function balancesMatchLedger(sql: Sql): Promise<CheckResult> {
  return check(
    'balances_match_ledger',
    'each balance equals its opening entry plus approved credits minus approved debits',
    sql<Row[]>`
    with ledger as (
      select account_id, sum(case when type = any(${CREDIT_TYPES}::text[]) then amount else -amount end) as total
      from transactions where status = 'approved' group by account_id)
    select a.id::text as subject, 'balance ' || a.balance || ', ledger says ' || coalesce(l.total, 0) as detail, count(*) over ()::int as total
    from accounts a left join ledger l on l.account_id = a.id
    where a.balance <> coalesce(l.total, 0)
    order by a.id limit ${EXAMPLES_MAX}`,
  );
}

function noBalanceBelowZero(sql: Sql): Promise<CheckResult> {
  return check(
    'no_balance_below_zero',
    'no balance, and no balance after a ledger row, is below zero',
    sql<Row[]>`
    select id::text as subject, 'balance ' || balance as detail, count(*) over ()::int as total from accounts where balance < 0
    union all
    select id::text, 'balance after ' || balance_after, count(*) over ()::int from transactions where balance_after < 0
    limit ${EXAMPLES_MAX}`,
  );
}

function transferLegsNetToZero(sql: Sql): Promise<CheckResult> {
  return check(
    'transfer_legs_net_to_zero',
    'each approved transfer has at most one credit leg, to its destination, of its amount (none yet: in flight); a declined one has none',
    sql<Row[]>`
    with legs as (
      select t.id, t.amount, t.status, count(i.id) as legs, coalesce(sum(i.amount), 0) as credited
      from transactions t
      left join transactions i on i.related_transaction_id = t.id and i.type = 'transfer_in' and i.status = 'approved'
      where t.type = 'transfer' group by t.id, t.amount, t.status),
    broken as (
      select id::text as subject, status || ' transfer of ' || amount || ' has ' || legs || ' credit legs of ' || credited as detail from legs
      where (status = 'approved' and (legs > 1 or (legs = 1 and credited <> amount))) or (status = 'declined' and legs > 0)
      union all
      select i.id::text, 'credit leg of ' || i.amount || ' without an approved transfer of that amount to its account' from transactions i
      where i.type = 'transfer_in' and i.status = 'approved' and not exists (
        select 1 from transactions t where t.id = i.related_transaction_id and t.type = 'transfer' and t.status = 'approved'
          and t.amount = i.amount and t.counterparty_account_id = i.account_id))
    select subject, detail, count(*) over ()::int as total from broken order by subject limit ${EXAMPLES_MAX}`,
  );
}

function refundsWithinPurchase(sql: Sql): Promise<CheckResult> {
  return check(
    'refunds_within_purchase',
    'approved refunds give back an approved purchase of the same account, never more than it',
    sql<Row[]>`
    with broken as (
      select p.id::text as subject, 'refunds of ' || sum(r.amount) || ' exceed the purchase of ' || p.amount as detail
      from transactions p join transactions r on r.related_transaction_id = p.id and r.type = 'refund' and r.status = 'approved'
      where p.type = 'purchase' group by p.id, p.amount having sum(r.amount) > p.amount
      union all
      select r.id::text, 'approved refund without an approved purchase of the same account' from transactions r
      where r.type = 'refund' and r.status = 'approved' and not exists (
        select 1 from transactions p where p.id = r.related_transaction_id and p.type = 'purchase' and p.status = 'approved' and p.account_id = r.account_id))
    select subject, detail, count(*) over ()::int as total from broken order by subject limit ${EXAMPLES_MAX}`,
  );
}

function historyMatchesLedger(sql: Sql): Promise<CheckResult> {
  return check(
    'history_matches_ledger',
    'the history built from result events has one matching row per ledger row',
    sql<Row[]>`
    with broken as (
      select t.id::text as subject, 'ledger row missing from the history' as detail from transactions t
      where t.type <> 'opening' and not exists (select 1 from account_activity a where a.event_id = t.id)
      union all
      select a.event_id::text, 'history row without a ledger row' from account_activity a
      where not exists (select 1 from transactions t where t.id = a.event_id)
      union all
      select a.event_id::text, 'history says ' || a.status || ' ' || a.amount || ' balance ' || coalesce(a.balance_after::text, '-')
        || ', ledger says ' || t.status || ' ' || t.amount || ' balance ' || coalesce(t.balance_after::text, '-')
      from account_activity a join transactions t on t.id = a.event_id
      where (a.account_id, a.type, a.status, a.amount, a.currency) is distinct from (t.account_id, t.type, t.status, t.amount, t.currency)
         or a.balance_after is distinct from t.balance_after or a.decline_reason is distinct from t.decline_reason)
    select subject, detail, count(*) over ()::int as total from broken order by subject limit ${EXAMPLES_MAX}`,
  );
}

function offsetsAccountedFor(
  sql: Sql,
  topic: string,
  offsets: readonly PartitionBounds[] | null,
  kafkaAway: string | null,
): Promise<CheckResult> {
  if (offsets === null) {
    return Promise.resolve({
      name: 'offsets_accounted_for',
      description: 'every consumed offset has a ledger row, a duplicate or a dead letter',
      violations: 0,
      examples: [],
      skipped: kafkaAway ?? `the consumer group has committed no offsets on ${topic}`,
    });
  }
  return check(
    'offsets_accounted_for',
    'every offset the consumer group committed has a ledger row, a duplicate or a dead letter',
    sql<Row[]>`
      with bounds as (
        select * from unnest(${offsets.map((o) => o.partition)}::integer[], ${offsets.map((o) => o.low)}::bigint[], ${offsets.map((o) => o.committed)}::bigint[])
          as bound (kafka_partition, low, committed)),
      seen as (
        select kafka_partition, kafka_offset from transactions where kafka_topic = ${topic}
        union select kafka_partition, kafka_offset from duplicates where topic = ${topic}
        union select kafka_partition, kafka_offset from dead_letters where topic = ${topic}),
      counted as (
        select b.kafka_partition, b.low, b.committed,
               (select count(*) from seen s where s.kafka_partition = b.kafka_partition and s.kafka_offset >= b.low and s.kafka_offset < b.committed) as accounted
        from bounds b)
      select ${topic} || ' partition ' || kafka_partition as subject,
             (committed - low - accounted) || ' of the offsets ' || low || ' to ' || (committed - 1) || ' are in no table' as detail,
             count(*) over ()::int as total
      from counted where accounted < committed - low order by kafka_partition limit ${EXAMPLES_MAX}`,
  );
}
