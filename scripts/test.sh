#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, then runs the unit tests (Catch2),
# the bundled runtime clients' own tests, and the integration tests that drive the real
# binary with the aws CLI and boto3.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

bash scripts/setup.sh
bash scripts/build.sh
bash tests/install_test_deps.sh

export LAMBDA_LOCAL_BIN=$ROOT/${BUILD_DIR:-build}/cli/lambda-local
failed=0

echo "== unit tests (Catch2)"
(cd "${BUILD_DIR:-build}" && ctest --output-on-failure) || failed=1

echo "== Python runtime client"
python3 -m unittest emulator/runtimes/python/bootstrap_test.py || failed=1

echo "== Node.js runtime client"
node --test emulator/runtimes/nodejs/ || failed=1

echo "== integration tests"
python3 -m unittest discover -s tests/integration -t . || failed=1

if [ "$failed" -ne 0 ]; then
  echo "test suite: FAILED"
  exit 1
fi
echo "test suite: all passed"
