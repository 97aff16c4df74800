-- Appends a tag or broadcast message to its app's broadcast log at the next log position (acceptance
-- order), for devices that connect later.
-- KEYS[1] ll:bcast:{app}   KEYS[2] ll:bcastf:{app}   KEYS[3] ll:bseq:{app}
-- ARGV[1] member (20-digit id)   ARGV[2] serialized TagFilter ('' = every device)   ARGV[3] log bound
-- ARGV[4] TTL ms
-- Returns {position, trimmed member...}.
local log, filters, bseq, member = KEYS[1], KEYS[2], KEYS[3], ARGV[1]
local ttl = tonumber(ARGV[4])
-- already there: a re-routing of the same command; it keeps its position
local at = redis.call('ZSCORE', log, member)
if at then
  return {tonumber(at)}
end
local pos = redis.call('INCR', bseq)
redis.call('ZADD', log, pos, member)
redis.call('HSET', filters, member, ARGV[2])
local result = {pos}
local over = redis.call('ZCARD', log) - tonumber(ARGV[3])
if over > 0 then
  local trimmed = redis.call('ZRANGE', log, 0, over - 1)
  redis.call('ZREMRANGEBYRANK', log, 0, over - 1)
  redis.call('HDEL', filters, unpack(trimmed))
  for i = 1, #trimmed do
    result[#result + 1] = trimmed[i]
  end
end
if redis.call('PTTL', log) < ttl then
  redis.call('PEXPIRE', log, ttl)
  redis.call('PEXPIRE', filters, ttl)
end
return result
