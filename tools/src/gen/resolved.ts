// Derives the "resolved" schema: the shape of values after the chart's values.yaml defaults are merged in.
// Helm merges values.yaml into user values for plain objects, never into array items, so a property with a
// default becomes required only where it is reached through properties from the root.
import type { Schema } from "../model/schema.ts";

export function resolvedSchema(schema: Schema): Schema {
  return walk(structuredClone(schema), true);
}

function walk(node: Schema, merged: boolean): Schema {
  if (node.properties) {
    const withDefault = Object.entries(node.properties)
      .filter(([, child]) => merged && child.default !== undefined)
      .map(([key]) => key);
    const required = new Set([...(Array.isArray(node.required) ? node.required : []), ...withDefault]);
    if (required.size > 0) node.required = [...required];
    for (const [key, child] of Object.entries(node.properties)) node.properties[key] = walk(child, merged);
  }
  if (node.items && !Array.isArray(node.items)) node.items = walk(node.items, false);
  return node;
}
