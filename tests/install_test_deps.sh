#!/usr/bin/env bash
# Installs the test-only dependencies of the integration suite, idempotently:
#   - aws-lambda-ric (AWS's official Node.js runtime interface client) from npm,
#     into tests/.cache/ric, used by tests/integration/test_ric.py.
# The package builds a native addon; npm_config_nodedir=/usr makes node-gyp use the
# installed Node headers instead of downloading them.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dir="${LAMBDA_LOCAL_RIC_DIR:-$here/.cache/ric}"
pkg="$dir/node_modules/aws-lambda-ric/package.json"

installed() {
  [ -f "$pkg" ] && find "$dir/node_modules/aws-lambda-ric" -name '*.node' -print -quit | grep -q .
}

if installed; then
  echo "aws-lambda-ric already installed in $dir"
  exit 0
fi
command -v npm >/dev/null || { echo "install_test_deps.sh: npm is not on PATH" >&2; exit 1; }

# aws-lambda-ric's preinstall builds curl from a git snapshot (autoreconf) and aws-lambda-cpp
# (cmake), then node-gyp builds the addon (make, g++, python3). Get missing tools from Debian.
missing=()
for tool in autoreconf:autoconf automake:automake libtoolize:libtool cmake:cmake make:make g++:g++; do
  command -v "${tool%%:*}" >/dev/null || missing+=("${tool##*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    echo "installing build tools for aws-lambda-ric: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "install_test_deps.sh: aws-lambda-ric needs: ${missing[*]} (install them first)" >&2
    exit 1
  fi
fi

mkdir -p "$dir"
if [ ! -f "$dir/package.json" ]; then
  cat > "$dir/package.json" <<'JSON'
{
  "name": "lambda-local-test-ric",
  "private": true,
  "description": "Test-only install of aws-lambda-ric for lambda-local's integration tests"
}
JSON
fi
cd "$dir"
npm_config_nodedir="${npm_config_nodedir:-/usr}" npm install --no-audit --no-fund aws-lambda-ric@3.3.0
installed || { echo "install_test_deps.sh: aws-lambda-ric installed but its native addon is missing" >&2; exit 1; }
echo "aws-lambda-ric installed in $dir"
