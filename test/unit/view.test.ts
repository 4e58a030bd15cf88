// The live view and the status it shows: each source's state is its own, and
// a block on a terminal never wraps (a wrapped line breaks the redraw in place).

import { describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { RunStats } from '../../src/stats/stats.js';
import { StatusBoard } from '../../src/stats/status.js';
import { fitToWidth } from '../../src/terminal/live.js';
import { createView } from '../../src/terminal/view.js';

// eslint-disable-next-line no-control-regex -- colour codes are what it strips
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;

function capture(columns?: number): { stream: Writable & { columns?: number }; text: () => string } {
  let text = '';
  const stream: Writable & { columns?: number } = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  if (columns !== undefined) stream.columns = columns;
  return { stream, text: () => text };
}

describe('status per source', () => {
  it('keeps one source down while another recovers, with the time it went down', () => {
    const board = new StatusBoard(1_000);
    board.set('postgres', 'PostgreSQL does not answer', 2_000);
    board.set('ledger', 'retry 1 in 100 ms', 2_100);
    board.set('ledger', 'retry 2 in 200 ms', 2_300); // a new problem while down keeps the outage's start
    board.set('kafka', null, 2_400);
    let status = board.snapshot(6_000);
    expect(status.postgres).toMatchObject({
      state: 'down',
      since: new Date(2_000).toISOString(),
      sinceSeconds: 4,
      problem: 'PostgreSQL does not answer',
    });
    expect(status.ledger).toMatchObject({ state: 'down', since: new Date(2_100).toISOString(), problem: 'retry 2 in 200 ms' });
    board.set('ledger', null, 6_500);
    status = board.snapshot(7_000);
    expect(status.ledger).toMatchObject({ state: 'up', since: new Date(6_500).toISOString(), problem: null });
    expect(status.postgres.state).toBe('down');
    expect(status.kafka).toMatchObject({ state: 'up', since: new Date(1_000).toISOString() });
  });
});

describe('the live view', () => {
  const snapshot = () => {
    const stats = new RunStats();
    stats.start(0);
    const board = new StatusBoard(0);
    board.set('postgres', 'PostgreSQL at postgres://wallet_sim:***@localhost:5432/wallet_sim does not answer (ECONNREFUSED)', 1_000);
    return stats.snapshot(9_000, { lag: 12, remainingSeconds: null, status: board.snapshot(9_000) });
  };

  it('says on a terminal which dependency is down and since when, without a line wider than the terminal', () => {
    const out = capture(80);
    const view = createView('tty', out.stream, capture().stream);
    view.update(snapshot());
    view.update(snapshot());
    const lines = out
      .text()
      .replace(ANSI, '')
      .split('\n')
      .filter((line) => line !== '');
    expect(lines.some((line) => line.startsWith('  ! postgres down for 8 s: PostgreSQL at'))).toBe(true);
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThan(80);
    // The second block moved up over exactly the first one's lines.
    const blockLines = lines.length / 2;
    expect(out.text()).toContain(`\x1b[${blockLines}F`);
  });

  it('names the down dependency in plain lines and in JSON lines', () => {
    const plain = capture();
    createView('plain', plain.stream, capture().stream).update(snapshot());
    expect(plain.text()).toMatch(/ down=postgres:8s problem="PostgreSQL at .* does not answer \(ECONNREFUSED\)"/);
    const json = capture();
    createView('json', json.stream, capture().stream).update(snapshot());
    const line = JSON.parse(json.text()) as { status: Record<string, { state: string }> };
    expect(Object.fromEntries(Object.entries(line.status).map(([source, status]) => [source, status.state]))).toEqual({
      kafka: 'up',
      postgres: 'down',
      producer: 'up',
      ledger: 'up',
      history: 'up',
    });
  });

  it('cuts a coloured line to the width, keeping its colour codes', () => {
    const line = `ab\x1b[31mcdef\x1b[39mgh`;
    expect(fitToWidth(line, 4)).toBe('ab\x1b[31mcd\x1b[39m');
    expect(fitToWidth(line, 100)).toBe(line);
  });
});
