// A command's phases: an object passed down, heard by listeners; the fault
// tests' hold is one such listener, attached only when asked for.

import { describe, expect, it } from '@jest/globals';
import { PassThrough } from 'node:stream';
import { holdForFaultTests } from '../../src/runtime/fault-hold.js';
import { createPhases, type Phase } from '../../src/runtime/phases.js';

describe('phases', () => {
  it('tell each listener of each new phase once, with its time, until it stops listening', async () => {
    const phases = createPhases(() => 42);
    const heard: [Phase, number][] = [];
    const stop = phases.listen((phase, atMs) => void heard.push([phase, atMs]));
    expect(phases.current()).toBeNull();
    await phases.enter('connecting');
    await phases.enter('connecting');
    await phases.enter('migrating');
    stop();
    await phases.enter('seeding');
    expect(heard).toEqual([
      ['connecting', 42],
      ['migrating', 42],
    ]);
    expect(phases.current()).toBe('seeding');
  });

  it('are not held unless WALLET_SIM_FAULT_HOLD names a phase', async () => {
    const phases = createPhases();
    const stderr = new PassThrough();
    holdForFaultTests(phases, null, stderr);
    await phases.enter('connecting');
    expect(stderr.read()).toBeNull();
  });

  it('are held at the named phase, said on stderr, until SIGUSR2; the other listeners hear of it first', async () => {
    const phases = createPhases();
    const stderr = new PassThrough();
    holdForFaultTests(phases, 'migrating', stderr);
    const heard: Phase[] = [];
    phases.listen((phase) => void heard.push(phase));
    await phases.enter('connecting');
    let entered = false;
    const migrating = phases.enter('migrating').then(() => (entered = true));
    expect(heard).toEqual(['connecting', 'migrating']);
    expect(String(stderr.read())).toBe('wallet-sim: held at phase migrating (WALLET_SIM_FAULT_HOLD); SIGUSR2 goes on\n');
    await Promise.resolve();
    expect(entered).toBe(false);
    process.emit('SIGUSR2');
    await migrating;
    expect(entered).toBe(true);
  });
});
