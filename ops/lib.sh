# Shared functions of the ops/ scripts. Source it; do not run it.
#
# Layout: everything a local cluster writes lives under $LONGLINK_HOME (default <repo>/.longlink,
# ignored by git):
#   lib/{kafka,zookeeper}/  server jars resolved from Maven Central by ops/install-deps (LL_LIB_DIR)
#   conf/                   generated config files, one per process
#   data/                   Redis, ZooKeeper and Kafka data
#   logs/                   one log per process
#   run/                    one pid file per process
#   tls/                    the cluster CA and one certificate per node for internal TLS (openssl)
#
# Ports: every port is $LL_PORT_BASE + a fixed offset, so a second stack (the smoke test) runs beside
# the first by choosing another base. Nothing assumes a default port (6379, 2181, 9092) is free.
# Keep bases below the kernel's ephemeral range (net.ipv4.ip_local_port_range, 32768- by default):
# a port in it can be taken at any moment by some process's outgoing connection.

set -euo pipefail

LL_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LONGLINK_HOME="${LONGLINK_HOME:-$LL_ROOT/.longlink}"
# Server jars are shared by every stack of this checkout (the smoke test runs its own stack).
LL_LIB_DIR="${LL_LIB_DIR:-$LL_ROOT/.longlink/lib}"
LL_PORT_BASE="${LL_PORT_BASE:-20000}"
LL_CONN_NODES="${LL_CONN_NODES:-2}"
LL_READY_TIMEOUT_S="${LL_READY_TIMEOUT_S:-60}"
LL_NODE_JAVA_OPTS="${LL_NODE_JAVA_OPTS:--Xms64m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1}"
LL_CONN_JAVA_OPTS="${LL_CONN_JAVA_OPTS:--Xms128m -Xmx512m -XX:+UseSerialGC}"
# The local cluster's Kafka compiles with C1 only (quick start, little memory); ops/bench runs it with
# the full JIT, as production would.
LL_KAFKA_JAVA_OPTS="${LL_KAFKA_JAVA_OPTS:--Xms256m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1}"

if [[ ! "$LL_PORT_BASE" =~ ^[0-9]+$ ]] || (( LL_PORT_BASE < 1024 || LL_PORT_BASE > 60000 )); then
  echo "LL_PORT_BASE: '$LL_PORT_BASE' (expected: an integer from 1024 to 60000)" >&2
  exit 2
fi
if [[ ! "$LL_CONN_NODES" =~ ^[0-9]+$ ]] || (( LL_CONN_NODES < 1 || LL_CONN_NODES > 9 )); then
  echo "LL_CONN_NODES: '$LL_CONN_NODES' (expected: an integer from 1 to 9)" >&2
  exit 2
fi

