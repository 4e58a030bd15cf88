// KRaft Kafka from the Apache jars on Maven Central, for machines with Java
// and Maven but no Docker: one broker (the default), or each node of a
// cluster (kafka-cluster.ts). Jars are cached per version in the cache folder;
// data, config and logs live under the stack folder.

import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StackConfig } from './settings.js';
import { WalletSimError } from '../../src/runtime/errors.js';
import { commandExists, run, startDetached } from './process.js';
import { ensureCertificates, secureListenerProperties, SECURE_PORT_OFFSET, type SecurePaths } from './secure.js';

export interface NativeKafkaPaths {
  readonly home: string;
  readonly libs: string;
  readonly data: string;
  readonly serverProperties: string;
  readonly logConfig: string;
  readonly log: string;
  readonly stdoutLog: string;
}

const HEAP_OPTIONS = ['-Xms256m', '-Xmx512m'];

/** One KRaft node, broker and controller in one process, as its server.properties names it. */
export interface KafkaNode {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
  readonly controllerPort: number;
}

/** The single broker's folder is `<stack dir>/kafka`; a cluster node's, `<stack dir>/kafka/node-<id>`. */
export function nativeKafkaPaths(config: StackConfig, clusterNodeId?: number): NativeKafkaPaths {
  const home = join(config.stack.dir, 'kafka', clusterNodeId === undefined ? '' : `node-${clusterNodeId}`);
  return {
    home,
    libs: join(config.stack.cacheDir, `kafka-${config.stack.kafkaVersion}`, 'libs'),
    data: join(home, 'data'),
    serverProperties: join(home, 'server.properties'),
    logConfig: join(home, isKafka4(config.stack.kafkaVersion) ? 'log4j2.properties' : 'log4j.properties'),
    log: join(home, 'server.log'),
    stdoutLog: join(home, 'stdout.log'),
  };
}

/** host and port of the first broker, which must be this machine to start it here. */
export function localBroker(config: StackConfig): { host: string; port: number } {
  const [first] = config.kafka.brokers;
  const match = /^(.*):(\d+)$/.exec(first ?? '');
  const host = match?.[1] ?? '';
  if (!['localhost', '127.0.0.1', '[::1]'].includes(host)) {
    throw new WalletSimError(
      'STACK_FAILED',
      `Kafka at ${first} does not answer and is not on this machine, so the stack cannot start it; start that broker or set KAFKA_BROKERS=localhost:9092`,
    );
  }
  return { host, port: Number(match?.[2]) };
}

/** The JVM's arguments for the broker's own tools and the broker (heap, logging, class path). */
export function kafkaJavaArgs(config: StackConfig, paths = nativeKafkaPaths(config), heapOptions = HEAP_OPTIONS): string[] {
  return [...heapOptions, '-Djava.awt.headless=true', ...logArgs(config.stack.kafkaVersion, paths.logConfig), '-cp', join(paths.libs, '*')];
}

/** Starts the broker (with a SASL_SSL listener when `secure`); returns its pid. The caller waits until it answers. */
export function startNativeKafka(config: StackConfig, secure: boolean): number {
  const { host, port } = localBroker(config);
  const node = { nodeId: 1, host, port, controllerPort: port + 1 };
  return startKafkaNode(config, {
    nodes: [node],
    node,
    paths: nativeKafkaPaths(config),
    secure: secure ? ensureCertificates(config) : null,
    clusterId: newClusterId(),
    heapOptions: HEAP_OPTIONS,
  });
}

export interface KafkaNodeStart {
  /** Every node of the cluster (its controller quorum), `node` among them. */
  readonly nodes: readonly KafkaNode[];
  readonly node: KafkaNode;
  readonly paths: NativeKafkaPaths;
  readonly secure: SecurePaths | null;
  /** Used only when the node's storage is not formatted yet; every node of a cluster must get the same. */
  readonly clusterId: string;
  readonly heapOptions: readonly string[];
}

/** Writes one node's configuration, formats its storage the first time, and starts it; returns its pid. */
export function startKafkaNode(config: StackConfig, start: KafkaNodeStart): number {
  const { paths } = start;
  if (!commandExists('java')) {
    throw new WalletSimError(
      'STACK_FAILED',
      'Java 17 or newer is needed to run Kafka without Docker; install it (e.g. apt-get install openjdk-17-jre-headless) or Docker',
    );
  }
  mkdirSync(paths.data, { recursive: true });
  ensureJars(config, paths);
  writeFileSync(paths.serverProperties, serverProperties(start.nodes, start.node, paths.data, start.secure));
  writeFileSync(paths.logConfig, logConfig(config.stack.kafkaVersion, paths.log));
  const javaArgs = kafkaJavaArgs(config, paths, [...start.heapOptions]);
  if (!existsSync(join(paths.data, 'meta.properties'))) {
    const format = run('java', [...javaArgs, 'kafka.tools.StorageTool', 'format', '-t', start.clusterId, '-c', paths.serverProperties], {
      timeoutMs: 120_000,
    });
    if (format.status !== 0) {
      throw new WalletSimError(
        'STACK_FAILED',
        `formatting Kafka's storage failed: ${(format.stderr || format.stdout).trim().split('\n').pop()}`,
      );
    }
  }
  return startDetached('java', [...javaArgs, 'kafka.Kafka', paths.serverProperties], paths.stdoutLog);
}

