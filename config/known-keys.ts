import { z } from 'zod';
import type { ConfigPath } from './config-path.js';

/** The keys a schema allows at a path; `variants` says which keys belong to which union member. */
export interface KnownKeys {
  keys: string[];
  /** For a discriminated union (e.g. `source` by `kind`): each discriminator value with its keys. */
  variants?: { value: string; keys: string[] }[];
}

/**
 * The keys the schema accepts in the object at `path`, for "did you mean" hints.
 * `input` is the value being parsed: it picks the member of a discriminated union.
 * Walks zod's public wrapper classes; returns undefined where it cannot tell.
 */
export function knownKeys(schema: z.ZodType, path: ConfigPath, input: unknown): KnownKeys | undefined {
  let node: z.ZodType | undefined = unwrap(schema);
  let value = input;
  for (const seg of path) {
    if (node === undefined) return undefined;
    node = childOf(node, seg, value);
    value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[seg] : undefined;
  }
  if (node === undefined) return undefined;
  if (node instanceof z.ZodObject) return { keys: Object.keys(node.shape) };
  if (node instanceof z.ZodDiscriminatedUnion) {
    const variants = objectOptions(node).map((o) => ({ value: discriminatorOf(o, node.def.discriminator), keys: Object.keys(o.shape) }));
    const chosen = pickOption(node, value);
    return { keys: chosen ? Object.keys(chosen.shape) : [...new Set(variants.flatMap((v) => v.keys))], variants };
  }
  if (node instanceof z.ZodUnion) return { keys: [...new Set(objectOptions(node).flatMap((o) => Object.keys(o.shape)))] };
  if (node instanceof z.ZodRecord) {
    const keyType = unwrap(node.keyType as z.ZodType);
    if (keyType instanceof z.ZodEnum) return { keys: keyType.options.map(String) };
  }
  return undefined;
}

function childOf(node: z.ZodType, seg: PropertyKey, value: unknown): z.ZodType | undefined {
  if (node instanceof z.ZodObject) {
    const child = (node.shape as Record<PropertyKey, z.ZodType | undefined>)[seg];
    return child && unwrap(child);
  }
  if (node instanceof z.ZodDiscriminatedUnion) {
    const option = pickOption(node, value);
    return option ? childOf(option, seg, value) : undefined;
  }
  if (node instanceof z.ZodUnion) {
    const option = objectOptions(node).find((o) => Object.hasOwn(o.shape, seg));
    return option ? childOf(option, seg, value) : undefined;
  }
  if (node instanceof z.ZodRecord) return unwrap(node.valueType as z.ZodType);
  if (node instanceof z.ZodArray) return unwrap(node.element as z.ZodType);
  return undefined;
}

/** Strips default/optional/nullable and pipes (preprocess and transform) down to the shape. */
function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (;;) {
    if (s instanceof z.ZodDefault || s instanceof z.ZodPrefault || s instanceof z.ZodOptional || s instanceof z.ZodNullable) {
      s = s.unwrap() as z.ZodType;
    }
    else if (s instanceof z.ZodPipe) s = (s.in instanceof z.ZodTransform ? s.out : s.in) as z.ZodType;
    else return s;
  }
}

function objectOptions(union: z.ZodUnion): z.ZodObject[] {
  return union.options.map((o) => unwrap(o as z.ZodType)).filter((o): o is z.ZodObject => o instanceof z.ZodObject);
}

function discriminatorOf(option: z.ZodObject, key: string): string {
  const literal = unwrap((option.shape as Record<string, z.ZodType>)[key] ?? z.never());
  return literal instanceof z.ZodLiteral ? String(literal.value) : '';
}

function pickOption(union: z.ZodDiscriminatedUnion, value: unknown): z.ZodObject | undefined {
  const key = union.def.discriminator;
  const tag = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  return objectOptions(union).find((o) => (o.shape as Record<string, z.ZodType>)[key]?.safeParse(tag).success);
}
