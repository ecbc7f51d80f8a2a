#!/usr/bin/env bash
# Installs what orgtwin needs to build and test, idempotently: Debian packages with apt-get
# (only the missing ones) and npm packages into tests/e2e/node (the AWS SDK for JavaScript v3) and
# tests/e2e/export (the CloudFormation validator the export tests run).
# Run as root on Debian 12; `make demo` and `make test` call it first.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

debian_packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  clang clang-format clang-tidy libclang-rt-14-dev
  libboost1.81-all-dev libboost-json1.81-dev libboost-url1.81-dev libsqlite3-dev libssl-dev liboath-dev libyaml-cpp-dev libcli11-dev
  libqrencode-dev libpng-dev libcurl4-openssl-dev zlib1g-dev libzstd-dev liblz4-dev libxml2-dev
  # SAML response signatures (STS AssumeRoleWithSAML); the CLI signs them in the e2e suite.
  libxmlsec1-dev libxmlsec1-openssl xmlsec1
  libre2-dev libgtest-dev libgmock-dev libbenchmark-dev libpq-dev postgresql
  python3 python3-boto3 python3-pytest python3-cryptography awscli faketime poppler-utils nodejs curl
  # The report page is rendered headless by its test (tests/e2e/python/test_report.py).
  chromium
)

missing=()
for p in "${debian_packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
# npm ships inside the nodesource nodejs package; Debian's own nodejs needs the npm package.
if ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi

if ((${#missing[@]} > 0)); then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# npm ci again whenever package.json names a client node_modules lacks (a new client added).
node_dir="$here/tests/e2e/node"
if [[ -f "$node_dir/package.json" ]]; then
  npm_needed=false
  for client in $(grep -o '"@aws-sdk/client-[a-z0-9-]*"' "$node_dir/package.json" | tr -d '"'); do
    [[ -d "$node_dir/node_modules/$client" ]] || npm_needed=true
  done
  if $npm_needed; then
    echo "install-deps: npm install in $node_dir"
    (cd "$node_dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi

# The CloudFormation validator of the export tests (tests/e2e/export/package.json, versions pinned
# by its package-lock.json): npm ci again whenever a package it names is missing.
export_dir="$here/tests/e2e/export"
if [[ -f "$export_dir/package.json" ]]; then
  npm_needed=false
  for package in $(node -e 'console.log(Object.keys(require(process.argv[1]).dependencies).join(" "))' \
                     "$export_dir/package.json"); do
    [[ -d "$export_dir/node_modules/$package" ]] || npm_needed=true
  done
  if $npm_needed; then
    echo "install-deps: npm install in $export_dir"
    (cd "$export_dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
