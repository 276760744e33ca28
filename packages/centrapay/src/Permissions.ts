/**
 * Centrapay's roles and permissions, as the "Roles and Permissions" section of the Centrapay API
 * reference ("Auth") documents them, as typed data.
 *
 * - Users and API keys hold a {@link Role} for their associated Centrapay account(s); each role
 *   grants some {@link Permission}s.
 * - A grant is either account-scoped (the permission applies only to resources owned by the
 *   associated account) or global (✸ in the docs: resources of any account). The scope belongs to
 *   the (role, permission) pair: `payment-requests:pay` is global for an Account Owner and an Anon
 *   Consumer but account-scoped for a Merchant Terminal.
 * - Some permissions need an account {@link Flag}. When a permission lists flags, at least one of
 *   them must be met (they are alternatives). Flags belong to the permission, whichever role holds
 *   it.
 *
 * Two quirks of the documented table are kept as they are: `quotas:read` is listed twice with
 * identical rows (it is one entry here), and `integration-requests:configure` is listed with no
 * role granting it (it is a known permission name that no role grants).
 *
 * This is what the docs state, useful to explain or anticipate a refusal; Centrapay's servers
 * remain the authority.
 *
 * @example
 * ```ts
 * import { Permissions } from "@auth-pipeline/centrapay"
 *
 * Permissions.grant("MerchantTerminal", "payment-requests:pay")
 * // Option.some({ scope: "Account", flags: ["OrgAccount"] })
 *
 * Permissions.may("AccountOwner", "asset-transfers:create", { trustedUser: true }) // true
 * Permissions.may("AccountOwner", "asset-transfers:create") // false: needs 👤 or 🧀
 * ```
 *
 * @since 0.1.0
 */
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"

/**
 * The documented roles, in the order of the table's columns.
 *
 * @example
 * ```ts
 * import { Permissions } from "@auth-pipeline/centrapay"
 *
 * assert.strictEqual(Permissions.roles.length, 4)
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const roles = ["AccountOwner", "AnonConsumer", "MerchantTerminal", "ExternalAssetProvider"] as const

/**
 * A role a user or API key holds for a Centrapay account. The values are this library's names,
 * not wire values (the docs show only display names, see {@link roleNames}).
 *
 * @example
 * ```ts
 * import { Permissions } from "@auth-pipeline/centrapay"
 *
 * const role: Permissions.Role = "MerchantTerminal"
 * assert.strictEqual(Permissions.roleNames[role], "Merchant Terminal")
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Role = typeof roles[number]

/**
 * Decodes a {@link Role} from untrusted input.
 *
 * @example
 * ```ts
 * import { Permissions } from "@auth-pipeline/centrapay"
 * import { Either, Schema } from "effect"
 *
 * assert.ok(Either.isRight(Schema.decodeUnknownEither(Permissions.Role)("AccountOwner")))
 * assert.ok(Either.isLeft(Schema.decodeUnknownEither(Permissions.Role)("Admin")))
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const Role = Schema.Literal(...roles)

/**
 * The roles' names as the docs display them.
 *
 * @example
 * ```ts
 * import { Permissions } from "@auth-pipeline/centrapay"
 *
 * assert.strictEqual(Permissions.roleNames.AnonConsumer, "Anon Consumer")
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const roleNames: { readonly [R in Role]: string } = {
  AccountOwner: "Account Owner",
  AnonConsumer: "Anon Consumer",
  MerchantTerminal: "Merchant Terminal",
  ExternalAssetProvider: "External Asset Provider"
}

/**
 * The documented account flags, in the order of the docs' legend.
 *
 * @example
 * ```ts
 * import { Permissions } from "@auth-pipeline/centrapay"
 *
 * assert.deepStrictEqual(Permissions.flags, ["TrustedUser", "ExternalAssetIssuer", "OrgAccount"])
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const flags = ["TrustedUser", "ExternalAssetIssuer", "OrgAccount"] as const

/**
 * An account flag a permission may require:
 *
 * - `TrustedUser` (👤): the trusted user flag on the individual account;
 * - `ExternalAssetIssuer` (🧀): an external-asset-issuer subscription on the targeted account;
 * - `OrgAccount` (🗄): the targeted account is of type org.
 *
 * @example
 * ```ts
 * import { Permissions } from "@auth-pipeline/centrapay"
 *
 * const flag: Permissions.Flag = "OrgAccount"
 * const explain = Permissions.flagDescriptions[flag]
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Flag = typeof flags[number]

/**
 * The flags' descriptions, as the docs word them.
 *
 * @example
 * ```ts
 * import { Permissions } from "@auth-pipeline/centrapay"
 *
 * for (const flag of Permissions.flags) assert.ok(Permissions.flagDescriptions[flag].length > 0)
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const flagDescriptions: { readonly [F in Flag]: string } = {
  TrustedUser: "A trusted user flag on the individual account, obtained by verifying a NZ phone number.",
  ExternalAssetIssuer:
    "An external-asset-issuer subscription on the targeted Account, obtained by contacting centrapay.",
  OrgAccount: "The targeted account must be of type org."
}

/**
 * Where a granted permission applies: `"Global"` (✸) to resources of any account, `"Account"` only
 * to resources owned by the account the role is held for.
 *
 * @example
 * ```ts
 * import { Permissions } from "@auth-pipeline/centrapay"
 * import { Option } from "effect"
 *
 * const scope: Option.Option<Permissions.Scope> = Option.map(
 *   Permissions.grant("AnonConsumer", "payment-requests:pay"),
 *   (grant) => grant.scope
 * )
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Scope = "Global" | "Account"

/**
 * One row of the table: the flags the permission requires (at least one must be met; empty when
 * none is needed) and the roles that grant it, each with its scope. A role absent from `roles`
 * does not grant the permission.
 *
 * @example
 * ```ts
 * import { Permissions } from "@auth-pipeline/centrapay"
 *
 * const entry: Permissions.Entry = Permissions.table["merchants:create"]
 * assert.deepStrictEqual(entry.flags, ["OrgAccount"])
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Entry {
  /** The flags of which at least one must be met; empty when the permission needs none. */
  readonly flags: ReadonlyArray<Flag>
  /** The roles that grant the permission, each with its scope (`Global` ✸ or `Account`). */
  readonly roles: { readonly [R in Role]?: Scope }
}

