#!/usr/bin/env bash
# The test run's set-up step (`npm test` runs it as `pretest`; CI runs `npm install && npm test`).
#
# Makes sure the suite has what it needs on a Debian machine:
#   - PostgreSQL answering on 127.0.0.1:5432, user postgres, trust auth over TCP;
#   - Redis answering on 127.0.0.1:6379;
#   - Debian's chromium (/usr/bin/chromium, or $CHROMIUM_PATH as the browser tests use);
#   - nginx, redis-sentinel and sqlmap, installed only: the tests start their own on free ports.
#
# When everything is there it only checks (no apt-get, well under a second). When something is
# missing and it runs as root, it runs `apt-get update` once, installs only the missing packages
# and starts the services, saying what it does. Otherwise it exits 1 and prints the exact
# commands to run.
#
# For tests of this script only (they change what it checks, never what it reports):
#   TEST_SETUP_AS_USER=1       behave as a non-root user (install and start nothing, print commands)
#   TEST_SETUP_CHROMIUM=PATH   look for Chromium at PATH instead
set -euo pipefail

PG_HOST=127.0.0.1
PG_PORT=5432
REDIS_HOST=127.0.0.1
REDIS_PORT=6379
CHROMIUM=${TEST_SETUP_CHROMIUM:-${CHROMIUM_PATH:-/usr/bin/chromium}}
NGINX=/usr/sbin/nginx
REDIS_START=(redis-server --daemonize yes --bind "$REDIS_HOST" --port "$REDIS_PORT" --save "" --appendonly no)
REDIS_START_TEXT="redis-server --daemonize yes --bind $REDIS_HOST --port $REDIS_PORT --save \"\" --appendonly no"

say() { echo "test-setup: $*"; }
fail() {
  echo "test-setup: $*" >&2
  exit 1
}

as_root=0
if [ "$(id -u)" = 0 ] && [ "${TEST_SETUP_AS_USER:-}" != 1 ]; then as_root=1; fi

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

pg_answers() {
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -q -h "$PG_HOST" -p "$PG_PORT" 2>/dev/null
  else
    port_open "$PG_HOST" "$PG_PORT"
  fi
}

redis_answers() {
  if command -v redis-cli >/dev/null 2>&1; then
    [ "$(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]
  else
    port_open "$REDIS_HOST" "$REDIS_PORT"
  fi
}

pg_version() { ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1; }
pg_cluster_exists() { [ -n "$(pg_version)" ] && [ -d "/etc/postgresql/$(pg_version)/main" ]; }

# What is missing, as Debian package names (in install order).
missing_packages() {
  local pkgs=()
  if ! pg_answers && ! pg_cluster_exists; then pkgs+=(postgresql); fi
  if ! redis_answers && ! command -v redis-server >/dev/null 2>&1; then pkgs+=(redis-server); fi
  if [ ! -x "$CHROMIUM" ]; then pkgs+=(chromium); fi
  if [ ! -x "$NGINX" ]; then pkgs+=(nginx); fi
  if ! command -v redis-sentinel >/dev/null 2>&1; then pkgs+=(redis-sentinel); fi
  if ! command -v sqlmap >/dev/null 2>&1; then pkgs+=(sqlmap); fi
  echo "${pkgs[*]}"
}

# Installs packages without letting their maintainer scripts start services (Debian's nginx
# would listen on port 80, redis-sentinel on 26379): a policy-rc.d that says 101 ("action not
# allowed") is in place for the install only, and any one that was there before is put back.
POLICY=/usr/sbin/policy-rc.d
POLICY_BACKUP=
restore_policy() {
  rm -f "$POLICY"
  if [ -n "$POLICY_BACKUP" ]; then mv "$POLICY_BACKUP" "$POLICY"; fi
}
apt_install() {
  say "installing $* (apt-get update, then apt-get install)"
  if [ -e "$POLICY" ]; then
    POLICY_BACKUP=$(mktemp "$POLICY.test-setup.XXXXXX")
    cp -p "$POLICY" "$POLICY_BACKUP"
  fi
  trap restore_policy EXIT
  trap 'exit 130' INT TERM
  printf '#!/bin/sh\n# Written by scripts/test-setup.sh for the duration of an install.\nexit 101\n' >"$POLICY"
  chmod 755 "$POLICY"
  apt-get update -qq </dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@" </dev/null >/dev/null
  restore_policy
  trap - EXIT INT TERM
  # Belt and braces: an nginx started by the install anyway (e.g. through systemd) is stopped.
  if [[ " $* " == *" nginx "* ]] && [ -s /run/nginx.pid ] &&
    kill -0 "$(cat /run/nginx.pid)" 2>/dev/null; then
    say "stopping the nginx that the package install started"
    "$NGINX" -s quit || true
  fi
}

start_postgres() {
  local version
  version=$(pg_version)
  say "starting PostgreSQL $version on $PG_HOST:$PG_PORT (trust auth for local TCP)"
  # Tests connect as postgres over TCP without a password, as on the team's machines.
  sed -i -E 's/^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)\S+/\1trust/' \
    "/etc/postgresql/$version/main/pg_hba.conf"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start </dev/null ||
    pg_ctlcluster --skip-systemctl-redirect "$version" main reload </dev/null
  for _ in $(seq 1 30); do pg_answers && return; sleep 1; done
  fail "PostgreSQL did not start on $PG_HOST:$PG_PORT"
}

start_redis() {
  say "starting Redis on $REDIS_HOST:$REDIS_PORT"
  "${REDIS_START[@]}" </dev/null >/dev/null
  for _ in $(seq 1 30); do redis_answers && return; sleep 1; done
  fail "Redis did not start on $REDIS_HOST:$REDIS_PORT"
}

read -r -a missing <<<"$(missing_packages)"

if [ "$as_root" = 1 ]; then
  if [ "${#missing[@]}" -gt 0 ]; then
    apt_install "${missing[@]}"
    read -r -a still <<<"$(missing_packages)"
    if [ "${#still[@]}" -gt 0 ]; then
      fail "still missing after apt-get install: ${still[*]} (Chromium looked for at $CHROMIUM)"
    fi
  fi
  pg_answers || start_postgres
  redis_answers || start_redis
  exit 0
fi

# Not root (or TEST_SETUP_AS_USER=1): change nothing, say exactly what to run.
commands=()
if [ "${#missing[@]}" -gt 0 ]; then
  commands+=("sudo apt-get update" "sudo apt-get install -y ${missing[*]}")
fi
if ! pg_answers; then
  if pg_cluster_exists; then
    commands+=("sudo pg_ctlcluster --skip-systemctl-redirect $(pg_version) main start")
  else
    commands+=("sudo pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start")
  fi
fi
if ! redis_answers; then commands+=("$REDIS_START_TEXT"); fi

if [ "${#commands[@]}" -eq 0 ]; then exit 0; fi

{
  [ "${#missing[@]}" -eq 0 ] || echo "test-setup: missing: ${missing[*]}"
  [ -x "$CHROMIUM" ] || echo "test-setup: no Chromium at $CHROMIUM"
  pg_answers || echo "test-setup: PostgreSQL does not answer on $PG_HOST:$PG_PORT"
  redis_answers || echo "test-setup: Redis does not answer on $REDIS_HOST:$REDIS_PORT"
  echo "Run these (Debian), or run this script as root (sudo bash scripts/test-setup.sh):"
  for c in "${commands[@]}"; do echo "  $c"; done
  if ! pg_answers; then
    echo "PostgreSQL must trust user postgres over TCP from 127.0.0.1 and ::1 (pg_hba.conf)."
  fi
} >&2
exit 1
