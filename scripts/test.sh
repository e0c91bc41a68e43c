#!/usr/bin/env bash
# The test command (README): vet, then every package's tests with the race
# detector. Integration tests start moto_server on a free loopback port.
set -euo pipefail
cd "$(dirname "$0")/.."
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './tools/*/node_modules/*'))
if [ -n "$unformatted" ]; then echo "gofmt needed:"; echo "$unformatted"; exit 1; fi
# The external oracles (npm packages pinned by their lockfiles) on a fresh
# machine: the IAM evaluator and JupiterOne's data model (tools/j1validate).
for d in tools/iamoracle tools/j1validate; do
  if [ ! -d "$d/node_modules" ] && [ -f "$d/package-lock.json" ]; then
    (cd "$d" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done
go vet ./...
# staticcheck, pinned (staticcheck.conf lists the checks).
go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...
go test -race -count=1 -timeout 30m ./... "$@"
