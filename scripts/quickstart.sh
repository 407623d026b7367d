#!/usr/bin/env bash
# Sets up a fresh Debian/Ubuntu machine, builds lambda-local, and starts it on examples/hello.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
cd examples/hello
exec ../../build/cli/lambda-local start "$@"
