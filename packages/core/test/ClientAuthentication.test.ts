import { describe, expect, it } from "@effect/vitest"
import { Redacted } from "effect"
import * as ClientAuthentication from "../src/ClientAuthentication.js"

const decodeBasic = (header: string): [string, string] => {
  const raw = Buffer.from(header.replace(/^Basic /, ""), "base64").toString("utf8")
  const i = raw.indexOf(":")
  const form = (s: string) => new URLSearchParams(`x=${s}`).get("x")!
  return [form(raw.slice(0, i)), form(raw.slice(i + 1))]
}

describe("ClientAuthentication", () => {
  it("form-url-encodes the reserved characters, space and non-ASCII (RFC 6749 Appendix B)", () => {
    expect(ClientAuthentication.formUrlEncode(": + / = % & !")).toBe("%3A+%2B+%2F+%3D+%25+%26+%21")
    expect(ClientAuthentication.formUrlEncode("é ü")).toBe("%C3%A9+%C3%BC")
    expect(ClientAuthentication.formUrlEncode("abc-._*XYZ09")).toBe("abc-._*XYZ09")
  })

  it("encodes id and secret before base64 in client_secret_basic", () => {
    const header = Redacted.value(
      ClientAuthentication.basicAuthorization("my client:1", Redacted.make("s3cr:t+/=%&! é"))
    )
    expect(header).toBe(
      "Basic " + Buffer.from("my+client%3A1:s3cr%3At%2B%2F%3D%25%26%21+%C3%A9").toString("base64")
    )
    expect(decodeBasic(header)).toEqual(["my client:1", "s3cr:t+/=%&! é"])
  })

  it("keeps the Basic header value redacted", () => {
    const header = ClientAuthentication.basicAuthorization("id", Redacted.make("hunter2"))
    expect(String(header)).toBe("<redacted>")
    expect(JSON.stringify({ header })).not.toContain("aWQ6aHVudGVyMg")
  })
})
