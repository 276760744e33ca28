/**
 * Where `auth-pipeline sandbox` serves each emulator: fixed ports from a base, one offset each,
 * so `token --sandbox` and `login --sandbox` find them with the same `--port-base`.
 *
 * @internal
 */
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"

export const defaultPortBase = 4610

export const offsets = {
  paysera: 0,
  cryptofuse: 1,
  autopay: 2,
  centrapay: 3,
  "centrapay-oidc": 4
} as const

export type SandboxService = keyof typeof offsets

const lastOffset = Math.max(...Object.values(offsets))

export const sandboxUrl = (portBase: number, service: SandboxService): string =>
  `http://127.0.0.1:${portBase + offsets[service]}`

export const portBaseOption: Options.Options<number> = Options.integer("port-base").pipe(
  Options.withDefault(defaultPortBase),
  Options.withDescription(
    `The first of the sandbox's ${lastOffset + 1} consecutive ports on 127.0.0.1 (paysera +0, cryptofuse +1, ` +
      `autopay +2, centrapay +3, the Centrapay OpenID Provider +4).`
  ),
  Options.mapTryCatch(
    (port) => {
      if (!(port >= 1 && port + lastOffset <= 65535)) throw new Error()
      return port
    },
    () => HelpDoc.p(`--port-base must be between 1 and ${65535 - lastOffset}`)
  )
)
