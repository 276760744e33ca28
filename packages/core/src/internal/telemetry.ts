/**
 * The one naming scheme of the library's spans and metrics: OpenTelemetry semantic conventions
 * where they exist (`url.full`, `server.address`, `server.port`, `http.request.method`,
 * `http.response.status_code`, `error.type`), `auth_pipeline.*` otherwise. Nothing here ever
 * receives a token or a secret: URLs are reported without user info, query or fragment.
 */
import * as Effect from "effect/Effect"

/** What a failure is called in `error.type` and the `error_type` metric tag: an OAuth error code, else the tag. */
export const errorType = (u: unknown): string => {
  if (typeof u !== "object" || u === null) return "unknown"
  if ("_tag" in u && u._tag === "OAuthError" && "error" in u && typeof u.error === "string") return u.error
  return "_tag" in u && typeof u._tag === "string" ? u._tag : "unknown"
}

/** `url.full` (without user info, query or fragment), `server.address` and `server.port` of `url`. */
export const serverAttributes = (url: string): Record<string, string | number> => {
  try {
    const parsed = new URL(url)
    const port = parsed.port !== "" ? Number(parsed.port) : parsed.protocol === "https:" ? 443 : 80
    return {
      "url.full": `${parsed.protocol}//${parsed.host}${parsed.pathname}`,
      "server.address": parsed.hostname,
      "server.port": port
    }
  } catch {
    return {}
  }
}

/** Annotates the current span with the outcome: `auth_pipeline.outcome` and, on failure, `error.type`. */
export const annotateOutcome = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.tapBoth(self, {
    onFailure: (e) => Effect.annotateCurrentSpan({ "auth_pipeline.outcome": "failure", "error.type": errorType(e) }),
    onSuccess: () => Effect.annotateCurrentSpan("auth_pipeline.outcome", "success")
  })
