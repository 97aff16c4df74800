-- Takes over a request-id reservation whose push its holder can no longer get accepted: the holder
-- marked it free (its produce failed), or it is older than the takeover age without the push having
-- been accepted (its api-node is gone). The taker produces the push again under the reserved id;
-- re-setting the value and TTL makes the reservation the taker's, so concurrent callers wait for it.
-- KEYS[1] ll:req:{app:requestId}
-- ARGV[1] the reserved message id (decimal)   ARGV[2] reservation TTL in ms   ARGV[3] takeover age in ms
-- Returns 1 taken over, 0 still its holder's (wait), -1 gone or now another push's (reserve again).
local v = redis.call('GET', KEYS[1])
if v ~= ARGV[1] and v ~= ARGV[1] .. ':free' then
  return -1
end
if v == ARGV[1] then
  local pttl = redis.call('PTTL', KEYS[1])
  if pttl >= 0 and tonumber(ARGV[2]) - pttl < tonumber(ARGV[3]) then
    return 0
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
