# shellcheck shell=bash
# HA mode of dev/stack (COFFER_STACK_HA=1), sourced by dev/stack, which defines DIR, RUN_DIR, LOG_DIR,
# as_pg, pg_bin, alive, pg_pid, pg_running, wait_for, require_free, pg_conf_common, the Redis functions.
#
# A pg_auto_failover monitor and three PostgreSQL 15 nodes (node1..node3), each run by its own
# `pg_autoctl` keeper as the postgres user, synchronous replication (number_sync_standbys 1, so
# synchronous_standby_names = 'ANY 1 (...)'), archiving and backups with pgBackRest, and the same
# 6-node Redis Cluster as the light mode. Everything listens on 127.0.0.1 only.
#
#   dev/stack up | down [--wipe] | status | env | primary | wait-healthy [SECONDS]
#   dev/stack start|stop|kill monitor|node1|node2|node3|primary|replica|redis|redis-PORT  (start|stop restored)
#   dev/stack psql primary|replica|node1|node2|node3|monitor|restored [psql arguments]
#   dev/stack destroy primary|nodeN     SIGKILL of the node's keeper and postmaster tree, data deleted
#   dev/stack promote replica|nodeN     hand promotion through the monitor, waits until it is primary
#   dev/stack rejoin nodeN              drop the node from the monitor, re-create it as a standby
#   dev/stack backup [full|diff|incr]   pgBackRest backup (incr by default; full when there is none)
#   dev/stack restore --to TIME|latest [--port P]   point-in-time restore into a new plain server
#
# Ports: COFFER_STACK_PG_MONITOR_PORT (45430), COFFER_STACK_PG_NODE_BASE_PORT (45434: nodes on base,
# base+1, base+2), COFFER_STACK_PG_RESTORE_PORT (45439), COFFER_STACK_REDIS_BASE_PORT as the light mode.
# pg_autoctl itself listens on no port: only the four postgres servers (and Redis) do.

PG_MONITOR_PORT=${COFFER_STACK_PG_MONITOR_PORT:-45430}
PG_NODE_BASE_PORT=${COFFER_STACK_PG_NODE_BASE_PORT:-45434}
PG_RESTORE_PORT=${COFFER_STACK_PG_RESTORE_PORT:-45439}
HA_NODES=(node1 node2 node3)
MONITOR_DATA="$DIR/pg-monitor"
RESTORED_DATA="$DIR/pg-restored"
BR_CONF="$DIR/pgbackrest.conf"
BR_DIR="$DIR/pgbackrest"
STANZA=coffer
# Where the nodes live: all on 127.0.0.1, unless the netns variant (dev/stack.d/netns.sh) overrides these.
node_host() { echo 127.0.0.1; }
MONITOR_HOST=127.0.0.1    # the monitor's address for the nodes
MONITOR_LISTEN=127.0.0.1  # its listen_addresses
node_exec() { shift; "$@"; }  # name command...: run where the node runs
node_require_free() { require_free "$(node_port "$1")"; }
hba_lines() { :; }        # pg_hba.conf lines beyond initdb's 127.0.0.1 ones
net_pg_conf() { :; }      # postgresql.conf lines of the variant
if [ "${NETNS:-0}" = 1 ]; then
  # shellcheck source=dev/stack.d/netns.sh
  . "$REPO/dev/stack.d/netns.sh"
fi
MONITOR_URI="postgres://autoctl_node@$MONITOR_HOST:$PG_MONITOR_PORT/pg_auto_failover?sslmode=disable"
export PGCONNECT_TIMEOUT=${PGCONNECT_TIMEOUT:-5}

# Failover timing. With pg_auto_failover's defaults a destroyed primary is replaced in ~50 s: health
# checks every 5 s, 20 s until a node that stopped reporting counts as unhealthy, then 30 s of
# primary_demote_timeout. A dead primary refuses connections at once, so short values are safe here
# on loopback; a node is only failed over when its keeper stopped reporting AND the monitor's own
# connection attempts fail. The values (ms) are set with ALTER SYSTEM on the monitor at every `up`.
MONITOR_GUCS=(
  "pgautofailover.health_check_period=1000"              # default 5000: one health check round a second
  "pgautofailover.health_check_timeout=1000"             # default 5000: connect timeout of a check
  "pgautofailover.health_check_max_retries=1"            # default 2
  "pgautofailover.health_check_retry_delay=200"          # default 2000
  "pgautofailover.node_considered_unhealthy_timeout=1500" # default 20000: keepers report every second
  "pgautofailover.primary_demote_timeout=2500"           # default 30000: > the keepers' network_partition_timeout
  "pgautofailover.startup_grace_period=2000"             # default 10000: after the monitor (re)starts
)
# Keepers: a primary that can reach neither the monitor nor any standby demotes itself after
# network_partition_timeout (s, default 20); it must stay below the monitor's primary_demote_timeout
# plus node_considered_unhealthy_timeout, or a cut-off old primary could still take writes after the
# new one was promoted. The other timeout.* settings (prepare_promotion_catchup 30 s,
# prepare_promotion_walreceiver 5 s: unused by pg_autoctl 2.0, postgresql_restart_failure_*) do not
# delay a failover and keep their defaults.
KEEPER_SETTINGS=(
  "timeout.network_partition_timeout=2"
)

