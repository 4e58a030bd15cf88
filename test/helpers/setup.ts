// Runs around every integration and fault test file: a test that fails
// half-way must not leave a wallet-sim process running behind it.
import { afterEach } from '@jest/globals';
import { killStrays } from './cli.js';

afterEach(() => {
  killStrays();
});
