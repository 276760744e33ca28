/**
 * A bare HTTP server on 127.0.0.1 for tests that need a real socket and an answer the sandbox's
 * emulators do not give (a redirect target answering any method, a hostile document). Records
 * every request; closed with its Scope.
 */
import { Effect } from "effect"
import type { Scope } from "effect"
import { createServer } from "node:http"

export interface Hit {
  readonly method: string
  readonly path: string
  readonly headers: Readonly<Record<string, string | Array<string> | undefined>>
  readonly body: string
}

export interface Answer {
  readonly status: number
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: string
}

/** Serves `handler` on a free port of 127.0.0.1; yields its base URL and the requests it got. */
export const _serve = (
  handler: (hit: Hit, baseUrl: string) => Answer
): Effect.Effect<{ readonly url: string; readonly hits: ReadonlyArray<Hit> }, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<{ readonly url: string; readonly hits: Array<Hit>; readonly close: () => Promise<void> }>(
      (resume) => {
        const hits: Array<Hit> = []
        let url = ""
        const server = createServer((req, res) => {
          const chunks: Array<Buffer> = []
          req.on("data", (chunk: Buffer) => chunks.push(chunk))
          req.on("end", () => {
            const hit: Hit = {
              method: req.method ?? "",
              path: req.url ?? "",
              headers: req.headers,
              body: Buffer.concat(chunks).toString("utf8")
            }
            hits.push(hit)
            const answer = handler(hit, url)
            res.writeHead(answer.status, answer.headers)
            res.end(answer.body ?? "")
          })
        })
        server.listen(0, "127.0.0.1", () => {
          const address = server.address()
          url = `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`
          resume(Effect.succeed({
            url,
            hits,
            close: () =>
              new Promise<void>((done) => {
                server.closeAllConnections()
                server.close(() => done())
              })
          }))
        })
      }
    ),
    (served) => Effect.promise(served.close)
  )
