// Jest globalTeardown of the faults project: stops the suite's own stack and deletes its folder.
import { removeOwnStack } from '../helpers/own-stack.js';

export default async function globalTeardown(): Promise<void> {
  await removeOwnStack();
}
