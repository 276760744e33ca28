import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Option, Schema } from "effect"
import { Permissions } from "../src/index.js"

/**
 * The "Permissions" table of the Centrapay "Auth" reference (section "Roles and Permissions"),
 * copied verbatim from the markdown source, and the legend of its account flags. The tests parse
 * these and hold the module to every cell.
 */
const _permissionsMarkdown = String.raw`
| Permission                                   | Account Owner   | Anon Consumer | Merchant Terminal     | External Asset Provider |
| :------------------------------------------- | :------------:  | :-----------: | :------------------:  | :---------------------: |
| {% break : accounts:create         %}        | &nbsp;&nbsp; ✅ |               |                       |                         |
| {% break : accounts:read           %}        | &nbsp;&nbsp; ✅ |               |                       | ✅                      |
| {% break : accounts:update         %}        | &nbsp;&nbsp; ✅ |               |                       |                         |
| {% break : business:create         %}        | &nbsp;&nbsp; ✅ |               |                       |                         |
| {% break : business:read         %}          | &nbsp;&nbsp; ✅ |               |                       |                         |
| {% break : quotas:read             %}        | &nbsp;&nbsp; ✅ |               |                       |                         |
| {% break : api-keys:create         %}        | &nbsp;&nbsp; ✅ |               |                       |                         |
| {% break : api-keys:update         %}        | &nbsp;&nbsp; ✅ |               |                       |                         |
| {% break : api-keys:list           %}        | &nbsp;&nbsp; ✅ |               |                       |                         |
| {% break : merchants:create 🗄     %}        | &nbsp;&nbsp; ✅ |               |                       |                         |
| {% break : merchants:read 🗄   %}            | &nbsp;&nbsp; ✅ |               |                       |                         |
| {% break : merchants:update 🗄   %}          | &nbsp;&nbsp; ✅ |               |                       |                         |
| {% break : merchants:list 🗄   %}            | &nbsp;&nbsp; ✅ |               |                       |                         |
| {% break : payment-requests:create 🗄 %}     |                 |               | &nbsp;&nbsp;&nbsp; ✅ |                         |
| {% break : payment-requests:read   %}        | ✸ ✅            | ✸ ✅          | ✸ ✅                  |                         |
| {% break : payment-requests:pay 🗄 %}        | ✸ ✅            | ✸ ✅          | &nbsp;&nbsp;&nbsp; ✅ |                         |
| {% break : payment-requests:cancel 🗄 %}     |                 |               | &nbsp;&nbsp;&nbsp; ✅ |                         |
| {% break : payment-requests:refund 🗄 %}     |                 |               | &nbsp;&nbsp;&nbsp; ✅ |                         |
| {% break : payment-requests:void 🗄 %}       |                 |               | &nbsp;&nbsp;&nbsp; ✅ |                         |
| {% break : payment-activities:read %}        | &nbsp;&nbsp; ✅ |               |                       |                         |
| {% break : assets:read             %}        | &nbsp;&nbsp; ✅ |               |                       | ✅                      |
| {% break : assets:spend 👤         %}        | &nbsp;&nbsp; ✅ |               |                       |                         |
| {% break : wallets:transfer 👤     %}        | &nbsp;&nbsp; ✅ |               |                       |                         |
| {% break : wallets:withdraw        %}        | &nbsp;&nbsp; ✅ |               |                       |                         |
| {% break : wallets:deposit         %}        | &nbsp;&nbsp; ✅ |               |                       |                         |
| {% break : wallets:create          %}        | &nbsp;&nbsp; ✅ |               |                       |                         |
| {% break : wallets:read            %}        | &nbsp;&nbsp; ✅ |               |                       |                         |
| {% break : asset-transfers:create 👤 🧀 %}   | &nbsp;&nbsp; ✅ |               |                       | ✅                      |
| {% break : asset-transfers:read    %}        | &nbsp;&nbsp; ✅ |               |                       | ✅                      |
| {% break : asset-transfers:claim   %}        | &nbsp;&nbsp; ✅ |               |                       | ✅                      |
| {% break : bank-accounts:create    %}        | &nbsp;&nbsp; ✅ |               |                       |                         |
| {% break : bank-accounts:read      %}        | &nbsp;&nbsp; ✅ |               |                       |                         |
| {% break : bank-account-approvals:create%}   | &nbsp;&nbsp; ✅ |               |                       |                         |
| {% break : media-uploads:create   %}         | &nbsp;&nbsp; ✅ |               |                       |                         |
| {% break : quotas:read             %}        | &nbsp;&nbsp; ✅ |               |                       |                         |
| {% break : patron-codes:create %}            | &nbsp;&nbsp; ✅ |               |                       |                         |
| {% break : patron-codes:read %}              | &nbsp;&nbsp; ✅ |               | &nbsp;&nbsp;&nbsp; ✅ |                         |
| {% break : integration-requests:read 🗄 %}   | &nbsp;&nbsp; ✅ |               |                       |                         |
| {% break : integration-requests:create 🗄 %} | &nbsp;&nbsp; ✅ |               |                       |                         |
| {% break : integration-requests:configure %} |                 |               |                       |                         |
| {% break : external-assets:create 👤 🧀 %}   | &nbsp;&nbsp; ✅ |               |                       | ✅                      |
| {% break : external-assets:update %}         | &nbsp;&nbsp; ✅ |               |                       | ✅                      |
| {% break : topups:create 👤 %}               | &nbsp;&nbsp; ✅ |               |                       |                         |
| {% break : topups:read %}                    | &nbsp;&nbsp; ✅ |               |                       |                         |
| {% break : invitations:read %}               | ✸ ✅            |               |                      |                         |
`

