// The directory's columns read by account index. Every index the generator
// holds comes from the directory's own length, so one beyond it is a bug:
// asserted here, once, rather than cast away at every read.

import assert from 'node:assert/strict';

/** The id of the account at `account`. */
export function accountIdAt(accounts: { readonly ids: readonly string[] }, account: number): string {
  return entryAt(accounts.ids, account);
}

/** The currency of the account at `account`. */
export function currencyAt(accounts: { readonly currencies: readonly string[] }, account: number): string {
  return entryAt(accounts.currencies, account);
}

function entryAt(column: readonly string[], account: number): string {
  const entry = column[account];
  if (entry === undefined) assert.fail(`account ${account} is beyond the directory's ${column.length}`);
  return entry;
}
