#!/usr/bin/env bash
# Installs the test-only dependencies of the integration suite, idempotently:
#   ric    aws-lambda-ric (AWS's official Node.js runtime interface client) from npm,
#          into tests/.cache/ric, used by tests/integration/test_ric.py.
#   jssdk  @aws-sdk/client-lambda (the AWS SDK for JavaScript v3) from npm,
#          into tests/.cache/jssdk, used by tests/integration/test_js_sdk.py.
# With no arguments both are installed; name one or more to install only those:
#   tests/install_test_deps.sh jssdk
# aws-lambda-ric builds a native addon; npm_config_nodedir=/usr makes node-gyp use the
# installed Node headers instead of downloading them.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

RIC_VERSION=3.3.0
JSSDK_VERSION=3.1164.0

need_npm() {
  command -v npm >/dev/null || { echo "install_test_deps.sh: npm is not on PATH" >&2; exit 1; }
}

# A private package.json so npm installs into $1/node_modules and nowhere else.
private_package() {
  local dir=$1 name=$2 description=$3
  mkdir -p "$dir"
  if [ ! -f "$dir/package.json" ]; then
    cat > "$dir/package.json" <<JSON
{
  "name": "$name",
  "private": true,
  "description": "$description"
}
JSON
  fi
}

install_ric() {
  local dir="${LAMBDA_LOCAL_RIC_DIR:-$here/.cache/ric}"
  local pkg="$dir/node_modules/aws-lambda-ric/package.json"
  installed() {
    [ -f "$pkg" ] && find "$dir/node_modules/aws-lambda-ric" -name '*.node' -print -quit | grep -q .
  }
  if installed; then
    echo "aws-lambda-ric already installed in $dir"
    return 0
  fi
  need_npm

  # aws-lambda-ric's preinstall builds curl from a git snapshot (autoreconf) and aws-lambda-cpp
  # (cmake), then node-gyp builds the addon (make, g++, python3). Get missing tools from Debian.
  local missing=() tool
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

  private_package "$dir" lambda-local-test-ric \
    "Test-only install of aws-lambda-ric for lambda-local's integration tests"
  (cd "$dir" && npm_config_nodedir="${npm_config_nodedir:-/usr}" \
    npm install --no-audit --no-fund "aws-lambda-ric@$RIC_VERSION")
  installed || { echo "install_test_deps.sh: aws-lambda-ric installed but its native addon is missing" >&2; exit 1; }
  echo "aws-lambda-ric installed in $dir"
}

install_jssdk() {
  local dir="${LAMBDA_LOCAL_JSSDK_DIR:-$here/.cache/jssdk}"
  local pkg="$dir/node_modules/@aws-sdk/client-lambda/package.json"
  installed() {
    [ -f "$pkg" ] && grep -q "\"version\": *\"$JSSDK_VERSION\"" "$pkg"
  }
  if installed; then
    echo "@aws-sdk/client-lambda $JSSDK_VERSION already installed in $dir"
    return 0
  fi
  need_npm
  private_package "$dir" lambda-local-test-jssdk \
    "Test-only install of the AWS SDK for JavaScript v3 Lambda client for lambda-local's integration tests"
  (cd "$dir" && npm install --no-audit --no-fund --save-exact "@aws-sdk/client-lambda@$JSSDK_VERSION")
  installed || { echo "install_test_deps.sh: @aws-sdk/client-lambda $JSSDK_VERSION is not in $dir after npm install" >&2; exit 1; }
  echo "@aws-sdk/client-lambda $JSSDK_VERSION installed in $dir"
}

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(ric jssdk)
for target in "${targets[@]}"; do
  case "$target" in
    ric) install_ric ;;
    jssdk) install_jssdk ;;
    *) echo "install_test_deps.sh: unknown dependency '$target' (ric, jssdk)" >&2; exit 2 ;;
  esac
done
