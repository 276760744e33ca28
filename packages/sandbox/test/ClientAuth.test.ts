import { describe, expect, it } from "@effect/vitest"
import { formDecode, parseBasic } from "../src/internal/clientAuth.js"
import { basic, naiveBasic } from "./_helpers.js"

describe("HTTP Basic client authentication (RFC 6749 Appendix B)", () => {
  it("form-decodes id and secret after splitting at the first colon", () => {
    for (const [id, secret] of [["client", "s:e:c"], ["a:b", "c d+e/f=g%h&i!j"], ["ü", "€ 😀"], ["", ""]] as const) {
      expect(parseBasic(basic(id, secret))).toEqual({ _tag: "Present", clientId: id, clientSecret: secret })
    }
  })

  it("reads + as a space, so an unencoded + in a secret changes it", () => {
    expect(parseBasic(naiveBasic("app", "a+b"))).toEqual({ _tag: "Present", clientId: "app", clientSecret: "a b" })
  })

  it("accepts a lower-case scheme and unpadded base64", () => {
    const encoded = Buffer.from("app:pw").toString("base64").replace(/=+$/, "")
    expect(parseBasic(`basic ${encoded}`)).toEqual({ _tag: "Present", clientId: "app", clientSecret: "pw" })
  })

  it("tells other schemes from malformed Basic credentials", () => {
    expect(parseBasic(undefined)._tag).toBe("Absent")
    expect(parseBasic("Bearer abc")._tag).toBe("Absent")
    expect(parseBasic("Basic")._tag).toBe("Malformed")
    expect(parseBasic("Basic !!!!")._tag).toBe("Malformed")
    expect(parseBasic(`Basic ${Buffer.from("no-colon").toString("base64")}`)._tag).toBe("Malformed")
    expect(parseBasic(`Basic ${Buffer.from("app:%zz").toString("base64")}`)._tag).toBe("Malformed")
  })

  it("decodes form values like URLSearchParams does", () => {
    expect(formDecode("a+b%2Bc%20d")).toBe("a b+c d")
    expect(formDecode("%E2%82%AC")).toBe("€")
    expect(formDecode("%")).toBeUndefined()
  })
})
