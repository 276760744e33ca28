/**
 * The Lua scripts: each runs atomically in Redis, with Redis's own clock (`TIME`), so no decision
 * depends on a replica's clock.
 *
 * Keys of one credential (all under one Cluster hash tag):
 *   KEYS[1] record  hash { v: version, fresh: Redis ms until which the token is served, data: sealed token or "", fails: n }
 *   KEYS[2] lease   string owner, PX lease TTL
 *   KEYS[3] backoff string, PX until the fleet may ask again
 *   KEYS[4] budget  sorted set of issue times (Redis ms) in the budget window
 * A version is max(previous + 1, Redis ms now): it grows with every write, also across a restart
 * of a Redis that lost its data, so a replica never takes an old record for a new one.
 */
import { createHash } from "node:crypto"

export interface Script {
  readonly source: string
  readonly sha: string
}

const script = (body: string): Script => {
  const source = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
${body}`
  return { source, sha: createHash("sha1").update(source).digest("hex") }
}

const nextVersion = `local function nextVersion(v)
  local n = math.max(tonumber(v or '0') + 1, now)
  return string.format('%d', n)
end`

/**
 * ARGV: known version, owner, lease ms, budget limit (0: none), budget window ms.
 * → {'hit', v, data} | {'lead', v, data|false} | {'wait', v, false, pttl} | {'backoff', v, false, pttl}
 *   | {'budget', v, false, ms until a slot frees}
 */
export const acquire = script(`
local v = redis.call('HGET', KEYS[1], 'v')
local fresh = tonumber(redis.call('HGET', KEYS[1], 'fresh') or '0')
if v and v ~= ARGV[1] and fresh > now then
  return {'hit', v, redis.call('HGET', KEYS[1], 'data') or ''}
end
local lease = redis.call('PTTL', KEYS[2])
if lease > 0 then return {'wait', v or '0', false, lease} end
local backoff = redis.call('PTTL', KEYS[3])
if backoff > 0 then return {'backoff', v or '0', false, backoff} end
local limit = tonumber(ARGV[4])
if limit > 0 then
  local window = tonumber(ARGV[5])
  redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now - window)
  if redis.call('ZCARD', KEYS[4]) >= limit then
    local oldest = redis.call('ZRANGE', KEYS[4], 0, 0, 'WITHSCORES')
    return {'budget', v or '0', false, math.max(1, tonumber(oldest[2]) + window - now)}
  end
end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
return {'lead', v or '0', redis.call('HGET', KEYS[1], 'data') or false}
`)

/**
 * The leader stores its token, unless a newer one is there: refused when another process holds
 * the lease, or when the record changed since it was read and now holds a fresh token or none
 * (a login or a logout). A change that left no fresh token (a 401's invalidation) does not block
 * it, and neither does an expired lease that nobody took, when the record did not change.
 * ARGV: owner, version read, data, fresh-for ms, channel, budget window ms (0: no budget).
 * → {'ok', v} | {'lost', v, data} | {'stale', v, data}
 */
export const publish = script(`
${nextVersion}
local v = redis.call('HGET', KEYS[1], 'v')
local holder = redis.call('GET', KEYS[2])
if holder ~= ARGV[1] then
  if holder or (v or '0') ~= ARGV[2] then
    return {'lost', v or '0', redis.call('HGET', KEYS[1], 'data') or false}
  end
else
  redis.call('DEL', KEYS[2])
end
if (v or '0') ~= ARGV[2] then
  local fresh = tonumber(redis.call('HGET', KEYS[1], 'fresh') or '0')
  local data = redis.call('HGET', KEYS[1], 'data') or ''
  if fresh > now or data == '' then return {'stale', v or '0', data} end
end
local nv = nextVersion(v)
redis.call('HSET', KEYS[1], 'v', nv, 'fresh', string.format('%d', now + tonumber(ARGV[4])), 'data', ARGV[3], 'fails', '0')
redis.call('DEL', KEYS[3])
local window = tonumber(ARGV[6])
if window > 0 then
  redis.call('ZADD', KEYS[4], now, nv)
  redis.call('PEXPIRE', KEYS[4], window)
end
redis.call('PUBLISH', ARGV[5], nv)
return {'ok', nv}
`)

/**
 * The leader failed: release the lease and hold the whole fleet off, for the failure's
 * Retry-After, else base × 2^(consecutive failures − 1) up to max.
 * ARGV: owner, retry-after ms (-1: none), base ms, max ms, channel.
 * → {'ok', backoff ms} | {'lost', 0}
 */
export const fail = script(`
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return {'lost', 0} end
redis.call('DEL', KEYS[2])
local n = redis.call('HINCRBY', KEYS[1], 'fails', 1)
local ms = tonumber(ARGV[2])
if ms < 0 then ms = math.min(tonumber(ARGV[4]), tonumber(ARGV[3]) * 2 ^ (n - 1)) end
ms = math.floor(ms)
if ms > 0 then redis.call('SET', KEYS[3], n, 'PX', ms) end
redis.call('PUBLISH', ARGV[5], 'failed')
return {'ok', ms}
`)

/**
 * A write outside a lease (a login's set, a logout, compare-and-invalidate, seeding after a
 * Redis restart): only if the record is at the expected version ('*': any, '': no record).
 * ARGV: expected version, data, fresh-for ms, channel.
 * → {'ok', v} | {'stale', v, data}
 */
export const write = script(`
${nextVersion}
local v = redis.call('HGET', KEYS[1], 'v')
if ARGV[1] ~= '*' and (v or '') ~= ARGV[1] then
  return {'stale', v or '0', redis.call('HGET', KEYS[1], 'data') or false}
end
local nv = nextVersion(v)
redis.call('HSET', KEYS[1], 'v', nv, 'fresh', string.format('%d', now + tonumber(ARGV[3])), 'data', ARGV[2])
redis.call('PUBLISH', ARGV[4], nv)
return {'ok', nv}
`)

/** → {v, data} of the record, or {} when there is none. */
export const read = script(`
local v = redis.call('HGET', KEYS[1], 'v')
if not v then return {} end
return {v, redis.call('HGET', KEYS[1], 'data') or ''}
`)
