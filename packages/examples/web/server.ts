/**
 * Serves the web example on 127.0.0.1: bundles `main.ts` for the browser with esbuild (into the
 * git-ignored `web/dist/`), starts a static server for the page on a free port, and the sandbox's
 * Centrapay OpenID Provider with the page's origin registered on its web client (redirect URI
 * `/oidc-callback`, post-logout `/oidc-logout`, CORS on the token, revocation and API endpoints).
 * Used by `npm run demo:web` (`demo.ts`) and the Chromium test (`test/WebApp.test.ts`).
 */
import { CentrapayOidc } from "@auth-pipeline/sandbox"
import { Effect } from "effect"
import type { Scope } from "effect"
import * as esbuild from "esbuild"
import * as fs from "node:fs"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as path from "node:path"

const here = import.meta.dirname
const root = path.resolve(here, "../../..")
const outdir = path.join(here, "dist")

/** Bundles the page's script (minified off, with a source map) into `web/dist/app.js`. */
export const bundle: Effect.Effect<void, Error> = Effect.tryPromise({
  try: () =>
    esbuild.build({
      entryPoints: [path.join(here, "main.ts")],
      bundle: true,
      platform: "browser",
      format: "esm",
      target: "es2022",
      sourcemap: true,
      outfile: path.join(outdir, "app.js"),
      // `@auth-pipeline/*` resolve to the packages' TypeScript sources, as for tsx and vitest.
      tsconfig: path.join(root, "tsconfig.json"),
      logLevel: "error"
    }),
  catch: (cause) => new Error(`esbuild could not bundle the web example: ${String(cause)}`, { cause })
}).pipe(
  Effect.flatMap((result) =>
    result.errors.length === 0 ? Effect.void : Effect.fail(new Error(`esbuild: ${result.errors.length} errors`))
  )
)

export interface Options {
  /** Port of the page; default a free one. */
  readonly port?: number | undefined
  /** The sandbox's access token lifetime (default 1 hour, as Centrapay's). */
  readonly accessTokenTtl?: CentrapayOidc.Ttl | undefined
}

export interface WebDemo {
  /** The page: `http://127.0.0.1:<port>/`. */
  readonly url: string
  readonly emulator: CentrapayOidc.CentrapayOidc
}

const pages = new Set(["/", "/index.html", "/oidc-callback", "/oidc-logout"])
const types: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".css": "text/css; charset=utf-8"
}

/** Bundles, serves the page and starts the sandbox until the scope closes. */
export const start = (options: Options = {}): Effect.Effect<WebDemo, Error, Scope.Scope> =>
  Effect.gen(function*() {
    yield* bundle
    let config = ""
    let csp = ""
    const server = yield* Effect.acquireRelease(
      Effect.async<http.Server, Error>((resume) => {
        const server = http.createServer((request, response) => {
          const pathname = new URL(request.url ?? "/", "http://127.0.0.1").pathname
          const headers = { "cache-control": "no-store", "content-security-policy": csp }
          if (request.method !== "GET") {
            response.writeHead(405, headers).end()
          } else if (pages.has(pathname)) {
            response.writeHead(200, { ...headers, "content-type": "text/html; charset=utf-8" })
            response.end(fs.readFileSync(path.join(here, "index.html")))
          } else if (pathname === "/config.json") {
            response.writeHead(200, { ...headers, "content-type": "application/json" }).end(config)
          } else if (pathname === "/app.css" || pathname === "/app.js" || pathname === "/app.js.map") {
            const file = pathname === "/app.css" ? path.join(here, "app.css") : path.join(outdir, pathname.slice(1))
            response.writeHead(200, { ...headers, "content-type": types[path.extname(file)]! })
            response.end(fs.readFileSync(file))
          } else {
            response.writeHead(404, headers).end("Not Found")
          }
        })
        server.once("error", (cause) => resume(Effect.fail(new Error(`web server: ${cause.message}`))))
        server.listen(options.port ?? 0, "127.0.0.1", () => resume(Effect.succeed(server)))
      }),
      (server) =>
        Effect.async<void>((resume) => {
          server.closeAllConnections()
          server.close(() => resume(Effect.void))
        })
    )
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const emulator = yield* Effect.mapError(
      CentrapayOidc.start({ webOrigins: [origin], accessTokenTtl: options.accessTokenTtl }),
      (error) => new Error(error.message)
    )
    config = JSON.stringify({
      issuer: emulator.issuer,
      clientId: CentrapayOidc.webClientId,
      apiBaseUrl: emulator.apiBaseUrl,
      phoneNumber: CentrapayOidc.defaultUser.phone_number
    })
    // Only the page's own script runs; it talks to its origin and the provider (the XSS guard
    // that a session in localStorage wants).
    csp = `default-src 'self'; script-src 'self'; connect-src 'self' ${emulator.issuer}; ` +
      `style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`
    return { url: `${origin}/`, emulator }
  })
