#!/usr/bin/env bash
# Builds the collector Lambda function's deployment package: a static
# linux/arm64 binary named bootstrap (runtime provided.al2023), zipped.
# Usage: scripts/build-lambda.sh [OUTPUT.zip]   (default dist/awsgraph-lambda.zip)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/dist/awsgraph-lambda.zip}"
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$root" && GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$work/bootstrap" ./cmd/awsgraph-lambda)
mkdir -p "$(dirname "$out")"
rm -f "$out"
# Go's archive/zip via a tiny program would do too; zip keeps the mode bits
# Lambda needs (bootstrap must be executable).
if command -v zip >/dev/null; then
  (cd "$work" && zip -q -X "$out" bootstrap)
else
  python3 -c 'import sys,zipfile; z=zipfile.ZipFile(sys.argv[1],"w",zipfile.ZIP_DEFLATED); i=zipfile.ZipInfo("bootstrap"); i.external_attr=0o755<<16; i.compress_type=zipfile.ZIP_DEFLATED; z.writestr(i,open(sys.argv[2],"rb").read()); z.close()' "$out" "$work/bootstrap"
fi
echo "$out"
