/**
 * Hints of an exercise: `exercises/NN-name/hints.md` holds sections headed
 * `## Hint 1`, `## Hint 2`, …; `wirelab hint NN` reveals them one at a time.
 */

/** One hint section. */
export interface Hint {
  /** 1-based, as written in the heading. */
  number: number;
  /** The heading text after `Hint N` (often empty), e.g. `## Hint 2: retries` → `retries`. */
  title: string;
  /** The Markdown below the heading, trimmed. */
  body: string;
}

const HEADING = /^##\s+Hint\s+(\d+)\b[ \t]*[:.—–-]?[ \t]*(.*)$/i;

/**
 * Splits hints.md into its `## Hint N` sections, in file order. Text before
 * the first hint (an intro) is not a hint; `#` lines inside code fences are
 * not headings.
 */
export function parseHints(markdown: string): Hint[] {
  const hints: Hint[] = [];
  let current: { number: number; title: string; lines: string[] } | undefined;
  let inFence = false;
  const flush = () => {
    if (current) hints.push({ number: current.number, title: current.title.trim(), body: current.lines.join('\n').trim() });
  };
  for (const line of markdown.replace(/\r\n?/g, '\n').split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    const m = inFence ? null : HEADING.exec(line);
    if (m) {
      flush();
      current = { number: Number(m[1]), title: m[2] ?? '', lines: [] };
    } else if (current) {
      if (!inFence && /^#{1,2}\s/.test(line)) {
        // a new top-level section (## Something else) ends the hint
        flush();
        current = undefined;
      } else current.lines.push(line);
    }
  }
  flush();
  return hints;
}

/** What `wirelab hint` does next, given how many hints were shown before. */
export type HintStep =
  | { kind: 'reveal'; hint: Hint; index: number; total: number; shownAfter: number }
  | { kind: 'all-shown'; total: number }
  | { kind: 'none' };

/** Picks the next hint to reveal; the count of shown hints never goes past the total. */
export function nextHint(hints: readonly Hint[], shownBefore: number): HintStep {
  if (hints.length === 0) return { kind: 'none' };
  const shown = Math.max(0, Math.min(shownBefore, hints.length));
  if (shown >= hints.length) return { kind: 'all-shown', total: hints.length };
  return { kind: 'reveal', hint: hints[shown]!, index: shown + 1, total: hints.length, shownAfter: shown + 1 };
}
