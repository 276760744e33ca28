/**
 * An in-memory `HttpClient` over sandbox emulators that also records what was sent, so a test can
 * compare a request with the one the provider docs show.
 */
import { HttpClient, type HttpClientRequest } from "@effect/platform"
import { Effect, Layer, Ref } from "effect"
import { type Emulator, InMemory } from "@auth-pipeline/sandbox"

export interface Sent {
  readonly method: string
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly contentType: string | undefined
  readonly body: string
}

const describe = (request: HttpClientRequest.HttpClientRequest, url: URL): Sent => {
  const body = request.body
  return {
    method: request.method,
    url: url.toString(),
    headers: { ...request.headers },
    contentType: body._tag === "Empty" ? undefined : body.contentType,
    body: body._tag === "Uint8Array" ? new TextDecoder().decode(body.body) : ""
  }
}

/** `InMemory.layer(...emulators)` plus `sent`, every request made through it so far. */
export const _recording = (...emulators: ReadonlyArray<Emulator.Emulator>) =>
  Effect.map(Ref.make<ReadonlyArray<Sent>>([]), (log) => {
    const inMemory = InMemory.make(emulators)
    const client = HttpClient.make((request, url) =>
      Effect.zipRight(Ref.update(log, (sent) => [...sent, describe(request, url)]), inMemory.execute(request))
    )
    return { layer: Layer.succeed(HttpClient.HttpClient, client), sent: Ref.get(log) }
  })
