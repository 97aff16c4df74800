-- Renews a connection's route and says whether it is still that connection's, in one step.
-- KEYS[1] ll:route:{app:device}   ARGV[1] this connection's value (nodeId|connectionId)   ARGV[2] TTL ms
-- Returns 1: renewed; 2: the route was gone (expired, or lost by Redis) and is claimed again;
-- 0: it names another connection of the device, left as it is.
local current = redis.call('GET', KEYS[1])
if current == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if not current then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 2
end
return 0
