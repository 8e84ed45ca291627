# Sourced by image/*.sh: picks the container engine as ENGINE (docker when its engine answers, else podman) and,
# where this sandbox refuses to raise resource limits, gives podman a containers.conf of its own for our runs.
if [ -n "${ENGINE:-}" ]; then
  :
elif command -v docker >/dev/null && docker info >/dev/null 2>&1; then
  ENGINE=docker  # the CLI alone is not enough: it answers even where no engine runs
elif command -v podman >/dev/null; then
  ENGINE=podman
else
  echo "image: neither a docker engine nor podman is here (apt-get install -y podman)" >&2
  exit 1
fi

# podman (rootful) sets each container's open-files and process limits to the kernel's maximum; without
# CAP_SYS_RESOURCE that is "setrlimit: operation not permitted". Then keep the limits we have, and use runc.
if [ "$ENGINE" = podman ] && [ -z "${CONTAINERS_CONF:-}" ] && ! (ulimit -Hn 1048576) 2>/dev/null; then
  CONTAINERS_CONF=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/containers.conf
  export CONTAINERS_CONF
fi
# HEALTHCHECK is a docker-format instruction: podman drops it from OCI images, so build in docker format.
BUILD_FORMAT=()
if [ "$ENGINE" = podman ]; then BUILD_FORMAT=(--format docker); fi
