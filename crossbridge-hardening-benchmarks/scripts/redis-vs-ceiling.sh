#!/usr/bin/env bash
# crossbridge's Redis store against the ceiling the Redis server allows, in one run:
#   1. redis-benchmark sends the store's own EVALSHA from CLIENTS connections, one request at a time
#      each (the ceiling), on one hot key and on 10,000 keys;
#   2. JMH measures decisions per second of RedisRateLimiterBenchmark from CLIENTS threads: the
#      store on Lettuce (with Netty's epoll transport, then on plain Java NIO) and on Jedis, and the
#      bare EVALSHA on Lettuce's own API (the driver's own limit);
#   3. the ceiling again.
# Each store's figure is divided by the mean of the two ceilings. Run against a local redis-server
# with nothing else running, after `./mvnw -Pquick -DskipTests package`. Usage:
#   bash crossbridge-hardening-benchmarks/scripts/redis-vs-ceiling.sh [CLIENTS] [REQUESTS]
set -euo pipefail
cd "$(dirname "$0")/../.."
CLIENTS=${1:-2}
REQUESTS=${2:-300000}
PORT=${REDIS_PORT:-6379}
JAR=crossbridge-hardening-benchmarks/target/benchmarks.jar
SCRIPT=crossbridge-hardening-autoconfigure/src/main/resources/io/crossbridge/hardening/autoconfigure/ratelimit/redis/acquire.lua
OUT=$(mktemp -d)

ceiling() {
    local sha
    sha=$(redis-cli -p "$PORT" SCRIPT LOAD "$(cat "$SCRIPT")")
    # Same key layout and arguments as the JMH benchmark: prefix and limit "bench", one token of a
    # billion per 1,000 s.
    redis-benchmark -p "$PORT" -c "$CLIENTS" -n "$REQUESTS" --csv \
        EVALSHA "$sha" 1 "bench:bench:user-0" 1 1000000000 1 | tail -1 | cut -d, -f2 | tr -d '"' >"$OUT/$1-1"
    redis-benchmark -p "$PORT" -c "$CLIENTS" -n "$REQUESTS" -r 10000 --csv \
        EVALSHA "$sha" 1 "bench:bench:user-__rand_int__" 1 1000000000 1 | tail -1 | cut -d, -f2 | tr -d '"' >"$OUT/$1-10000"
    redis-cli -p "$PORT" --scan --pattern 'bench:*' | xargs -r -n 1000 redis-cli -p "$PORT" DEL >/dev/null
}

echo "ceiling (redis-benchmark -c $CLIENTS)..."
ceiling before
echo "JMH, $CLIENTS threads, Lettuce (epoll) and Jedis..."
java -jar "$JAR" 'RedisRateLimiterBenchmark.(crossbridge|lettuceAlone)' -t "$CLIENTS" -bm thrpt -tu s \
    -rf json -rff "$OUT/epoll.json" >"$OUT/epoll.log"
echo "JMH, $CLIENTS threads, Lettuce on Java NIO..."
java -jar "$JAR" 'RedisRateLimiterBenchmark.crossbridge$' -t "$CLIENTS" -bm thrpt -tu s \
    -jvmArgsAppend -Dio.lettuce.core.epoll=false -rf json -rff "$OUT/nio.json" >"$OUT/nio.log"
echo "ceiling again..."
ceiling after

python3 - "$OUT" <<'PY'
import json, sys
out = sys.argv[1]
def read(name):
    return float(open(f"{out}/{name}").read())
rows = []
for transport, file in (("epoll", "epoll.json"), ("nio", "nio.json")):
    for result in json.load(open(f"{out}/{file}")):
        method = result["benchmark"].rsplit(".", 1)[1]
        store = {"crossbridgeJedis": "crossbridge on Jedis", "lettuceAlone": f"bare EVALSHA on Lettuce ({transport})"}
        driver = store.get(method, f"crossbridge on Lettuce ({transport})")
        keys = result["params"]["keys"]
        metric = result["primaryMetric"]
        rows.append((keys, driver, metric["score"], metric["scoreError"]))
print()
print("| keys | ceiling before | ceiling after | client | decisions/s | of the ceiling |")
print("|---:|---:|---:|---|---:|---:|")
for keys, driver, score, error in sorted(rows, key=lambda r: (int(r[0]), r[1])):
    before, after = read(f"before-{keys}"), read(f"after-{keys}")
    print(f"| {int(keys):,} | {before:,.0f} | {after:,.0f} | {driver} | "
          f"{score:,.0f} ± {error:,.0f} | {score / ((before + after) / 2):.0%} |")
PY
echo "JMH logs and results: $OUT"
