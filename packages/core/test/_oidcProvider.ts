/**
 * Test harness: a real OAuth 2.0 authorization server (`oidc-provider`) in-process on 127.0.0.1.
 *
 * `startOidcProvider()` is a scoped Effect: it listens on a free loopback port, builds the
 * provider with that issuer and yields its URLs and the registered test clients. Closing the
 * scope closes the server and every socket still open (keep-alive connections included).
 *
 * Quiet by design: `oidc-provider` writes "oidc-provider WARNING/NOTICE: ..." lines through
 * `console.warn` / `console.info` (the "Unsupported runtime" warning on Node 20 when the module
 * is first evaluated, the in-memory adapter and devInteractions warnings when a provider is
 * built, "default X function called" notices at request time). While at least one harness scope
 * is open those lines, and only those, are dropped. The module itself is imported lazily inside
 * that window so the import-time warning is caught too.
 *
 * Client secrets must be VSCHAR (%x20-7E, RFC 6749 Appendix A): oidc-provider rejects any other
 * character, both in client metadata (`invalid_client_metadata`, surfaced as `invalid_client`
 * on use) and in a decoded Basic header (`invalid_request`). So the "special characters" secret
 * below is printable ASCII only; non-ASCII secrets cannot be tested against this server.
 */
import * as crypto from "node:crypto"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { promisify } from "node:util"
import { Effect } from "effect"
import type { Scope } from "effect"
import type { default as Provider, ClientMetadata, Configuration, JWK } from "oidc-provider"

/** How a test client authenticates at the token endpoint. */
export type TestClientAuthMethod = "client_secret_basic" | "client_secret_post"

/** A client registered in the harness, with the plain credentials a test needs. */
export interface TestClient {
  readonly clientId: string
  readonly clientSecret: string
  readonly tokenEndpointAuthMethod: TestClientAuthMethod
  /** Space-separated scopes the client may request (its `scope` metadata). */
  readonly scope: string
}

/** Scopes declared in the provider's `scopes` configuration. */
export const TEST_SCOPES = ["api:read", "api:write"] as const

/** Default `ttl.ClientCredentials` (seconds): the `expires_in` of a client_credentials token. */
export const DEFAULT_CLIENT_CREDENTIALS_TTL = 600

/**
 * Confidential client using `client_secret_basic`. Its secret holds every character that breaks
 * a client that does not form-url-encode id and secret before base64 (RFC 6749 §2.3.1):
 * `:` `+` `/` `=` `%` `&` `!` and spaces, plus `?#@;,*'"~<>[]{}|\^` and a backtick.
 * The client id contains `:` and a space as well.
 */
export const BASIC_CLIENT: TestClient = {
  clientId: "basic client:1",
  clientSecret: "s3cr:t+/= 100% &!? #@;,*'\"~<>[]{}|\\^`end",
  tokenEndpointAuthMethod: "client_secret_basic",
  scope: "api:read api:write"
}

/** Confidential client using `client_secret_post`, with an ordinary secret. */
export const POST_CLIENT: TestClient = {
  clientId: "post-client",
  clientSecret: "post-client-secret-0123456789abcdef",
  tokenEndpointAuthMethod: "client_secret_post",
  scope: "api:read"
}

export interface OidcProviderOptions {
  /** Extra clients registered next to the two built-in ones (raw oidc-provider metadata). */
  readonly clients?: ReadonlyArray<ClientMetadata>
  /** Extra scopes declared in the provider's `scopes` (added to {@link TEST_SCOPES}). */
  readonly scopes?: ReadonlyArray<string>
  /** `ttl.ClientCredentials` in seconds; default {@link DEFAULT_CLIENT_CREDENTIALS_TTL}. */
  readonly clientCredentialsTtl?: number
  /**
   * Escape hatch: receives the harness configuration and returns the one actually used
   * (for example to enable more features). Keep `clients` when rewriting it.
   */
  readonly configure?: (config: Configuration) => Configuration
}

export interface OidcProviderHarness {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  readonly issuer: string
  readonly tokenEndpoint: string
  readonly port: number
  readonly clients: {
    readonly basic: TestClient
    readonly post: TestClient
    /** The extra clients of {@link OidcProviderOptions.clients}, as registered. */
    readonly extra: ReadonlyArray<ClientMetadata>
  }
  /** The running provider, for tests that need its models or events. */
  readonly provider: Provider
}

const toMetadata = (client: TestClient): ClientMetadata => ({
  client_id: client.clientId,
  client_secret: client.clientSecret,
  token_endpoint_auth_method: client.tokenEndpointAuthMethod,
  grant_types: ["client_credentials"],
  response_types: [],
  redirect_uris: [],
  scope: client.scope
})

