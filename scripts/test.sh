#!/usr/bin/env bash
# The test command (README): vet, then every package's tests with the race
# detector. Integration tests start moto_server on a free loopback port.
set -euo pipefail
cd "$(dirname "$0")/.."
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './tools/*/node_modules/*'))
if [ -n "$unformatted" ]; then echo "gofmt needed:"; echo "$unformatted"; exit 1; fi
# Debian's chromium for the graph view's browser test (internal/view), installed
# only where it is missing; under CI=true that test fails without it.
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium || true
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium || true
  fi
fi

# The external oracles (npm packages pinned by their lockfiles) on a fresh
# machine: the IAM evaluator, JupiterOne's data model (tools/j1validate) and
# the graph library the view embeds (tools/viewlib).
for d in tools/iamoracle tools/j1validate tools/viewlib; do
  if [ ! -d "$d/node_modules" ] && [ -f "$d/package-lock.json" ]; then
    (cd "$d" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done
go vet ./...
# staticcheck, pinned (staticcheck.conf lists the checks).
go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...
# deadcode (pinned): no function that nothing, not even a test, reaches.
dead=$(go run golang.org/x/tools/cmd/deadcode@v0.53.0 -test ./...)
if [ -n "$dead" ]; then echo "deadcode:"; echo "$dead"; exit 1; fi
go test -race -count=1 -timeout 30m ./... "$@"
