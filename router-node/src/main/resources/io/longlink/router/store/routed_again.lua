-- The status of a message routed again (a retry after a crash or a failed round, a duplicate command).
-- Its counters count devices, not copies, so this routing adds nothing to them, unless the first
-- routing's status never got written (no routed_ms yet): then this routing's counts are the message's.
-- KEYS[1] ll:stat:{id}
-- ARGV[1] routed_ms field   ARGV[2] now ms   ARGV[3..] counter field, count pairs
-- Returns 1 when this routing's counts were written.
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then
  return 0
end
for i = 3, #ARGV, 2 do
  redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1])
end
return 1