function ensureJars(config: StackConfig, paths: NativeKafkaPaths): void {
  const version = config.stack.kafkaVersion;
  if (existsSync(paths.libs) && readdirSync(paths.libs).includes(`kafka_2.13-${version}.jar`)) return;
  if (!commandExists('mvn')) {
    throw new WalletSimError(
      'STACK_FAILED',
      'Maven is needed once to download the Kafka jars without Docker; install it (e.g. apt-get install maven) or Docker',
    );
  }
  const versionDir = join(paths.libs, '..');
  mkdirSync(versionDir, { recursive: true });
  writeFileSync(join(versionDir, 'pom.xml'), brokerPom(version));
  const staging = `${paths.libs}.partial`;
  rmSync(staging, { recursive: true, force: true });
  process.stdout.write(`kafka: downloading Apache Kafka ${version} jars from Maven Central into ${paths.libs}\n`);
  const result = run(
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      join(versionDir, 'pom.xml'),
      'dependency:copy-dependencies',
      '-DincludeScope=runtime',
      `-DoutputDirectory=${staging}`,
    ],
    { timeoutMs: 900_000 },
  );
  if (result.status !== 0) {
    const logPath = join(versionDir, 'maven.log');
    writeFileSync(logPath, result.stdout + result.stderr);
    throw new WalletSimError(
      'STACK_FAILED',
      `downloading Kafka ${version} with Maven failed; see ${logPath} (is KAFKA_VERSION a published version?)`,
    );
  }
  rmSync(paths.libs, { recursive: true, force: true });
  renameSync(staging, paths.libs);
}

function isKafka4(version: string): boolean {
  return Number(version.split('.')[0]) >= 4;
}

// The broker's pom does not bring a logging backend: Kafka 4 logs through
// log4j2, Kafka 3 through reload4j, both behind SLF4J 1.7.
function brokerPom(version: string): string {
  const logging = isKafka4(version)
    ? [
        ['org.apache.logging.log4j', 'log4j-slf4j-impl', '2.25.2'],
        ['org.apache.logging.log4j', 'log4j-core', '2.25.2'],
      ]
    : [
        ['org.slf4j', 'slf4j-reload4j', '1.7.36'],
        ['ch.qos.reload4j', 'reload4j', '1.2.25'],
      ];
  const dependencies = [['org.apache.kafka', 'kafka_2.13', version], ...logging]
    .map(
      ([group, artifact, v]) =>
        `    <dependency><groupId>${group}</groupId><artifactId>${artifact}</artifactId><version>${v}</version></dependency>`,
    )
    .join('\n');
  return `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>wallet-sim</groupId><artifactId>kafka-broker</artifactId><version>1</version><packaging>pom</packaging>
  <dependencies>
${dependencies}
  </dependencies>
</project>
`;
}

function logArgs(version: string, logConfigPath: string): string[] {
  return isKafka4(version) ? [`-Dlog4j2.configurationFile=${logConfigPath}`] : [`-Dlog4j.configuration=file:${logConfigPath}`];
}

function logConfig(version: string, logPath: string): string {
  return isKafka4(version)
    ? `status = warn
appender.file.type = File
appender.file.name = FILE
appender.file.fileName = ${logPath}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = info
rootLogger.appenderRef.file.ref = FILE
`
    : `log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=${logPath}
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
`;
}

function serverProperties(nodes: readonly KafkaNode[], node: KafkaNode, dataDir: string, secure: SecurePaths | null): string {
  const { host, port, controllerPort } = node;
  const voters = nodes.map((voter) => `${voter.nodeId}@${voter.host}:${voter.controllerPort}`).join(',');
  // Internal topics as replicated as the cluster allows; with 3 nodes, one may be lost.
  const replicas = Math.min(3, nodes.length);
  const minInSync = replicas >= 3 ? 2 : 1;
  // The secured listener's certificate names localhost only (see secure.ts).
  const secureListener = secure === null ? '' : `,SASL_SSL://localhost:${port + SECURE_PORT_OFFSET}`;
  return `# Written by wallet-sim's stack script on every start; edit scripts/stack/native-kafka.ts instead.
process.roles=broker,controller
node.id=${node.nodeId}
controller.quorum.voters=${voters}
listeners=PLAINTEXT://${host}:${port},CONTROLLER://${host}:${controllerPort}${secureListener}
advertised.listeners=PLAINTEXT://${host}:${port}${secureListener}
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT${secure === null ? '' : ',SASL_SSL:SASL_SSL'}
${secure === null ? '' : secureListenerProperties(secure)}inter.broker.listener.name=PLAINTEXT
log.dirs=${dataDir}
num.partitions=6
default.replication.factor=${replicas}
offsets.topic.replication.factor=${replicas}
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=${replicas}
transaction.state.log.min.isr=${minInSync}
share.coordinator.state.topic.replication.factor=${replicas}
share.coordinator.state.topic.min.isr=${minInSync}
# Without this, every consumer group join waits 3 s for more members.
group.initial.rebalance.delay.ms=0
# The 128 MB default does not fit a 512 MB heap.
log.cleaner.dedupe.buffer.size=16777216
log.retention.hours=24
`;
}

/**
 * A KRaft cluster id: 16 random bytes in base64url. One that starts with '-'
 * reads as an option to kafka-storage (one start in 64 failed so), so it is
 * drawn again, as Kafka's own Uuid.randomUuid does.
 */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}
