import * as ParseResult from "effect/ParseResult"

/**
 * The paths a decoding failed at, never the values there (they may be secrets): `whole` names a
 * failure of the input as a whole.
 */
export const invalidPaths = (error: ParseResult.ParseError, whole: string): string => {
  const paths = ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) =>
    issue.path.length === 0 ? whole : issue.path.map(String).join(".")
  )
  return [...new Set(paths)].join(", ")
}
