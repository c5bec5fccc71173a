// Splits an interactive line into words as zkCli does (MyCommandOptions.parseCommand): words are
// separated by blanks, a word in double or single quotes keeps its blanks and loses the quotes, and
// a quote that is never closed is dropped.

const ARGS_PATTERN = /\s*([^"']\S*|"[^"]*"|'[^']*')\s*/g;
const QUOTED_PATTERN = /^(['"])(.*)\1$/s;

export function splitLine(line: string): string[] {
  const words: string[] = [];
  for (const m of line.matchAll(ARGS_PATTERN)) {
    const word = m[1]!;
    const quoted = QUOTED_PATTERN.exec(word);
    words.push(quoted === null ? word : quoted[2]!);
  }
  return words;
}
