// Seeded Faker instances on English data. The package's root module loads
// every locale it has: about 24 MB of heap (and RSS) in each thread that
// imports it, and both the main thread and the producer thread do. Its
// English entry point loads English only, but exports just a ready-made
// instance; new seeded ones are made with that instance's class and its
// merged definitions (English over the base locale, as before), so a seed
// gives the same names as it did with the root module.

import type { Faker } from '@faker-js/faker';
import { faker as english } from '@faker-js/faker/locale/en';

const FakerOfEnglish = english.constructor as new (options: { locale: Faker['rawDefinitions'] }) => Faker;

export function seededFaker(seed: number): Faker {
  const faker = new FakerOfEnglish({ locale: english.rawDefinitions });
  faker.seed(seed);
  return faker;
}
