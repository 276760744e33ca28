import { describe, expect, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import { Claims } from "../src/index.js"

const decode = Schema.decodeUnknownEither(Claims.Claims)

describe("Claims", () => {
  it("decodes every documented claim", () => {
    const all = {
      sub: "user-1",
      email: "jo@example.com",
      phone_number: "+6421234567890",
      given_name: "Jo",
      family_name: "Bloggs",
      preferred_username: "jo",
      phone_number_verified: true,
      email_verified: false
    }
    expect(Either.getOrThrow(decode(all))).toEqual(all)
  })

  it("sub plus one of phone_number or email is enough", () => {
    expect(Either.isRight(decode({ sub: "u", phone_number: "+64" }))).toBe(true)
    expect(Either.isRight(decode({ sub: "u", email: "a@b.c" }))).toBe(true)
  })

  it("refuses a token without sub, or with neither phone_number nor email", () => {
    expect(Either.isLeft(decode({ email: "a@b.c" }))).toBe(true)
    expect(Either.isLeft(decode({ sub: "", email: "a@b.c" }))).toBe(true)
    const neither = decode({ sub: "u", given_name: "Jo" })
    expect(Either.isLeft(neither)).toBe(true)
    expect(String(Either.flip(neither).pipe(Either.getOrThrow))).toContain("at least one of email or phone_number")
  })

  it("refuses mistyped claims (a verified flag as a string)", () => {
    expect(Either.isLeft(decode({ sub: "u", email: "a@b.c", email_verified: "true" }))).toBe(true)
  })
})
