// Drops the conformance run's database and topics (named by DATABASE_URL and
// KAFKA_TOPIC), as the integration tests drop theirs.
import { resolveConfig } from '../dist/src/config.js';
import { dropDatabase } from '../dist/src/db/migrate.js';
import { deleteTopicsNamedAfter } from '../dist/src/kafka/client.js';

const config = resolveConfig();
await dropDatabase(config.database);
await deleteTopicsNamedAfter(config.kafka, config.kafka.topic).catch(() => {});