LL_REDIS_PORT=$((LL_PORT_BASE + 1))
LL_ZK_PORT=$((LL_PORT_BASE + 2))
LL_KAFKA_PORT=$((LL_PORT_BASE + 3))
LL_KAFKA_CONTROLLER_PORT=$((LL_PORT_BASE + 4))
LL_API_GRPC_PORT=$((LL_PORT_BASE + 10))
LL_API_ADMIN_PORT=$((LL_PORT_BASE + 11))
LL_ROUTER_ADMIN_PORT=$((LL_PORT_BASE + 21))
# api-N: gRPC LL_PORT_BASE+8+2N, admin +9+2N (api-1: +10/+11, api-2: +12/+13; at most api-5).
ll_api_grpc_port() { echo $((LL_PORT_BASE + 8 + 2 * $1)); }
ll_api_admin_port() { echo $((LL_PORT_BASE + 9 + 2 * $1)); }
# router-N: admin LL_PORT_BASE+20+N (router-1: +21; at most router-9).
ll_router_admin_port() { echo $((LL_ROUTER_ADMIN_PORT + $1 - 1)); }
ll_conn_device_port() { echo $((LL_PORT_BASE + 100 + $1)); }
ll_conn_grpc_port() { echo $((LL_PORT_BASE + 200 + $1)); }
ll_conn_admin_port() { echo $((LL_PORT_BASE + 300 + $1)); }
ll_conn_mqtt_port() { echo $((LL_PORT_BASE + 400 + $1)); }
ll_conn_web_port() { echo $((LL_PORT_BASE + 500 + $1)); }
ll_conn_http_port() { echo $((LL_PORT_BASE + 600 + $1)); }

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# A JDK 21 or newer: $JAVA_HOME if it is one, else the newest under /usr/lib/jvm.
ll_java_home() {
  local candidate version
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
    [[ -n "$candidate" && -x "$candidate/bin/java" ]] || continue
    version=$("$candidate/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/{print $2}')
    if [[ "$version" =~ ^[0-9]+$ ]] && (( version >= 21 )); then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}
export JAVA_HOME="$(ll_java_home)" || die "no JDK 21+ found (set JAVA_HOME or install one under /usr/lib/jvm)"
LL_JAVA="$JAVA_HOME/bin/java"

ll_port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Fails with the port's name when something already listens there.
ll_require_free_port() {
  local port=$1 name=$2
  if ll_port_in_use "$port"; then
    die "port $port ($name) is already in use on 127.0.0.1; stop what holds it (ss -ltnp 'sport = :$port') or choose another LL_PORT_BASE"
  fi
}

ll_pidfile() { echo "$LONGLINK_HOME/run/$1.pid"; }
ll_logfile() { echo "$LONGLINK_HOME/logs/$1.log"; }

ll_pid() {
  local f
  f=$(ll_pidfile "$1")
  [[ -f "$f" ]] && cat "$f"
}

# True while process PID runs. A killed process whose parent is gone may stay a zombie (state Z)
# when nothing reaps it; it runs no more.
ll_pid_running() {
  local state
  kill -0 "$1" 2>/dev/null || return 1
  state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
  [[ "$state" != Z ]]
}

ll_alive() {
  local pid
  pid=$(ll_pid "$1") || return 1
  [[ -n "$pid" ]] && ll_pid_running "$pid"
}

# Keeps the last logs of NAME: logs/NAME.log becomes NAME.log.1 (.1 becomes .2, up to .5), so the
# log of a process that crashed or was killed survives its restart (and a few failed restarts).
ll_rotate_log() {
  local log i
  log=$(ll_logfile "$1")
  [[ -s "$log" ]] || return 0
  for i in 4 3 2 1; do
    [[ -f "$log.$i" ]] && mv -f "$log.$i" "$log.$((i + 1))"
  done
  mv -f "$log" "$log.1"
}

# ll_spawn NAME CMD...: starts CMD in the background with its output in logs/NAME.log (the previous
# log rotated to NAME.log.1).
ll_spawn() {
  local name=$1
  shift
  mkdir -p "$LONGLINK_HOME/run" "$LONGLINK_HOME/logs"
  if ll_alive "$name"; then
    die "$name is already running (pid $(ll_pid "$name")); run ops/down first"
  fi
  ll_rotate_log "$name"
  nohup "$@" >"$(ll_logfile "$name")" 2>&1 </dev/null &
  echo $! >"$(ll_pidfile "$name")"
}

# ll_wait NAME DESCRIPTION CHECK...: polls CHECK until it succeeds, the process dies or the timeout ends.
ll_wait() {
  local name=$1 what=$2
  shift 2
  local deadline=$((SECONDS + LL_READY_TIMEOUT_S))
  until "$@" >/dev/null 2>&1; do
    if ! ll_alive "$name"; then
      tail -n 30 "$(ll_logfile "$name")" >&2 || true
      die "$name exited while starting; log: $(ll_logfile "$name")"
    fi
    if (( SECONDS >= deadline )); then
      tail -n 30 "$(ll_logfile "$name")" >&2 || true
      die "$name not $what within ${LL_READY_TIMEOUT_S}s; log: $(ll_logfile "$name")"
    fi
    sleep 0.2
  done
}

ll_http_ok() { curl -fsS --max-time 2 "$1" >/dev/null; }

ll_zk_serving() {
  local reply
  reply=$(exec 3<>"/dev/tcp/127.0.0.1/$1" && printf 'srvr' >&3 && timeout 2 cat <&3) || return 1
  [[ "$reply" == *"Mode:"* ]]
}

ll_kafka_started() { grep -q "Kafka Server started" "$(ll_logfile kafka)"; }

ll_stop() {
  local name=$1 timeout_s=${2:-30}
  local pid
  pid=$(ll_pid "$name") || return 0
  if [[ -n "$pid" ]] && ll_pid_running "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + timeout_s))
    while ll_pid_running "$pid" && (( SECONDS < deadline )); do sleep 0.2; done
    if ll_pid_running "$pid"; then
      log "$name did not stop in ${timeout_s}s; killing"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    log "stopped $name"
  fi
  rm -f "$(ll_pidfile "$name")"
}

ll_cp() {
  local module=$1 artifact=$2
  local jar="$LL_ROOT/$module/target/$artifact.jar"
  [[ -f "$jar" ]] || die "$jar is missing: build first (ops/up builds unless --no-build)"
  echo "$jar:$LL_ROOT/$module/target/lib/*"
}

# ---- infrastructure ----

ll_start_redis() {
  ll_require_free_port "$LL_REDIS_PORT" "Redis, LL_PORT_BASE+1"
  mkdir -p "$LONGLINK_HOME/data/redis"
  ll_spawn redis redis-server --port "$LL_REDIS_PORT" --bind 127.0.0.1 --daemonize no \
    --dir "$LONGLINK_HOME/data/redis" --appendonly yes --appendfsync everysec --save '' \
    --maxmemory-policy noeviction
  ll_wait redis "answering PING" redis-cli -p "$LL_REDIS_PORT" ping
  log "redis ready port=$LL_REDIS_PORT"
}

ll_start_zookeeper() {
  ll_require_free_port "$LL_ZK_PORT" "ZooKeeper, LL_PORT_BASE+2"
  [[ -d "$LL_LIB_DIR/zookeeper" ]] || die "ZooKeeper jars missing: run ops/install-deps"
  mkdir -p "$LONGLINK_HOME/data/zookeeper" "$LONGLINK_HOME/conf"
  cat >"$LONGLINK_HOME/conf/zoo.cfg" <<EOF
tickTime=2000
dataDir=$LONGLINK_HOME/data/zookeeper
clientPort=$LL_ZK_PORT
clientPortAddress=127.0.0.1
admin.enableServer=false
4lw.commands.whitelist=srvr,ruok,mntr
maxClientCnxns=0
EOF
  ll_spawn zookeeper "$LL_JAVA" -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -cp "$LL_LIB_DIR/zookeeper/*" org.apache.zookeeper.server.ZooKeeperServerMain "$LONGLINK_HOME/conf/zoo.cfg"
  ll_wait zookeeper "serving" ll_zk_serving "$LL_ZK_PORT"
  log "zookeeper ready port=$LL_ZK_PORT"
}

ll_start_kafka() {
  ll_require_free_port "$LL_KAFKA_PORT" "Kafka, LL_PORT_BASE+3"
  ll_require_free_port "$LL_KAFKA_CONTROLLER_PORT" "Kafka controller, LL_PORT_BASE+4"
  [[ -d "$LL_LIB_DIR/kafka" ]] || die "Kafka jars missing: run ops/install-deps"
  mkdir -p "$LONGLINK_HOME/data/kafka" "$LONGLINK_HOME/conf"
  local conf="$LONGLINK_HOME/conf/kafka.properties"
  cat >"$conf" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$LL_KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$LL_KAFKA_PORT,CONTROLLER://127.0.0.1:$LL_KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$LL_KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$LONGLINK_HOME/data/kafka
num.partitions=4
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
EOF
  # shellcheck disable=SC2206
  local kjava=("$LL_JAVA" $LL_KAFKA_JAVA_OPTS
    "-Dlog4j2.configurationFile=$LL_ROOT/ops/conf/kafka-log4j2.properties" -cp "$LL_LIB_DIR/kafka/*")
  if [[ ! -f "$LONGLINK_HOME/data/kafka/meta.properties" ]]; then
    local cluster_id
    cluster_id=$("${kjava[@]}" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)
    "${kjava[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$conf" --standalone \
      >"$(ll_logfile kafka-format)" 2>&1 || die "Kafka storage format failed; log: $(ll_logfile kafka-format)"
  fi
  ll_spawn kafka "${kjava[@]}" kafka.Kafka "$conf"
  ll_wait kafka "started" ll_kafka_started
  log "kafka ready port=$LL_KAFKA_PORT"
}

# ---- internal TLS ----

# The local cluster's CA, made once under $LONGLINK_HOME/tls and kept with the data. EC P-256, 10 years.
ll_tls_ca() {
  local dir="$LONGLINK_HOME/tls"
  [[ -s "$dir/ca.pem" && -s "$dir/ca.key" ]] && return 0
  command -v openssl >/dev/null || die "openssl is missing: run ops/install-deps"
  mkdir -p "$dir"
  chmod 700 "$dir"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
    -subj "/CN=Longlink local cluster CA" -addext basicConstraints=critical,CA:TRUE \
    -addext keyUsage=critical,keyCertSign,cRLSign -keyout "$dir/ca.key.new" -out "$dir/ca.pem.new" \
    >"$dir/openssl.log" 2>&1 || die "cannot make the cluster CA; log: $dir/openssl.log"
  mv -f "$dir/ca.key.new" "$dir/ca.key"
  mv -f "$dir/ca.pem.new" "$dir/ca.pem"
  log "made the local cluster CA $dir/ca.pem" >&2
}

# ll_tls_node NAME: tls/NAME.pem and tls/NAME.key, a certificate of the CA for node NAME (server and
# client, IP 127.0.0.1), made when missing, not signed by the current CA, or expiring within a day.
ll_tls_node() {
  local name=$1 dir="$LONGLINK_HOME/tls"
  ll_tls_ca
  if [[ -s "$dir/$name.pem" && -s "$dir/$name.key" ]] \
    && openssl verify -CAfile "$dir/ca.pem" "$dir/$name.pem" >/dev/null 2>&1 \
    && openssl x509 -checkend 86400 -noout -in "$dir/$name.pem" >/dev/null 2>&1; then
    return 0
  fi
  {
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$dir/$name.key" \
      && openssl req -new -key "$dir/$name.key" -subj "/CN=$name" -out "$dir/$name.csr" \
      && openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
        -set_serial "0x$(openssl rand -hex 16)" -days 825 -out "$dir/$name.pem" -extfile <(printf '%s\n' \
          basicConstraints=critical,CA:FALSE keyUsage=critical,digitalSignature \
          extendedKeyUsage=serverAuth,clientAuth subjectAltName=IP:127.0.0.1,DNS:localhost)
  } >"$dir/openssl.log" 2>&1 || die "cannot make the certificate of $name; log: $dir/openssl.log"
  chmod 600 "$dir/$name.key"
  rm -f "$dir/$name.csr"
}

# ll_tls_conf NAME: the internal TLS settings of node NAME, its certificate made if needed.
ll_tls_conf() {
  local dir="$LONGLINK_HOME/tls"
  ll_tls_node "$1"
  cat <<EOF
internal.tls.enabled=true
internal.tls.cert=$dir/$1.pem
internal.tls.key=$dir/$1.key
internal.tls.ca=$dir/ca.pem
EOF
}

# ---- Longlink nodes ----

# Settings every node shares, as a properties fragment: stores, and mutual TLS between nodes.
ll_common_conf() {
  cat <<EOF
node.id=$1
zookeeper.connect=127.0.0.1:$LL_ZK_PORT
zookeeper.namespace=longlink
redis.uris=redis://127.0.0.1:$LL_REDIS_PORT
kafka.bootstrap-servers=127.0.0.1:$LL_KAFKA_PORT
EOF
  ll_tls_conf "$1"
}

# ll_start_node NAME MODULE ARTIFACT MAIN ADMIN_PORT JAVA_OPTS (config on stdin). The config and the
# JVM options stay in conf/NAME.properties and conf/NAME.java-opts, so ll_launch_node can restart the
# node as it was (same node id, ports and settings).
ll_start_node() {
  local name=$1 module=$2 artifact=$3 main=$4 admin_port=$5 opts=$6
  local conf="$LONGLINK_HOME/conf/$name.properties"
  mkdir -p "$LONGLINK_HOME/conf"
  cat >"$conf"
  printf '%s\n' "$opts" >"$LONGLINK_HOME/conf/$name.java-opts"
  ll_require_free_port "$admin_port" "$name admin"
  local cp
  cp=$(ll_cp "$module" "$artifact")
  # shellcheck disable=SC2086
  ll_spawn "$name" "$LL_JAVA" $opts --enable-native-access=ALL-UNNAMED -Dio.lettuce.core.iouring=false \
    -cp "$cp" "$main" --config "$conf"
  ll_wait "$name" "ready" ll_http_ok "http://127.0.0.1:$admin_port/readyz"
  log "$name ready admin=http://127.0.0.1:$admin_port"
}

# ll_node_main NAME: the module, jar name and main class of node NAME (api-N, router-N, conn-N).
ll_node_main() {
  case "$1" in
    api-*) echo "api-node longlink-api-node io.longlink.api.ApiNodeMain" ;;
    router-*) echo "router-node longlink-router-node io.longlink.router.RouterNodeMain" ;;
    conn-*) echo "conn-node longlink-conn-node io.longlink.conn.ConnNodeMain" ;;
    *) die "not a Longlink node: '$1' (expected: api-N, router-N, conn-N)" ;;
  esac
}

