/** See key-mentions.mjs. */
export function keyMentions(): {key: string; where: string[]}[];
