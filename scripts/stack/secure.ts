// `stack:up -- --secure`: the local stack as a managed cluster looks to a
// client. The broker gets a SASL_SSL listener (SCRAM-SHA-512) beside its
// plaintext one, PostgreSQL takes TLS, and both present a certificate made at
// start by a local CA (openssl), for the host name `localhost` only, so that
// clients verify host names as they must against a real cluster.

import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KafkaConfig } from '../../src/config/config.js';
import type { StackConfig } from './settings.js';
import { WalletSimError } from '../../src/runtime/errors.js';
import { commandExists, run } from './process.js';

export const SCRAM_MECHANISM = 'scram-sha-512';
export const SCRAM_USER = 'wallet-sim';
/** The SASL_SSL listener's port: the plaintext port + 2 (+ 1 is the controller's). */
export const SECURE_PORT_OFFSET = 2;
const CERTIFICATE_DAYS = 30;
/** The only name the server certificate holds: connecting by 127.0.0.1 must fail host-name verification. */
export const CERTIFICATE_HOST = 'localhost';

export interface SecurePaths {
  readonly dir: string;
  readonly caCertificate: string;
  readonly caKey: string;
  readonly serverCertificate: string;
  readonly serverKey: string;
  /** Key and certificate chain in one PEM file: Kafka's PEM key store. */
  readonly kafkaKeyStore: string;
  readonly credentials: string;
}

export function securePaths(config: StackConfig): SecurePaths {
  const dir = join(config.stack.dir, 'secure');
  return {
    dir,
    caCertificate: join(dir, 'ca.pem'),
    caKey: join(dir, 'ca.key'),
    serverCertificate: join(dir, 'server.pem'),
    serverKey: join(dir, 'server.key'),
    kafkaKeyStore: join(dir, 'kafka-keystore.pem'),
    credentials: join(dir, 'credentials.json'),
  };
}

function openssl(args: readonly string[], what: string): void {
  const result = run('openssl', args, { timeoutMs: 60_000 });
  if (result.status !== 0)
    throw new WalletSimError('STACK_FAILED', `${what} failed: ${(result.stderr || result.stdout).trim().split('\n').pop()}`);
}

/** Makes the local CA and the server certificate once per stack folder; later starts reuse them. */
export function ensureCertificates(config: StackConfig): SecurePaths {
  const paths = securePaths(config);
  if (existsSync(paths.kafkaKeyStore)) return paths;
  if (!commandExists('openssl')) {
    throw new WalletSimError(
      'STACK_FAILED',
      'openssl is needed to make the certificates of --secure; install it (apt-get install openssl)',
    );
  }
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  const days = String(CERTIFICATE_DAYS);
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      paths.caKey,
      '-out',
      paths.caCertificate,
      '-days',
      days,
      '-subj',
      '/CN=wallet-sim local CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    'making the local CA',
  );
  const request = join(paths.dir, 'server.csr');
  openssl(
    ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', paths.serverKey, '-out', request, '-subj', `/CN=${CERTIFICATE_HOST}`],
    'making the server key',
  );
  const extensions = join(paths.dir, 'server.ext');
  writeFileSync(
    extensions,
    `subjectAltName=DNS:${CERTIFICATE_HOST}\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n`,
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      request,
      '-CA',
      paths.caCertificate,
      '-CAkey',
      paths.caKey,
      '-CAcreateserial',
      '-out',
      paths.serverCertificate,
      '-days',
      days,
      '-extfile',
      extensions,
    ],
    'signing the server certificate',
  );
  for (const key of [paths.caKey, paths.serverKey]) chmodSync(key, 0o600);
  writeFileSync(paths.kafkaKeyStore, readFileSync(paths.serverKey, 'utf8') + readFileSync(paths.serverCertificate, 'utf8'), {
    mode: 0o600,
  });
  return paths;
}

interface Credentials {
  readonly kafkaPassword: string;
}

/** The SCRAM password of this stack folder, made once (hex: nothing to quote in a shell or in Kafka's config syntax). */
export function credentials(config: StackConfig): Credentials {
  const paths = securePaths(config);
  if (existsSync(paths.credentials)) return JSON.parse(readFileSync(paths.credentials, 'utf8')) as Credentials;
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  const made: Credentials = { kafkaPassword: randomBytes(18).toString('hex') };
  writeFileSync(paths.credentials, `${JSON.stringify(made)}\n`, { mode: 0o600 });
  return made;
}

/** The secured listener's address, beside the plaintext one of KAFKA_BROKERS. */
export function secureBroker(port: number): string {
  return `${CERTIFICATE_HOST}:${port + SECURE_PORT_OFFSET}`;
}

/** Lines of server.properties for the SASL_SSL listener. */
export function secureListenerProperties(paths: SecurePaths): string {
  return `sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_ssl.sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.ssl.keystore.type=PEM
listener.name.sasl_ssl.ssl.keystore.location=${paths.kafkaKeyStore}
`;
}

/** The Kafka settings of the secured listener. */
export function secureKafkaConfig(config: StackConfig, port: number): KafkaConfig {
  return {
    ...config.kafka,
    brokers: [secureBroker(port)],
    tls: { caFile: securePaths(config).caCertificate, rejectUnauthorized: true },
    sasl: { mechanism: SCRAM_MECHANISM, username: SCRAM_USER, password: credentials(config).kafkaPassword },
  };
}

/** Creates (or resets) the SCRAM user through the plaintext listener, with the broker's own ConfigCommand. */
export function createScramUser(config: StackConfig, javaArgs: readonly string[], plainBroker: string): void {
  const { kafkaPassword } = credentials(config);
  const result = run(
    'java',
    [
      ...javaArgs,
      'kafka.admin.ConfigCommand',
      '--bootstrap-server',
      plainBroker,
      '--alter',
      '--entity-type',
      'users',
      '--entity-name',
      SCRAM_USER,
      '--add-config',
      `SCRAM-SHA-512=[iterations=8192,password=${kafkaPassword}]`,
    ],
    { timeoutMs: 120_000 },
  );
  if (result.status !== 0) {
    throw new WalletSimError(
      'STACK_FAILED',
      `creating the SCRAM user ${SCRAM_USER} failed: ${(result.stderr || result.stdout).trim().split('\n').pop()}`,
    );
  }
}

/** The settings of the secured stack, as KEY=VALUE lines a shell can export. */
export function secureSettingsLines(config: StackConfig, kafkaPort: number): string {
  const paths = securePaths(config);
  const url = new URL(config.database.url);
  url.searchParams.set('sslmode', 'verify-full');
  const lines = {
    KAFKA_BROKERS: secureBroker(kafkaPort),
    KAFKA_SSL: 'true',
    KAFKA_SSL_CA_FILE: paths.caCertificate,
    KAFKA_SASL_MECHANISM: SCRAM_MECHANISM,
    KAFKA_SASL_USERNAME: SCRAM_USER,
    KAFKA_SASL_PASSWORD: credentials(config).kafkaPassword,
    DATABASE_URL: url.toString(),
    DATABASE_SSL_CA_FILE: paths.caCertificate,
  };
  return Object.entries(lines)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n');
}
