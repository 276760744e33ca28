/**
 * The small port the Redis token store talks through: a raw command, pub/sub, a readiness hook
 * and close. {@link nodeRedis} implements it over node-redis (`redis` ^5 || ^6, an optional peer
 * dependency loaded only when used); any other client can implement the same four functions.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"

/**
 * What the Redis token store needs from a Redis client: raw commands (its Lua scripts, by
 * `EVALSHA`, else `EVAL`), a pub/sub subscription to the credential's events channel, a hook on
 * reconnection (to subscribe again and re-read the record) and close. {@link nodeRedis} makes one
 * over node-redis; pass your own as `RedisTokenStore.Options.connection` to use another client
 * (the store never calls `close`: whoever made the connection closes it).
 *
 * @example
 * ```ts
 * import { RedisConnection, RedisTokenStore } from "@auth-pipeline/redis"
 * import { Redacted } from "effect"
 *
 * // a Redis that is never reachable, e.g. to see the `unavailable` policy at work in a test
 * const down: RedisConnection.RedisConnection = {
 *   command: () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:6379")),
 *   subscribe: () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:6379")),
 *   onReady: () => () => {},
 *   close: () => Promise.resolve()
 * }
 * const live = RedisTokenStore.layer({
 *   connection: down,
 *   encryptionKey: Redacted.make("at least 32 random bytes, e.g. openssl rand -base64 32"),
 *   unavailable: "local"
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface RedisConnection {
  /**
   * Sends one command (`["EVALSHA", sha, "4", ...]`) and resolves with its reply; rejects when
   * the server is unreachable (no offline queue: a command is never held for a later connection).
   */
  readonly command: (args: ReadonlyArray<string>) => Promise<unknown>
  /**
   * Subscribes `listener` to `channel` (on a connection of its own); resolves with a function
   * that unsubscribes it.
   */
  readonly subscribe: (channel: string, listener: (message: string) => void) => Promise<() => Promise<void>>
  /**
   * Calls `listener` each time a connection becomes ready again after a loss (pub/sub messages
   * sent meanwhile are lost: the store reads the record again). Returns a function that removes
   * the listener.
   */
  readonly onReady: (listener: () => void) => () => void
  /** Closes the connections (the store does not call it: the connection's owner does). */
  readonly close: () => Promise<void>
}

/**
 * Options of {@link nodeRedis}: where the server is, and how long a connection attempt and a
 * command may take before the store treats Redis as unavailable.
 *
 * @example
 * ```ts
 * import { RedisConnection } from "@auth-pipeline/redis"
 *
 * const options: RedisConnection.NodeRedisOptions = {
 *   url: "rediss://:password@redis.internal:6380/0",
 *   connectTimeoutMillis: 2_000,
 *   commandTimeoutMillis: 250
 * }
 * const connection = RedisConnection.nodeRedis(options) // connects when run, in a Scope
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface NodeRedisOptions {
  /** `redis://[[user]:password@]host[:port][/db]` or `rediss://` for TLS. */
  readonly url: string
  /** How long a connection attempt may take. Default 1 000 ms. */
  readonly connectTimeoutMillis?: number | undefined
  /** How long one command may take before it is abandoned. Default 500 ms. */
  readonly commandTimeoutMillis?: number | undefined
  /** At most this many commands queued on the connection; more are refused. Default 1 000. */
  readonly maxQueuedCommands?: number | undefined
}

/** The slice of node-redis's client this module uses (the same in v5 and v6). */
interface NodeRedisClient {
  /** Opens the socket; resolves once the client is ready (awaited here at most the connect timeout). */
  readonly connect: () => Promise<unknown>
  /** Closes the socket at once, rejecting pending commands, and stops reconnecting. */
  readonly destroy: () => void
  /** A new client with the same options (part of the slice; this module creates both its clients itself). */
  readonly duplicate: () => NodeRedisClient
  /** Listens to the client's events: `error` marks the connection lost, `ready` after a loss runs `onReady`. */
  readonly on: (event: string, listener: (...args: Array<any>) => void) => unknown
  /** Sends a raw command (`options.timeout` bounds it); rejects at once while disconnected (no offline queue). */
  readonly sendCommand: (args: Array<string>, options?: object) => Promise<unknown>
  /** Puts the (pub/sub) client in subscriber mode and calls `listener` with each message on `channel`. */
  readonly subscribe: (channel: string, listener: (message: string) => void) => Promise<unknown>
  /** Removes `listener` from `channel`. */
  readonly unsubscribe: (channel: string, listener: (message: string) => void) => Promise<unknown>
}