# ll_launch_node NAME: starts a node again from the config and JVM options of its first start.
ll_launch_node() {
  local name=$1 conf="$LONGLINK_HOME/conf/$1.properties" admin opts main
  [[ -f "$conf" ]] || die "$name has no config ($conf): it never ran under $LONGLINK_HOME"
  admin=$(sed -n 's/^admin\.port=//p' "$conf" | tail -n 1)
  [[ -n "$admin" ]] || die "$conf has no admin.port"
  opts=$(cat "$LONGLINK_HOME/conf/$name.java-opts" 2>/dev/null || echo "$LL_NODE_JAVA_OPTS")
  read -r -a main <<<"$(ll_node_main "$name")"
  # ll_start_node writes the config file again: read it before
  local text
  text=$(cat "$conf")
  printf '%s\n' "$text" | ll_start_node "$name" "${main[@]}" "$admin" "$opts"
}

# ll_start_new_node NAME JAVA_OPTS [key=value ...]: starts node NAME with the config of its place in
# the port layout (ll_node_conf) plus the settings given.
ll_start_new_node() {
  local name=$1 opts=$2 i=${1##*-} main s
  shift 2
  read -r -a main <<<"$(ll_node_main "$name")"
  case "$name" in
    api-*) ll_require_free_port "$(ll_api_grpc_port "$i")" "$name gRPC, LL_PORT_BASE+8+2*$i" ;;
    conn-*)
      ll_require_free_port "$(ll_conn_device_port "$i")" "$name device, LL_PORT_BASE+100+$i"
      ll_require_free_port "$(ll_conn_grpc_port "$i")" "$name gRPC, LL_PORT_BASE+200+$i"
      ll_require_free_port "$(ll_conn_mqtt_port "$i")" "$name MQTT, LL_PORT_BASE+400+$i"
      ll_require_free_port "$(ll_conn_web_port "$i")" "$name web, LL_PORT_BASE+500+$i"
      ll_require_free_port "$(ll_conn_http_port "$i")" "$name HTTP sessions, LL_PORT_BASE+600+$i"
      ;;
  esac
  { ll_node_conf "$name"; for s in "$@"; do echo "$s"; done; } \
    | ll_start_node "$name" "${main[@]}" "$(ll_node_admin_port "$name")" "$opts"
}

