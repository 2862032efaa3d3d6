#!/usr/bin/env bash
# The Redis store through a Redis Cluster against a single Redis, in one run:
#   1. starts a single redis-server with a replica, and a cluster of 3 masters and 3 replicas (so
#      both replicate every decision, as in production) on loopback, each in
#      a scratch directory (no Docker; redis-server and redis-cli from PATH);
#   2. JMH's RedisClusterBenchmark from THREADS threads (8): the store on the single node, then
#      through the cluster, over 10,000 keys; mean, p99 and decisions per second;
#   3. what each Redis spent per decision over the run: INFO commandstats' usec_per_call of
#      evalsha (the script's own execution), and the process's whole CPU time from /proc (the
#      script, the network I/O and, on replicas, replication) divided by the decisions;
#   4. memory per bucket: 10,000 emptied buckets of the built-in search limit (30 per 60 s) written by the
#      store's own script with the store's key layout and arguments, MEMORY USAGE averaged and
#      used_memory's growth, on the single node and over the cluster's masters;
#   5. stops every process.
# Run after `./mvnw -Pquick -DskipTests package`, with nothing else running. Usage:
#   bash crossbridge-hardening-benchmarks/scripts/redis-cluster.sh [THREADS]
set -euo pipefail
cd "$(dirname "$0")/../.."
THREADS=${1:-8}
BASE=${BASE_PORT:-17300}
JAR=crossbridge-hardening-benchmarks/target/benchmarks.jar
SCRIPT=crossbridge-hardening-autoconfigure/src/main/resources/io/crossbridge/hardening/autoconfigure/ratelimit/redis/acquire.lua
OUT=$(mktemp -d)
SINGLE=$BASE
SINGLE_REPLICA=$((BASE + 7))
NODES=()
for i in 1 2 3 4 5 6; do NODES+=($((BASE + i))); done

