#!/usr/bin/env bash
# The wallet service against its own OpenAPI document: a real `serve` on a
# fresh database and topic, then schemathesis with every check
# (`st run …/openapi.json --checks all`). Exit 0 when it reports no failure.
# Needs the stack (npm run stack:up) and Python 3; installs schemathesis
# (conformance/requirements.txt) into .venv-st on the first run.
# Not part of `npm test`: it needs PyPI once and takes a few minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
EXAMPLES_MAX="${CONFORMANCE_EXAMPLES_MAX:-20}"
if [ ! -x .venv-st/bin/st ]; then
  python3 -m venv .venv-st
  .venv-st/bin/pip install --quiet -r conformance/requirements.txt
fi
base_url="${DATABASE_URL:-postgres://wallet_sim:wallet_sim@localhost:5432/wallet_sim}"
name="conformance_$(date +%s)_$$"
export DATABASE_URL="${base_url%/*}/${name}" KAFKA_TOPIC="${name//_/-}" KAFKA_GROUP_ID="${name//_/-}"
# The run's database and topics go when it ends, as the integration tests drop theirs.
drop_run() {
  node --input-type=module -e "
    const { resolveConfig } = await import('./dist/src/config.js');
    const { dropDatabase } = await import('./dist/src/db/migrate.js');
    const { deleteTopicsNamedAfter } = await import('./dist/src/kafka/client.js');
    const config = resolveConfig();
    await dropDatabase(config.database);
    await deleteTopicsNamedAfter(config.kafka, config.kafka.topic).catch(() => {});"
}
log="$(mktemp -t wallet-sim-conformance.XXXXXX)"
node bin/wallet-sim.js serve --port 0 --partitions 2 --log-file "$log.json" >"$log" 2>&1 &
server=$!
trap 'kill -TERM "$server" 2>/dev/null; wait "$server" 2>/dev/null || true; drop_run || true' EXIT
for _ in $(seq 180); do
  grep -q 'listening on' "$log" && break
  kill -0 "$server" 2>/dev/null || { cat "$log"; exit 1; }
  sleep 1
done
url="$(grep -o 'listening on http://[^ ]*' "$log" | head -1 | cut -d' ' -f3)"
echo "conformance: serve at $url (logs in $log.json), database $name"
SCHEMATHESIS_HOOKS=conformance.hooks .venv-st/bin/st --config-file conformance/schemathesis.toml run "$url/openapi.json" --checks all --max-examples "$EXAMPLES_MAX" --seed 22
