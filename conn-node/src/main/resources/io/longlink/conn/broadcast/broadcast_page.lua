-- One page of an app's broadcast log with each entry's filter, read in one step (both keys share
-- the app's slot), so an entry the router trims between the two reads cannot lose its filter.
-- KEYS[1] ll:bcast:{app}   KEYS[2] ll:bcastf:{app}
-- ARGV[1] ZRANGEBYLEX min: '-' or '(<member>'   ARGV[2] page size (at most 1000: unpack's limit)
-- Returns {members, filters}: a filter is nil when missing, '' when the entry is for every device;
-- {} when nothing follows the position.
local members = redis.call('ZRANGEBYLEX', KEYS[1], ARGV[1], '+', 'LIMIT', 0, tonumber(ARGV[2]))
if #members == 0 then
  return {}
end
return {members, redis.call('HMGET', KEYS[2], unpack(members))}
