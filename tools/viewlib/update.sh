#!/usr/bin/env bash
# Copies the pinned graph library (package-lock.json) into the binary's
# embedded assets. TestEmbeddedLibraryEqualsNPM checks the copy.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --loglevel=error
cp node_modules/cytoscape/dist/cytoscape.min.js ../../internal/view/assets/cytoscape.min.js
cp node_modules/cytoscape/LICENSE ../../internal/view/assets/cytoscape.LICENSE
