import { IdSchema } from '../../shared/protocol';

/** What an error frame may carry to say which frame it answers. */
export interface Correlation {
  /** The post's client id. */
  cid?: string;
  /** The fetch's ref. */
  ref?: string;
}

/**
 * The `cid` and `ref` of a frame the codec rejected, so the sender can tell which post or fetch
 * failed. The codec's failure result carries no fields, so these are fished out of the text
 * again, whatever the frame's type; they are only ever echoed back, and each only when it is a
 * valid id (an invalid one would make the whole error frame invalid for the member).
 */
export function correlationOf(raw: string): Correlation {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return {};
  }
  if (typeof value !== 'object' || value === null) return {};
  const { cid, ref } = value as { cid?: unknown; ref?: unknown };
  return {
    ...(IdSchema.safeParse(cid).success && { cid: cid as string }),
    ...(IdSchema.safeParse(ref).success && { ref: ref as string }),
  };
}
