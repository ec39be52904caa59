/** See svg-screen.mjs. */
export const BACKGROUND: string;
export const FOREGROUND: string;
export const ANSI: string[];
export function paletteColor(index: number): string;
export function svgFromAnsi(ansi: string, options: {cols: number; rows: number; title: string}): Promise<string>;
