#!/usr/bin/env bash
# `make image-test`: runs IMAGE (default mocknexus:latest) as a CI job would (published port, health by the
# image's own HEALTHCHECK, MOCKNEXUS_* variables, serve flags, a mounted /fixtures) and checks each; then
# `docker stop` must end it with exit status 0 in under a second. Prints the timings and the image's size.
set -euo pipefail
cd "$(dirname "$0")/.."
source image/engine.sh

image=${IMAGE:-mocknexus:latest}
work=$(mktemp -d)
containers=()
cleanup() {
  for cid in "${containers[@]}"; do $ENGINE rm -f "$cid" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "image-test: FAIL: $*" >&2; exit 1; }
ok() { echo "image-test: ok: $*"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
# podman without systemd cannot schedule health checks (we run them ourselves below) and says so on every run.
engine() { $ENGINE "$@" 2> >(grep -v 'systemd connection' >&2); }

# start PORT [run options] IMAGE [serve flags]: a detached container, PORT published on a free loopback port.
start() {
  local inside=$1 cid
  shift
  cid=$(engine run -d -p "127.0.0.1::$inside" "$@") || fail "$ENGINE run $* failed"
  containers+=("$cid")
  cid_=$cid
  port_=$($ENGINE port "$cid" "$inside" | head -1 | sed 's/.*://')
}

# Healthy as the engine judges it, by the HEALTHCHECK the image carries (podman runs it on demand).
wait_healthy() {
  local cid=$1 started=$2
  [[ $($ENGINE inspect --format '{{json .Config.Healthcheck}}' "$cid") == *'"mocknexus","health"'* ]] \
    || fail "the container has no HEALTHCHECK running mocknexus health (built without --format docker?)"
  for _ in $(seq 300); do
    if [ "$ENGINE" = podman ]; then
      podman healthcheck run "$cid" >/dev/null 2>&1 && break
    else
      [ "$(docker inspect --format '{{.State.Health.Status}}' "$cid")" = healthy ] && break
    fi
    [ "$($ENGINE inspect --format '{{.State.Running}}' "$cid")" = true ] \
      || fail "the container exited: $($ENGINE logs "$cid" 2>&1 | tail -5)"
    sleep 0.2
  done
  [ "$($ENGINE inspect --format '{{.State.Health.Status}}' "$cid")" = healthy ] || fail "not healthy within 60 s"
  ok "healthy by its HEALTHCHECK $(since "$started") s after $ENGINE run"
}

# call METHOD PATH [BODY] [curl options]: sets status_ and body_ from the container on port_.
call() {
  local method=$1 path=$2 data=${3:-}
  shift $(($# < 3 ? $# : 3))
  status_=$(curl -s -o "$work/body" -w '%{http_code}' -X "$method" -H "x-api-key: ${key_:-any}" \
    -H 'Content-Type: application/json' ${data:+-d "$data"} "$@" "http://127.0.0.1:$port_$path") || status_=000
  body_=$(cat "$work/body" 2>/dev/null || true)
}
expect() {  # expect STATUS WHAT [TEXT the body must contain]
  [ "$status_" = "$1" ] || fail "$2: expected $1, got $status_ $body_"
  [ -z "${3:-}" ] || [[ $body_ == *"$3"* ]] || fail "$2: the body lacks $3: $body_"
  ok "$2 -> $1"
}

api=/nexus/v3/openmedia
id_of() { sed -n 's/.*"data": *{"id": *"\([^"]*\)".*/\1/p' <<<"$body_"; }

echo "image-test: $image with $ENGINE"
# 1. As it comes: the samples in /fixtures, port 8080 published, the vendor operations.
t0=$(now)
start 8080 "$image"
wait_healthy "$cid_" "$t0"
call GET /__admin/health
expect 200 "GET /__admin/health through the published port" '"status": "ok"'
call GET "$api/crm-tasks/interactions/ext_ticket-42"
expect 200 "the sample fixtures are in /fixtures" '"externalId": "ticket-42"'
call POST "$api/crm-tasks/interactions" '{"externalId": "image-1", "userData": {"Subject": "from the image"}}'
expect 200 "createInteraction" '"state": "queued"'
id=$(id_of)
call GET "$api/crm-tasks/interactions/$id"
expect 200 "getInteraction" '"externalId": "image-1"'
call POST "$api/crm-tasks/interactions" '{"externalId": "image-1"}'
expect 409 "createInteraction again, same externalId"
call POST "$api/crm-tasks/interactions/ext_image-1/stop" '{"reasonSystemName": "image-test"}'
expect 200 "stopInteractionByExternalId" '"state": "stopped"'
call GET "$api/crm-tasks/interactions/$id"
expect 404 "getInteraction after the stop"
[ "$($ENGINE exec "$cid_" id -u)" != 0 ] || fail "the server runs as root"
pid1=$($ENGINE exec "$cid_" cat /proc/1/cmdline | tr '\0' ' ')
[[ $pid1 =~ ^[^\ ]*/python3[.0-9]*\ [^\ ]*/mocknexus\ serve ]] || fail "PID 1 is not mocknexus serve but $pid1"
ok "mocknexus serve is PID 1, as user $($ENGINE exec "$cid_" id -u)"
# The build stage's pip settings stay there: not in the history, the environment or the files of the image.
! $ENGINE history --no-trunc --format '{{.CreatedBy}}' "$image" | grep -q -e PIP_ -e pip-cert \
  || fail "the image's history names pip settings"
[ -z "$($ENGINE exec "$cid_" sh -c 'env | grep ^PIP_; ls -A /run/secrets 2>/dev/null')" ] \
  || fail "the image carries pip settings or build secrets"
ok "no pip setting or build secret in the image"

# docker stop sends SIGTERM to PID 1 and waits up to -t seconds before SIGKILL (exit status 137).
t0=$(now)
engine stop -t 10 "$cid_" >/dev/null
wall=$(since "$t0")
code=$($ENGINE inspect --format '{{.State.ExitCode}}' "$cid_")
finished=$($ENGINE inspect --format '{{.State.FinishedAt}}' "$cid_" | sed 's/ UTC$//')
took=$(awk -v a="$t0" -v b="$(date -d "$finished" +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
[ "$code" = 0 ] || fail "$ENGINE stop: exit status $code, not 0"
awk -v t="$took" 'BEGIN { exit !(t < 1.0) }' || fail "$ENGINE stop: the server took $took s to exit, not under 1 s"
ok "$ENGINE stop: exit status 0, $took s from SIGTERM to exit (the $ENGINE stop command: $wall s)"

# 2. Configured by MOCKNEXUS_* variables (another port, a key, an admin token) and by serve flags after the image.
t0=$(now)
start 9090 -e MOCKNEXUS_PORT=9090 -e MOCKNEXUS_API_KEY=image-key -e MOCKNEXUS_ADMIN_TOKEN=image-token \
  "$image" --id-style genesys --strict
wait_healthy "$cid_" "$t0"
call GET /__admin/interactions
expect 401 "MOCKNEXUS_ADMIN_TOKEN: the admin API without the token"
call GET /__admin/interactions "" -H "Authorization: Bearer image-token"
expect 200 "MOCKNEXUS_ADMIN_TOKEN: the admin API with it"
call POST "$api/crm-tasks/interactions" '{}'
expect 401 "MOCKNEXUS_API_KEY: another key"
key_=image-key
call POST "$api/crm-tasks/interactions" '{"externalID": "typo"}'
expect 400 "--strict: an unknown body field" "externalID"
call POST "$api/crm-tasks/interactions" '{"externalId": "image-2"}'
expect 200 "MOCKNEXUS_API_KEY: its key"
[[ $(id_of) =~ ^[0-9A-Z]{16}$ ]] || fail "--id-style genesys: the id is $(id_of)"
ok "--id-style genesys: id $(id_of)"
key_=
$ENGINE rm -f "$cid_" >/dev/null 2>&1

# 3. A folder mounted on /fixtures replaces the samples.
mkdir -p "$work/fixtures"
echo '{"services": ["mounted-only"]}' >"$work/fixtures/services.json"
chmod -R a+rX "$work"
t0=$(now)
start 8080 -v "$work/fixtures:/fixtures:ro" "$image"
wait_healthy "$cid_" "$t0"
call POST "$api/mounted-only/interactions" '{"externalId": "image-3"}'
expect 200 "a mounted /fixtures: its service"
call GET "$api/crm-tasks/interactions/ext_ticket-42"
expect 404 "a mounted /fixtures: the samples are gone"

# 4. README's Testcontainers snippets, through the engine's Docker API.
ENGINE=$ENGINE python3 image/testcontainers.py "$image"

size=$($ENGINE image inspect --format '{{.Size}}' "$image")
echo "image-test: passed; $image is $((size / 1000000)) MB ($size bytes)"
