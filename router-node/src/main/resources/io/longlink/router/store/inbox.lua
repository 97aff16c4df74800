-- Adds one message to one device's inbox.
-- KEYS[1] ll:inbox:{app:dev}   KEYS[2] ll:collapse:{app:dev}
-- ARGV[1] member (20-digit id)   ARGV[2] collapse key ('' = none)   ARGV[3] inbox bound   ARGV[4] TTL ms
-- Returns 1 when stored, -1 when a newer message with the same collapse key is already there
-- (this one is dropped and must not be delivered either).
local inbox, collapse, member, ck = KEYS[1], KEYS[2], ARGV[1], ARGV[2]
local ttl = tonumber(ARGV[4])
if ck ~= '' then
  local old = redis.call('HGET', collapse, ck)
  if old and old > member then
    return -1
  end
  if old and old ~= member then
    redis.call('ZREM', inbox, old)
  end
  redis.call('HSET', collapse, ck, member)
  if redis.call('PTTL', collapse) < ttl then
    redis.call('PEXPIRE', collapse, ttl)
  end
end
redis.call('ZADD', inbox, 0, member)
-- equal scores order members lexically, and members are zero-padded ids: rank 0 is the oldest
local over = redis.call('ZCARD', inbox) - tonumber(ARGV[3])
if over > 0 then
  redis.call('ZREMRANGEBYRANK', inbox, 0, over - 1)
end
-- the inbox lives as long as its longest-lived message, so an abandoned device's inbox goes away:
-- extend its expiry (GT), or give it one if it has none yet (NX)
if redis.call('PEXPIRE', inbox, ttl, 'GT') == 0 then
  redis.call('PEXPIRE', inbox, ttl, 'NX')
end
return 1