const _legendMarkdown = String.raw`
| Symbol  | Description                                                                                      |
| :-----: | :----------------------------------------------------------------------------------------------- |
| 👤      | A trusted user flag on the individual account, obtained by verifying a NZ phone number.          |
| 🧀      | An external-asset-issuer subscription on the targeted Account, obtained by contacting centrapay. |
| 🗄      | The targeted account must be of type org.                                                        |
`

const _roleByColumn: Record<string, Permissions.Role> = {
  "Account Owner": "AccountOwner",
  "Anon Consumer": "AnonConsumer",
  "Merchant Terminal": "MerchantTerminal",
  "External Asset Provider": "ExternalAssetProvider"
}

const _flagBySymbol: Record<string, Permissions.Flag> = {
  "👤": "TrustedUser",
  "🧀": "ExternalAssetIssuer",
  "🗄": "OrgAccount"
}

interface _Row {
  readonly line: number
  readonly name: string
  readonly flags: ReadonlyArray<Permissions.Flag>
  readonly cells: ReadonlyArray<readonly [Permissions.Role, Permissions.Scope | undefined]>
}

const _cells = (line: string): Array<string> => line.split("|").slice(1, -1).map((cell) => cell.trim())

const _at = <A>(as: ReadonlyArray<A>, i: number): A => {
  const a = as[i]
  if (a === undefined) throw new Error(`no element ${i}`)
  return a
}

/** A role cell: empty, "✅" (account-scoped) or "✸ ✅" (global), padded with `&nbsp;`. */
const _scope = (cell: string): Permissions.Scope | undefined => {
  const marks = cell.replaceAll("&nbsp;", "").replace(/\s+/g, " ").trim()
  switch (marks) {
    case "":
      return undefined
    case "✅":
      return "Account"
    case "✸ ✅":
      return "Global"
    default:
      throw new Error(`unexpected cell ${JSON.stringify(cell)}`)
  }
}

const _parseTable = (markdown: string) => {
  const [header, separator, ...body] = markdown.trim().split("\n")
  if (header === undefined || separator === undefined) throw new Error("no table")
  const columns = _cells(header).slice(1)
  const rows = body.map((line, i): _Row => {
    const [first = "", ...rest] = _cells(line)
    const match = /^\{% break : (.*?)\s*%\}$/.exec(first)
    if (match === null) throw new Error(`unexpected permission cell ${JSON.stringify(first)}`)
    const [name = "", ...symbols] = _at(match, 1).split(/\s+/)
    const flags = symbols.map((symbol) => {
      const flag = _flagBySymbol[symbol]
      if (flag === undefined) throw new Error(`unexpected flag ${JSON.stringify(symbol)}`)
      return flag
    })
    if (rest.length !== columns.length) throw new Error(`row ${i + 1} has ${rest.length} role cells`)
    const cells = rest.map((cell, j) => {
      const role = _roleByColumn[_at(columns, j)]
      if (role === undefined) throw new Error(`unexpected column ${_at(columns, j)}`)
      return [role, _scope(cell)] as const
    })
    return { line: i + 1, name, flags, cells }
  })
  return { columns, rows }
}

