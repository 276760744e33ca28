import * as AuthenticatedClient from "@auth-pipeline/core/AuthenticatedClient"
import * as AuthorizationCode from "@auth-pipeline/core/AuthorizationCode"
import * as LoopbackRedirect from "@auth-pipeline/core/LoopbackRedirect"
import * as OidcDiscovery from "@auth-pipeline/core/OidcDiscovery"
import * as TokenCache from "@auth-pipeline/core/TokenCache"
import * as TokenError from "@auth-pipeline/core/TokenError"
import * as TokenStore from "@auth-pipeline/core/TokenStore"
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as FiberId from "effect/FiberId"
import * as Option from "effect/Option"
import { ExitCode } from "../src/Cli.js"
import { exitCodeOf, report } from "../src/internal/errors.js"

const url = "https://auth.example.com/token"
const oauth = (error: string, status: number) =>
  new TokenError.OAuthError({ url, status, error, errorDescription: Option.none(), errorUri: Option.none() })

describe("exit codes by failure", () => {
  it("credentials refused: invalid_client, unauthorized_client, access_denied, any 401 / 403, Unauthorized", () => {
    expect(exitCodeOf(oauth("invalid_client", 401))).toBe(ExitCode.credentialsRefused)
    expect(exitCodeOf(oauth("unauthorized_client", 400))).toBe(ExitCode.credentialsRefused)
    expect(exitCodeOf(oauth("access_denied", 401))).toBe(ExitCode.credentialsRefused)
    expect(exitCodeOf(oauth("invalid_request", 403))).toBe(ExitCode.credentialsRefused)
    expect(exitCodeOf(
      new AuthenticatedClient.Unauthorized({
        method: "GET",
        url,
        status: 401,
        challengeError: Option.none(),
        retried: true
      })
    )).toBe(ExitCode.credentialsRefused)
  })

  it("unavailable: transport, timeout, 5xx, transient OAuth codes, 429, budget; protocol errors are 8", () => {
    expect(exitCodeOf(new TokenError.TokenRequestError({ reason: "Transport", url, detail: "" }))).toBe(4)
    expect(exitCodeOf(new TokenError.TokenRequestError({ reason: "Timeout", url, detail: "" }))).toBe(4)
    expect(exitCodeOf(new TokenError.TokenRequestError({ reason: "InvalidUrl", url, detail: "" }))).toBe(2)
    const response = (status: number) =>
      new TokenError.TokenResponseError({ reason: "Status", url, status, detail: "", excerpt: "" })
    expect(exitCodeOf(response(502))).toBe(4)
    expect(exitCodeOf(response(404))).toBe(ExitCode.providerError)
    expect(exitCodeOf(oauth("temporarily_unavailable", 400))).toBe(4)
    expect(exitCodeOf(oauth("invalid_scope", 400))).toBe(ExitCode.providerError)
    expect(exitCodeOf(new TokenError.RateLimitedError({ url, status: 429, retryAfter: Option.none() }))).toBe(4)
    expect(exitCodeOf(
      new TokenCache.TokenBudgetExceeded({ cache: "autopay", limit: 10, window: Duration.hours(24), retryAt: 0 })
    )).toBe(4)
    const discovery = (reason: "Transport" | "InvalidDocument") =>
      new OidcDiscovery.DiscoveryError({ reason, document: "configuration", url, detail: "" })
    expect(exitCodeOf(discovery("Transport"))).toBe(4)
    expect(exitCodeOf(discovery("InvalidDocument"))).toBe(ExitCode.providerError)
  })

  it("not signed in, login failed, store unusable, usage", () => {
    expect(exitCodeOf(new TokenCache.ReauthenticationRequired({ reason: "RefreshRejected", cache: "c" }))).toBe(5)
    expect(exitCodeOf(new LoopbackRedirect.LoopbackRedirectError({ reason: "Timeout", detail: "" }))).toBe(6)
    expect(exitCodeOf(
      new AuthorizationCode.AuthorizationError({
        reason: "ErrorResponse",
        error: Option.some("access_denied"),
        errorDescription: Option.none()
      })
    )).toBe(ExitCode.loginFailed)
    expect(exitCodeOf(new TokenStore.TokenStoreError({ operation: "get", detail: "" }))).toBe(7)
    expect(exitCodeOf(ConfigError.MissingData(["PAYSERA_CLIENT_ID"], "missing"))).toBe(ExitCode.usage)
  })

  it("a defect is 1 with one line and no stack; an interruption is 130", () => {
    const defect = report(Cause.die(new Error("boom\nsecond line")))
    expect(defect.code).toBe(ExitCode.unexpected)
    expect(defect.line).toEqual(Option.some("unexpected failure: boom second line"))
    expect(report(Cause.interrupt(FiberId.none)).code).toBe(ExitCode.interrupted)
  })
})
