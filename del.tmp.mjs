import { Kafka, logLevel } from 'kafkajs';
const k = new Kafka({ brokers: ['localhost:9092'], logLevel: logLevel.NOTHING });
const a = k.admin(); await a.connect();
await a.deleteTopics({ topics: ['card-transactions', 'card-transactions.results', 'card-transactions.dead-letter'] });
await a.deleteGroups(['wallet-sim', 'wallet-sim-history']).catch(e => console.log(e.message));
await a.disconnect();
