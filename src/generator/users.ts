// Fictitious users for `seed-users`: a name, an email, one wallet (account)
// with an opening balance, and one card. The same seed gives the same users,
// ids included, so seeding again with the same seed adds nothing.

import { seededFaker } from './faker.js';
import { Big, fromMinorUnits } from '../domain/money.js';
import { generateCard, type Card } from './cards.js';
import { createRandom } from './random.js';
import { createUuidV7 } from '../domain/ids.js';
import { generateProfile, type CustomerProfile } from './profiles.js';

export interface SeedUser {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly accountId: string;
  readonly currency: string;
  readonly openingBalance: Big;
  /** Id of the ledger entry that records the opening balance. */
  readonly openingTransactionId: string;
  readonly cardId: string;
  readonly card: Card;
  readonly profile: CustomerProfile;
}

export interface UserGeneratorOptions {
  readonly seed: number;
  readonly currency: string;
  readonly balanceMin: Big;
  readonly balanceMax: Big;
  /** Cards expire one to five years after this year. */
  readonly baseYear: number;
}

function toMinorUnits(amount: Big): bigint {
  return BigInt(amount.times(new Big('100')).round(0, Big.roundDown).toFixed(0));
}

function emailPart(text: string): string {
  return (
    text
      .normalize('NFKD')
      .replace(/[^A-Za-z0-9]/g, '')
      .toLowerCase() || 'user'
  );
}

// Seeded ids are time-ordered (UUIDv7 layout) on a fixed clock, one step per
// user: every index then grows at its right edge while seeding, and a foreign
// key check finds its parent row in a page that was just written.
const SEED_CLOCK_START_MS = Date.UTC(2024, 0, 1);

export function createUserGenerator(options: UserGeneratorOptions): () => SeedUser {
  const faker = seededFaker(options.seed);
  const random = createRandom(options.seed, 'users');
  const nextId = createUuidV7(createRandom(options.seed, 'user-ids'));
  // A stream of its own: the users themselves are the same as before profiles existed.
  const profiles = createRandom(options.seed, 'profiles');
  let clockMs = SEED_CLOCK_START_MS;
  const balanceMin = toMinorUnits(options.balanceMin);
  const balanceMax = toMinorUnits(options.balanceMax);
  return () => {
    clockMs += 1;
    const id = nextId(clockMs);
    const firstName = faker.person.firstName();
    const lastName = faker.person.lastName();
    return {
      id,
      name: `${firstName} ${lastName}`,
      // The id's random tail keeps emails unique.
      email: `${emailPart(firstName)}.${emailPart(lastName)}.${id.slice(-12)}@example.com`,
      accountId: nextId(clockMs),
      currency: options.currency,
      openingBalance: fromMinorUnits(random.bigint(balanceMin, balanceMax)),
      openingTransactionId: nextId(clockMs),
      cardId: nextId(clockMs),
      card: generateCard(random, options.baseYear),
      profile: generateProfile(profiles),
    };
  };
}
