-- Adds one message to one device's inbox at the next inbox position (acceptance order).
-- KEYS[1] ll:inbox:{app:dev}   KEYS[2] ll:iseq:{app:dev}   KEYS[3] ll:collapse:{app:dev}
-- KEYS[4] ll:acked:{app:dev}:{member} (a conn-node's marker: the device ACKed this copy before it was stored)
-- ARGV[1] member (20-digit id)   ARGV[2] inbox bound   ARGV[3] TTL ms   ARGV[4] collapse key ('' = none)
-- Returns {added (0/1), replaced member or false, trimmed member...}.
local inbox, iseq, collapse = KEYS[1], KEYS[2], KEYS[3]
local member, ttl, ck = ARGV[1], ARGV[3], ARGV[4]
-- already there: a re-routing of the same command; it keeps its position. Already ACKed: nothing to keep.
if redis.call('ZSCORE', inbox, member) or redis.call('EXISTS', KEYS[4]) == 1 then
  return {0, false}
end
local pos = redis.call('INCR', iseq)
local replaced = false
if ck ~= '' then
  -- the later-accepted push with a collapse key replaces the earlier one, whatever their ids
  local old = redis.call('HGET', collapse, ck)
  if old and old ~= member and redis.call('ZREM', inbox, old) == 1 then
    replaced = old
  end
  redis.call('HSET', collapse, ck, member)
  if redis.call('PEXPIRE', collapse, ttl, 'GT') == 0 then
    redis.call('PEXPIRE', collapse, ttl, 'NX')
  end
end
redis.call('ZADD', inbox, pos, member)
local result = {1, replaced}
-- rank 0 is the lowest position: the earliest accepted
local over = redis.call('ZCARD', inbox) - tonumber(ARGV[2])
if over > 0 then
  local trimmed = redis.call('ZRANGE', inbox, 0, over - 1)
  redis.call('ZREMRANGEBYRANK', inbox, 0, over - 1)
  for i = 1, #trimmed do
    result[#result + 1] = trimmed[i]
  end
end
-- the inbox and its counter live as long as the longest-lived message, so an abandoned device's keys
-- go away: extend their expiry (GT), or give them one if they have none yet (NX)
for _, key in ipairs({inbox, iseq}) do
  if redis.call('PEXPIRE', key, ttl, 'GT') == 0 then
    redis.call('PEXPIRE', key, ttl, 'NX')
  end
end
return result
