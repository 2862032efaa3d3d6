#!/usr/bin/env bash
# The ceiling the Redis server allows for crossbridge's decision script: redis-benchmark sends the
# same EVALSHA (acquire.lua, same arguments as RedisRateLimiterBenchmark: one token of a billion
# per 1,000 s) from CLIENTS connections, one request at a time each, on one hot key and on 10,000
# keys. Prints requests per second and latency percentiles (CSV). Usage:
#   bash crossbridge-hardening-benchmarks/scripts/redis-ceiling.sh [CLIENTS] [REQUESTS]
set -euo pipefail
cd "$(dirname "$0")/../.."
CLIENTS=${1:-2}
REQUESTS=${2:-200000}
PORT=${REDIS_PORT:-6379}
SCRIPT=crossbridge-hardening-autoconfigure/src/main/resources/io/crossbridge/hardening/autoconfigure/ratelimit/redis/acquire.lua

SHA=$(redis-cli -p "$PORT" SCRIPT LOAD "$(cat "$SCRIPT")")
echo "script $SHA, $CLIENTS clients, $REQUESTS requests"
echo "hot key:"
redis-benchmark -p "$PORT" -c "$CLIENTS" -n "$REQUESTS" --csv \
    EVALSHA "$SHA" 1 "bench:{bench:hot}" 1 1000000000 1
echo "10,000 keys:"
redis-benchmark -p "$PORT" -c "$CLIENTS" -n "$REQUESTS" -r 10000 --csv \
    EVALSHA "$SHA" 1 "bench:{bench:user-__rand_int__}" 1 1000000000 1
redis-cli -p "$PORT" --scan --pattern 'bench:*' | xargs -r -n 1000 redis-cli -p "$PORT" DEL >/dev/null
