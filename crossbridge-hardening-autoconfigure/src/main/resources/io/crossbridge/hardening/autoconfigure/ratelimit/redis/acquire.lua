-- One rate-limit decision, atomically: read, refill, consume, write (GCRA).
-- KEYS[1]  the bucket
-- ARGV[1]  microseconds per token (the limit's rate, rounded up)
-- ARGV[2]  capacity in tokens
-- ARGV[3]  tokens requested
-- The bucket holds one number: its theoretical arrival time (TAT), in microseconds of the Redis
-- server's clock, from which on it is full. So every instance decides by the same clock, and a
-- bucket expires exactly when it is full again, which is when it stops mattering.
-- Returns {allowed (1 or 0), microseconds until full, microseconds until the tokens are there}.
local interval = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local tokens = tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then
  tat = now
end
local newTat = tat + tokens * interval
local refill = capacity * interval
if newTat - now > refill then
  return {0, tat - now, newTat - refill - now}
end
redis.call('SET', KEYS[1], string.format('%d', newTat), 'PX', math.ceil((newTat - now) / 1000))
return {1, newTat - now, 0}
