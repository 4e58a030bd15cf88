import type { AccountDirectory } from '../generator/transactions.js';
import type { Sql } from './connect.js';

const CURSOR_ROWS = 10_000;

/** Every account (or the first `countMax`) with its currency and first card, in id order, for the generator. */
export async function loadAccountDirectory(sql: Sql, countMax: number | null = null): Promise<AccountDirectory> {
  const ids: string[] = [];
  const currencies: string[] = [];
  const cardIds: (string | null)[] = [];
  const query = sql<{ id: string; currency: string; card_id: string | null }[]>`
    select a.id, a.currency, (select c.id from cards c where c.account_id = a.id order by c.id limit 1) as card_id
    from accounts a order by a.id limit ${countMax}`;
  for await (const rows of query.cursor(CURSOR_ROWS)) {
    for (const row of rows) {
      ids.push(row.id);
      currencies.push(row.currency);
      cardIds.push(row.card_id);
    }
  }
  return { ids, currencies, cardIds };
}
