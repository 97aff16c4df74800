-- One page of an app's broadcast log in position order, with each entry's position and filter,
-- read in one step (both keys share the app's slot), so an entry the router trims between the two
-- reads cannot lose its filter.
-- KEYS[1] ll:bcast:{app}   KEYS[2] ll:bcastf:{app}
-- ARGV[1] ZRANGEBYSCORE min: '-inf', or the last position read (inclusive: the caller drops what it
--         read already)   ARGV[2] entries to read (at most a few thousand: unpack's limit)
-- Returns {members, positions, filters}: a filter is nil when missing, '' when the entry is for
-- every device; {} when nothing follows the position.
local read = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], '+inf', 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[2]))
if #read == 0 then
  return {}
end
local members = {}
local positions = {}
for i = 1, #read, 2 do
  members[#members + 1] = read[i]
  positions[#positions + 1] = read[i + 1]
end
return {members, positions, redis.call('HMGET', KEYS[2], unpack(members))}
