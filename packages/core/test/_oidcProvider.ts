/**
 * Test harness: a real OAuth 2.0 authorization server (`oidc-provider`) in-process on 127.0.0.1.
 *
 * `startOidcProvider()` is a scoped Effect: it listens on a free loopback port, builds the
 * provider with that issuer and yields its URLs and the registered test clients. Closing the
 * scope closes the server and every socket still open (keep-alive connections included).
 *
 * The generic pieces (quiet console while open, lazy import of the module, a fresh RS256 key,
 * listen / close, validation of static clients at start) are the sandbox's `OidcServer`, which
 * the Centrapay OpenID Provider emulator uses too; this file only adds the clients and settings
 * these conformance tests need.
 *
 * Client secrets must be VSCHAR (%x20-7E, RFC 6749 Appendix A): oidc-provider rejects any other
 * character, both in client metadata (`invalid_client_metadata`, surfaced as `invalid_client`
 * on use) and in a decoded Basic header (`invalid_request`). So the "special characters" secret
 * below is printable ASCII only; non-ASCII secrets cannot be tested against this server.
 */
import { OidcServer } from "@auth-pipeline/sandbox"
import { Effect } from "effect"
import type { Scope } from "effect"
import type { ClientMetadata, Configuration, default as Provider } from "oidc-provider"

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

/**
 * Starts oidc-provider on `http://127.0.0.1:<free port>` with client_credentials enabled and
 * the {@link BASIC_CLIENT} and {@link POST_CLIENT} clients (plus `options.clients`).
 * Scoped: closing the scope closes the server. Fails if a client's metadata is invalid.
 */
export const startOidcProvider = (
  options: OidcProviderOptions = {}
): Effect.Effect<OidcProviderHarness, Error, Scope.Scope> =>
  Effect.gen(function*() {
    const extra = options.clients ?? []
    const base: Configuration = {
      clients: [toMetadata(BASIC_CLIENT), toMetadata(POST_CLIENT), ...extra],
      scopes: [...TEST_SCOPES, ...(options.scopes ?? [])],
      features: {
        clientCredentials: { enabled: true }
      },
      ttl: {
        ClientCredentials: options.clientCredentialsTtl ?? DEFAULT_CLIENT_CREDENTIALS_TTL
      }
    }
    const server = yield* OidcServer.start({
      configuration: options.configure ? options.configure(base) : base
    })
    return {
      issuer: server.issuer,
      tokenEndpoint: `${server.issuer}/token`,
      port: server.port,
      clients: { basic: BASIC_CLIENT, post: POST_CLIENT, extra },
      provider: server.provider
    }
  })
