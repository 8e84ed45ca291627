#!/usr/bin/env bash
# Builds a Python 3.11 base image from Debian bookworm packages (debootstrap), for machines that reach no image
# registry: `image/base.sh [NAME]`, then `make image BASE=NAME`. Needs root, debootstrap and podman (or docker).
set -euo pipefail

name=${1:-localhost/mocknexus-base:bookworm}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/engine.sh"

die() { echo "image/base.sh: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "debootstrap needs root (run it as root, or with sudo)"
command -v debootstrap >/dev/null || die "needs debootstrap: apt-get install -y debootstrap"

root=$(mktemp -d /var/tmp/mocknexus-base.XXXXXX)
trap 'rm -rf "$root"' EXIT
# minbase is apt and dpkg and little else; python3-venv brings ensurepip's bundled pip, so no python3-pip.
debootstrap --variant=minbase --include=python3.11,python3-venv,ca-certificates bookworm "$root" "$mirror" \
  >"$root.log" 2>&1 || { tail -20 "$root.log" >&2; die "debootstrap failed (whole log: $root.log)"; }
rm -f "$root.log"
# What an image never needs: the package lists and caches (apt-get update refills them) and the docs.
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
  "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/*
"$root/usr/bin/python3.11" --version >/dev/null || die "the tree has no working python3.11"

quiet=(); [ "$ENGINE" = podman ] && quiet=(--quiet)
tar -C "$root" --numeric-owner -c . | $ENGINE import "${quiet[@]}" --change 'CMD ["python3"]' - "$name" >/dev/null
echo "image/base.sh: built $name ($($ENGINE run --rm "$name" python3 --version))"
