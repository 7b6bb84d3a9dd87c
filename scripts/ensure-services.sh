#!/usr/bin/env bash
# Makes sure PostgreSQL and Redis answer on 127.0.0.1 (ports 5432 and 6379), for the queue-mode e2e
# suite (test/e2e/queue-mode.e2e.test.ts). Idempotent; silent when both already answer.
#   - a service that does not answer is started with the commands this machine's CI image uses;
#   - a missing server is installed (apt-get) first: only then is anything installed, and only then
#     is PostgreSQL given trust auth on 127.0.0.1 / ::1 (what the suite expects, as on CI machines).
# Fails loudly (exit 1, the reason and the server's log tail on stderr) when one still does not answer.
set -euo pipefail

PG_PORT=5432
REDIS_PORT="${HANDOFF_REDIS_PORT:-6379}" # overridable only to test this script
log() { echo "ensure-services: $*" >&2; }
fail() { log "FAILED: $*"; exit 1; }

# The suite creates a database per n8n instance as `psql -h 127.0.0.1 -U postgres`: check exactly that.
pg_ok() { psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -Atqc 'select 1' >/dev/null 2>&1; }
# PING over a plain TCP socket, so this works without redis-cli too.
redis_ok() {
	(
		exec 3<>"/dev/tcp/127.0.0.1/$REDIS_PORT" || exit 1
		printf 'PING\r\n' >&3
		read -r -t 2 reply <&3 && [[ "$reply" == +PONG* ]]
	) 2>/dev/null
}
wait_for() { # <what> <check function> <seconds>
	local deadline=$((SECONDS + $3))
	until "$2"; do
		((SECONDS < deadline)) || return 1
		sleep 0.5
	done
}

apt_updated=''
apt_install() {
	command -v apt-get >/dev/null || fail "$* missing and no apt-get to install it"
	log "installing $*"
	if [ -z "$apt_updated" ]; then
		DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
		apt_updated=1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}

# ---------------------------------------------------------------- PostgreSQL
if ! pg_ok; then
	installed_pg=''
	if ! command -v pg_ctlcluster >/dev/null || ! command -v psql >/dev/null; then
		apt_install postgresql
		installed_pg=1
	fi
	version="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)"
	if [ -z "$version" ]; then
		# The package creates the "main" cluster; a machine where it was dropped gets it back.
		version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
		[ -n "$version" ] || fail "PostgreSQL is installed but /usr/lib/postgresql has no version"
		log "creating PostgreSQL $version cluster main"
		pg_createcluster "$version" main >&2
		installed_pg=1
	fi
	if [ -n "$installed_pg" ]; then
		hba="/etc/postgresql/$version/main/pg_hba.conf"
		log "trust auth for local TCP connections in $hba"
		{ printf 'host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n'; cat "$hba"; } >"$hba.new"
		mv "$hba.new" "$hba"
		chown postgres:postgres "$hba"
	fi
	if ! pg_isready -q -h 127.0.0.1 -p "$PG_PORT"; then
		log "starting PostgreSQL $version"
		pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 || true
	elif [ -n "$installed_pg" ]; then
		pg_ctlcluster --skip-systemctl-redirect "$version" main reload >&2
	fi
	if ! wait_for PostgreSQL pg_ok 30; then
		tail -n 20 "/var/log/postgresql/postgresql-$version-main.log" >&2 2>/dev/null || true
		fail "PostgreSQL does not accept 'psql -h 127.0.0.1 -U postgres' on port $PG_PORT"
	fi
	log "PostgreSQL $version up on 127.0.0.1:$PG_PORT"
fi

# ---------------------------------------------------------------- Redis
if ! redis_ok; then
	command -v redis-server >/dev/null || apt_install redis-server
	mkdir -p /var/lib/redis /var/log/redis
	log "starting Redis"
	redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" --save "" --appendonly no \
		--dir /var/lib/redis --logfile /var/log/redis/ci.log >&2 || true
	if ! wait_for Redis redis_ok 15; then
		tail -n 20 /var/log/redis/ci.log >&2 2>/dev/null || true
		fail "Redis does not answer PING on 127.0.0.1:$REDIS_PORT"
	fi
	log "Redis up on 127.0.0.1:$REDIS_PORT"
fi
