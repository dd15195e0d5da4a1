#!/usr/bin/env bash
# Syntax check of every JavaScript file of the page (`node --check`, as ES modules), then the
# unit tests of its pure functions (Tests/Web/*.test.js, `node --test`). Run by scripts/test.sh;
# fails on the first syntax error or failing test. Needs Node 18+.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WEB="$ROOT/Sources/MapGatewayCore/Web"
command -v node >/dev/null || { echo "check-js: node is not installed (scripts/deps.sh)" >&2; exit 1; }
# The page's files are ES modules named *.js: in a copy beside a package.json of "type": "module"
# node reads them as modules, as the browser does.
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/web" "$tmp/tests"
echo '{"type": "module"}' >"$tmp/package.json"
cp "$WEB"/*.js "$tmp/web/"
cp "$ROOT"/Tests/Web/*.test.js "$tmp/tests/"
files=0
for f in "$tmp"/web/*.js "$tmp"/tests/*.js; do
  name="${f#"$tmp/"}"
  if ! out=$(node --check "$f" 2>&1); then
    echo "check-js: syntax error in ${name/web\//Sources/MapGatewayCore/Web/}:" >&2
    echo "${out//$tmp\/web\//Sources/MapGatewayCore/Web/}" >&2
    exit 1
  fi
  files=$((files + 1))
done
echo "check-js: $files JavaScript files parse"
node --test --test-reporter=spec "$tmp"/tests/*.test.js
