/**
 * Option value schemas and their command-line readers, shared by every command's options. A
 * reader only turns text into the value's type (leaving NaN or the text itself when it cannot);
 * the schema then decides, so the CLI and a pipeline file get the same limits and messages.
 */
import { z } from 'zod';

export const positiveInt = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
export const nonNegativeInt = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
export const positiveNumber = z.number().positive().finite();
export const nonNegativeNumber = z.number().nonnegative().finite();
export const intInRange = (min: number, max: number) => z.number().int().min(min).max(max);
export const positiveIntList = z.array(positiveInt).min(1);
/** A path: any non-empty string (whether it exists is the command's business). */
export const path = z.string().min(1);

export interface Size {
  width: number;
  height: number;
}

const MAX_SIDE = 16384;
const side = z.number().int().min(1).max(MAX_SIDE);
/** "192x192" or {width, height}; always {width, height} after parsing. */
export const size = z.union([
  z.object({ width: side, height: side }).strict(),
  z
    .string()
    .regex(/^\s*\d+x\d+\s*$/i)
    .transform((text) => {
      const [width, height] = text.trim().toLowerCase().split('x').map(Number);
      return { width, height };
    })
    .pipe(z.object({ width: side, height: side })),
]);
export const SIZE_EXPECTED = `WxH with each side from 1 to ${MAX_SIDE} (the maximum)`;

/** Readers of command-line text. */
export const fromText = {
  /** Strict digits only: "1e3" or " 4 " are not integers on a command line. */
  int: (text: string): number => (/^-?\d+$/.test(text.trim()) ? Number(text) : NaN),
  number: (text: string): number => (text.trim() === '' ? NaN : Number(text)),
  intList: (text: string): number[] => text.split(',').map((s) => s.trim()).filter(Boolean).map(fromTextInt),
  stringList: (text: string): string[] => [...new Set(text.split(',').map((s) => s.trim()).filter(Boolean))],
  /** "512MiB", "2GiB", "1e9" (bytes) -> bytes; NaN when it is none of these. */
  byteSize: (text: string): number => {
    const m = /^(\d+(?:\.\d+)?(?:e\d+)?)\s*(B|KiB|MiB|GiB|KB|MB|GB)?$/i.exec(text.trim());
    const units: Record<string, number> = { b: 1, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, kb: 1e3, mb: 1e6, gb: 1e9 };
    return m ? Math.floor(Number(m[1]) * units[(m[2] ?? 'b').toLowerCase()]) : NaN;
  },
};

function fromTextInt(text: string): number {
  return fromText.int(text);
}

/** A byte count, or a size text such as "512MiB" (library callers and pipeline files may use either). */
export const byteSize = z.union([z.number(), z.string().transform(fromText.byteSize)]).pipe(z.number().int().positive().finite());
