/**
 * Both proxies take their settings once for both directions and, under
 * `toServer` / `toClient`, per direction. This is where the two are merged.
 */

/**
 * The settings of each direction: the top level's `fields`, each overridden
 * where that direction sets its own. A field left undefined never overrides.
 * @example settingsPerDirection({ drop: 0.1, toClient: { drop: 0 } }, ['drop']) // → { toServer: { drop: 0.1 }, toClient: { drop: 0 } }
 */
export function settingsPerDirection<T extends object>(
  options: T & { toServer?: T | undefined; toClient?: T | undefined },
  fields: readonly (keyof T)[],
): { toServer: T; toClient: T } {
  const common = definedFields(options, fields);
  return {
    toServer: { ...common, ...definedFields(options.toServer ?? {}, fields) },
    toClient: { ...common, ...definedFields(options.toClient ?? {}, fields) },
  };
}

/** The `fields` of `source` that are set, so that spreading them never writes `undefined` over a value. */
function definedFields<T extends object>(source: Partial<T>, fields: readonly (keyof T)[]): T {
  const out: Partial<T> = {};
  for (const field of fields) if (source[field] !== undefined) out[field] = source[field];
  return out as T;
}
