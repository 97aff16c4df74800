-- A device ACKed a copy whose DeliveryBatch had answered without that ACK: the router stores the copy
-- in the inbox about now, maybe after this. Removes the entry if it is there; if not, leaves a marker
-- that the router's inbox_add.lua finds, so the copy is not stored (nor sent again).
-- KEYS[1] ll:inbox:{app:dev}   KEYS[2] ll:acked:{app:dev}:{member}   ARGV[1] member   ARGV[2] marker TTL ms
-- Returns 1 when this ACK counts (the entry removed, or the marker set by it), else 0.
if redis.call('ZREM', KEYS[1], ARGV[1]) == 1 then
  return 1
end
if redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[2]) then
  return 1
end
return 0
