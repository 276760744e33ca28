/**
 * Captures what a program reports: every log line (message, cause, annotations) and every span
 * (name, attributes, events, exit), rendered as text so tests can search it for secrets.
 */
import { Cause, Exit, FiberRef, HashMap, Inspectable, Layer, List, Logger, LogLevel, Tracer } from "effect"
import { inspect } from "node:util"

export interface Observed {
  readonly logs: Array<string>
  readonly spans: Array<{ name: string; attributes: Map<string, unknown>; events: Array<string>; exit: string }>
  /** Everything captured as one string. */
  readonly text: () => string
}

const render = (u: unknown): string => {
  if (Cause.isCause(u)) return Cause.pretty(u, { renderErrorCause: true })
  if (typeof u === "string") return u
  try {
    return Inspectable.format(u) + " " + JSON.stringify(u)
  } catch {
    return String(u)
  }
}

export const observe = (): { observed: Observed; layer: Layer.Layer<never> } => {
  const logs: Array<string> = []
  const spans: Observed["spans"] = []
  const logger = Logger.make(({ annotations, cause, message, spans: logSpans }) => {
    const parts = [render(message), Cause.isEmpty(cause) ? "" : render(cause)]
    for (const [k, v] of HashMap.toEntries(annotations)) parts.push(`${k}=${render(v)}`)
    for (const s of List.toArray(logSpans)) parts.push(s.label)
    logs.push(parts.join(" "))
  })
  const tracer = Tracer.make({
    span(name, parent, context, links, startTime, kind) {
      const record = { name, attributes: new Map<string, unknown>(), events: [] as Array<string>, exit: "" }
      spans.push(record)
      const span: Tracer.Span = {
        _tag: "Span",
        name,
        spanId: `span-${spans.length}`,
        traceId: "trace",
        parent,
        context,
        status: { _tag: "Started", startTime },
        attributes: record.attributes,
        links,
        sampled: true,
        kind,
        end(endTime, exit) {
          ;(span as { status: Tracer.SpanStatus }).status = { _tag: "Ended", startTime, endTime, exit }
          record.exit = Exit.isFailure(exit) ? render(exit.cause) : "success"
        },
        attribute(key, value) {
          record.attributes.set(key, value)
        },
        event(name, _startTime, attributes) {
          record.events.push(`${name} ${render(attributes ?? {})}`)
        },
        addLinks() {}
      }
      return span
    },
    context: (f) => f()
  })
  const layer = Layer.mergeAll(
    Logger.replace(Logger.defaultLogger, logger),
    Logger.minimumLogLevel(LogLevel.All),
    Layer.setTracer(tracer),
    Layer.effectDiscard(FiberRef.set(FiberRef.currentTracerEnabled, true))
  )
  const observed: Observed = {
    logs,
    spans,
    text: () =>
      [
        ...logs,
        ...spans.flatMap((
          s
        ) => [s.name, ...[...s.attributes].map(([k, v]) => `${k}=${render(v)}`), ...s.events, s.exit])
      ].join("\n")
  }
  return { observed, layer }
}

/** Every textual form of a value a user might print or log. */
export const renderings = (u: unknown): string =>
  [
    String(u),
    typeof u === "object" && u !== null && "message" in u ? String(u.message) : "",
    JSON.stringify(u),
    Inspectable.format(u),
    inspect(u, { depth: 10 }),
    Cause.pretty(Cause.fail(u), { renderErrorCause: true })
  ].join("\n")