const none = [] as const
const org = ["OrgAccount"] as const
const trusted = ["TrustedUser"] as const
const trustedOrIssuer = ["TrustedUser", "ExternalAssetIssuer"] as const

const owner = { AccountOwner: "Account" } as const
const ownerAndProvider = { AccountOwner: "Account", ExternalAssetProvider: "Account" } as const

const rows = {
  "accounts:create": { flags: none, roles: owner },
  "accounts:read": { flags: none, roles: ownerAndProvider },
  "accounts:update": { flags: none, roles: owner },
  "business:create": { flags: none, roles: owner },
  "business:read": { flags: none, roles: owner },
  // listed twice in the docs, with identical rows
  "quotas:read": { flags: none, roles: owner },
  "api-keys:create": { flags: none, roles: owner },
  "api-keys:update": { flags: none, roles: owner },
  "api-keys:list": { flags: none, roles: owner },
  "merchants:create": { flags: org, roles: owner },
  "merchants:read": { flags: org, roles: owner },
  "merchants:update": { flags: org, roles: owner },
  "merchants:list": { flags: org, roles: owner },
  "payment-requests:create": { flags: org, roles: { MerchantTerminal: "Account" } },
  "payment-requests:read": {
    flags: none,
    roles: { AccountOwner: "Global", AnonConsumer: "Global", MerchantTerminal: "Global" }
  },
  "payment-requests:pay": {
    flags: org,
    roles: { AccountOwner: "Global", AnonConsumer: "Global", MerchantTerminal: "Account" }
  },
  "payment-requests:cancel": { flags: org, roles: { MerchantTerminal: "Account" } },
  "payment-requests:refund": { flags: org, roles: { MerchantTerminal: "Account" } },
  "payment-requests:void": { flags: org, roles: { MerchantTerminal: "Account" } },
  "payment-activities:read": { flags: none, roles: owner },
  "assets:read": { flags: none, roles: ownerAndProvider },
  "assets:spend": { flags: trusted, roles: owner },
  "wallets:transfer": { flags: trusted, roles: owner },
  "wallets:withdraw": { flags: none, roles: owner },
  "wallets:deposit": { flags: none, roles: owner },
  "wallets:create": { flags: none, roles: owner },
  "wallets:read": { flags: none, roles: owner },
  "asset-transfers:create": { flags: trustedOrIssuer, roles: ownerAndProvider },
  "asset-transfers:read": { flags: none, roles: ownerAndProvider },
  "asset-transfers:claim": { flags: none, roles: ownerAndProvider },
  "bank-accounts:create": { flags: none, roles: owner },
  "bank-accounts:read": { flags: none, roles: owner },
  "bank-account-approvals:create": { flags: none, roles: owner },
  "media-uploads:create": { flags: none, roles: owner },
  "patron-codes:create": { flags: none, roles: owner },
  "patron-codes:read": { flags: none, roles: { AccountOwner: "Account", MerchantTerminal: "Account" } },
  "integration-requests:read": { flags: org, roles: owner },
  "integration-requests:create": { flags: org, roles: owner },
  // listed in the docs with no role granting it
  "integration-requests:configure": { flags: none, roles: {} },
  "external-assets:create": { flags: trustedOrIssuer, roles: ownerAndProvider },
  "external-assets:update": { flags: none, roles: ownerAndProvider },
  "topups:create": { flags: trusted, roles: owner },
  "topups:read": { flags: none, roles: owner },
  "invitations:read": { flags: none, roles: { AccountOwner: "Global" } }
} as const satisfies Record<string, Entry>

