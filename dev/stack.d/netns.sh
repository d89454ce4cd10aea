# shellcheck shell=bash
# Network-partition variant of the HA mode (COFFER_STACK_HA=1 COFFER_STACK_NETNS=1), sourced by
# dev/stack.d/ha.sh. Needs root (ip netns, nft).
#
# Each database node is a host of its own: a network namespace with one veth whose other end is a
# port of a bridge in the root namespace. The bridge holds .1 of the stack's /24
# (COFFER_STACK_NETNS_SUBNET, default 10.213.7.0/24), node1..node3 hold .11, .12, .13. A node's keeper
# and postgres run inside its namespace, register with the monitor under that address and listen on
# it (on the node's usual port). The monitor (listening on 127.0.0.1 and the bridge's address), Redis
# and Coffer stay in the root namespace and reach the nodes through the bridge. The namespaces have
# no route but their /24 (and loopback): nothing leaves the machine.
#
#   dev/stack partition primary|nodeN   drops every frame to and from the node's bridge port (an nft
#                                       set in a bridge table of the stack's own): prints
#                                       "partitioned nodeN ADDRESS"; its processes keep running
#   dev/stack heal [nodeN|all]          undoes it: "healed nodeN ADDRESS" per node healed
#
# Names: namespaces coffer-NAME-nodeK, bridge cfb-SHORT, root-side veths cfv-SHORT-K (SHORT is the
# stack name, or when longer than 9 characters its first 5 and 4 hex digits of its md5), nft table
# "bridge coffer-NAME". Each link carries the alias "coffer-stack DIR": a bridge or namespace of
# another stack with the same names is refused, never reused or removed. `down` removes all of it.

NET_DEFAULT_SUBNET=10.213.7.0/24

