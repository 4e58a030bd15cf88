-- Messages that could not be applied as they stood. Recorded in the same
-- database transaction as the batch they came in, so a redelivered batch does
-- not count them twice; also published to the dead-letter topic.
create table dead_letters (
  topic            text not null,
  kafka_partition  integer not null,
  kafka_offset     bigint not null,
  reason           text not null,
  detail           text not null,
  message_key      bytea,
  message_value    bytea,
  recorded_at      timestamptz not null default now(),
  primary key (topic, kafka_partition, kafka_offset)
);
