/**
 * The command's own failures, and how every failure becomes an exit code and one line.
 *
 * @internal
 */
import * as TokenError from "@auth-pipeline/core/TokenError"
import * as ValidationError from "@effect/cli/ValidationError"
import * as Terminal from "@effect/platform/Terminal"
import * as Cause from "effect/Cause"
import * as ConfigError from "effect/ConfigError"
import * as Data from "effect/Data"
import * as Option from "effect/Option"
type ExitCode = (typeof exitCodes)[keyof typeof exitCodes]
import { exitCodes } from "./exitCodes.js"

/** Bad or missing input that flags and arguments did not catch: a missing credential, a bad URL. */
export class UsageError extends Data.TaggedError("UsageError")<{ readonly detail: string }> {
  override get message(): string {
    return this.detail
  }
}

/** No session in the store. */
export class NotSignedIn extends Data.TaggedError("NotSignedIn")<{
  readonly provider: string
  readonly store: string
  readonly hint: string
}> {
  override get message(): string {
    return `not signed in to ${this.provider} (store ${this.store}): run ${this.hint}`
  }
}

/** The sandbox could not start: a port is taken, the provider refused its configuration. */
export class SandboxError extends Data.TaggedError("SandboxError")<{ readonly detail: string }> {
  override get message(): string {
    return this.detail
  }
}

const tagOf = (error: unknown): string | undefined =>
  typeof error === "object" && error !== null && "_tag" in error && typeof error._tag === "string"
    ? error._tag
    : undefined

const refusedCodes = new Set(["invalid_client", "unauthorized_client", "access_denied"])

/** The exit code of a typed failure. */
export const exitCodeOf = (error: unknown): ExitCode => {
  if (ValidationError.isValidationError(error)) return exitCodes.usage
  if (Terminal.isQuitException(error)) return exitCodes.interrupted
  if (ConfigError.isConfigError(error)) return exitCodes.usage
  const e = error as Record<string, any>
  switch (tagOf(error)) {
    case "UsageError":
      return exitCodes.usage
    case "OAuthError":
      return refusedCodes.has(e["error"]) || e["status"] === 401 || e["status"] === 403
        ? exitCodes.credentialsRefused
        : TokenError.isTransient(error as TokenError.OAuthError)
        ? exitCodes.unavailable
        : exitCodes.providerError
    case "TokenRequestError":
      return e["reason"] === "InvalidUrl" ? exitCodes.usage : exitCodes.unavailable
    case "TokenResponseError":
      return e["status"] === 401 || e["status"] === 403
        ? exitCodes.credentialsRefused
        : TokenError.isTransient(error as TokenError.TokenResponseError)
        ? exitCodes.unavailable
        : exitCodes.providerError
    case "RateLimitedError":
    case "TokenBudgetExceeded":
    case "RedisUnavailable":
      return exitCodes.unavailable
    case "Unauthorized":
      return exitCodes.credentialsRefused
    case "ReauthenticationRequired":
    case "NotSignedIn":
      return exitCodes.notSignedIn
    case "AuthorizationError":
    case "LoopbackRedirectError":
    case "IdTokenError":
      return exitCodes.loginFailed
    case "DiscoveryError":
      return e["reason"] === "InvalidUrl"
        ? exitCodes.usage
        : e["reason"] === "Transport" || e["reason"] === "Timeout" ||
            (e["reason"] === "Status" && (e["status"] >= 500 || e["status"] === 429))
        ? exitCodes.unavailable
        : exitCodes.providerError
    case "TokenStoreError":
      return exitCodes.storeUnusable
    case "SandboxError":
      return exitCodes.sandboxFailed
    default:
      return exitCodes.unexpected
  }
}

const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, " ").trim()

/** The one line a failure is reported with: the typed error's message, never a stack. */
export const messageOf = (error: unknown): string => {
  if (ConfigError.isConfigError(error)) {
    return `configuration: ${oneLine(String(error))}`
  }
  if (typeof error === "object" && error !== null && "message" in error && typeof error.message === "string") {
    return oneLine(error.message) || (tagOf(error) ?? "error")
  }
  return oneLine(String(error))
}

/**
 * The exit code of a failed run and the line to print (none for a usage error: @effect/cli
 * printed it with the usage already).
 */
export const report = (
  cause: Cause.Cause<unknown>
): { readonly code: ExitCode; readonly line: Option.Option<string> } => {
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure)) {
    const error = failure.value
    const code = exitCodeOf(error)
    const silent = ValidationError.isValidationError(error) || Terminal.isQuitException(error)
    return { code, line: silent ? Option.none() : Option.some(messageOf(error)) }
  }
  const defect = Cause.dieOption(cause)
  if (Option.isSome(defect)) {
    return { code: exitCodes.unexpected, line: Option.some(`unexpected failure: ${messageOf(defect.value)}`) }
  }
  return { code: exitCodes.interrupted, line: Option.none() }
}
