// Money in whole minor units, for the generator's economy: bigint amounts,
// and shares of them as whole parts per trillion, so no amount is ever a
// float (the floats of the draws only shape them).

/**
 * Shares of money are whole parts per trillion: integer arithmetic on money,
 * and fine enough that an amount times a drawn share rounds to the same minor
 * unit as with the float share it comes from (per million, one deposit in
 * twenty came out a cent apart, and the generator's belief of the balances
 * with it).
 */
export const PARTS_PER_TRILLION = 1_000_000_000_000;

/** A share (0 to a few) as whole parts per trillion. */
export const perTrillion = (share: number): bigint => BigInt(Math.round(share * PARTS_PER_TRILLION));

/** numerator / denominator, both whole and not negative, rounded half up (as Math.round). */
export const roundedQuotient = (numerator: bigint, denominator: bigint): bigint => (numerator + denominator / 2n) / denominator;

/** That share of an amount, to the nearest minor unit. */
export const shareOf = (amountMinorUnits: bigint, sharePerTrillion: bigint): bigint =>
  roundedQuotient(amountMinorUnits * sharePerTrillion, BigInt(PARTS_PER_TRILLION));

export const minOf = (...amounts: bigint[]): bigint => amounts.reduce((low, amount) => (amount < low ? amount : low));
export const maxOf = (...amounts: bigint[]): bigint => amounts.reduce((high, amount) => (amount > high ? amount : high));
