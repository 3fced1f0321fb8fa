// Setting a member, named by the input, of a record or properties object. Assigned, a key named
// "__proto__" sets the object's prototype instead: the value vanishes from the event (and an object
// under that key makes its members inherited). Every reader and mapping that builds an object from
// names it read sets them here, so such a key is data like any other.

/** `target[key] = value`, as an own member whatever the key. */
export function setMember(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