# ll_node_admin_port NAME: the admin port of node NAME in the layout.
ll_node_admin_port() {
  local i=${1##*-}
  case "$1" in
    api-*) ll_api_admin_port "$i" ;;
    router-*) ll_router_admin_port "$i" ;;
    conn-*) ll_conn_admin_port "$i" ;;
    *) die "not a Longlink node: '$1' (expected: api-N, router-N, conn-N)" ;;
  esac
}

# The admin token of this local cluster (ops/pushctl reads it); made once, kept with its data.
ll_admin_token() {
  local token_file="$LONGLINK_HOME/conf/admin-token"
  mkdir -p "$LONGLINK_HOME/conf"
  [[ -s "$token_file" ]] || { head -c 18 /dev/urandom | base64 | tr '+/' '-_' >"$token_file"; chmod 600 "$token_file"; }
  cat "$token_file"
}

# ll_node_conf NAME: the config of a new node NAME (api-N, router-N, conn-N) at its ports of the layout.
ll_node_conf() {
  local name=$1 i=${1##*-}
  # conn-10: the sharded benchmark's tenth conn-node (its ports +110/+210/+310 are still in the layout)
  [[ "$i" =~ ^[1-9]$ || "$name" == conn-10 ]] || die "node name '$name' (expected: api-N, router-N or conn-N with N from 1 to 9, or conn-10)"
  ll_common_conf "$name"
  case "$name" in
    api-*)
      ((i <= 5)) || die "node name '$name' (expected: api-1 to api-5)"
      echo "admin.port=$(ll_node_admin_port "$name")"
      echo "api.grpc.port=$(ll_api_grpc_port "$i")"
      echo "api.admin-token=$(ll_admin_token)"
      ;;
    router-*) echo "admin.port=$(ll_node_admin_port "$name")" ;;
    conn-*)
      echo "admin.port=$(ll_node_admin_port "$name")"
      echo "conn.device.port=$(ll_conn_device_port "$i")"
      echo "conn.grpc.port=$(ll_conn_grpc_port "$i")"
      echo "conn.mqtt.port=$(ll_conn_mqtt_port "$i")"
      echo "conn.ws.port=$(ll_conn_web_port "$i")"
      echo "conn.ws.demo-page=true"
      echo "conn.http.port=$(ll_conn_http_port "$i")"
      ;;
    *) die "not a Longlink node: '$name' (expected: api-N, router-N, conn-N)" ;;
  esac
}

