#!/usr/bin/env bash
# Soak run of the sample app under wrk load with faults injected on a schedule, one phase per
# PHASE seconds: none, 30% failures, 200 ms latency, full outage, recovery. Searches fall back to
# the secondary provider; embeddings have no fallback, so their errors show where faults were
# injected. Mid-phase and after each phase it samples the heap after a full GC, live threads,
# health and the circuit's state.
# Usage: bash scripts/soak.sh   (settings: PHASE seconds, default 60; PORT; needs wrk and curl)
set -euo pipefail
cd "$(dirname "$0")/.."
PHASE=${PHASE:-60}
PORT=${PORT:-18090}
BASE="http://localhost:$PORT"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }

./mvnw -q -B -ntp -pl sample-app -am -DskipTests package
java -Xms512m -Xmx512m -jar sample-app/target/sample-app.jar --server.port="$PORT" --logging.level.root=WARN \
    --crossbridge.hardening.rate-limit.limits.search.capacity=1000000000 \
    --crossbridge.hardening.rate-limit.limits.search.window=1000000000s \
    --crossbridge.hardening.rate-limit.limits.embed.capacity=1000000000 \
    --crossbridge.hardening.rate-limit.limits.embed.window=1000000000s \
    --crossbridge.hardening.health.interval=2s > /tmp/soak-app.log 2>&1 &
APP=$!
trap 'kill $APP 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -fs "$BASE/actuator/health" >/dev/null 2>&1 && break; sleep 0.5; done

metric() { curl -s "$BASE/actuator/metrics/$1" | sed -E 's/.*"value":([0-9.E+-]+).*/\1/'; }
sample() {
    local heap threads health circuit
    # Heap after a full collection, so that the figure is what is retained, not garbage so far.
    jcmd "$APP" GC.run >/dev/null 2>&1 || true
    heap=$(metric "jvm.memory.used?tag=area:heap")
    threads=$(metric jvm.threads.live)
    health=$(curl -s "$BASE/actuator/health" | sed -E 's/.*"status":"([A-Z_]+)"\}$/\1/')
    circuit=$(curl -s "$BASE/actuator/circuitbreakers/primary" | sed -E 's/.*"state":"([A-Z_]+)".*/\1/')
    printf "%s heap_mb=%s threads=%.0f health=%s circuit=%s\n" "$1" "$(awk -v b="$heap" 'BEGIN {printf "%.0f", b / 1048576}')" \
        "$threads" "$health" "$circuit"
}
phase() { # name, faults json
    curl -s -X POST -H 'Content-Type: application/json' -d "$2" "$BASE/demo/faults" >/dev/null
    echo "== phase $1 ($2), ${PHASE}s"
    wrk -t1 -c8 -d"${PHASE}s" -s scripts/soak.lua "$BASE" -- search | grep RESULT | sed 's/^RESULT/   search:/' &
    local search=$!
    wrk -t1 -c4 -d"${PHASE}s" -s scripts/soak.lua "$BASE" -- embed | grep RESULT | sed 's/^RESULT/   embed: /' &
    local embed=$!
    sleep $((PHASE / 2)); sample "   mid:"
    wait "$search" "$embed"
    sample "   end:"
}
sample "start:"
phase none '{}'
phase failures '{"failureRate":0.3}'
phase latency '{"latencyMs":200}'
phase outage '{"outage":true}'
phase recovery '{}'
sleep 5; sample "final:"
echo "log lines at WARN: $(grep -cE ' WARN ' /tmp/soak-app.log || true), at ERROR: $(grep -cE ' ERROR ' /tmp/soak-app.log || true)"
echo "most repeated line above INFO:"
grep -E ' (WARN|ERROR) ' /tmp/soak-app.log | sed -E 's/^[^ ]+ +//; s/[0-9]+/#/g' | sort | uniq -c | sort -rn | head -3