/**
 * A documented permission name, such as `"payment-requests:pay"`. A misspelt name does not compile.
 *
 * @example
 * ```ts
 * import type { Permissions } from "@auth-pipeline/centrapay"
 *
 * const needed: ReadonlyArray<Permissions.Permission> = ["payment-requests:create", "payment-requests:pay"]
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Permission = keyof typeof rows

/**
 * The documented table, one {@link Entry} per permission, in the docs' order.
 *
 * `quotas:read`, listed twice with identical rows, is one entry (in the place of its first
 * listing); `integration-requests:configure` is listed with no role, so its `roles` is empty.
 *
 * @example
 * ```ts
 * import { Permissions } from "@auth-pipeline/centrapay"
 *
 * assert.strictEqual(Permissions.table["payment-requests:pay"].roles.AnonConsumer, "Global")
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const table: { readonly [P in Permission]: Entry } = rows

/**
 * Every documented permission, in the docs' order, each once (44 names; the docs list 45 rows
 * because `quotas:read` appears twice).
 *
 * @example
 * ```ts
 * import { Permissions } from "@auth-pipeline/centrapay"
 *
 * assert.strictEqual(Permissions.permissions.length, 44)
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const permissions: ReadonlyArray<Permission> = Object.keys(rows) as Array<Permission>

/**
 * Decodes a {@link Permission} from untrusted input, e.g. `Schema.decodeUnknown(Permission)(name)`.
 *
 * @example
 * ```ts
 * import { Permissions } from "@auth-pipeline/centrapay"
 * import { Either, Schema } from "effect"
 *
 * assert.ok(Either.isRight(Schema.decodeUnknownEither(Permissions.Permission)("accounts:create")))
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const Permission = Schema.Literal(...permissions)

/**
 * Whether a value is a documented permission name.
 *
 * @example
 * ```ts
 * import { Permissions } from "@auth-pipeline/centrapay"
 *
 * assert.ok(Permissions.isPermission("payment-requests:pay"))
 * assert.ok(!Permissions.isPermission("payment-requests:steal"))
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isPermission = (u: unknown): u is Permission => typeof u === "string" && Object.hasOwn(rows, u)

/**
 * Whether a value is one of the documented roles.
 *
 * @example
 * ```ts
 * import { Permissions } from "@auth-pipeline/centrapay"
 *
 * assert.ok(Permissions.isRole("AccountOwner"))
 * assert.ok(!Permissions.isRole("Account Owner")) // the display name is not the value
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isRole = (u: unknown): u is Role => typeof u === "string" && Object.hasOwn(roleNames, u)

/**
 * What a role holds of a permission: where it applies, and the flags of which at least one must be
 * met (empty: none is needed).
 *
 * @example
 * ```ts
 * import { Permissions } from "@auth-pipeline/centrapay"
 * import { Option } from "effect"
 *
 * const grant: Option.Option<Permissions.Grant> = Permissions.grant("AccountOwner", "merchants:create")
 * assert.ok(Option.isSome(grant) && grant.value.flags.includes("OrgAccount"))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Grant {
  /** `Global` (✸: resources of any account) or `Account` (only the account the role is held for). */
  readonly scope: Scope
  /** The flags of which at least one must be met; empty when none is needed. */
  readonly flags: ReadonlyArray<Flag>
}

const entryOf = (permission: Permission): Entry | undefined => isPermission(permission) ? table[permission] : undefined

