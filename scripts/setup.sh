#!/usr/bin/env bash
# Installs everything lambda-local needs to build and test, from Debian packages.
# Idempotent; works as root or through sudo.
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

BUILD_PACKAGES=(
  build-essential cmake pkg-config
  libcpp-httplib-dev rapidjson-dev libcli11-dev libfmt-dev catch2 libyaml-cpp-dev libssl-dev libarchive-dev libsqlite3-dev libpugixml-dev zlib1g-dev
  python3 nodejs
  openssl  # the command, which signs JWTs in test_api_gateway_jwt
  chromium  # headless, for the browser test of API Gateway's CORS (test_api_gateway_cors)
)

missing=()
for p in "${BUILD_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Real AWS clients for the tests: the machine's own when present, else Debian's.
python3 -c 'import boto3' 2>/dev/null || missing+=(python3-boto3)
command -v aws >/dev/null 2>&1 || missing+=(awscli)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
