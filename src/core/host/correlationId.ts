import { IdSchema } from '../../shared/protocol';

/**
 * The cid of a frame the codec rejected, so the sender can tell which post failed. The codec's
 * failure result carries no fields, so this one value is fished out of the text again; it is
 * only ever echoed back, and only when it is a valid id (an invalid one would make the whole
 * error frame invalid for the member).
 */
export function correlationId(raw: string): string | undefined {
  try {
    const cid: unknown = (JSON.parse(raw) as { cid?: unknown } | null)?.cid;
    return IdSchema.safeParse(cid).success ? (cid as string) : undefined;
  } catch {
    return undefined;
  }
}
