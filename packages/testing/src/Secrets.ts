/**
 * The forms a secret takes in text a program prints or a server echoes, so tests can search
 * output for every one of them: as written, percent-encoded (`encodeURIComponent`, form encoding
 * as RFC 6749 Appendix B asks, either hex case), JSON-escaped (as `JSON.stringify` writes it, and
 * with every non-ASCII character as `\uXXXX`), and the base64 of an HTTP Basic credential.
 */

const formUrlEncode = (value: string): string => new URLSearchParams([["", value]]).toString().slice(1)

const lowerHex = (encoded: string): string => encoded.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase())

const jsonInner = (value: string): string => JSON.stringify(value).slice(1, -1)

const jsonAscii = (value: string): string =>
  jsonInner(value).replace(/[^\x20-\x7e]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"))

/** A secret in each encoding, labelled (`"form"`, `"json-ascii"`, ...). */
export const encodings = (secret: string): ReadonlyArray<readonly [label: string, form: string]> => {
  const forms: Array<readonly [string, string]> = [
    ["raw", secret],
    ["percent", encodeURIComponent(secret)],
    ["percent-lower", lowerHex(encodeURIComponent(secret))],
    ["form", formUrlEncode(secret)],
    ["form-lower", lowerHex(formUrlEncode(secret))],
    ["json", jsonInner(secret)],
    ["json-ascii", jsonAscii(secret)],
    ["json-slash", jsonInner(secret).replace(/\//g, "\\/")]
  ]
  const seen = new Set<string>()
  return forms.filter(([, form]) => !seen.has(form) && seen.add(form))
}

/** The base64 of `id:secret` as HTTP Basic sends it, with and without Appendix B encoding first. */
export const basicCredentials = (clientId: string, secret: string): ReadonlyArray<string> => [
  ...new Set([
    Buffer.from(`${clientId}:${secret}`).toString("base64"),
    Buffer.from(`${formUrlEncode(clientId)}:${formUrlEncode(secret)}`).toString("base64")
  ])
]

/**
 * Every form of every secret that occurs in `text`, as `"<name> (<encoding>)"`; empty when the
 * text is clean. `secrets` maps a name (for the failure message) to the secret.
 */
export const leaks = (text: string, secrets: Iterable<readonly [name: string, secret: string]>): Array<string> => {
  const found: Array<string> = []
  for (const [name, secret] of secrets) {
    for (const [label, form] of encodings(secret)) {
      if (form.length > 0 && text.includes(form)) found.push(`${name} (${label})`)
    }
  }
  return found
}
