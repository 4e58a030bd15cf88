// Kafka failures named for what they are. A broker that does not answer is
// waited out (KAFKA_UNREACHABLE, exit 69); settings that cannot work are
// named with the setting to change (exit 2), never waited out: wrong SASL
// credentials, a mechanism or protocol the listener does not offer, a
// certificate that is not trusted or not for the host, a host that does not
// exist. No message shows a password.

import assert from 'node:assert/strict';
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { KafkaConfig } from '../config/config.js';
import { WalletSimError } from '../runtime/errors.js';

interface ErrorLike {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly type?: unknown;
  readonly message?: unknown;
  readonly cause?: unknown;
  readonly originalError?: unknown;
}

/** Node's codes for a certificate chain that no trusted CA signed. */
const UNTRUSTED_CERTIFICATE_CODES: ReadonlySet<string> = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

const CAUSE_DEPTH_MAX = 6;

/** The error and its causes (kafkajs wraps in `cause` and `originalError`), outermost first. */
function causeChain(error: unknown): ErrorLike[] {
  const chain: ErrorLike[] = [];
  let next: unknown = error;
  while (typeof next === 'object' && next !== null && chain.length < CAUSE_DEPTH_MAX) {
    const current = next as ErrorLike;
    chain.push(current);
    next = current.cause ?? current.originalError;
  }
  return chain;
}

function where(config: KafkaConfig): string {
  return config.brokers.join(',');
}

function caSource(config: KafkaConfig): string {
  const caFile = config.tls?.caFile ?? null;
  return caFile === null ? "the system's CAs (set KAFKA_SSL_CA_FILE to the cluster's CA)" : `KAFKA_SSL_CA_FILE (${caFile})`;
}

type Kind = 'sasl' | 'sasl-not-on-listener' | 'mechanism-not-offered' | 'untrusted' | 'host-name' | 'not-valid-now' | 'unknown-host';

function kindOf(cause: ErrorLike): Kind | null {
  const code = typeof cause.code === 'string' ? cause.code : '';
  if (cause.name === 'KafkaJSSASLAuthenticationError') return 'sasl';
  if (cause.type === 'ILLEGAL_SASL_STATE') return 'sasl-not-on-listener';
  if (cause.type === 'UNSUPPORTED_SASL_MECHANISM') return 'mechanism-not-offered';
  if (UNTRUSTED_CERTIFICATE_CODES.has(code)) return 'untrusted';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return 'host-name';
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return 'not-valid-now';
  if (code === 'ENOTFOUND') return 'unknown-host';
  return null;
}

/**
 * Whether a kafkajs error comes from settings that cannot work, so that
 * waiting cannot cure it (for the retry helper, which has no settings).
 */
export function isKafkaSettingsFailure(error: unknown): boolean {
  const chain = causeChain(error);
  return (
    chain.some((cause) => typeof cause.name === 'string' && cause.name.startsWith('KafkaJS')) &&
    chain.some((cause) => kindOf(cause) !== null)
  );
}

/**
 * The named failure behind a Kafka error, or null when the error is not one
 * of settings (a broker away, restarting, or slow): from the error alone,
 * without asking the broker again.
 */
export function namedKafkaFailure(config: KafkaConfig, error: unknown): WalletSimError | null {
  for (const cause of causeChain(error)) {
    if (cause instanceof WalletSimError && cause.code !== 'KAFKA_UNREACHABLE') return cause;
    const kind = kindOf(cause);
    if (kind !== null) return failureOf(config, kind, cause, error);
  }
  return null;
}

function failureOf(config: KafkaConfig, kind: Kind, cause: ErrorLike, error: unknown): WalletSimError {
  const code = typeof cause.code === 'string' ? cause.code : '';
  const message = typeof cause.message === 'string' ? cause.message : '';
  const at = `Kafka at ${where(config)}`;
  switch (kind) {
    case 'sasl':
      return saslFailure(config, message, error);
    case 'mechanism-not-offered':
      return mechanismNotOffered(config, error);
    case 'sasl-not-on-listener':
      return new WalletSimError(
        'KAFKA_SASL_MISMATCH',
        `${at} does not take SASL on this listener; set KAFKA_SASL_MECHANISM=none, or point KAFKA_BROKERS at the broker's SASL listener`,
        { cause: error },
      );
    case 'untrusted':
      return new WalletSimError(
        'KAFKA_TLS_UNTRUSTED',
        `${at}: the broker's certificate is not signed by a CA in ${caSource(config)} (${code}); set KAFKA_SSL_CA_FILE to the CA that signed it`,
        { cause: error },
      );
    case 'host-name':
      return new WalletSimError(
        'KAFKA_TLS_UNTRUSTED',
        `${at}: the broker's certificate does not name this host; use a host name the certificate names in KAFKA_BROKERS (or fix the certificate)`,
        { cause: error },
      );
    case 'not-valid-now':
      return new WalletSimError(
        'KAFKA_TLS_UNTRUSTED',
        `${at}: the broker's certificate is not valid now (${code}); renew the broker's certificate`,
        {
          cause: error,
        },
      );
    case 'unknown-host':
      return new WalletSimError('KAFKA_HOST_UNKNOWN', `${at}: no such host (${hostOf(message)}); fix KAFKA_BROKERS`, { cause: error });
  }
}