const _docs = _parseTable(_permissionsMarkdown)

const _legend = _legendMarkdown.trim().split("\n").slice(2).map((line) => {
  const [symbol = "", description = ""] = _cells(line)
  return [_flagBySymbol[symbol], description] as const
})

/** The documented rows by name (the two `quotas:read` rows are checked to be equal first). */
const _byName = new Map(_docs.rows.map((row) => [row.name, row]))

const _expectedGrant = (row: _Row, role: Permissions.Role): Option.Option<Permissions.Grant> => {
  const scope = row.cells.find(([r]) => r === role)?.[1]
  return scope === undefined ? Option.none() : Option.some({ scope, flags: row.flags })
}

const _asPermission = (name: string): Permissions.Permission => {
  if (!Permissions.isPermission(name)) throw new Error(`${name} is not a Permission`)
  return name
}

describe("Permissions", () => {
  describe("the documented table", () => {
    it("is read as 45 rows under the 4 documented role columns", () => {
      expect(_docs.rows).toHaveLength(45)
      expect(_docs.columns).toEqual(Permissions.roles.map((role) => Permissions.roleNames[role]))
      expect(Permissions.roles).toEqual(["AccountOwner", "AnonConsumer", "MerchantTerminal", "ExternalAssetProvider"])
    })

    it("lists quotas:read twice with identical rows; the module has it once", () => {
      const quotas = _docs.rows.filter((row) => row.name === "quotas:read")
      expect(quotas).toHaveLength(2)
      const [first, second] = quotas
      expect({ ...first, line: 0 }).toEqual({ ...second, line: 0 })
      expect(Permissions.permissions.filter((p) => p === "quotas:read")).toHaveLength(1)
    })

    it("has exactly the documented permission names, in the docs' order, each once", () => {
      const names = [...new Set(_docs.rows.map((row) => row.name))]
      expect(names).toHaveLength(44)
      expect(Permissions.permissions).toEqual(names)
      expect(Object.keys(Permissions.table)).toEqual(names)
    })

    for (const row of _docs.rows) {
      it(`row ${row.line}: ${row.name} has the documented flags and grants for every role`, () => {
        const permission = _asPermission(row.name)
        expect(Permissions.table[permission].flags).toEqual(row.flags)
        for (const role of Permissions.roles) {
          expect([role, Permissions.grant(role, permission)]).toEqual([role, _expectedGrant(row, role)])
        }
        expect(Permissions.rolesWith(permission)).toEqual(
          row.cells.filter(([, scope]) => scope !== undefined).map(([role]) => role)
        )
      })
    }

    it("gives each role the permissions of its column", () => {
      for (const role of Permissions.roles) {
        const column = [..._byName.values()]
          .filter((row) => Option.isSome(_expectedGrant(row, role)))
          .map((row) => row.name)
        expect([role, Permissions.permissionsOf(role)]).toEqual([role, column])
      }
      expect(Permissions.permissionsOf("AnonConsumer")).toEqual(["payment-requests:read", "payment-requests:pay"])
    })

    it("scopes a grant per role: payment-requests:pay is global for owners and consumers, not terminals", () => {
      expect(Permissions.grant("AccountOwner", "payment-requests:pay")).toEqual(
        Option.some({ scope: "Global", flags: ["OrgAccount"] })
      )
      expect(Permissions.grant("AnonConsumer", "payment-requests:pay")).toEqual(
        Option.some({ scope: "Global", flags: ["OrgAccount"] })
      )
      expect(Permissions.grant("MerchantTerminal", "payment-requests:pay")).toEqual(
        Option.some({ scope: "Account", flags: ["OrgAccount"] })
      )
      expect(Permissions.grant("ExternalAssetProvider", "payment-requests:pay")).toEqual(Option.none())
    })

    it("keeps integration-requests:configure as a known permission no role grants", () => {
      expect(Permissions.isPermission("integration-requests:configure")).toBe(true)
      expect(Permissions.table["integration-requests:configure"]).toEqual({ flags: [], roles: {} })
      expect(Permissions.rolesWith("integration-requests:configure")).toEqual([])
      for (const role of Permissions.roles) {
        expect(Permissions.grant(role, "integration-requests:configure")).toEqual(Option.none())
        expect(
          Permissions.may(role, "integration-requests:configure", {
            trustedUser: true,
            externalAssetIssuer: true,
            orgAccount: true
          })
        ).toBe(false)
      }
    })

    it("describes the flags as the legend does", () => {
      expect(_legend.map(([flag]) => flag)).toEqual(Permissions.flags)
      for (const [flag, description] of _legend) {
        expect(flag !== undefined && Permissions.flagDescriptions[flag]).toBe(description)
      }
    })
  })

  describe("names from untrusted input", () => {
    it("recognises documented permission and role names only", () => {
      for (const name of Permissions.permissions) expect(Permissions.isPermission(name)).toBe(true)
      for (
        const u of [
          "acounts:create",
          "ACCOUNTS:CREATE",
          " accounts:create",
          "accounts",
          "",
          "toString",
          "__proto__",
          "hasOwnProperty",
          42,
          null,
          undefined,
          {}
        ]
      ) {
        expect([u, Permissions.isPermission(u)]).toEqual([u, false])
      }
      for (const role of Permissions.roles) expect(Permissions.isRole(role)).toBe(true)
      for (const u of ["Account Owner", "accountOwner", "toString", "", 1, undefined]) {
        expect([u, Permissions.isRole(u)]).toEqual([u, false])
      }
    })

    it.effect("decodes a documented permission with the schema and rejects an unknown one", () =>
      Effect.gen(function*() {
        const decode = Schema.decodeUnknown(Permissions.Permission)
        expect(yield* decode("asset-transfers:claim")).toBe("asset-transfers:claim")
        expect(yield* decode("integration-requests:configure")).toBe("integration-requests:configure")
        expect(Either.isLeft(yield* Effect.either(decode("asset-transfers:steal")))).toBe(true)
        expect(Either.isLeft(yield* Effect.either(decode(7)))).toBe(true)
        expect(yield* Schema.decodeUnknown(Permissions.Role)("MerchantTerminal")).toBe("MerchantTerminal")
        expect(Either.isLeft(yield* Effect.either(Schema.decodeUnknown(Permissions.Role)("Merchant Terminal")))).toBe(
          true
        )
      }))

    it("rejects unknown names at compile time", () => {
      // @ts-expect-error a misspelt permission does not compile
      expect(Permissions.may("AccountOwner", "acounts:create")).toBe(false)
      // @ts-expect-error a misspelt permission does not compile
      expect(Permissions.grant("AccountOwner", "payment-requests:steal")).toEqual(Option.none())
      // @ts-expect-error an unknown role does not compile
      expect(Permissions.grant("Owner", "accounts:create")).toEqual(Option.none())
      // @ts-expect-error an unknown flag does not compile
      const flag: Permissions.Flag = "Trusted"
      expect(flag).toBe("Trusted")
      // @ts-expect-error the facts have no such field
      expect(Permissions.may("AccountOwner", "assets:spend", { trusted: true })).toBe(false)

      const name: string = "wallets:read"
      if (Permissions.isPermission(name)) expect(Permissions.may("AccountOwner", name)).toBe(true)
      else expect.unreachable()
      const permission: Permissions.Permission = "external-assets:update"
      expect(Permissions.rolesWith(permission)).toEqual(["AccountOwner", "ExternalAssetProvider"])
    })
  })

  describe("may", () => {
    it("allows asset-transfers:create with a trusted user OR an external-asset-issuer subscription", () => {
      for (const role of ["AccountOwner", "ExternalAssetProvider"] as const) {
        expect(Permissions.may(role, "asset-transfers:create")).toBe(false)
        expect(Permissions.may(role, "asset-transfers:create", { orgAccount: true })).toBe(false)
        expect(Permissions.may(role, "asset-transfers:create", { trustedUser: true })).toBe(true)
        expect(Permissions.may(role, "asset-transfers:create", { externalAssetIssuer: true })).toBe(true)
        expect(Permissions.may(role, "asset-transfers:create", { trustedUser: true, externalAssetIssuer: true })).toBe(
          true
        )
        expect(Permissions.may(role, "asset-transfers:create", { trustedUser: false, externalAssetIssuer: true })).toBe(
          true
        )
      }
      expect(Permissions.may("AnonConsumer", "asset-transfers:create", { trustedUser: true })).toBe(false)
      expect(Permissions.may("MerchantTerminal", "asset-transfers:create", { externalAssetIssuer: true })).toBe(false)
    })

    it("allows merchants:create only on an org account", () => {
      expect(Permissions.may("AccountOwner", "merchants:create")).toBe(false)
      expect(Permissions.may("AccountOwner", "merchants:create", { trustedUser: true, externalAssetIssuer: true }))
        .toBe(
          false
        )
      expect(Permissions.may("AccountOwner", "merchants:create", { orgAccount: false })).toBe(false)
      expect(Permissions.may("AccountOwner", "merchants:create", { orgAccount: true })).toBe(true)
      expect(Permissions.may("MerchantTerminal", "merchants:create", { orgAccount: true })).toBe(false)
    })

    it("needs a trusted user for assets:spend, wallets:transfer and topups:create", () => {
      for (const permission of ["assets:spend", "wallets:transfer", "topups:create"] as const) {
        expect(Permissions.may("AccountOwner", permission)).toBe(false)
        expect(Permissions.may("AccountOwner", permission, { externalAssetIssuer: true, orgAccount: true })).toBe(false)
        expect(Permissions.may("AccountOwner", permission, { trustedUser: true })).toBe(true)
      }
    })

    it("needs no flag for an unflagged permission", () => {
      expect(Permissions.may("AccountOwner", "accounts:create")).toBe(true)
      expect(Permissions.may("ExternalAssetProvider", "accounts:read")).toBe(true)
      expect(Permissions.may("AnonConsumer", "accounts:read")).toBe(false)
    })

    it("covers another account's resource only with a global (✸) grant", () => {
      const elsewhere = { orgAccount: true, otherAccount: true }
      expect(Permissions.may("AccountOwner", "payment-requests:pay", elsewhere)).toBe(true)
      expect(Permissions.may("AnonConsumer", "payment-requests:pay", elsewhere)).toBe(true)
      expect(Permissions.may("MerchantTerminal", "payment-requests:pay", elsewhere)).toBe(false)
      expect(Permissions.may("MerchantTerminal", "payment-requests:pay", { orgAccount: true })).toBe(true)
      expect(Permissions.may("AnonConsumer", "payment-requests:pay", { otherAccount: true })).toBe(false)
      expect(Permissions.may("MerchantTerminal", "payment-requests:read", { otherAccount: true })).toBe(true)
      expect(Permissions.may("AccountOwner", "invitations:read", { otherAccount: true })).toBe(true)
      expect(Permissions.may("AccountOwner", "accounts:read", { otherAccount: true })).toBe(false)
      expect(Permissions.may("ExternalAssetProvider", "assets:read", { otherAccount: true })).toBe(false)
    })

    it("agrees with the documented rule for every row, role and combination of facts", () => {
      const bools = [false, true] as const
      let checked = 0
      for (const row of _byName.values()) {
        const permission = _asPermission(row.name)
        for (const [role, scope] of row.cells) {
          for (const trustedUser of bools) {
            for (const externalAssetIssuer of bools) {
              for (const orgAccount of bools) {
                for (const otherAccount of bools) {
                  const met = {
                    TrustedUser: trustedUser,
                    ExternalAssetIssuer: externalAssetIssuer,
                    OrgAccount: orgAccount
                  }
                  const expected = scope !== undefined &&
                    (scope === "Global" || !otherAccount) &&
                    (row.flags.length === 0 || row.flags.some((flag) => met[flag]))
                  const facts = { trustedUser, externalAssetIssuer, orgAccount, otherAccount }
                  expect([row.name, role, facts, Permissions.may(role, permission, facts)]).toEqual([
                    row.name,
                    role,
                    facts,
                    expected
                  ])
                  checked++
                }
              }
            }
          }
        }
      }
      expect(checked).toBe(44 * 4 * 16)
    })
  })
})