node_port() {
  case $1 in
    node1) echo "$PG_NODE_BASE_PORT" ;; node2) echo $((PG_NODE_BASE_PORT + 1)) ;; node3) echo $((PG_NODE_BASE_PORT + 2)) ;;
    monitor) echo "$PG_MONITOR_PORT" ;; restored) echo "$PG_RESTORE_PORT" ;;
    *) die "unknown node $1" ;;
  esac
}
node_data() {
  case $1 in monitor) echo "$MONITOR_DATA" ;; restored) echo "$RESTORED_DATA" ;; *) echo "$DIR/pg-$1" ;; esac
}
restored_port() { # the port the last restore used; never a default (5432 may be someone else's)
  local p; p=$(cat "$DIR/restored.port" 2>/dev/null || true)
  [[ "$p" =~ ^[0-9]+$ ]] || die "nothing restored in this stack (dev/stack restore --to ...)"
  echo "$p"
}
node_db() { case $1 in monitor) echo pg_auto_failover ;; *) echo "$PG_DB" ;; esac; }
is_node() { [[ "$1" =~ ^node[123]$ ]]; }
not() { ! "$@"; }

# pg_autoctl keeps its configuration and state under XDG folders: inside the stack's folder, so that
# `down --wipe` removes all of it and stacks never share anything.
pg_env() {
  as_pg env PGHOST="$RUN_DIR" XDG_CONFIG_HOME="$DIR/xdg/config" XDG_DATA_HOME="$DIR/xdg/share" \
    XDG_RUNTIME_DIR="$DIR/xdg/run" "$@"
}
autoctl() { pg_env pg_autoctl "$@"; }
node_pg_env() { # name command...: pg_env where the node runs (its namespace in the netns variant)
  local name=$1; shift
  (cd / && node_exec "$name" runuser -u postgres -- env PGHOST="$RUN_DIR" XDG_CONFIG_HOME="$DIR/xdg/config" \
    XDG_DATA_HOME="$DIR/xdg/share" XDG_RUNTIME_DIR="$DIR/xdg/run" "$@")
}
forget_autoctl_state() { # data dir
  rm -rf "$DIR/xdg/config/pg_autoctl$1" "$DIR/xdg/share/pg_autoctl$1" "$DIR/xdg/run/pg_autoctl$1"
}

psql_at() { # port db [psql args]: from the root namespace, as Coffer would
  local port=$1 db=$2; shift 2
  as_pg "$(pg_bin)/psql" -X -q -v ON_ERROR_STOP=1 -h "$(port_host "$port")" -p "$port" -U postgres -d "$db" "$@"
}
port_host() { # the address a port is reached on: a node's port on the node's address
  local n
  for n in "${HA_NODES[@]}"; do [ "$(node_port "$n")" != "$1" ] || { node_host "$n"; return; }; done
  echo 127.0.0.1
}
monitor_sql() { psql_at "$PG_MONITOR_PORT" pg_auto_failover -At -c "$1"; }

# ---- what the monitor says ---------------------------------------------------------------------

PRIMARY_STATES="'primary','wait_primary','single','join_primary','apply_settings'"
current_primary() { # name of the node the monitor has as primary (reported and assigned), or nothing
  monitor_sql "SELECT nodename FROM pgautofailover.node WHERE reportedstate IN ($PRIMARY_STATES)
               AND goalstate IN ($PRIMARY_STATES) ORDER BY reporttime DESC LIMIT 1" 2>/dev/null || true
}
current_standby() {
  monitor_sql "SELECT nodename FROM pgautofailover.node WHERE reportedstate = 'secondary'
               AND goalstate = 'secondary' ORDER BY nodename LIMIT 1" 2>/dev/null || true
}
node_state() { # "reported goal" of a node, or nothing
  monitor_sql "SELECT reportedstate || ' ' || goalstate FROM pgautofailover.node WHERE nodename = '$1'" 2>/dev/null || true
}
node_is() { [ "$(node_state "$1")" = "$2 $2" ]; }
writable() { [ "$(psql_at "$1" postgres -At -c 'SELECT NOT pg_is_in_recovery()' 2>/dev/null)" = t ]; }
has_primary() { [ -n "$(current_primary)" ]; }
secondaries_are() { [ "$(monitor_sql "SELECT count(*) FROM pgautofailover.node WHERE reportedstate = 'secondary'")" = "$1" ]; }
node_registered() { [ -n "$(monitor_sql "SELECT nodeid FROM pgautofailover.node WHERE nodeid = $1")" ]; }
restored_out_of_recovery() { [ "$(psql_at "$1" postgres -At -c 'SELECT pg_is_in_recovery()' 2>/dev/null)" = f ]; }

resolve() { # primary|replica|nodeN|monitor|restored -> a name
  local n
  case $1 in
    primary) n=$(current_primary); [ -n "$n" ] || die "the monitor knows no primary now" ;;
    replica) n=$(current_standby); [ -n "$n" ] || die "the monitor knows no standby in state secondary now" ;;
    node1 | node2 | node3 | monitor | restored) n=$1 ;;
    *) die "unknown node '$1' (primary, replica, node1, node2, node3, monitor, restored)" ;;
  esac
  echo "$n"
}

# ---- processes ---------------------------------------------------------------------------------

