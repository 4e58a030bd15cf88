import { describe, expect, it } from '@jest/globals';
import { simulatedTimeOf } from '../../src/report/html.js';
import { describeOptions, describeSpeed } from '../../src/report/recorded-options.js';
import { renderEconomy } from '../../src/terminal/statistics.js';

describe("the report's options", () => {
  it('reads as options, not JSON: the simulated start as a date, the mix in percent, in a fixed order', () => {
    const options = {
      seed: 4,
      mix: { purchase: 85, deposit: 5, withdrawal: 4, refund: 3, transfer: 3 },
      rate: 5000,
      durationMs: 60_000,
      count: null,
      simulatedTime: { startMs: Date.parse('2026-03-01T00:00:00Z'), speed: 43_200 },
      fraud: { accountShare: 0.03, scenarios: ['card_testing', 'stolen_card'] },
      partitions: 6,
      skew: 0,
    };
    expect(describeOptions(options)).toEqual([
      ['rate', '5000 transactions a second'],
      ['duration', '60 s'],
      ['count', 'no limit'],
      ['simulated time', 'from 2026-03-01T00:00:00Z at ×43,200 (12 simulated hours a second)'],
      ['mix', 'purchase 85%, deposit 5%, withdrawal 4%, refund 3%, transfer 3%'],
      ['seed', '4'],
      ['skew', '0'],
      ['partitions', '6'],
      ['fraud', '3% of accounts compromised; card_testing, stolen_card'],
    ]);
  });

  it('reads the fraud share of a record made before it was named accountShare', () => {
    expect(describeOptions({ fraud: { rate: 0.05, scenarios: ['account_takeover'] } })).toEqual([
      ['fraud', '5% of accounts compromised; account_takeover'],
    ]);
  });

  it('says the clock when the run had no simulated time, and shows keys it does not know as JSON', () => {
    expect(describeOptions({ simulatedTime: null, rate: 'max', later: { a: 1 } })).toEqual([
      ['rate', 'as fast as possible'],
      ['time', 'the clock (no --start or --speed)'],
      ['later', '{"a":1}'],
    ]);
    expect(simulatedTimeOf({ simulatedTime: null })).toBeNull();
    expect(simulatedTimeOf({ simulatedTime: { startMs: 1_772_323_200_000, speed: 3600 } })).toEqual({
      startSeconds: 1_772_323_200,
      speed: 3600,
    });
  });

  it('names the speed in the unit that reads best', () => {
    expect([describeSpeed(30), describeSpeed(3600), describeSpeed(100_000), describeSpeed(86_400 * 2)]).toEqual([
      '30 simulated seconds a second',
      '1 simulated hours a second',
      '1.16 simulated days a second',
      '2 simulated days a second',
    ]);
  });
});

describe('the economy in the printed statistics', () => {
  const day = (date: string, medianBalance: string | null) => ({
    day: date,
    transactions: 100,
    declined: 7,
    declinedShare: 0.07,
    purchases: 80,
    insufficientFunds: 2,
    insufficientFundsShare: 0.025,
    moneyIn: '1200.5',
    moneyOut: '980',
    medianBalance,
  });

  it('prints a line a day, money in the currency’s minor units', () => {
    const lines = renderEconomy({
      currency: 'EUR',
      dayWidth: 1,
      balanceAccounts: 1000,
      medianBalanceAtStart: '500',
      days: [day('2026-03-01', '512.3'), day('2026-03-02', null)],
    });
    expect(lines[1]).toContain('median balance of 1,000 accounts (500.00 before the run)');
    expect(lines[3]!.split(/\s+/).filter(Boolean)).toEqual(['2026-03-01', '7.0%', '2.5%', '1200.50', '980.00', '512.30']);
    expect(lines[4]!.trim().endsWith('-')).toBe(true);
  });

  it('keeps a long run to its first and last fifteen entries', () => {
    const days = Array.from({ length: 100 }, (_, i) => day(`2026-01-${String(i).padStart(3, '0')}`, '1'));
    const lines = renderEconomy({ currency: 'JPY', dayWidth: 2, balanceAccounts: 10, medianBalanceAtStart: '1', days });
    expect(lines).toHaveLength(3 + 31);
    expect(lines[0]).toMatch(/^ {2}by event 2 days \(UTC\)/);
    expect(lines).toContain('    … 70 more …');
    expect(lines[3]).toContain(' 1200.5 '); // JPY has no minor unit: the digits the value has, never rounded
  });

  it('prints nothing for a run without rows', () => {
    expect(renderEconomy({ currency: 'EUR', dayWidth: 1, balanceAccounts: 0, medianBalanceAtStart: null, days: [] })).toEqual([]);
  });
});