const withTimeout = <A>(promise: Promise<A>, millis: number, what: string): Promise<A> =>
  new Promise<A>((resolve, reject) => {
    // Real time on purpose: a command waits for a real server, whatever Clock the program runs.
    const timer = setTimeout(() => reject(new Error(`${what} timed out after ${millis} ms`)), millis)
    promise.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (error) => {
        clearTimeout(timer)
        reject(error)
      }
    )
  })

/**
 * A connection over node-redis: one client for commands and a duplicate for pub/sub, both with no
 * offline queue (a command while disconnected fails at once), a bounded command queue, a command
 * timeout, and reconnection in the background (50 ms growing to 2 s). Building it waits at most
 * the connect timeout: an unreachable server is not an error here (the store's policy for an
 * unavailable Redis applies), the clients keep reconnecting. Closing the scope closes both.
 * Fails with a defect if the `redis` package is not installed.
 *
 * @example
 * ```ts
 * import { RedisConnection } from "@auth-pipeline/redis"
 * import { Effect } from "effect"
 *
 * // run against a real server: PING through the raw command port
 * const ping = Effect.scoped(
 *   Effect.gen(function*() {
 *     const connection = yield* RedisConnection.nodeRedis({ url: "redis://127.0.0.1:6379" })
 *     return yield* Effect.promise(() => connection.command(["PING"])) // "PONG"
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const nodeRedis = (options: NodeRedisOptions): Effect.Effect<RedisConnection, never, Scope.Scope> =>
  Effect.gen(function*() {
    const redis = yield* Effect.tryPromise(() => import("redis")).pipe(
      Effect.orDieWith(() =>
        new Error("@auth-pipeline/redis needs the `redis` package (node-redis ^5 or ^6): npm install redis")
      )
    )
    const connectTimeout = options.connectTimeoutMillis ?? 1_000
    const commandTimeout = options.commandTimeoutMillis ?? 500
    const readyListeners: Array<() => void> = []
    const make = (): NodeRedisClient => {
      const client = redis.createClient({
        url: options.url,
        disableOfflineQueue: true,
        commandsQueueMaxLength: options.maxQueuedCommands ?? 1_000,
        socket: {
          connectTimeout,
          reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 2_000)
        }
      }) as unknown as NodeRedisClient
      let lost = false
      // Without an error listener node-redis throws; the store counts and logs failures itself.
      client.on("error", () => {
        lost = true
      })
      client.on("ready", () => {
        if (!lost) return
        lost = false
        for (const listener of readyListeners) listener()
      })
      return client
    }
    const start = (client: NodeRedisClient) =>
      Effect.promise(() =>
        withTimeout(client.connect(), connectTimeout, "connect").then(() => undefined, () => undefined)
      )
    const main = make()
    const subscriber = make()
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        main.destroy()
        subscriber.destroy()
      })
    )
    yield* Effect.all([start(main), start(subscriber)], { concurrency: 2 })
    return {
      command: (args) =>
        withTimeout(main.sendCommand([...args], { timeout: commandTimeout }), commandTimeout, args[0]!),
      subscribe: (channel, listener) =>
        withTimeout(subscriber.subscribe(channel, listener), commandTimeout, "SUBSCRIBE").then(() => () =>
          subscriber.unsubscribe(channel, listener).then(() => undefined, () => undefined)
        ),
      onReady: (listener) => {
        readyListeners.push(listener)
        return () => {
          const i = readyListeners.indexOf(listener)
          if (i >= 0) readyListeners.splice(i, 1)
        }
      },
      close: () =>
        Promise.resolve().then(() => {
          main.destroy()
          subscriber.destroy()
        })
    } satisfies RedisConnection
  })

/**
 * A Redis URL as it may be shown (in an error, a log line, the CLI's `store inspect`): without
 * its user and password; an invalid URL is shown as `(an invalid Redis URL)`.
 *
 * @example
 * ```ts
 * import { RedisConnection } from "@auth-pipeline/redis"
 *
 * assert.strictEqual(RedisConnection.displayUrl("redis://app:s3cret@10.0.0.5:6379"), "redis://10.0.0.5:6379")
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const displayUrl = (url: string): string => {
  try {
    const parsed = new URL(url)
    parsed.username = ""
    parsed.password = ""
    return parsed.toString().replace(/\/$/, "")
  } catch {
    return "(an invalid Redis URL)"
  }
}
