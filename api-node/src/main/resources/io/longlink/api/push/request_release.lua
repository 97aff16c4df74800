-- Frees a request-id reservation whose holder could not get its push accepted (Kafka refused it or
-- did not answer in time), keeping the reserved id: whoever calls next with the request id takes it
-- over at once and produces the push under that id, so the push never gets a second id even if
-- Kafka took the first attempt after all.
-- KEYS[1] ll:req:{app:requestId}
-- ARGV[1] the reserved message id (decimal)
-- Returns 1 when freed, 0 when the reservation is not (or no longer) this id's.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1] .. ':free', 'KEEPTTL')
  return 1
end
return 0
