-- How full a bucket is, without changing it.
-- KEYS[1]  the bucket
-- Returns {microseconds until the bucket is full}: {0} when it is, or when it does not exist.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then
  return {0}
end
return {tat - now}