start() {
    local port=$1
    shift
    # Never measure, nor flush, a Redis of someone else's.
    if redis-cli -p "$port" PING >/dev/null 2>&1; then
        echo "port $port already answers PING: stop that Redis, or set BASE_PORT" >&2
        exit 1
    fi
    mkdir -p "$OUT/$port"
    (cd "$OUT/$port" && redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no \
        --daemonize yes --pidfile "$OUT/$port/pid" --logfile "$OUT/$port/log" "$@")
    for _ in $(seq 50); do redis-cli -p "$port" PING >/dev/null 2>&1 && return; sleep 0.1; done
    echo "redis-server on $port did not start: $(tail -3 "$OUT/$port/log")" >&2
    exit 1
}
stop() {
    for pidfile in "$OUT"/*/pid; do [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true; done
    # Gone before the script ends, so that a run right after finds the ports free (at most 10 s).
    for pidfile in "$OUT"/*/pid; do
        for _ in $(seq 100); do
            [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null || break
            sleep 0.1
        done
    done
}
trap stop EXIT
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$(cat "$OUT/$1/pid")/stat"; }
info() { redis-cli -p "$1" INFO "$2" | tr -d '\r' | grep "^$3" | head -1; }
# A field of INFO commandstats' evalsha line (calls=...,usec=...,usec_per_call=...,failed_calls=...); 0 without one.
evalsha() { redis-cli -p "$1" INFO commandstats | tr -d '\r' | awk -F'[:,=]' -v field="$2" '
    $1 == "cmdstat_evalsha" { for (i = 2; i < NF; i += 2) if ($i == field) value = $(i + 1) }
    END { print value == "" ? 0 : value }'; }
used_memory() { info "$1" memory used_memory: | cut -d: -f2; }
cluster_ok() {
    for port in "${NODES[@]}"; do redis-cli -p "$port" CLUSTER INFO | tr -d '\r' | grep -q '^cluster_state:ok' || return 1; done
}
is_master() { info "$1" replication role: | grep -q master; }

echo "starting a single redis-server on $SINGLE and a cluster on ${NODES[*]} in $OUT..."
start "$SINGLE"
start "$SINGLE_REPLICA" --replicaof 127.0.0.1 "$SINGLE"
for port in "${NODES[@]}"; do
    start "$port" --cluster-enabled yes --cluster-config-file "$OUT/$port/nodes.conf" --cluster-node-timeout 5000
done
redis-cli --cluster create $(printf '127.0.0.1:%s ' "${NODES[@]}") --cluster-replicas 1 --cluster-yes >"$OUT/create.log"
# Until every node says the cluster is ok (at most 20 s).
waited=0
until cluster_ok; do
    waited=$((waited + 1))
    [ $waited -le 100 ] || { echo "the cluster did not come up: $(cat "$OUT/create.log")" >&2; exit 1; }
    sleep 0.2
done
MASTERS=() REPLICAS=()
for port in "${NODES[@]}"; do
    if is_master "$port"; then MASTERS+=("$port"); else REPLICAS+=("$port"); fi
done
echo "masters ${MASTERS[*]}, replicas ${REPLICAS[*]}"
[ ${#MASTERS[@]} = 3 ] && [ ${#REPLICAS[@]} = 3 ] || { echo "expected 3 masters and 3 replicas" >&2; exit 1; }

waited=0
until info "$SINGLE_REPLICA" replication master_link_status:up >/dev/null; do
    waited=$((waited + 1))
    [ $waited -le 100 ] || { echo "the single node's replica did not link up" >&2; exit 1; }
    sleep 0.2
done
for port in "$SINGLE" "$SINGLE_REPLICA" "${NODES[@]}"; do redis-cli -p "$port" CONFIG RESETSTAT >/dev/null; echo "$(cpu_ticks "$port")" >"$OUT/$port/cpu-before"; done
echo "JMH, $THREADS threads, single node then cluster..."
REDIS_PORT=$SINGLE REDIS_CLUSTER_NODES=$(printf '127.0.0.1:%s,' "${NODES[@]}" | sed 's/,$//') \
    java -jar "$JAR" RedisClusterBenchmark -t "$THREADS" -rf json -rff "$OUT/cluster.json" >"$OUT/jmh.log"
TICK=$(getconf CLK_TCK)
for port in "$SINGLE" "$SINGLE_REPLICA" "${NODES[@]}"; do
    echo "$port $(evalsha "$port" calls) $(evalsha "$port" usec_per_call) $(( $(cpu_ticks "$port") - $(cat "$OUT/$port/cpu-before") ))" >>"$OUT/cpu"
done

# Memory per bucket: the store's own script, key layout (default prefix, limit "search") and
# arguments (2 s per token, capacity 30), all 30 tokens taken, so that each bucket lives 60 s
# (one token taken, it would be full again, and gone, in 2 s).
SHA=""
for port in "$SINGLE" "${MASTERS[@]}"; do
    redis-cli -p "$port" FLUSHALL >/dev/null
    SHA=$(redis-cli -p "$port" SCRIPT LOAD "$(cat "$SCRIPT")")
    used_memory "$port" >"$OUT/$port/mem-before"
done
seq 0 9999 | awk -v sha="$SHA" '{ print "EVALSHA " sha " 1 crossbridge:search:user-" $1 " 2000000 30 30" }' >"$OUT/buckets"
redis-cli -p "$SINGLE" <"$OUT/buckets" >/dev/null
redis-cli -c -p "${MASTERS[0]}" <"$OUT/buckets" >/dev/null
for port in "$SINGLE" "${MASTERS[@]}"; do
    redis-cli -p "$port" --scan --pattern 'crossbridge:search:*' | awk '{ print "MEMORY USAGE " $1 }' \
        | redis-cli -p "$port" | awk -v port="$port" '{ sum += $1; n++ } END { print port, n, sum }' >>"$OUT/memory"
    echo "$port $(( $(used_memory "$port") - $(cat "$OUT/$port/mem-before") ))" >>"$OUT/growth"
done

python3 - "$OUT" "$THREADS" "$SINGLE" "${MASTERS[*]}" "${REPLICAS[*]}" "$TICK" "$SINGLE_REPLICA" <<'PY'
import json, sys
out, threads, single, masters, replicas, tick = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4].split(), sys.argv[5].split(), int(sys.argv[6])
single_replica = sys.argv[7]
print()
print(f"| topology | threads | mean µs | p50 µs | p99 µs | decisions/s |")
print("|---|---:|---:|---:|---:|---:|")
for result in json.load(open(f"{out}/cluster.json")):
    m = result["primaryMetric"]
    p = m["scorePercentiles"]
    print(f"| {result['params']['topology']} | {threads} | {m['score']:.1f} | {p['50.0']:.1f} | {p['99.0']:.1f} "
          f"| {threads / m['score'] * 1e6:,.0f} |")
cpu = {}
for line in open(f"{out}/cpu"):
    port, calls, usec, ticks = line.split()
    cpu[port] = (int(calls), float(usec), int(ticks) / tick * 1e6)
def row(name, ports, calls):
    used = sum(cpu[p][2] for p in ports)
    return f"| {name} | {calls:,} | " + ", ".join(f"{cpu[p][1]:.2f}" for p in ports) + f" | {used / 1e6:.1f} | {used / calls:.1f} |"
print()
print("| Redis | evalsha calls | usec_per_call of evalsha | CPU s over the run | CPU µs per decision |")
print("|---|---:|---|---:|---:|")
def replicated(name, ports, calls):
    used = sum(cpu[p][2] for p in ports)
    return f"| {name} | (replicated) | | {used / 1e6:.1f} | {used / calls:.1f} |"
print(row("single node", [single], cpu[single][0]))
print(replicated("its replica", [single_replica], cpu[single][0]))
cluster_calls = sum(cpu[p][0] for p in masters)
print(row("cluster, 3 masters", masters, cluster_calls))
print(replicated("cluster, 3 replicas", replicas, cluster_calls))
print()
print("| Redis | buckets | MEMORY USAGE bytes/bucket | used_memory growth bytes/bucket |")
print("|---|---:|---:|---:|")
growth = dict(line.split() for line in open(f"{out}/growth"))
memory = {line.split()[0]: (int(line.split()[1]), int(line.split()[2])) for line in open(f"{out}/memory")}
n, s = memory[single]
print(f"| single node | {n:,} | {s / n:.1f} | {int(growth[single]) / n:.1f} |")
n = sum(memory[p][0] for p in masters)
s = sum(memory[p][1] for p in masters)
g = sum(int(growth[p]) for p in masters)
print(f"| cluster, 3 masters ({', '.join(str(memory[p][0]) for p in masters)}) | {n:,} | {s / n:.1f} | {g / n:.1f} |")
PY
echo "JMH log and results: $OUT"
