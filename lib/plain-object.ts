// Objects that live as long as a message in flight (records, msg.sls, timestamps) are built by
// `new` on a constructor whose prototype is Object.prototype, not by object literals. V8 tracks a
// literal's objects by allocation site and, when nearly all the objects a site made since the last
// scavenge are still alive, allocates that site's objects in the old generation from then on
// (allocation-site pretenuring). A scavenge that meets a batch of records in flight makes that
// decision for the sites that build them, at random; from then on every record, and the young
// values it points to, becomes old-space garbage: 60–130 MB more peak RSS and up to 1.7× the CPU
// per log in the drains where it happened (docs/performance.md, "Memory"). Objects made by `new`
// carry no allocation site, and these are plain objects all the same: their prototype is
// Object.prototype, they have no own `constructor`, JSON and Node-RED's clone see a literal.

/** `init` (a `function`, not an arrow) as a constructor of plain objects: `new C(...args)` runs it on a fresh `{}`. */
export function plainConstructor<A extends unknown[], T extends object>(init: (this: T, ...args: A) => void): new (...args: A) => T {
  (init as unknown as { prototype: object }).prototype = Object.prototype;
  return init as unknown as new (...args: A) => T;
}