function hostOf(message: string): string {
  return /ENOTFOUND (\S+)/.exec(message)?.[1] ?? 'the name does not resolve';
}

function mechanismNotOffered(config: KafkaConfig, error: unknown): WalletSimError {
  const mechanism = (config.sasl?.mechanism ?? 'none').toUpperCase();
  return new WalletSimError(
    'KAFKA_SASL_MISMATCH',
    `Kafka at ${where(config)} does not offer the SASL mechanism ${mechanism} on this listener; set KAFKA_SASL_MECHANISM to one it offers (plain, scram-sha-256 or scram-sha-512)`,
    { cause: error },
  );
}

function saslFailure(config: KafkaConfig, message: string, error: unknown): WalletSimError {
  const mechanism = (config.sasl?.mechanism ?? 'none').toUpperCase();
  if (message.includes('mechanism is not supported by the server')) return mechanismNotOffered(config, error);
  return new WalletSimError(
    'KAFKA_AUTH_FAILED',
    `Kafka at ${where(config)} refused the SASL user ${JSON.stringify(config.sasl?.username ?? '')} or its password (${mechanism}); fix KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD`,
    { cause: error },
  );
}

const PROBE_TIMEOUT_MS_MAX = 5_000;

type ProbeAnswer = 'refused' | 'tls' | 'not-tls';

/**
 * Asks the first broker's port how it talks: a TCP connection, then a TLS
 * handshake. Tells a plain listener from a TLS one, which kafkajs reports
 * alike as a closed connection or a time-out.
 */
async function probeListener(config: KafkaConfig, timeoutMs: number): Promise<ProbeAnswer> {
  const match = /^(.*):(\d+)$/.exec(config.brokers[0] ?? '');
  if (match === null) return 'refused';
  const [, hostText, portText] = match;
  assert.ok(hostText !== undefined && portText !== undefined, 'the pattern captures a host and a port');
  const host = hostText.replace(/^\[(.*)\]$/, '$1');
  const port = Number(portText);
  const tcp = await settle<Socket>((resolve, reject) => {
    const socket = tcpConnect({ host, port }, () => resolve(socket));
    socket.once('error', reject);
    return () => socket.destroy();
  }, timeoutMs);
  if (!('value' in tcp)) return 'refused';
  tcp.value.destroy();
  const handshake = await settle<true>((resolve, reject) => {
    // Only the protocol is asked here, not trust: trust is checked with the user's CA below.
    const socket = tlsConnect({ host, port, servername: host, rejectUnauthorized: false }, () => resolve(true));
    socket.once('error', reject);
    socket.once('close', () => reject(new Error('closed before the handshake')));
    return () => socket.destroy();
  }, timeoutMs);
  return 'value' in handshake ? 'tls' : 'not-tls';
}

/** Runs a callback-style attempt with a time limit; always cleans up. */
async function settle<T>(
  start: (resolve: (value: T) => void, reject: (error: Error) => void) => () => void,
  timeoutMs: number,
): Promise<{ value: T } | { error: unknown }> {
  let cleanUp: () => void = () => undefined;
  try {
    const value = await new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out')), timeoutMs);
      cleanUp = start(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
    return { value };
  } catch (error) {
    return { error };
  } finally {
    cleanUp();
  }
}

/**
 * The named failure behind a Kafka error: from the error itself, or else by
 * asking the listener whether it speaks TLS when the settings say otherwise.
 * Null: the broker does not answer (or answers but fails otherwise), which
 * is waited out.
 */
export async function diagnoseKafkaFailure(config: KafkaConfig, error: unknown): Promise<WalletSimError | null> {
  const named = namedKafkaFailure(config, error);
  if (named !== null) return named;
  const answer = await probeListener(config, Math.min(config.connectionTimeoutMs, PROBE_TIMEOUT_MS_MAX));
  if (answer === 'tls' && config.tls === null) {
    return new WalletSimError(
      'KAFKA_TLS_MISMATCH',
      `Kafka at ${where(config)} expects TLS on this listener; set KAFKA_SSL=true (and KAFKA_SSL_CA_FILE to its CA), or point KAFKA_BROKERS at a plaintext listener`,
      { cause: error },
    );
  }
  if (answer === 'not-tls' && config.tls !== null) {
    return new WalletSimError(
      'KAFKA_TLS_MISMATCH',
      `Kafka at ${where(config)} does not speak TLS on this listener; set KAFKA_SSL=false, or point KAFKA_BROKERS at the broker's TLS listener`,
      { cause: error },
    );
  }
  return null;
}
