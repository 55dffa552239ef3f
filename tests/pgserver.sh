# Sourced by the PostGIS test and benchmark: a throw-away PostgreSQL +
# PostGIS server of their own, in a folder of their own, on 127.0.0.1 and a
# Unix socket in that folder, stopped by pg_stop.
#   pg_available         0 if Debian's PostgreSQL and PostGIS are installed
#   pg_start DIR [CONF]  initdb in DIR, start on a free port; exports PGHOST,
#                        PGPORT, PGUSER (postgres); CONF: more -c settings
#   pg_stop DIR          stop it (by its postmaster pid: pg_ctl)
# As root the server runs as the postgres user (initdb refuses root), or
# as nobody where there is none.  Durability is off (fsync, full pages):
# the data die with DIR.
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)

pg_available() {
    [ -n "$PGBIN" ] && [ -x "$PGBIN/initdb" ] && [ -x "$PGBIN/pg_ctl" ] &&
        command -v psql >/dev/null &&
        ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1
}

pg_as() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u "$PG_OWNER" -- "$@"
    else
        "$@"
    fi
}

pg_start() {
    local dir=$1 conf=${2:-} port try
    PG_OWNER=$(id -un)
    if [ "$(id -u)" -eq 0 ]; then
        PG_OWNER=postgres
        id postgres >/dev/null 2>&1 || PG_OWNER=nobody
        chown "$PG_OWNER" "$dir"
    fi
    chmod 700 "$dir"
    pg_as "$PGBIN/initdb" -A trust -U postgres -E UTF8 --locale=C -D "$dir/data" \
        > "$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log"; return 1; }
    for try in 1 2 3 4 5; do
        port=$(( 20000 + (RANDOM * 7 + $$ + try * 101) % 40000 ))
        if pg_as "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
            -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off \
                -c full_page_writes=off -c synchronous_commit=off $conf" \
            start > /dev/null 2>&1; then
            export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres
            return 0
        fi
    done
    tail -n 20 "$dir/server.log" 2>/dev/null
    return 1
}

pg_stop() {
    local dir=$1
    [ -f "$dir/data/postmaster.pid" ] &&
        pg_as "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w stop > /dev/null 2>&1
    return 0
}
