#!/usr/bin/env bash
# Quick start without an AWS account: start moto_server on a free loopback
# port, seed a small demo account in two regions, collect it with awsgraph,
# and show the summary. Needs Go and moto[server] (moto_server on PATH).
set -euo pipefail
cd "$(dirname "$0")/.."

command -v moto_server >/dev/null || { echo "quickstart: moto_server not found (pip install 'moto[server]')" >&2; exit 1; }
out=${OUT:-./demo-output}
mkdir -p "$out"
log="$out/moto.log"

MOTO_IAM_LOAD_MANAGED_POLICIES=true moto_server -H 127.0.0.1 -p 0 >"$log" 2>&1 &
moto_pid=$!
trap 'kill $moto_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  url=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$log" | head -n1 || true)
  [ -n "$url" ] && curl -sf -X POST "$url/moto-api/reset" >/dev/null 2>&1 && break
  sleep 0.2
done
[ -n "${url:-}" ] || { echo "quickstart: moto_server did not start; see $log" >&2; exit 1; }
echo "moto_server at $url"

go build -o "$out/awsgraph" ./cmd/awsgraph
go run ./tools/demoseed --endpoint-url "$url" --account 123456789012

# Any credentials will do for moto; a real run uses your AWS profile instead.
export AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
"$out/awsgraph" collect \
  --role-arn arn:aws:iam::123456789012:role/awsgraph-reader \
  --external-id demo-external-id \
  --regions us-east-1,eu-west-1 \
  --endpoint-url "$url" \
  --output "$out/.j1-integration" \
  --db "$out/awsgraph.db" "$@"

echo
echo "Graph files: $out/.j1-integration/graph   Store: $out/awsgraph.db"
