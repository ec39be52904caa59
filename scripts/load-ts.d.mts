/** See load-ts.mjs. */
export const cache: string;
export function buildTs(entry: string, outfile: string, options?: {all?: boolean}): Promise<void>;
export function loadTs(entry: string): Promise<Record<string, unknown>>;
