// Jest globalTeardown of the integration project: removes the suite's own stack where it started one.
import { removeOwnStack } from '../helpers/own-stack.js';

export default async function globalTeardown(): Promise<void> {
  await removeOwnStack();
}
