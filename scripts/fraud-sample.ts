// A development aid, not the pipeline: the generator's transactions and
// labels for the reference run (10,000 users, from 2026-03-01 at
// 43,200× speed, 5,000 tx/s, 60 s), written straight to CSV in the export's
// columns without Kafka or PostgreSQL, so that fraud-eval/evaluate.py can
// be rerun in seconds while the scenarios are tuned. Status, decline and
// balances are left empty: no ledger decides here. Figures worth quoting
// come from `wallet-sim export` after a real run.
//
//   node dist/scripts/fraud-sample.js OUT.csv [fraudRate] [seed]

import { createWriteStream } from 'node:fs';
import { createSlotTimes } from '../src/generator/calendar.js';
import { FRAUD_SCENARIOS, type FraudLabel } from '../src/generator/fraud.js';
import { PLACES } from '../src/generator/places.js';
import { directoryOfSeedUsers } from '../src/generator/directory.js';
import { createTransactionGenerator } from '../src/generator/transactions.js';
import { createUserGenerator } from '../src/generator/users.js';
import { Big } from '../src/domain/money.js';
import { createShapedSchedule } from '../src/producer/rate.js';

const USERS = 10_000;
const RATE_TPS = 5_000;
const DURATION_MS = 60_000;
const simulated = { startMs: Date.UTC(2026, 2, 1), speed: 43_200 };

const [output = '/tmp/fraud-sample.csv', fraudShareText = '0.02', seedText = '4'] = process.argv.slice(2);
const nextUser = createUserGenerator({ seed: 3, currency: 'EUR', balanceMin: new Big('10'), balanceMax: new Big('2000'), baseYear: 2026 });
const users = Array.from({ length: USERS }, nextUser);
const plannedTotal = createShapedSchedule(RATE_TPS, 0, simulated).dueBy(DURATION_MS);
const labels = new Map<string, FraudLabel>();
const generate = createTransactionGenerator({
  seed: Number(seedText),
  accounts: directoryOfSeedUsers(users),
  skew: 0,
  // As `run` has them (src/simulation/producing.ts).
  unknownAccountShare: 0.001,
  merchantPoolSize: 2_000,
  simulatedHours: true,
  fraud: {
    accountShare: Number(fraudShareText),
    scenarios: FRAUD_SCENARIOS,
    plannedTotal,
    hoursMatter: true,
    onLabel: (label) => labels.set(label.transactionId, label),
  },
});
const ownerOf = new Map(users.map((user, index) => [user.accountId, index]));
const slotTime = createSlotTimes(simulated, RATE_TPS);
const quote = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
const out = createWriteStream(output);
out.write(
  'transaction_id,event_time,type,status,decline_reason,account_id,card_id,counterparty_account_id,related_transaction_id,amount,currency,' +
    'balance_before,balance_after,channel,merchant_name,merchant_category_code,merchant_city,merchant_country,segment,home_city,home_country,' +
    'is_fraud,fraud_scenario,fraud_episode_id,fraud_step\r\n',
);
for (let n = 1; n <= plannedTotal; n++) {
  const t = generate(0, slotTime(n));
  const owner = ownerOf.get(t.accountId) ?? -1;
  const home = PLACES[users[owner]?.profile.homePlace ?? -1];
  const label = labels.get(t.transactionId);
  const row = [
    t.transactionId,
    t.eventTime,
    t.type,
    '',
    '',
    t.accountId,
    t.cardId ?? '',
    t.counterpartyAccountId ?? '',
    t.originalTransactionId ?? '',
    t.amount.toString(),
    t.currency,
    '',
    '',
    t.channel ?? '',
    t.merchant?.name ?? '',
    t.merchant?.categoryCode ?? '',
    t.merchant?.city ?? '',
    t.merchant?.country ?? '',
    users[owner]?.profile.segment ?? '',
    home?.city ?? '',
    home?.country ?? '',
    String(label !== undefined),
    label?.scenario ?? '',
    label?.episodeId ?? '',
    label?.step ?? '',
  ];
  out.write(row.map(quote).join(',') + '\r\n');
}
out.end(() => process.stderr.write(`fraud-sample: ${plannedTotal} transactions, ${labels.size} fraud, to ${output}\n`));
