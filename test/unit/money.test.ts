import { describe, expect, it } from '@jest/globals';
import { createRandom } from '../../src/generator/random.js';
import {
  Big,
  displayAmount,
  displayMoney,
  formatAmount,
  fromMinorUnits,
  isAmountText,
  minorUnitsOf,
  parseAmount,
  sum,
} from '../../src/domain/money.js';

describe('money', () => {
  it.each([
    ['12.34', '12.34'],
    ['0.0001', '0.0001'],
    ['100', '100'],
    ['999999999999999.9999', '999999999999999.9999'],
  ])('parses %s exactly', (text, expected) => {
    const amount = parseAmount(text);
    expect(amount).toBeInstanceOf(Big);
    expect((amount as Big).toFixed(4)).toBe(new Big(expected).toFixed(4));
  });

  it.each([
    [12.34, 'not_a_decimal_string'],
    ['1e3', 'not_a_decimal_string'],
    ['-5', 'not_a_decimal_string'],
    ['01.5', 'not_a_decimal_string'],
    [' 1', 'not_a_decimal_string'],
    ['1.', 'not_a_decimal_string'],
    ['0', 'not_positive'],
    ['0.0000', 'not_positive'],
    ['1.00001', 'too_many_decimals'],
    ['1000000000000000', 'too_large'],
  ])('refuses %j as %s', (text, problem) => {
    expect(parseAmount(text)).toBe(problem);
  });

  it('checks an amount exactly as parseAmount takes it, over random texts', () => {
    const random = createRandom(4, 'amounts');
    const alphabet = '0123456789.-e ';
    const texts: unknown[] = [12.34, null, '', '0.0', '00', '1000000000000000', '999999999999999', '0.00001', '0.0001'];
    for (let i = 0; i < 20_000; i++)
      texts.push(
        Array.from({ length: 1 + random.int(20) }, () => alphabet[random.int(random.chance(0.8) ? 11 : alphabet.length)]).join(''),
      );
    for (const text of texts) expect([text, isAmountText(text)]).toEqual([text, parseAmount(text) instanceof Big]);
  });

  it('makes amounts from whole minor units and back to the same text', () => {
    const random = createRandom(6, 'minor-units');
    for (let i = 0; i < 2_000; i++) {
      const units = random.bigint(0n, 10n ** BigInt(1 + random.int(17)));
      const decimals = random.int(5);
      const text = units.toString().padStart(decimals + 1, '0');
      const expected = decimals === 0 ? text : `${text.slice(0, -decimals)}.${text.slice(-decimals)}`;
      expect(fromMinorUnits(units, decimals).toFixed(decimals)).toBe(new Big(expected).toFixed(decimals));
      expect(fromMinorUnits(-units, decimals).eq(fromMinorUnits(units, decimals).times(new Big('-1')))).toBe(true);
    }
  });

  it('keeps sums exact where floats drift', () => {
    const amounts = Array.from({ length: 10 }, () => new Big('0.1'));
    expect(formatAmount(sum(amounts))).toBe('1.00');
    const [tenth, fifth] = [Number('0.1'), Number('0.2')];
    expect(tenth + fifth === Number('0.3')).toBe(false); // the float trap this avoids
    expect(sum([new Big('0.1'), new Big('0.2')]).eq(new Big('0.3'))).toBe(true);
  });

  it('makes amounts from whole minor units', () => {
    expect(fromMinorUnits(1234n).toFixed(2)).toBe('12.34');
    expect(fromMinorUnits(5n).toFixed(2)).toBe('0.05');
    expect(fromMinorUnits(90071992547409931n).toFixed(2)).toBe('900719925474099.31');
  });

  it('refuses JS numbers outright (strict mode)', () => {
    expect(() => new Big(0.1 as unknown as string)).toThrow();
  });

  it.each([
    ['1212.6300', 'EUR', '1212.63'],
    ['-45.1000', 'EUR', '-45.10'],
    ['0.0000', 'EUR', '0.00'],
    ['1500.0000', 'JPY', '1500'],
    ['12.5000', 'BHD', '12.500'],
    ['12.3456', 'EUR', '12.3456'], // never rounded away
    ['7.1200', 'XYZ', '7.12'],
  ])('shows %s %s in its minor units as %s', (text, currency, shown) => {
    expect(displayAmount(text, currency)).toBe(shown);
    expect(displayMoney(new Big(text), currency)).toBe(`${shown} ${currency}`);
  });

  it('knows the ISO 4217 exponents', () => {
    expect([minorUnitsOf('JPY'), minorUnitsOf('EUR'), minorUnitsOf('BHD'), minorUnitsOf('usd')]).toEqual([0, 2, 3, 2]);
  });
});
