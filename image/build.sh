#!/usr/bin/env bash
# `make image`: builds the Dockerfile as IMAGE (default mocknexus:latest) on BASE (default: the Dockerfile's),
# with docker or podman, handing pip this machine's CA bundle and package index for the build stage only.
set -euo pipefail
cd "$(dirname "$0")/.."
source image/engine.sh

image=${IMAGE:-mocknexus:latest}
args=("${BUILD_FORMAT[@]}" --tag "$image")
[ -n "${BASE:-}" ] && args+=(--build-arg "BASE=$BASE")

# pip's settings here: the environment first, then its config files (as pip itself reads them).
pip_setting() {
  local env=$1 key=$2
  if [ -n "${!env:-}" ]; then
    echo "${!env}"
  else
    python3 -m pip config list 2>/dev/null | sed -n "s/^global\.$key='\(.*\)'$/\1/p" | tail -1 || true
  fi
}
cert=$(pip_setting PIP_CERT cert)
[ -n "$cert" ] && [ -s "$cert" ] && args+=(--secret "id=pip-cert,src=$cert")
# Only indexes a container can reach: http(s) ones, not file:// folders of this machine.
web_only() { tr ' ' '\n' | grep -E '^https?://' | paste -sd ' ' || true; }
index=$(pip_setting PIP_INDEX_URL index-url | web_only)
extra=$(pip_setting PIP_EXTRA_INDEX_URL extra-index-url | web_only)
[ -n "$index" ] && args+=(--build-arg "PIP_INDEX_URL=$index")
[ -n "$extra" ] && args+=(--build-arg "PIP_EXTRA_INDEX_URL=$extra")

echo "image: $ENGINE build ${args[*]} ."
$ENGINE build "${args[@]}" .
