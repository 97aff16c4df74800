-- Revokes a message: stamps revoked_ms (first call only) and replaces its body with the tombstone,
-- an empty value, so that no router can store the body again (routers admit a message with
-- SET NX GET and skip it when they find the tombstone) and conn-nodes skip its inbox entries.
-- KEYS[1] ll:msg:{id}   KEYS[2] ll:stat:{id}
-- ARGV[1] now ms   ARGV[2] tombstone TTL in ms when the status hash has none
-- Returns 1 when a body was there (undelivered copies are withdrawn), 0 otherwise.
redis.call('HSETNX', KEYS[2], 'revoked_ms', ARGV[1])
local body = redis.call('GET', KEYS[1])
if body and #body > 0 then
  redis.call('SET', KEYS[1], '', 'KEEPTTL')
  return 1
end
if not body then
  -- not routed yet, online-only, or expired: the tombstone lives as long as the status hash
  local ttl = redis.call('PTTL', KEYS[2])
  if ttl <= 0 then
    ttl = tonumber(ARGV[2])
  end
  redis.call('SET', KEYS[1], '', 'PX', ttl)
end
return 0