keeper_pidfile() { echo "$RUN_DIR/keeper-$1.pid"; }
keeper_pid() { cat "$(keeper_pidfile "$1")" 2>/dev/null || true; }
# The keeper's command line is "pg_autoctl run --pgdata DIR" (or "... create ... --pgdata DIR ...").
keeper_running() { alive "$(keeper_pid "$1")" "--pgdata $(node_data "$1") "; }
node_running() { keeper_running "$1" && pg_running "$(node_data "$1")"; }

start_keeper() { # name [pg_autoctl arguments, default: run --pgdata DATA]
  local name=$1 data pidfile; shift
  data=$(node_data "$name"); pidfile=$(keeper_pidfile "$name")
  keeper_running "$name" && return
  [ $# -gt 0 ] || set -- run --pgdata "$data"
  rm -f "$pidfile"
  clear_stale_pidfiles "$name"
  touch "$LOG_DIR/$name.log"
  [ "$(id -u)" != 0 ] || chown postgres "$LOG_DIR/$name.log"
  # setsid -f: the keeper leaves this script's session; it writes its own pid before exec.
  # shellcheck disable=SC2016
  node_pg_env "$name" setsid -f sh -c 'echo $$ >"$1"; log=$2; shift 2; exec "$@" >>"$log" 2>&1 </dev/null' \
    sh "$pidfile" "$LOG_DIR/$name.log" pg_autoctl "$@" 9>&-
  wait_for 10 "the $name keeper to start" test -s "$pidfile"
  sleep 0.3
  keeper_running "$name" || die "the $name keeper exited at once; see $LOG_DIR/$name.log"
}

# A SIGKILLed process can stay a zombie for a few seconds here (pid 1 reaps late), and both
# pg_autoctl and postgres take a pid that answers kill -0 as a running instance: remove their pid
# and lock files when the pid in them is not a live process.
clear_stale_pidfiles() {
  local data f pid
  data=$(node_data "$1")
  for f in "$DIR/xdg/run/pg_autoctl$data"/*.pid "$data/postmaster.pid" "$RUN_DIR/.s.PGSQL.$(node_port "$1").lock"; do
    [ -f "$f" ] || continue
    pid=$(head -n1 "$f" 2>/dev/null | tr -dc 0-9)
    [ -n "$pid" ] && [ -n "$(live_pids "$pid")" ] && continue
    rm -f "$f"
  done
}

# Pids of the given processes and all their descendants (the keeper's "start/stop postgres" and
# "node active" children, the postmaster below it and the postmaster's backends).
with_descendants() {
  ps -e -o pid=,ppid= | awk -v roots="$*" '
    BEGIN { n = split(roots, r, " "); for (i = 1; i <= n; i++) keep[r[i]] = 1 }
    { parent[$1] = $2 }
    END {
      do { changed = 0; for (p in parent) if (!(p in keep) && (parent[p] in keep)) { keep[p] = 1; changed = 1 } } while (changed)
      for (p in keep) print p
    }'
}
live_pids() { # the given pids that still run (zombies count as gone)
  local p state
  for p in "$@"; do
    [ -r "/proc/$p/stat" ] || continue
    state=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | cut -d' ' -f1) || continue
    [ -n "$state" ] && [ "$state" != Z ] && echo "$p"
  done
  return 0
}

# SIGKILL of a node's keeper, its postmaster and every child of both; only pids this stack recorded
# (keeper pid file, postmaster.pid) whose command lines name the node's data folder, and their children.
kill_node() {
  local name=$1 data roots=() pids p
  data=$(node_data "$name")
  keeper_running "$name" && roots+=("$(keeper_pid "$name")")
  pg_running "$data" && roots+=("$(pg_pid "$data")")
  [ ${#roots[@]} -gt 0 ] || return 0
  # Stop the tree first so that nothing forks a replacement while the signals go out.
  pids=$(with_descendants "${roots[@]}")
  # shellcheck disable=SC2086
  kill -STOP $pids 2>/dev/null || true
  # shellcheck disable=SC2086
  pids=$(with_descendants $pids)
  # shellcheck disable=SC2086
  kill -KILL $pids 2>/dev/null || true
  local deadline=$((SECONDS + 10))
  # shellcheck disable=SC2086
  while [ -n "$(live_pids $pids)" ]; do
    [ $SECONDS -lt $deadline ] || die "$name: processes $(live_pids $pids | tr '\n' ' ')survived SIGKILL"
    sleep 0.05
  done
  return 0
}

stop_node() { # graceful: SIGTERM to the keeper, which stops its postgres (fast mode)
  local name=$1 data pid
  data=$(node_data "$name")
  if keeper_running "$name"; then
    pid=$(keeper_pid "$name")
    kill -TERM "$pid" 2>/dev/null || true # it may have exited since
    local deadline=$((SECONDS + 60))
    while keeper_running "$name"; do
      [ $SECONDS -lt $deadline ] || die "$name: the keeper (pid $pid) did not stop within 60 s"
      sleep 0.1
    done
  fi
  if pg_running "$data"; then as_pg "$(pg_bin)/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null; fi
  return 0
}

# ---- creation ----------------------------------------------------------------------------------

ha_pg_conf() { # appended at the end of every server's postgresql.conf, after pg_autoctl's include
  # pg_conf_common, without synchronous_commit (tests check that an acknowledged commit survives the
  # loss of the primary) and without full_page_writes=off (pg_rewind needs it when an old primary
  # rejoins): in HA mode COFFER_STACK_FAST=1 turns off fsync only.
  pg_conf_common | grep -v -e '^synchronous_commit' -e '^full_page_writes'
  cat <<CONF
archive_mode = on
$(archive_command_for "$(node_data node1)")
CONF
  net_pg_conf
}

# archive-push checks that PostgreSQL's working directory is its pg1-path, and postgresql.conf is
# the same file on every node (pg_autoctl clones it): each node gets --pg1-path=<its own folder>.
archive_command_for() {
  echo "archive_command = '$(command -v pgbackrest) --config=$BR_CONF --stanza=$STANZA --pg1-path=$1 archive-push %p'"
}
own_archive_command() { # name: point the node's archive_command at its own folder (reload if it runs)
  local data conf line
  data=$(node_data "$1"); conf="$data/postgresql.conf"; line=$(archive_command_for "$data")
  [ -f "$conf" ] || return 0
  grep -qxF -- "$line" "$conf" && return 0
  sed -i "/^archive_command = /d" "$conf"
  echo "$line" >>"$conf"
  if pg_running "$data"; then as_pg "$(pg_bin)/pg_ctl" -D "$data" reload >/dev/null; fi
}

new_pgdata() { # data dir: an empty folder owned by postgres
  rm -rf "$1"
  install -d -o postgres -m 700 "$1" 2>/dev/null || install -d -m 700 "$1"
}

initdb_at() { # data dir, log name
  new_pgdata "$1"
  as_pg "$(pg_bin)/initdb" -D "$1" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$LOG_DIR/initdb-$2.log" 2>&1 \
    || die "initdb failed; see $LOG_DIR/initdb-$2.log"
}

create_monitor() {
  require_free "$PG_MONITOR_PORT"
  log "creating the pg_auto_failover monitor on port $PG_MONITOR_PORT"
  forget_autoctl_state "$MONITOR_DATA"
  initdb_at "$MONITOR_DATA" monitor
  {
    pg_conf_common | grep -v -e '^synchronous_commit' -e '^full_page_writes' -e '^shared_buffers' -e '^max_connections'
    echo "shared_buffers = 64MB"
  } >>"$MONITOR_DATA/postgresql.conf"
  hba_lines >>"$MONITOR_DATA/pg_hba.conf"
  autoctl create monitor --pgdata "$MONITOR_DATA" --pgport "$PG_MONITOR_PORT" --hostname "$MONITOR_HOST" \
    --auth trust --no-ssl --pgctl "$(pg_bin)/pg_ctl" >>"$LOG_DIR/monitor.log" 2>&1 \
    || die "pg_autoctl create monitor failed; see $LOG_DIR/monitor.log"
  # pg_autoctl starts postgres with -h from its own config ('*' by default).
  autoctl config set --pgdata "$MONITOR_DATA" postgresql.listen_addresses "$MONITOR_LISTEN" >/dev/null
}

tune_monitor() {
  local kv args=()
  for kv in "${MONITOR_GUCS[@]}"; do args+=(-c "ALTER SYSTEM SET ${kv%%=*} = ${kv#*=}"); done
  psql_at "$PG_MONITOR_PORT" pg_auto_failover "${args[@]}" -c "SELECT pg_reload_conf()" >/dev/null
}

create_node() { # name: the first node from initdb, the others cloned from the primary by pg_autoctl
  local name=$1 data port
  data=$(node_data "$name"); port=$(node_port "$name")
  node_require_free "$name"
  forget_autoctl_state "$data"
  if [ "${2:-}" = first ]; then
    initdb_at "$data" "$name"
    ha_pg_conf >>"$data/postgresql.conf"
    hba_lines >>"$data/pg_hba.conf"
  else
    rm -rf "$data"
  fi
  node_pg_env "$name" pg_autoctl create postgres --pgdata "$data" --pgport "$port" \
    --listen "$(node_host "$name")" --hostname "$(node_host "$name")" \
    --name "$name" --skip-pg-hba --no-ssl --pgctl "$(pg_bin)/pg_ctl" --monitor "$MONITOR_URI" \
    >>"$LOG_DIR/$name.log" 2>&1 || die "pg_autoctl create postgres ($name) failed; see $LOG_DIR/$name.log"
  own_archive_command "$name"
  local kv
  for kv in "${KEEPER_SETTINGS[@]}"; do autoctl config set --pgdata "$data" "${kv%%=*}" "${kv#*=}" >/dev/null; done
}

write_backrest_conf() {
  local n i=0
  mkdir -p "$BR_DIR/repo" "$BR_DIR/log" "$BR_DIR/lock"
  [ "$(id -u)" = 0 ] && chown -R postgres "$BR_DIR"
  {
    cat <<CONF
[global]
repo1-path=$BR_DIR/repo
repo1-retention-full=2
log-path=$BR_DIR/log
lock-path=$BR_DIR/lock
log-level-console=warn
log-level-file=info
start-fast=y
compress-type=none
archive-timeout=30

[$STANZA]
CONF
    for n in "${HA_NODES[@]}"; do
      i=$((i + 1))
      printf 'pg%d-path=%s\npg%d-port=%s\npg%d-socket-path=%s\npg%d-user=postgres\n' \
        $i "$(node_data "$n")" $i "$(node_port "$n")" $i "$RUN_DIR" $i
    done
  } >"$BR_CONF"
}
backrest() { as_pg pgbackrest --config="$BR_CONF" --stanza="$STANZA" "$@"; }

# ---- health ------------------------------------------------------------------------------------

ha_healthy() { # one primary, every other node secondary, a standby in sync/quorum state
  local counts primary n
  for n in "${HA_NODES[@]}"; do node_running "$n" || return 1; done
  counts=$(monitor_sql "SELECT count(*) FILTER (WHERE reportedstate = 'primary' AND goalstate = 'primary') || '/' ||
                               count(*) FILTER (WHERE reportedstate = 'secondary' AND goalstate = 'secondary') || '/' ||
                               count(*) FROM pgautofailover.node" 2>/dev/null) || return 1
  [ "$counts" = "1/$((${#HA_NODES[@]} - 1))/${#HA_NODES[@]}" ] || return 1
  primary=$(current_primary); [ -n "$primary" ] || return 1
  [ "$(psql_at "$(node_port "$primary")" postgres -At -c "SELECT current_setting('synchronous_standby_names') LIKE 'ANY 1 (%'
        AND EXISTS (SELECT FROM pg_stat_replication WHERE sync_state IN ('sync', 'quorum'))
        AND (SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming') = $((${#HA_NODES[@]} - 1))" 2>/dev/null)" = t ]
}
wait_healthy() { wait_for "${1:-120}" "one primary, the other nodes secondary and synchronous replication" ha_healthy; }

# ---- commands ----------------------------------------------------------------------------------

ha_lock() {
  mkdir -p "$DIR" "$RUN_DIR" "$LOG_DIR" "$DIR/redis" "$DIR/xdg/config" "$DIR/xdg/share" "$DIR/xdg/run"
  [ "$(id -u)" = 0 ] && chown postgres "$DIR" "$RUN_DIR" "$LOG_DIR" "$DIR/xdg" "$DIR/xdg/config" "$DIR/xdg/share" "$DIR/xdg/run"
  # The variant first: a folder with a mode file but no netns file is a plain HA stack.
  if [ "${NETNS:-0}" = 1 ] && [ ! -f "$DIR/netns" ]; then echo "subnet=$NET_SUBNET" >"$DIR/netns"; fi
  [ -f "$DIR/mode" ] || echo ha >"$DIR/mode"
  # Daemons started below must not inherit fd 9, or they would hold the lock forever.
  exec 9>"$DIR/.lock"
  flock 9
  if [ "${NETNS:-0}" = 1 ]; then net_up; fi
}

ha_up() {
  install_missing
  ha_lock
  local started=$SECONDS redis_pid n pids=() missing=()
  # Redis needs nothing from PostgreSQL: bring it up meanwhile.
  ( up_redis ) &
  redis_pid=$!
  write_backrest_conf
  if [ ! -f "$DIR/xdg/config/pg_autoctl$MONITOR_DATA/pg_autoctl.cfg" ]; then create_monitor; fi
  keeper_running monitor || { pg_running "$MONITOR_DATA" || require_free "$PG_MONITOR_PORT"; start_keeper monitor; }
  wait_for 60 "the monitor" monitor_sql "SELECT 1 FROM pgautofailover.formation"
  tune_monitor

  if [ ! -f "$DIR/xdg/config/pg_autoctl$(node_data node1)/pg_autoctl.cfg" ] && [ -z "$(current_primary)" ] \
    && [ "$(monitor_sql "SELECT count(*) FROM pgautofailover.node")" = 0 ]; then
    log "creating node1 (primary) on port $(node_port node1)"
    create_node node1 first
    start_keeper node1
    wait_for 60 "node1 to run as primary" node_is node1 single
    wait_for 60 "node1 to accept connections" writable "$(node_port node1)"
  fi
  # Restart the keepers of nodes that exist; nodes without data (never created, destroyed) are
  # created as standbys afterwards, in parallel.
  for n in "${HA_NODES[@]}"; do
    if [ -f "$(node_data "$n")/PG_VERSION" ] && [ -f "$DIR/xdg/config/pg_autoctl$(node_data "$n")/pg_autoctl.cfg" ]; then
      own_archive_command "$n"
      keeper_running "$n" || { pg_running "$(node_data "$n")" || node_require_free "$n"; start_keeper "$n"; }
    else
      missing+=("$n")
    fi
  done
  wait_for 120 "a primary" has_primary
  wait_for 60 "the primary to accept connections" writable "$(node_port "$(current_primary)")"
  ensure_db "$(node_port "$(current_primary)")"
  if [ ${#missing[@]} -gt 0 ]; then
    for n in "${missing[@]}"; do
      log "creating $n (standby) on port $(node_port "$n")"
      ( rejoin_node "$n" nowait ) &
      pids+=($!)
    done
    ensure_stanza
    for n in "${pids[@]}"; do wait "$n" || die "a standby could not be created; see $LOG_DIR"; done
  fi
  # Two standbys: one of them must acknowledge every commit.
  wait_for 300 "both standbys" secondaries_are 2
  if [ "$(monitor_sql "SELECT number_sync_standbys FROM pgautofailover.formation WHERE formationid = 'default'")" != 1 ]; then
    monitor_sql "SELECT pgautofailover.set_formation_number_sync_standbys('default', 1)" >/dev/null
  fi
  ensure_stanza
  wait "$redis_pid" || die "Redis did not come up; see $LOG_DIR"
  wait_healthy 120
  # shellcheck disable=SC2153
  log "stack '$NAME' up in HA mode in $((SECONDS - started)) s (data in $DIR); primary: $(current_primary)"
}

ensure_db() { # port of the primary
  [ "$(psql_at "$1" postgres -At -c "SELECT count(*) FROM pg_database WHERE datname = '$PG_DB'")" = 1 ] && return
  log "creating the database $PG_DB owned by $PG_USER"
  psql_at "$1" postgres -c "CREATE ROLE $PG_USER LOGIN PASSWORD '$PG_PASSWORD'" \
    -c "CREATE DATABASE $PG_DB OWNER $PG_USER" -c "GRANT pg_monitor TO $PG_USER" >/dev/null
}

ensure_stanza() {
  [ -f "$BR_DIR/repo/backup/$STANZA/backup.info" ] && return
  log "creating the pgBackRest stanza $STANZA"
  backrest stanza-create >>"$LOG_DIR/pgbackrest.log" 2>&1 || die "pgbackrest stanza-create failed; see $LOG_DIR/pgbackrest.log"
}

rejoin_node() { # name [nowait]: (re)create a node as a standby of the current primary
  local name=$1 id
  kill_node "$name"
  id=$(monitor_sql "SELECT nodeid FROM pgautofailover.node WHERE nodename = '$name'")
  if [ -n "$id" ]; then
    log "$name: dropping its old registration (node id $id) from the monitor"
    monitor_sql "SELECT pgautofailover.remove_node($id, true)" >/dev/null
    wait_for 30 "the monitor to forget $name" not node_registered "$id"
  fi
  rm -f "$RUN_DIR/.s.PGSQL.$(node_port "$name")" "$RUN_DIR/.s.PGSQL.$(node_port "$name").lock"
  # pg_autoctl clones the primary with pg_basebackup, which asks for a spread checkpoint (~90 s
  # here): a CHECKPOINT on the primary meanwhile makes the one in progress finish at once.
  create_node "$name" &
  local create=$! primary
  while kill -0 "$create" 2>/dev/null; do
    primary=$(current_primary)
    [ -z "$primary" ] || psql_at "$(node_port "$primary")" postgres -c CHECKPOINT >/dev/null 2>&1 || true
    sleep 0.5
  done
  wait "$create" || die "$name could not be created; see $LOG_DIR/$name.log"
  start_keeper "$name"
  [ "${2:-}" = nowait ] || wait_for 300 "$name to become secondary" node_is "$name" secondary
}

ha_down() {
  local port n p standbys=() primary
  for port in "${REDIS_PORTS[@]}"; do stop_redis_node "$port" TERM; done
  stop_pg "$RESTORED_DATA"
  # Standbys first, then the primary (no failover left to start), then the monitor.
  primary=$(current_primary)
  for n in "${HA_NODES[@]}"; do [ "$n" = "$primary" ] || standbys+=("$n"); done
  for n in "${standbys[@]}"; do
    if keeper_running "$n"; then kill -TERM "$(keeper_pid "$n")" 2>/dev/null || true; fi
  done
  for n in "${standbys[@]}"; do stop_node "$n"; done
  [ -z "$primary" ] || stop_node "$primary"
  stop_node monitor
  if [ "${NETNS:-0}" = 1 ]; then net_down; fi
  if [ "${1:-}" = "--wipe" ]; then rm -rf "$DIR"; log "down, data removed"; else log "down"; fi
}

ha_status() {
  local n port state rc=0 states="" line
  if node_running monitor; then
    state=up
    states=$(monitor_sql "SELECT nodename, reportedstate, goalstate FROM pgautofailover.node" 2>/dev/null || true)
  else state=down; rc=1; fi
  printf '%-12s 127.0.0.1:%-6s %s\n' monitor "$PG_MONITOR_PORT" "$state"
  for n in "${HA_NODES[@]}"; do
    if node_running "$n"; then state=up
    elif [ -f "$(node_data "$n")/PG_VERSION" ]; then state=down; rc=1
    else state=destroyed; rc=1; fi
    line=$(grep "^$n|" <<<"$states" || true)
    if [ -n "$line" ]; then
      IFS='|' read -r _ reported goal <<<"$line"
      if [ "$reported" = "$goal" ]; then state+=" $reported"; else state+=" $reported -> $goal"; fi
    else state+=" unregistered"; fi
    if [ "${NETNS:-0}" = 1 ] && is_partitioned "$n"; then state+=" partitioned"; rc=1; fi
    printf '%-12s %s:%-6s %s\n' "$n" "$(node_host "$n")" "$(node_port "$n")" "$state"
  done
  if [ "${NETNS:-0}" = 1 ]; then net_describe; fi
  if [ -d "$RESTORED_DATA" ]; then
    if pg_running "$RESTORED_DATA"; then state=up; else state=down; fi
    printf '%-12s 127.0.0.1:%-6s %s\n' restored "$(cat "$DIR/restored.port" 2>/dev/null || echo '?')" "$state"
  fi
  for port in "${REDIS_PORTS[@]}"; do
    if redis_running "$port"; then
      state="up $(redis-cli -h 127.0.0.1 -p "$port" role 2>/dev/null | head -n1)"
    else state=down; rc=1; fi
    printf '%-12s 127.0.0.1:%-6s %s\n' "redis-$port" "$port" "$state"
  done
  return $rc
}

ha_env() {
  local nodes="" port hosts=""
  for port in "${REDIS_PORTS[@]}"; do nodes+="${nodes:+,}redis://127.0.0.1:$port"; done
  for n in "${HA_NODES[@]}"; do hosts+="${hosts:+,}$(node_host "$n"):$(node_port "$n")"; done
  echo "COFFER_PG_PRIMARY=postgresql://$PG_USER:$PG_PASSWORD@$hosts/$PG_DB?target_session_attrs=read-write"
  echo "COFFER_PG_REPLICA=postgresql://$PG_USER:$PG_PASSWORD@$hosts/$PG_DB?target_session_attrs=prefer-standby"
  echo "COFFER_REDIS_NODES=$nodes"
}

ha_component() { # start|stop|kill NAME
  local action=$1 name=${2:-} p
  case "$action:$name" in
    *:redis) for p in "${REDIS_PORTS[@]}"; do
        case $action in start) ha_lock; up_redis; return ;; stop) stop_redis_node "$p" TERM ;; kill) stop_redis_node "$p" KILL ;; esac
      done ;;
    start:redis-*) ha_lock; up_redis ;;
    stop:redis-*) stop_redis_node "${name#redis-}" TERM ;;
    kill:redis-*) stop_redis_node "${name#redis-}" KILL ;;
    start:restored) [ -f "$RESTORED_DATA/PG_VERSION" ] || die "nothing restored yet (dev/stack restore --to ...)"
      start_pg "$RESTORED_DATA" restored ;;
    stop:restored) stop_pg "$RESTORED_DATA" ;;
    start:monitor | start:node[123])
      [ -f "$(node_data "$name")/PG_VERSION" ] || die "$name has no data (destroyed?): use dev/stack rejoin $name"
      ha_lock
      keeper_running "$name" || { pg_running "$(node_data "$name")" || node_require_free "$name"; start_keeper "$name"; } ;;
    start:*) die "start takes a node name (monitor, node1..3, redis, redis-PORT, restored), not '$name'" ;;
    stop:*) stop_node "$(resolve "$name")" ;;
    kill:*) name=$(resolve "$name"); [ "$name" != restored ] || die "kill restored is not supported (stop restored)"
      kill_node "$name" ;;
  esac
}

ha_destroy() {
  local name
  name=$(resolve "${1:-}")
  is_node "$name" || die "destroy takes primary or node1..node3"
  kill_node "$name"
  rm -rf "$(node_data "$name")"
  rm -f "$RUN_DIR/.s.PGSQL.$(node_port "$name")" "$RUN_DIR/.s.PGSQL.$(node_port "$name").lock"
  echo "destroyed $name $(node_port "$name")"
}

ha_promote() {
  local name
  name=$(resolve "${1:-}")
  is_node "$name" || die "promote takes replica or node1..node3"
  if node_is "$name" primary; then log "$name is already primary"; return; fi
  monitor_sql "SELECT pgautofailover.perform_promotion('default', '$name')" >/dev/null
  wait_for 120 "$name to become primary" node_is "$name" primary
  echo "promoted $name $(node_port "$name")"
}

ha_rejoin() {
  local name=${1:-}
  is_node "$name" || die "rejoin takes node1..node3"
  [ "$(current_primary)" != "$name" ] || die "$name is the primary: destroy it or promote another node first"
  wait_for 60 "a primary to rejoin to" has_primary
  ha_lock
  rejoin_node "$name"
  echo "rejoined $name $(node_port "$name")"
}

ha_backup() {
  local type=${1:-incr}
  [[ "$type" =~ ^(full|diff|incr)$ ]] || die "usage: dev/stack backup [full|diff|incr]"
  [ -f "$BR_CONF" ] || die "no stack here (dev/stack up first)"
  backrest --type="$type" backup >>"$LOG_DIR/pgbackrest.log" 2>&1 || die "pgbackrest backup failed; see $LOG_DIR/pgbackrest.log"
  backrest info | awk '/ backup: /{label = $NF} END {print label}'
}

# RFC 3339 (2024-05-01T12:00:00.123Z, ...+02:00) into the "YYYY-MM-DD HH:MM:SS+TZ" pgBackRest parses.
backrest_time() {
  local t=${1/T/ }
  case $t in *Z | *z) t="${t%?}+00" ;; esac
  echo "$t"
}

ha_restore() {
  local to="" port=$PG_RESTORE_PORT
  while [ $# -gt 0 ]; do
    case $1 in
      --to) to=${2:-}; shift 2 ;;
      --to=*) to=${1#--to=}; shift ;;
      --port) port=${2:-}; shift 2 ;;
      --port=*) port=${1#--port=}; shift ;;
      *) die "usage: dev/stack restore --to <RFC 3339 time>|latest [--port P]" ;;
    esac
  done
  [ -n "$to" ] || die "usage: dev/stack restore --to <RFC 3339 time>|latest [--port P]"
  [[ "$port" =~ ^[0-9]+$ ]] || die "--port must be a number"
  [ -f "$BR_CONF" ] || die "no stack here (dev/stack up first)"
  ha_lock
  # Every commit up to the target must be archived: `pgbackrest check` switches the WAL segment (in
  # a statement of its own) and waits until the segment is in the repository.
  if [ -n "$(current_primary)" ]; then
    backrest check >>"$LOG_DIR/pgbackrest.log" 2>&1 || die "pgbackrest check failed; see $LOG_DIR/pgbackrest.log"
  else
    log "no primary now: restoring from what is archived already"
  fi
  stop_pg "$RESTORED_DATA"
  pg_running "$RESTORED_DATA" && die "the restored server still runs"
  require_free "$port"
  new_pgdata "$RESTORED_DATA"
  echo "$port" >"$DIR/restored.port"
  local target=()
  if [ "$to" != latest ]; then target=(--type=time "--target=$(backrest_time "$to")" --target-action=promote); fi
  log "restoring into $RESTORED_DATA (target: $to)"
  backrest --pg1-path="$RESTORED_DATA" "${target[@]}" restore >>"$LOG_DIR/pgbackrest.log" 2>&1 \
    || die "pgbackrest restore failed; see $LOG_DIR/pgbackrest.log"
  # A plain server: none of pg_auto_failover's settings (port, primary_conninfo, the synchronous
  # standbys it set with ALTER SYSTEM), and no archiving into the live stack's repository.
  sed -i "/^include 'postgresql-auto-failover/d" "$RESTORED_DATA/postgresql.conf"
  rm -f "$RESTORED_DATA"/postgresql-auto-failover*.conf "$RESTORED_DATA/standby.signal" "$RESTORED_DATA/postmaster.pid"
  sed -i -e '/^synchronous_standby_names/d' -e '/^primary_conninfo/d' -e '/^primary_slot_name/d' "$RESTORED_DATA/postgresql.auto.conf"
  cat >>"$RESTORED_DATA/postgresql.conf" <<CONF
port = $port
archive_mode = off
archive_command = '/bin/true'
synchronous_standby_names = ''
cluster_name = 'coffer-restored'
shared_buffers = 128MB
CONF
  : >"$LOG_DIR/restored.log"
  [ "$(id -u)" = 0 ] && chown postgres "$LOG_DIR/restored.log"
  start_pg "$RESTORED_DATA" restored
  wait_for 120 "the restored server to finish recovery" restored_out_of_recovery "$port"
  echo "COFFER_PG_PRIMARY=postgresql://$PG_USER:$PG_PASSWORD@127.0.0.1:$port/$PG_DB"
  echo "COFFER_PG_REPLICA=postgresql://$PG_USER:$PG_PASSWORD@127.0.0.1:$port/$PG_DB"
}

ha_usage() {
  cat >&2 <<'USAGE'
usage (COFFER_STACK_HA=1): dev/stack up | down [--wipe] | status | env | primary | wait-healthy [SECONDS]
  start|stop|kill monitor|node1|node2|node3|primary|replica|redis|redis-PORT   (start|stop restored)
  psql primary|replica|node1|node2|node3|monitor|restored [psql arguments]
  destroy primary|nodeN | promote replica|nodeN | rejoin nodeN
  backup [full|diff|incr] | restore --to <RFC 3339 time>|latest [--port P]
  partition primary|nodeN | heal [nodeN|all]   (COFFER_STACK_NETNS=1 only)
USAGE
  exit 2
}

ha_main() {
  local cmd=${1:-}
  [ $# -eq 0 ] || shift
  case "$cmd" in
    up) ha_up ;;
    down) ha_down "$@" ;;
    status) ha_status ;;
    env) ha_env ;;
    start | stop | kill) [ $# -ge 1 ] || ha_usage; ha_component "$cmd" "$1" ;;
    psql)
      [ $# -ge 1 ] || ha_usage
      local n; n=$(resolve "$1"); shift
      local port
      if [ "$n" = restored ]; then port=$(restored_port); else port=$(node_port "$n"); fi
      # netns variant: from inside the node's namespace, so that it answers while cut off.
      if [ "${NETNS:-0}" = 1 ] && is_node "$n"; then node_psql "$n" "$(node_db "$n")" "$@"; return; fi
      psql_at "$port" "$(node_db "$n")" "$@" ;;
    primary) local p; p=$(current_primary); [ -n "$p" ] || { echo "no primary" >&2; exit 1; }; echo "$p $(node_port "$p")" ;;
    wait-healthy) wait_healthy "${1:-120}" ;;
    destroy) ha_destroy "$@" ;;
    promote) ha_promote "$@" ;;
    rejoin) ha_rejoin "$@" ;;
    backup) ha_backup "$@" ;;
    restore) ha_restore "$@" ;;
    partition | heal)
      [ "${NETNS:-0}" = 1 ] || die "'$cmd' needs the netns variant (COFFER_STACK_HA=1 COFFER_STACK_NETNS=1, with a stack folder of its own)"
      if [ "$cmd" = partition ]; then net_partition "$@"; else net_heal "$@"; fi ;;
    *) ha_usage ;;
  esac
}
