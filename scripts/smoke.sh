#!/usr/bin/env bash
# Run the committed bundles the way users do, on Node 24: the action as the runner starts it, and
# the CLI. Fails unless both run and report what the fixtures contain.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
node24="$PWD/node_modules/node/bin/node"
"$node24" --version | grep -q '^v24\.' || { echo "Node 24 is not installed (npm ci installs it)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/ws/templates" "$tmp/runner"
cp test/fixtures/valid/*.yaml "$tmp/ws/templates/"
: >"$tmp/output" && : >"$tmp/summary"

env -i PATH="$PATH" HOME="$HOME" \
  GITHUB_WORKSPACE="$tmp/ws" GITHUB_OUTPUT="$tmp/output" GITHUB_STEP_SUMMARY="$tmp/summary" \
  GITHUB_EVENT_NAME=push RUNNER_TEMP="$tmp/runner" INPUT_TEMPLATES="templates/" \
  "$node24" dist/index.js >"$tmp/log" || { cat "$tmp/log"; echo "action bundle failed" >&2; exit 1; }
grep -q '^errors<<' "$tmp/output" || { cat "$tmp/output" "$tmp/log"; echo "action bundle set no outputs" >&2; exit 1; }
echo "action bundle: ok ($(grep -c . "$tmp/log") log lines)"

(cd "$tmp/ws" && "$node24" "$root/dist/cli.js" validate --format json templates/ >"$tmp/cli.json")
"$node24" -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); if (!r.templates.length || r.summary.blocking) process.exit(1)' "$tmp/cli.json"
echo "cli bundle: ok"
