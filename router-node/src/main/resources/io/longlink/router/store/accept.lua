-- Admits one message into routing, once per batch that handles it.
-- KEYS[1] ll:msg:{id}   KEYS[2] ll:stat:{id}
-- ARGV[1] serialized Push   ARGV[2] TTL in ms (0 = online only: no body)   ARGV[3] now ms
-- ARGV[4] devices addressed (counted once per message, on its first routing)
-- Returns 0 when the message was revoked (route nothing), 1 otherwise.
local state = redis.call('HMGET', KEYS[2], 'revoked_ms', 'routed_ms')
if state[1] then
  return 0
end
if tonumber(ARGV[2]) > 0 then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
if not state[2] then
  -- first routing: routed_ms and targeted together (a fan-out counts targeted per conn-node instead)
  if tonumber(ARGV[4]) > 0 then
    redis.call('HSET', KEYS[2], 'routed_ms', ARGV[3], 'targeted', ARGV[4])
  else
    redis.call('HSET', KEYS[2], 'routed_ms', ARGV[3])
  end
end
return 1
