// The one classifier of failures: retriable (the same call may succeed later,
// nobody changing anything) or fatal. Errors are shaped as their libraries
// make them: postgres.js and Node sockets carry a `code`, kafkajs a `name`,
// a `retriable` flag and a `cause`.

import { describe, expect, it } from '@jest/globals';
import { WalletSimError } from '../../src/runtime/errors.js';
import { classifyError, waitOut, withRetry } from '../../src/runtime/retry.js';
import { resolveConfig } from '../../src/config/config.js';
import { kafkaCrashOf } from '../../src/kafka/client.js';

const pg = (code: string) => Object.assign(new Error(`postgres ${code}`), { code });
const kafkajs = (name: string, retriable: boolean, cause?: unknown) => Object.assign(new Error(name), { name, retriable, cause });

describe('classifyError', () => {
  it.each([
    ['PostgreSQL serialization failure', pg('40001'), 'retriable'],
    ['PostgreSQL deadlock', pg('40P01'), 'retriable'],
    [
      "the ledger's primary key violated (another consumer recorded the id meanwhile)",
      Object.assign(pg('23505'), { constraint_name: 'transactions_pkey' }),
      'retriable',
    ],
    ['any other unique violation', Object.assign(pg('23505'), { constraint_name: 'users_email_key' }), 'fatal'],
    ['a unique violation without its constraint', pg('23505'), 'fatal'],
    [
      'kafkajs: a broker certificate no CA signed (in an error kafkajs calls retriable)',
      kafkajs(
        'KafkaJSNumberOfRetriesExceeded',
        false,
        Object.assign(kafkajs('KafkaJSConnectionError', true), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }),
      ),
      'fatal',
    ],
    [
      'kafkajs: a host name the certificate does not name',
      Object.assign(kafkajs('KafkaJSConnectionError', true), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' }),
      'fatal',
    ],
    ['kafkajs: an unknown host', Object.assign(kafkajs('KafkaJSConnectionError', true), { code: 'ENOTFOUND' }), 'fatal'],
    ['kafkajs: SASL refused', kafkajs('KafkaJSSASLAuthenticationError', false), 'fatal'],
    ['PostgreSQL: an unknown host is still waited out (only Kafka settings are named here)', pg('ENOTFOUND'), 'retriable'],
    ['PostgreSQL shutting down', pg('57P01'), 'retriable'],
    ['PostgreSQL starting up', pg('57P03'), 'retriable'],
    ['too many connections', pg('53300'), 'retriable'],
    ['connection failure', pg('08006'), 'retriable'],
    ['a refused socket', pg('ECONNREFUSED'), 'retriable'],
    ['postgres.js: connection closed', pg('CONNECTION_CLOSED'), 'retriable'],
    ['postgres.js: connect timeout', pg('CONNECT_TIMEOUT'), 'retriable'],
    ['a check violation (balance below zero)', pg('23514'), 'fatal'],
    ['a syntax error', pg('42601'), 'fatal'],
    ['wrong password', pg('28P01'), 'fatal'],
    ['an error without a code', new Error('boom'), 'fatal'],
    ['kafkajs: a retriable protocol error', kafkajs('KafkaJSProtocolError', true), 'retriable'],
    ['kafkajs: a non-retriable protocol error', kafkajs('KafkaJSProtocolError', false), 'fatal'],
    ['kafkajs: retries exhausted', kafkajs('KafkaJSNumberOfRetriesExceeded', false, kafkajs('KafkaJSConnectionError', true)), 'retriable'],
    ['kafkajs: coordinator not found while the broker restarts', kafkajs('KafkaJSGroupCoordinatorNotFound', false), 'retriable'],
    ['kafkajs: a closed connection', kafkajs('KafkaJSConnectionClosedError', false), 'retriable'],
    [
      'kafkajs: a fatal error whose cause is retriable',
      kafkajs('KafkaJSNonRetriableError', false, kafkajs('KafkaJSProtocolError', true)),
      'retriable',
    ],
    [
      'kafkajs: a fatal error with a fatal cause',
      kafkajs('KafkaJSNonRetriableError', false, kafkajs('KafkaJSProtocolError', false)),
      'fatal',
    ],
    ['an operating error marked retriable', new WalletSimError('DATABASE_UNREACHABLE', 'away', { retriable: true }), 'retriable'],
    ['an operating error not marked', new WalletSimError('CONFIG_INVALID', 'bad'), 'fatal'],
    ['something that is not an error', 'a string', 'fatal'],
    ['null', null, 'fatal'],
  ])('%s is %s', (_what, error, expected) => {
    expect(classifyError(error)).toBe(expected);
  });
});

