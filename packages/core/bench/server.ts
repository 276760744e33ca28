/**
 * The benchmark's server, run in its own process so it does not share the client's event loop:
 * POST /token issues tokens of the lifetime given as argv[2] (seconds); GET /api answers 200 for a
 * known bearer token (or none) and 401 otherwise; GET /stats tells how many tokens were issued.
 * Prints its port on stdout.
 */
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"

const lifetime = Number(process.argv[2] ?? "3600")
let issued = 0
const valid = new Set<string>()
const server = createServer((req, res) => {
  if (req.method === "POST" && req.url === "/token") {
    req.resume()
    req.on("end", () => {
      const token = `bench-token-${++issued}`
      valid.add(token)
      res.writeHead(200, { "content-type": "application/json" })
      res.end(JSON.stringify({ access_token: token, token_type: "Bearer", expires_in: lifetime }))
    })
    return
  }
  if (req.url === "/stats") {
    res.writeHead(200, { "content-type": "application/json" })
    res.end(JSON.stringify({ issued }))
    return
  }
  const auth = req.headers.authorization
  const ok = auth === undefined || valid.has(auth.slice(7))
  res.writeHead(ok ? 200 : 401, { "content-type": "application/json" })
  res.end(ok ? `{"ok":true}` : `{}`)
})
server.keepAliveTimeout = 60_000
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`)
})
process.on("disconnect", () => process.exit(0))
process.on("SIGTERM", () => process.exit(0))
