/**
 * `auth-pipeline sandbox`: every provider emulator and the Centrapay OpenID Provider on loopback,
 * at fixed ports, until Ctrl-C.
 *
 * @internal
 */
import * as Autopay from "@auth-pipeline/sandbox/Autopay"
import * as Centrapay from "@auth-pipeline/sandbox/Centrapay"
import * as CentrapayOidc from "@auth-pipeline/sandbox/CentrapayOidc"
import * as Cryptofuse from "@auth-pipeline/sandbox/Cryptofuse"
import * as Emulator from "@auth-pipeline/sandbox/Emulator"
import * as Paysera from "@auth-pipeline/sandbox/Paysera"
import * as Server from "@auth-pipeline/sandbox/Server"
import * as Command from "@effect/cli/Command"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { SandboxError } from "./errors.js"
import { bold, cyan, dim, table } from "./output.js"
import { offsets, portBaseOption, type SandboxService } from "./ports.js"
import { stopIsSuccess } from "./runtime.js"

const credentials = `client ${Emulator.defaultClientId}, secret ${Emulator.defaultClientSecret}`

const listenFailed =
  (service: SandboxService, port: number) => (error: { readonly message: string; readonly cause?: unknown }) => {
    const code = (error.cause as { code?: unknown } | undefined)?.code
    const why = code === "EADDRINUSE" ? "the port is in use" : error.message
    return new SandboxError({
      detail: `cannot serve ${service} on 127.0.0.1:${port}: ${why} (another sandbox running? move it with --port-base)`
    })
  }

/** Serves every emulator; yields the rows of the table. */
export const start = (portBase: number) =>
  Effect.gen(function*() {
    const serve = (service: Exclude<SandboxService, "centrapay-oidc">, emulator: Emulator.Emulator) => {
      const port = portBase + offsets[service]
      return Effect.mapError(Server.serve(emulator, { port }), listenFailed(service, port))
    }
    const paysera = yield* serve("paysera", yield* Paysera.make())
    const cryptofuse = yield* serve("cryptofuse", yield* Cryptofuse.make())
    const autopay = yield* serve("autopay", yield* Autopay.make())
    const centrapay = yield* serve("centrapay", yield* Centrapay.make())
    const oidcPort = portBase + offsets["centrapay-oidc"]
    const oidc = yield* CentrapayOidc.start({ port: oidcPort }).pipe(
      Effect.mapError((error) =>
        error.reason === "Listen"
          ? listenFailed("centrapay-oidc", oidcPort)(error)
          : new SandboxError({ detail: error.message })
      )
    )
    const user = CentrapayOidc.defaultUser
    return [
      ["paysera", paysera, Paysera.tokenPath, credentials],
      ["cryptofuse", cryptofuse, Cryptofuse.tokenPath, credentials],
      ["autopay", autopay, Autopay.tokenPath, credentials],
      ["centrapay", centrapay, `API key in ${Centrapay.apiKeyHeader}`, `key ${Centrapay.testMerchantApiKey}`],
      [
        "centrapay-oidc",
        oidc.issuer,
        "issuer: /.well-known/openid-configuration",
        `client ${oidc.clientId}, user ${user.sub} (${user.email}), any password`
      ]
    ] as const
  })

export const command = Command.make(
  "sandbox",
  { portBase: portBaseOption },
  ({ portBase }) =>
    Effect.scoped(Effect.gen(function*() {
      const rows = yield* start(portBase)
      yield* Console.log(
        [
          `${bold("auth-pipeline sandbox")}: every provider on 127.0.0.1 with test credentials`,
          "",
          table(
            ["provider", "url", "token endpoint", "test credentials"],
            rows.map((row) => [cyan(row[0]), ...row.slice(1)])
          ),
          "",
          dim("Try:  auth-pipeline token paysera --sandbox" + (portBase === 4610 ? "" : ` --port-base ${portBase}`)),
          dim("      auth-pipeline login centrapay --sandbox" + (portBase === 4610 ? "" : ` --port-base ${portBase}`)),
          "",
          "Running until Ctrl-C."
        ].join("\n")
      )
      yield* stopIsSuccess
      return yield* Effect.never
    }))
).pipe(
  Command.withDescription(
    "Start every provider emulator (Paysera, Cryptofuse, Autopay, Centrapay) and the Centrapay OpenID Provider " +
      "on 127.0.0.1 at fixed ports, print their URLs and test credentials, and run until Ctrl-C."
  )
)