ll_start_api() {
  ll_start_new_node api-1 "$LL_NODE_JAVA_OPTS"
}

ll_start_router() {
  ll_start_new_node router-1 "$LL_NODE_JAVA_OPTS"
}

ll_start_conn() {
  ll_start_new_node "conn-$1" "$LL_CONN_JAVA_OPTS"
}

# Every process of the stack, in start order.
ll_all_names() {
  local names=(redis zookeeper kafka api-1 router-1) i
  for ((i = 1; i <= LL_CONN_NODES; i++)); do names+=("conn-$i"); done
  echo "${names[@]}"
}

ll_admin_port_of() {
  case "$1" in
    api-* | router-* | conn-*) ll_node_admin_port "$1" ;;
    *) echo "" ;;
  esac
}

# Children of a ZooKeeper path below the cluster's namespace, e.g. ll_zk_ls /nodes/conn -> "conn-1 conn-2".
ll_zk_ls() {
  { "$LL_JAVA" -Xmx64m -XX:TieredStopAtLevel=1 -cp "$LL_LIB_DIR/zookeeper/*" \
      org.apache.zookeeper.ZooKeeperMain -server "127.0.0.1:$LL_ZK_PORT" ls "/longlink$1" 2>/dev/null || true; } \
    | awk '/^\[/ && !done {gsub(/[\[\],]/, ""); print; done = 1}'
}