net_resolve_subnet() {
  local recorded="" s=${COFFER_STACK_NETNS_SUBNET:-}
  [ -f "$DIR/netns" ] && recorded=$(sed -n 's/^subnet=//p' "$DIR/netns")
  if [ -n "$recorded" ]; then
    [ -z "$s" ] || [ "$s" = "$recorded" ] || die "stack '$NAME' was created on subnet $recorded, not $s:" \
      "unset COFFER_STACK_NETNS_SUBNET, or use another COFFER_STACK_NAME"
    s=$recorded
  fi
  s=${s:-$NET_DEFAULT_SUBNET}
  [[ "$s" =~ ^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.0/24$ ]] \
    || die "COFFER_STACK_NETNS_SUBNET must be an a.b.c.0/24 subnet, not '$s'"
  local a=${BASH_REMATCH[1]} b=${BASH_REMATCH[2]} c=${BASH_REMATCH[3]}
  [ "$a" -le 255 ] && [ "$b" -le 255 ] && [ "$c" -le 255 ] || die "COFFER_STACK_NETNS_SUBNET: '$s' is no IPv4 subnet"
  [ "$a" = 10 ] || { [ "$a" = 172 ] && [ "$b" -ge 16 ] && [ "$b" -le 31 ]; } || { [ "$a" = 192 ] && [ "$b" = 168 ]; } \
    || die "COFFER_STACK_NETNS_SUBNET must be a private subnet (10/8, 172.16/12, 192.168/16), not '$s'"
  NET_SUBNET=$s
  NET_PREFIX="$a.$b.$c"
}
net_resolve_subnet
BRIDGE_ADDR="$NET_PREFIX.1"
if [ ${#NAME} -le 9 ]; then NET_SHORT=$NAME; else NET_SHORT="${NAME:0:5}$(printf '%s' "$NAME" | md5sum | cut -c1-4)"; fi
NET_BRIDGE="cfb-$NET_SHORT"
NET_TABLE="coffer-$NAME"
NET_OWNER="coffer-stack $DIR"

net_ns() { echo "coffer-$NAME-$1"; }
net_veth() { echo "cfv-$NET_SHORT-${1#node}"; }
node_addr() { is_node "$1" || die "no address for $1"; echo "$NET_PREFIX.1${1#node}"; }

# ---- hooks used by ha.sh -------------------------------------------------------------------------

node_host() { if is_node "$1"; then node_addr "$1"; else echo 127.0.0.1; fi; }
MONITOR_HOST=$BRIDGE_ADDR
MONITOR_LISTEN="127.0.0.1,$BRIDGE_ADDR"
# Runs a command inside a node's namespace (the monitor and the rest: in the root namespace).
node_exec() { # name command...
  local name=$1; shift
  if is_node "$name"; then ip netns exec "$(net_ns "$name")" "$@"; else "$@"; fi
}
node_require_free() { # name: its port must be free where it will listen
  local name=$1 port holder
  port=$(node_port "$name")
  is_node "$name" || { require_free "$port"; return; }
  holder=$(ip netns exec "$(net_ns "$name")" ss -Hltnp "sport = :$port" 2>/dev/null || true)
  [ -z "$holder" ] || die "port $port in $(net_ns "$name") is already in use by: $holder"
}
hba_lines() { # trusted from the bridge's subnet: the monitor's health checks, replication, Coffer
  printf 'host all all %s trust\nhost replication all %s trust\n' "$NET_SUBNET" "$NET_SUBNET"
}
# A cut-off primary demotes itself (its keeper stops postgres) only once it has lost the monitor for
# timeout.network_partition_timeout (2 s here) AND no standby is left in pg_stat_replication. A
# partition drops packets silently, so a walsender only notices after wal_sender_timeout (default
# 60 s): 5 s lets the isolated primary fence itself about as fast as the monitor promotes another.
net_pg_conf() {
  echo "wal_sender_timeout = '5s'"
  echo "wal_receiver_timeout = '5s'"
}
# As the postgres user inside the node's namespace, e.g. `dev/stack psql node2` while it is cut off.
node_psql() { # name db [psql args]
  local name=$1 db=$2; shift 2
  (cd / && ip netns exec "$(net_ns "$name")" runuser -u postgres -- "$(pg_bin)/psql" -X -q -v ON_ERROR_STOP=1 \
    -h "$(node_addr "$name")" -p "$(node_port "$name")" -U postgres -d "$db" "$@")
}

# ---- the network ---------------------------------------------------------------------------------
# No `cmd | grep -q` here: under pipefail, grep exiting at its first match can make the writer die of
# SIGPIPE and the whole test false. Outputs are read into variables first.

link_alias() { # [ip options] link: its alias, or nothing
  local out
  out=$(ip "${@:1:$#-1}" -d link show dev "${!#}" 2>/dev/null) || return 0
  sed -n 's/^ *alias //p' <<<"$out"
}
ns_exists() {
  local out first _
  out=$(ip netns list 2>/dev/null) || return 1
  while read -r first _; do [ "$first" != "$1" ] || return 0; done <<<"$out"
  return 1
}
no_ipv6() { # [ip netns exec NS] interface...: no link-local addresses, nothing but IPv4 on the subnet
  local i
  for i in "$@"; do sysctl -qw "net.ipv6.conf.$i.disable_ipv6=1" >/dev/null 2>&1 || true; done
}

net_require_root() {
  [ "$(id -u)" = 0 ] || die "the netns variant (COFFER_STACK_NETNS=1) needs root: ip netns, veth, bridge, nft"
  command -v ip >/dev/null && command -v nft >/dev/null || die "ip and nft are missing (apt-get install iproute2 nftables)"
}

net_check_subnet_free() {
  local clash
  clash=$( { ip -4 route show root "$NET_SUBNET"; ip -4 route show match "$NET_SUBNET" | grep -v '^default'; } 2>/dev/null \
    | grep -v " dev $NET_BRIDGE " | head -n1 || true)
  [ -z "$clash" ] || die "subnet $NET_SUBNET is in use here (route: $clash): set COFFER_STACK_NETNS_SUBNET to another private /24"
}

net_up() {
  net_require_root
  local n ns veth addr owner
  if ip link show dev "$NET_BRIDGE" >/dev/null 2>&1; then
    owner=$(link_alias "$NET_BRIDGE")
    [ "$owner" = "$NET_OWNER" ] || die "bridge $NET_BRIDGE exists and is not this stack's (alias '$owner'): use another COFFER_STACK_NAME"
  else
    net_check_subnet_free
    log "creating bridge $NET_BRIDGE ($BRIDGE_ADDR/24) and namespaces $(net_ns node1)..3"
    ip link add name "$NET_BRIDGE" type bridge
    ip link set dev "$NET_BRIDGE" alias "$NET_OWNER"
    no_ipv6 "$NET_BRIDGE"
  fi
  owner=$(ip -4 addr show dev "$NET_BRIDGE")
  grep -qF "inet $BRIDGE_ADDR/24" <<<"$owner" || ip addr add "$BRIDGE_ADDR/24" dev "$NET_BRIDGE"
  ip link set dev "$NET_BRIDGE" up
  for n in "${HA_NODES[@]}"; do
    ns=$(net_ns "$n"); veth=$(net_veth "$n"); addr=$(node_addr "$n")
    ns_exists "$ns" || ip netns add "$ns"
    if ip -n "$ns" link show dev eth0 >/dev/null 2>&1; then
      owner=$(link_alias -n "$ns" eth0)
      [ "$owner" = "$NET_OWNER" ] || die "namespace $ns exists and is not this stack's (alias '$owner'): use another COFFER_STACK_NAME"
    else
      if ip link show dev "$veth" >/dev/null 2>&1; then
        owner=$(link_alias "$veth")
        [ "$owner" = "$NET_OWNER" ] || die "link $veth exists and is not this stack's (alias '$owner')"
        ip link del dev "$veth"
      fi
      ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 >/dev/null 2>&1 || true
      ip link add "$veth" type veth peer name eth0 netns "$ns"
      ip link set dev "$veth" alias "$NET_OWNER"
      ip -n "$ns" link set dev eth0 alias "$NET_OWNER"
      no_ipv6 "$veth"
      ip -n "$ns" addr add "$addr/24" dev eth0
    fi
    ip link set dev "$veth" master "$NET_BRIDGE" up
    ip -n "$ns" link set dev lo up
    ip -n "$ns" link set dev eth0 up
  done
  # Partitions: frames from or to a bridge port in the set "cut" are dropped, between the nodes
  # (forward) and between a node and the root namespace (input, output). ARP included.
  # A run that died mid-partition leaves its node in the set: a stack that comes up is whole.
  if nft list table bridge "$NET_TABLE" >/dev/null 2>&1; then nft flush set bridge "$NET_TABLE" cut; fi
  nft list table bridge "$NET_TABLE" >/dev/null 2>&1 || nft -f - <<NFT
table bridge $NET_TABLE {
  set cut { type ifname; }
  chain cut_forward { type filter hook forward priority 0; policy accept; iifname @cut drop; oifname @cut drop; }
  chain cut_input { type filter hook input priority 0; policy accept; iifname @cut drop; }
  chain cut_output { type filter hook output priority 0; policy accept; oifname @cut drop; }
}
NFT
}

net_down() { # after every process in the namespaces stopped
  [ "$(id -u)" = 0 ] || return 0
  local n ns veth pids
  for n in "${HA_NODES[@]}"; do
    ns=$(net_ns "$n")
    ns_exists "$ns" || continue
    pids=$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')
    if [ -n "$pids" ]; then
      # Only this stack's namespace holds them (its links carry the stack's alias): what its
      # keepers left behind, ended so that down always finishes.
      log "ending what still runs in namespace $ns: $pids"
      # shellcheck disable=SC2086
      kill -KILL $pids 2>/dev/null || true
      sleep 1
    fi
  done
  if nft list table bridge "$NET_TABLE" >/dev/null 2>&1; then nft delete table bridge "$NET_TABLE"; fi
  for n in "${HA_NODES[@]}"; do
    ns=$(net_ns "$n"); veth=$(net_veth "$n")
    # The veth first (its peer in the namespace goes with it), then the namespace; deleting a
    # namespace also deletes its veth pair, asynchronously.
    if ip link show dev "$veth" >/dev/null 2>&1 && [ "$(link_alias "$veth")" = "$NET_OWNER" ]; then
      ip link del dev "$veth" 2>/dev/null || true
    fi
    if ns_exists "$ns"; then
      if ! ip -n "$ns" link show dev eth0 >/dev/null 2>&1 || [ "$(link_alias -n "$ns" eth0)" = "$NET_OWNER" ]; then
        ip netns del "$ns"
      else
        log "namespace $ns is not this stack's: left alone"
      fi
    fi
  done
  if ip link show dev "$NET_BRIDGE" >/dev/null 2>&1 && [ "$(link_alias "$NET_BRIDGE")" = "$NET_OWNER" ]; then
    ip link del dev "$NET_BRIDGE" 2>/dev/null || true
  fi
  for n in "${HA_NODES[@]}"; do
    ! ip link show dev "$(net_veth "$n")" >/dev/null 2>&1 || log "warning: $(net_veth "$n") is left (not this stack's?)"
  done
  return 0
}

net_describe() { # for status: the network's state in one line
  local state=down
  ip link show dev "$NET_BRIDGE" >/dev/null 2>&1 && state=up
  printf '%-12s %-16s %s\n' network "$NET_SUBNET" "$state bridge $NET_BRIDGE ($BRIDGE_ADDR), namespaces $(net_ns node1)..3"
}

is_partitioned() {
  local out
  out=$(nft list set bridge "$NET_TABLE" cut 2>/dev/null) || return 1
  grep -qF "\"$(net_veth "$1")\"" <<<"$out"
}

net_partition() {
  net_require_root
  local name
  name=$(resolve "${1:-}")
  is_node "$name" || die "partition takes primary or node1..node3"
  nft list table bridge "$NET_TABLE" >/dev/null 2>&1 || die "the stack's network is not up (dev/stack up)"
  is_partitioned "$name" || nft add element bridge "$NET_TABLE" cut "{ \"$(net_veth "$name")\" }"
  echo "partitioned $name $(node_addr "$name")"
}

net_heal() {
  net_require_root
  local arg=${1:-all} n names=()
  case $arg in
    all) names=("${HA_NODES[@]}") ;;
    node1 | node2 | node3) names=("$arg") ;;
    primary) die "heal takes nodeN or all: the primary changes while a node is cut off" ;;
    *) die "heal takes node1..node3 or all" ;;
  esac
  nft list table bridge "$NET_TABLE" >/dev/null 2>&1 || { [ "$arg" = all ] && return 0; die "the stack's network is not up"; }
  for n in "${names[@]}"; do
    if is_partitioned "$n"; then
      nft delete element bridge "$NET_TABLE" cut "{ \"$(net_veth "$n")\" }"
      echo "healed $n $(node_addr "$n")"
    elif [ "$arg" != all ]; then
      echo "healed $n $(node_addr "$n")"
    fi
  done
}