// ---------------------------------------------------------------------------------------------
// Console filter for oidc-provider's own notices (reference counted over open harness scopes).

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g
const isOidcProviderNotice = (args: ReadonlyArray<unknown>): boolean => {
  const first = args[0]
  return typeof first === "string" && first.replace(ANSI, "").startsWith("oidc-provider ")
}

let quietDepth = 0
let originalWarn: typeof console.warn | undefined
let originalInfo: typeof console.info | undefined

const quietOn = Effect.sync(() => {
  if (quietDepth++ === 0) {
    const warn = console.warn
    const info = console.info
    originalWarn = warn
    originalInfo = info
    console.warn = (...args: Array<unknown>) => {
      if (!isOidcProviderNotice(args)) warn.apply(console, args)
    }
    console.info = (...args: Array<unknown>) => {
      if (!isOidcProviderNotice(args)) info.apply(console, args)
    }
  }
})

const quietOff = Effect.sync(() => {
  if (--quietDepth === 0) {
    if (originalWarn !== undefined) console.warn = originalWarn
    if (originalInfo !== undefined) console.info = originalInfo
    originalWarn = undefined
    originalInfo = undefined
  }
})

/** Drops oidc-provider's console notices for the lifetime of the current scope. */
const quietOidcProvider = Effect.acquireRelease(quietOn, () => quietOff)

// ---------------------------------------------------------------------------------------------

const generateKeyPair = promisify(crypto.generateKeyPair)

/** A fresh RS256 signing key (the provider's default ID token algorithm), so no dev keys. */
const generateJwks = Effect.promise(async () => {
  const { privateKey } = await generateKeyPair("rsa", { modulusLength: 2048 })
  const jwk = privateKey.export({ format: "jwk" }) as JWK
  return { keys: [{ ...jwk, kid: `test-${crypto.randomUUID()}`, alg: "RS256", use: "sig" }] }
})

const listen = (server: http.Server) =>
  Effect.async<number, Error>((resume) => {
    const onError = (error: Error) => resume(Effect.fail(error))
    server.once("error", onError)
    server.listen(0, "127.0.0.1", () => {
      server.off("error", onError)
      resume(Effect.succeed((server.address() as AddressInfo).port))
    })
  })

const close = (server: http.Server) =>
  Effect.async<void>((resume) => {
    server.close(() => resume(Effect.void))
    // Keep-alive sockets (fetch/undici keeps them open) would hold `close` forever.
    server.closeAllConnections()
  })

/**
 * Starts oidc-provider on `http://127.0.0.1:<free port>` with client_credentials enabled and
 * the {@link BASIC_CLIENT} and {@link POST_CLIENT} clients (plus `options.clients`).
 * Scoped: closing the scope closes the server. Fails if a client's metadata is invalid.
 */
export const startOidcProvider = (
  options: OidcProviderOptions = {}
): Effect.Effect<OidcProviderHarness, Error, Scope.Scope> =>
  Effect.gen(function*() {
    yield* quietOidcProvider
    const { default: ProviderClass } = yield* Effect.promise(() => import("oidc-provider"))
    const jwks = yield* generateJwks

    const server = yield* Effect.acquireRelease(
      Effect.sync(() => http.createServer()),
      (server) => close(server)
    )
    const port = yield* listen(server)
    const issuer = `http://127.0.0.1:${port}`

    const extra = options.clients ?? []
    const base: Configuration = {
      clients: [toMetadata(BASIC_CLIENT), toMetadata(POST_CLIENT), ...extra],
      scopes: [...TEST_SCOPES, ...(options.scopes ?? [])],
      jwks,
      features: {
        clientCredentials: { enabled: true }
      },
      ttl: {
        ClientCredentials: options.clientCredentialsTtl ?? DEFAULT_CLIENT_CREDENTIALS_TTL
      }
    }
    const config = options.configure ? options.configure(base) : base

    const provider = yield* Effect.try({
      try: () => new ProviderClass(issuer, config),
      catch: (cause) => new Error(`oidc-provider configuration rejected: ${String(cause)}`, { cause })
    })
    // Koa would print unexpected server errors to stderr; tests see them as HTTP 500 anyway.
    provider.silent = true
    server.on("request", provider.callback())

    // Static clients are only validated on first use (then reported as `invalid_client`);
    // validate them now so a bad test client fails here with the real reason.
    for (const metadata of config.clients ?? []) {
      yield* Effect.tryPromise({
        try: () => provider.Client.find(metadata.client_id),
        catch: (cause) => {
          const c = cause as { message?: unknown; error_description?: unknown }
          return new Error(
            `oidc-provider rejected client ${JSON.stringify(metadata.client_id)}: ` +
              `${String(c.message)} (${String(c.error_description)})`,
            { cause }
          )
        }
      })
    }

    return {
      issuer,
      tokenEndpoint: `${issuer}/token`,
      port,
      clients: { basic: BASIC_CLIENT, post: POST_CLIENT, extra },
      provider
    }
  })