/**
 * The grant of `permission` to `role`, or `None` when the role does not hold it.
 *
 * @example
 * ```ts
 * import { Permissions } from "@auth-pipeline/centrapay"
 *
 * Permissions.grant("AnonConsumer", "payment-requests:pay")
 * // Option.some({ scope: "Global", flags: ["OrgAccount"] })
 * Permissions.grant("AnonConsumer", "accounts:create") // Option.none()
 * ```
 *
 * @since 0.1.0
 * @category queries
 */
export const grant = (role: Role, permission: Permission): Option.Option<Grant> => {
  const entry = entryOf(permission)
  const scope = entry?.roles[role]
  return entry === undefined || scope === undefined ? Option.none() : Option.some({ scope, flags: entry.flags })
}

/**
 * The permissions `role` holds, in the docs' order.
 *
 * @example
 * ```ts
 * import { Permissions } from "@auth-pipeline/centrapay"
 *
 * assert.ok(Permissions.permissionsOf("MerchantTerminal").includes("payment-requests:create"))
 * ```
 *
 * @since 0.1.0
 * @category queries
 */
export const permissionsOf = (role: Role): ReadonlyArray<Permission> =>
  permissions.filter((permission) => table[permission].roles[role] !== undefined)

/**
 * The roles that hold `permission`, in the docs' order (none for `integration-requests:configure`).
 *
 * @example
 * ```ts
 * import { Permissions } from "@auth-pipeline/centrapay"
 *
 * assert.deepStrictEqual(Permissions.rolesWith("integration-requests:configure"), [])
 * ```
 *
 * @since 0.1.0
 * @category queries
 */
export const rolesWith = (permission: Permission): ReadonlyArray<Role> =>
  roles.filter((role) => entryOf(permission)?.roles[role] !== undefined)

/**
 * What is known about a request, for {@link may}. Every field defaults to `false`: a flag not said
 * to be met is not met, and the resource is taken to belong to the account the role is held for.
 *
 * @example
 * ```ts
 * import { Permissions } from "@auth-pipeline/centrapay"
 *
 * const facts: Permissions.Facts = { orgAccount: true, otherAccount: true }
 * assert.ok(Permissions.may("AnonConsumer", "payment-requests:pay", facts))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Facts {
  /** 👤 The individual account has the trusted user flag (a verified NZ phone number). */
  readonly trustedUser?: boolean | undefined
  /** 🧀 The targeted account has an external-asset-issuer subscription. */
  readonly externalAssetIssuer?: boolean | undefined
  /** 🗄 The targeted account is of type org. */
  readonly orgAccount?: boolean | undefined
  /**
   * The resource belongs to an account other than the one the role is held for, so only a
   * global (✸) grant covers it.
   */
  readonly otherAccount?: boolean | undefined
}

const factOf: { readonly [F in Flag]: keyof Facts } = {
  TrustedUser: "trustedUser",
  ExternalAssetIssuer: "externalAssetIssuer",
  OrgAccount: "orgAccount"
}

/**
 * Whether the docs allow `role` to use `permission` given the {@link Facts}: the role holds it,
 * its scope covers the resource (a resource of another account needs a global grant), and when the
 * permission lists flags, at least one of them is met.
 *
 * @example
 * ```ts
 * import { Permissions } from "@auth-pipeline/centrapay"
 *
 * // flags are alternatives: either 👤 or 🧀 suffices
 * Permissions.may("ExternalAssetProvider", "asset-transfers:create", { externalAssetIssuer: true }) // true
 * // 🗄: merchants are created on org accounts
 * Permissions.may("AccountOwner", "merchants:create") // false
 * Permissions.may("AccountOwner", "merchants:create", { orgAccount: true }) // true
 * // ✸: an Anon Consumer pays another account's payment request, a Merchant Terminal cannot
 * Permissions.may("AnonConsumer", "payment-requests:pay", { orgAccount: true, otherAccount: true }) // true
 * Permissions.may("MerchantTerminal", "payment-requests:pay", { orgAccount: true, otherAccount: true }) // false
 * ```
 *
 * @since 0.1.0
 * @category queries
 */
export const may = (role: Role, permission: Permission, facts: Facts = {}): boolean =>
  Option.match(grant(role, permission), {
    onNone: () => false,
    onSome: ({ flags, scope }) =>
      (scope === "Global" || facts.otherAccount !== true) &&
      (flags.length === 0 || flags.some((flag) => facts[factOf[flag]] === true))
  })
