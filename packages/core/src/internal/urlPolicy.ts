import * as Either from "effect/Either"

/**
 * Why a URL may not carry a credential: it does not parse, it holds user info, or it is neither
 * https nor http on a loopback host (RFC 6750 §5.3, RFC 8252 §7.3).
 */
export type UrlProblem = "NotAUrl" | "UserInfo" | "Insecure"

/** 127.0.0.0/8, `[::1]`, `localhost` and `*.localhost`. */
export const isLoopbackHost = (hostname: string): boolean =>
  hostname === "localhost" ||
  hostname.endsWith(".localhost") ||
  hostname === "[::1]" ||
  /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)

/** The one rule for every URL a credential may go to: https, or http on a loopback host. */
export const checkUrl = (url: string | URL): Either.Either<URL, UrlProblem> => {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return Either.left("NotAUrl")
  }
  if (parsed.username !== "" || parsed.password !== "") return Either.left("UserInfo")
  if (parsed.protocol === "https:" || (parsed.protocol === "http:" && isLoopbackHost(parsed.hostname))) {
    return Either.right(parsed)
  }
  return Either.left("Insecure")
}

/** `scheme://host[:port]/path`, without user info, query or fragment (safe to report). */
export const display = (url: string): string => {
  try {
    const parsed = new URL(url)
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`
  } catch {
    return url.split("?")[0]!.split("#")[0]!.replace(/\/\/[^/@]*@/, "//")
  }
}
