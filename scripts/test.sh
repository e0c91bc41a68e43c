#!/usr/bin/env bash
# The test command (README): vet, then every package's tests with the race
# detector. Integration tests start moto_server on a free loopback port.
set -euo pipefail
cd "$(dirname "$0")/.."
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './tools/*/node_modules/*'))
if [ -n "$unformatted" ]; then echo "gofmt needed:"; echo "$unformatted"; exit 1; fi
# The IAM oracle (npm packages pinned by its lockfile) on a fresh machine.
if [ ! -d tools/iamoracle/node_modules ] && [ -f tools/iamoracle/package-lock.json ]; then
  (cd tools/iamoracle && npm ci --no-audit --no-fund --loglevel=error)
fi
go vet ./...
go test -race -count=1 -timeout 30m ./... "$@"
