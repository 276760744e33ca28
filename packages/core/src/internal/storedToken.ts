import * as Either from "effect/Either"
import type * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { AccessToken } from "../AccessToken.js"

/** The JSON form of a token: every {@link AccessToken} field, secrets as plain strings. */
const StoredTokenFields = Schema.Struct({
  accessToken: Schema.Redacted(Schema.String),
  tokenType: Schema.String,
  scopes: Schema.Array(Schema.String),
  issuedAt: Schema.Finite,
  expiresAt: Schema.OptionFromNullOr(Schema.Finite),
  refreshToken: Schema.OptionFromNullOr(Schema.Redacted(Schema.String)),
  idToken: Schema.OptionFromNullOr(Schema.Redacted(Schema.String)),
  extra: Schema.Record({ key: Schema.String, value: Schema.Unknown })
})

export const StoredToken = Schema.transform(StoredTokenFields, Schema.instanceOf(AccessToken), {
  strict: true,
  decode: (stored) =>
    new AccessToken({
      value: stored.accessToken,
      tokenType: stored.tokenType,
      scopes: stored.scopes,
      issuedAt: stored.issuedAt,
      expiresAt: stored.expiresAt,
      refreshToken: stored.refreshToken,
      idToken: stored.idToken,
      extra: stored.extra
    }),
  encode: (token) => ({
    accessToken: token.value,
    tokenType: token.tokenType,
    scopes: token.scopes,
    issuedAt: token.issuedAt,
    expiresAt: token.expiresAt,
    refreshToken: token.refreshToken,
    idToken: token.idToken,
    extra: token.extra
  })
})

export const currentVersion = 1 as const

export const Document = Schema.Struct({
  version: Schema.Literal(currentVersion),
  token: Schema.OptionFromNullOr(StoredToken)
})

const decodeDocument = Schema.decodeUnknownEither(Document)
const encodeDocument = Schema.encodeEither(Document)

const safeKey = /^[A-Za-z0-9_$-]{1,64}$/

/**
 * Where a document failed its schema, as `token.expiresAt`-style paths. Only the paths: a parse
 * error's message quotes the offending values, and those may be secrets.
 */
const failedPaths = (error: ParseResult.ParseError): string => {
  const paths = new Set<string>()
  for (const issue of ParseResult.ArrayFormatter.formatErrorSync(error)) {
    const path = issue.path
      .map((key) =>
        typeof key === "number" ? `[${key}]` : typeof key === "string" && safeKey.test(key) ? `.${key}` : ".<key>"
      )
      .join("")
      .replace(/^\./, "")
    paths.add(path === "" ? "<root>" : path)
  }
  // A union reports its member too (`token` as well as `token.issuedAt`): keep the deepest paths.
  const list = Array.from(paths).filter((path) =>
    !Array.from(paths).some((other) => other.startsWith(`${path}.`) || other.startsWith(`${path}[`))
  )
  return list.length > 5 ? `${list.slice(0, 5).join(", ")} and ${list.length - 5} more` : list.join(", ")
}

/**
 * Parses a stored document. The `Left` is a reason that never quotes the text: it holds secrets.
 */
export const parse = (text: string): Either.Either<Option.Option<AccessToken>, string> => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    // JSON.parse's message quotes the text around the error: not used.
    return Either.left("is not valid JSON")
  }
  if (typeof json === "object" && json !== null && "version" in json && json.version !== currentVersion) {
    return Either.left(
      typeof json.version === "number" && Number.isSafeInteger(json.version)
        ? `has format version ${json.version}, this version reads ${currentVersion}`
        : "has no valid format version"
    )
  }
  return Either.mapBoth(decodeDocument(json, { errors: "all" }), {
    onLeft: (error) => `does not match the stored token schema (at ${failedPaths(error)})`,
    onRight: (document) => document.token
  })
}

/**
 * Serializes a document. The `Left` is a reason that never quotes the token.
 */
export const serialize = (token: Option.Option<AccessToken>): Either.Either<string, string> =>
  Either.flatMap(
    Either.mapLeft(
      encodeDocument({ version: currentVersion, token }, { errors: "all" }),
      (error) => `the token cannot be stored (at ${failedPaths(error)})`
    ),
    (document) => {
      try {
        return Either.right(JSON.stringify(document, null, 2) + "\n")
      } catch {
        // e.g. a BigInt or a cycle in `extra`
        return Either.left("the token cannot be stored: `extra` is not JSON")
      }
    }
  )
