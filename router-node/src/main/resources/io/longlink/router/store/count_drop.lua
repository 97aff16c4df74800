-- Counts, on its message's status, a copy that a size bound removed before delivery (an inbox entry
-- or a broadcast-log entry), if the message could still have been delivered: one whose body expired
-- or was revoked (the tombstone is empty) was not lost to the bound.
-- KEYS[1] ll:msg:{id}   KEYS[2] ll:stat:{id}
-- ARGV[1] field   ARGV[2] '' = HINCRBY field 1, else HSETNX field ARGV[2]
-- Returns 1 when it was a drop, 0 when the body was gone.
if redis.call('STRLEN', KEYS[1]) == 0 then
  return 0
end
-- never recreate a status hash that expired: it would live without a TTL
if redis.call('EXISTS', KEYS[2]) == 1 then
  if ARGV[2] == '' then
    redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
  else
    redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2])
  end
end
return 1
