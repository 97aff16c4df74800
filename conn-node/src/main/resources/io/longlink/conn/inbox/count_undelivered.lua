-- Counts one copy of a message that could not be delivered because its body is gone: as revoked
-- when the message was revoked (the revoke deleted the body), else as expired. Counts nothing once
-- the status hash itself has expired, so a late count never recreates it without a TTL.
-- KEYS[1] ll:stat:{id}   ARGV[1] revoked-at field   ARGV[2] revoked counter   ARGV[3] expired counter
-- Returns 0 (no status hash), 1 (counted expired) or 2 (counted revoked).
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then
  redis.call('HINCRBY', KEYS[1], ARGV[2], 1)
  return 2
end
redis.call('HINCRBY', KEYS[1], ARGV[3], 1)
return 1
