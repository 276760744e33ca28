/**
 * Drives oidc-provider's development login and consent forms over plain HTTP: a cookie jar,
 * manual redirects, no browser.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import { LoginError } from "../CentrapayOidc.js"

/** A minimal cookie jar: name, value and path of each cookie, sent where the path matches. */
class CookieJar {
  readonly #cookies = new Map<string, { readonly value: string; readonly path: string }>()

  store(setCookies: ReadonlyArray<string>): void {
    for (const line of setCookies) {
      const [pair = "", ...attributes] = line.split(";")
      const eq = pair.indexOf("=")
      if (eq <= 0) continue
      const name = pair.slice(0, eq).trim()
      const value = pair.slice(eq + 1).trim()
      let path = "/"
      let expired = value === ""
      for (const attribute of attributes) {
        const [key = "", val = ""] = attribute.split("=", 2).map((s) => s.trim())
        const lower = key.toLowerCase()
        if (lower === "path" && val.startsWith("/")) path = val
        if (lower === "max-age" && Number(val) <= 0) expired = true
        if (lower === "expires" && Date.parse(val) <= Date.now()) expired = true
      }
      const key = `${path}\u0000${name}`
      if (expired) this.#cookies.delete(key)
      else this.#cookies.set(key, { value, path })
    }
  }

  header(url: URL): string | undefined {
    const pairs: Array<string> = []
    for (const [key, cookie] of this.#cookies) {
      const name = key.slice(key.indexOf("\u0000") + 1)
      const p = cookie.path
      if (url.pathname === p || url.pathname.startsWith(p.endsWith("/") ? p : `${p}/`)) {
        pairs.push(`${name}=${cookie.value}`)
      }
    }
    return pairs.length === 0 ? undefined : pairs.join("; ")
  }
}

interface Page {
  readonly url: URL
  readonly status: number
  readonly location: string | null
  readonly text: string
}

const request = (
  jar: CookieJar,
  url: URL,
  init: { readonly method: "GET" | "POST"; readonly form?: Record<string, string> }
): Effect.Effect<Page, LoginError> =>
  Effect.tryPromise({
    try: async (signal) => {
      const headers: Record<string, string> = { accept: "text/html" }
      const cookie = jar.header(url)
      if (cookie !== undefined) headers["cookie"] = cookie
      const body = init.form === undefined ? undefined : new URLSearchParams(init.form).toString()
      if (body !== undefined) headers["content-type"] = "application/x-www-form-urlencoded"
      const response = await fetch(url, {
        method: init.method,
        headers,
        redirect: "manual",
        signal,
        ...(body === undefined ? {} : { body })
      })
      jar.store(response.headers.getSetCookie())
      const text = await response.text()
      return { url, status: response.status, location: response.headers.get("location"), text }
    },
    catch: (cause) => new LoginError({ reason: "Transport", url: url.href, detail: String(cause) })
  })

const decodeHtml = (s: string): string =>
  s.replace(/&amp;/g, "&").replace(/&quot;/g, "\"").replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">")

/** The visible text of an error page, shortened. */
const pageText = (html: string): string =>
  decodeHtml(html.replace(/<(script|style)[\s\S]*?<\/\1>/gi, " ").replace(/<[^>]+>/g, " "))
    .replace(/\s+/g, " ").trim().slice(0, 400)

/** The dev interaction form of a page: its action and the `prompt` it answers. */
const interactionForm = (html: string): { readonly action: string; readonly prompt: string } | undefined => {
  const prompt = /name="prompt" value="([a-z]+)"/.exec(html)?.[1]
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1]
  return prompt === undefined || action === undefined ? undefined : { action: decodeHtml(action), prompt }
}

const MAX_STEPS = 20

/**
 * Follows the flow from `authorizationUrl` on `issuer`, logging in as `loginName`, until a
 * redirect leaves the issuer's origin; returns that redirect. `unknownUser` builds the detail
 * of the error raised when the server asks for a login again after the form was submitted.
 */
export const login = (
  issuer: string,
  authorizationUrl: string,
  loginName: string,
  unknownUser: () => string
): Effect.Effect<URL, LoginError> =>
  Effect.gen(function*() {
    const origin = new URL(issuer).origin
    const start = URL.parse(authorizationUrl)
    if (start === null || start.origin !== origin) {
      return yield* new LoginError({
        reason: "NotIssuer",
        url: authorizationUrl,
        detail: `not a URL on the issuer ${issuer}`
      })
    }
    const jar = new CookieJar()
    let page = yield* request(jar, start, { method: "GET" })
    let loginSubmitted = false
    for (let step = 0; step < MAX_STEPS; step++) {
      if (page.status >= 300 && page.status < 400 && page.location !== null) {
        const next = new URL(page.location, page.url)
        if (next.origin !== origin) return next
        page = yield* request(jar, next, { method: "GET" })
        continue
      }
      const form = page.status === 200 ? interactionForm(page.text) : undefined
      if (form === undefined) {
        return yield* new LoginError({
          reason: page.status >= 400 ? "ErrorPage" : "UnexpectedResponse",
          url: page.url.href,
          status: page.status,
          detail: pageText(page.text) || "(empty body)"
        })
      }
      const action = new URL(form.action, page.url)
      if (form.prompt === "login") {
        if (loginSubmitted) {
          return yield* new LoginError({ reason: "UnknownUser", url: page.url.href, detail: unknownUser() })
        }
        loginSubmitted = true
        // The development form takes any password.
        page = yield* request(jar, action, {
          method: "POST",
          form: { prompt: "login", login: loginName, password: "any" }
        })
      } else if (form.prompt === "consent") {
        page = yield* request(jar, action, { method: "POST", form: { prompt: "consent" } })
      } else {
        return yield* new LoginError({
          reason: "UnexpectedResponse",
          url: page.url.href,
          status: page.status,
          detail: `unknown interaction prompt ${JSON.stringify(form.prompt)}`
        })
      }
    }
    return yield* new LoginError({
      reason: "UnexpectedResponse",
      url: page.url.href,
      detail: `no redirect back to the client after ${MAX_STEPS} steps`
    })
  })

/** GETs an http(s) redirect as a browser would (an app scheme is left alone), discarding the page. */
export const followRedirect = (redirect: URL): Effect.Effect<void, LoginError> =>
  redirect.protocol !== "http:" && redirect.protocol !== "https:"
    ? Effect.void
    : Effect.tryPromise({
      try: () => fetch(redirect).then((response) => response.arrayBuffer()),
      catch: (cause) =>
        new LoginError({
          reason: "Transport",
          url: `${redirect.origin}${redirect.pathname}`,
          detail: `the redirect to the application failed: ${String(cause)}`
        })
    })
