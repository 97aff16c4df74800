-- Appends a tag or broadcast message to its app's broadcast log, for devices that connect later.
-- KEYS[1] ll:bcast:{app}   KEYS[2] ll:bcastf:{app}
-- ARGV[1] member (20-digit id)   ARGV[2] serialized TagFilter ('' = every device)   ARGV[3] log bound
-- ARGV[4] TTL ms
local log, filters = KEYS[1], KEYS[2]
local ttl = tonumber(ARGV[4])
redis.call('ZADD', log, 0, ARGV[1])
redis.call('HSET', filters, ARGV[1], ARGV[2])
local over = redis.call('ZCARD', log) - tonumber(ARGV[3])
if over > 0 then
  local dropped = redis.call('ZRANGE', log, 0, over - 1)
  redis.call('ZREMRANGEBYRANK', log, 0, over - 1)
  redis.call('HDEL', filters, unpack(dropped))
end
if redis.call('PTTL', log) < ttl then
  redis.call('PEXPIRE', log, ttl)
  redis.call('PEXPIRE', filters, ttl)
end
return 1