describe('withRetry', () => {
  it('tries a retriable failure again, at most attemptsMax times in all, and a fatal one never', async () => {
    let calls = 0;
    const policy = { attemptsMax: 4, backoffMsMin: 1, backoffMsMax: 2 };
    await expect(
      withRetry(async () => {
        calls += 1;
        throw pg('40P01');
      }, policy),
    ).rejects.toMatchObject({ code: '40P01' });
    expect(calls).toBe(4);
    calls = 0;
    await expect(
      withRetry(async () => {
        calls += 1;
        throw pg('23514');
      }, policy),
    ).rejects.toMatchObject({ code: '23514' });
    expect(calls).toBe(1);
    calls = 0;
    expect(await withRetry(async () => (++calls < 3 ? Promise.reject(pg('08006')) : 'done'), policy)).toBe('done');
    expect(calls).toBe(3);
  });

  it('waits an outage out for the outage limit, says so once per retry and once when it is over, then gives up with the operating error', async () => {
    const problems: (string | null)[] = [];
    const unreachable = (cause: unknown, waitedMs?: number) =>
      new WalletSimError('DATABASE_UNREACHABLE', waitedMs === undefined ? 'away' : `away for ${waitedMs} ms`, {
        cause,
        retriable: waitedMs === undefined,
      });
    let calls = 0;
    expect(
      await waitOut(async () => (++calls < 3 ? Promise.reject(pg('08006')) : 'done'), {
        outageLimitMs: 5_000,
        unreachable,
        onProblem: (problem) => problems.push(problem),
      }),
    ).toBe('done');
    expect(problems).toEqual([expect.stringMatching(/^away; waiting for it \(0 s of --outage-limit 5 s\)$/), expect.anything(), null]);

    const startedMs = Date.now();
    await expect(waitOut(() => Promise.reject(pg('08006')), { outageLimitMs: 1_000, unreachable })).rejects.toMatchObject({
      code: 'DATABASE_UNREACHABLE',
      message: 'away for 1000 ms',
      retriable: false,
    });
    expect(Date.now() - startedMs).toBeGreaterThanOrEqual(1_000);

    calls = 0;
    await expect(
      waitOut(
        async () => {
          calls += 1;
          throw pg('23514');
        },
        { outageLimitMs: 60_000, unreachable },
      ),
    ).rejects.toMatchObject({ message: 'away' });
    expect(calls).toBe(1);
  });
});

describe('kafkaCrashOf', () => {
  const kafka = resolveConfig({ flags: {}, env: {}, dotenv: {} }).kafka;
  it('blames Kafka for what kafkajs threw, and nothing else', () => {
    const connection = Object.assign(new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092'), {
      name: 'KafkaJSConnectionError',
      retriable: true,
    });
    expect(kafkaCrashOf(kafka, connection)).toMatchObject({ code: 'KAFKA_UNREACHABLE' });
    // A bug in a handler is reported as the internal error it is (exit 70), not as a broker outage.
    const bug = new TypeError("Cannot read properties of undefined (reading 'amount')");
    expect(kafkaCrashOf(kafka, bug)).toBe(bug);
    const ours = new WalletSimError('DATABASE_UNREACHABLE', 'PostgreSQL did not answer');
    expect(kafkaCrashOf(kafka, ours)).toBe(ours);
    expect(kafkaCrashOf(kafka, 'a string')).toEqual(new Error('a string'));
  });
});
