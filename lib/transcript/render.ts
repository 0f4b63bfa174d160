import type { Transcript, TranscriptEntry } from './transcript.ts';

const PREFIX = { client: 'C: ', server: 'S: ' } as const;

/** Text lines of one entry: printable lines as text, anything else as hex. */
function defaultLines(entry: TranscriptEntry): string[] {
  const text = Buffer.from(entry.bytes).toString('latin1');
  if (/^[\x20-\x7e\t\r\n]*$/.test(text)) {
    return text.split('\n').map((l) => l.replace(/\r$/, '')).filter((l, i, all) => l !== '' || i < all.length - 1);
  }
  return [`<${entry.bytes.length} bytes> ${Buffer.from(entry.bytes.subarray(0, 32)).toString('hex')}${entry.bytes.length > 32 ? '…' : ''}`];
}

/** Renders a transcript as the C:/S: dialogue, marking the first place it left what the test expected. */
export function renderTranscript(transcript: Transcript): string {
  const out: string[] = [];
  for (const entry of transcript.entries) {
    const lines = transcript.decoder ? transcript.decoder(entry) : defaultLines(entry);
    lines.forEach((line, i) => {
      const marked = entry.note !== undefined && i === lines.length - 1;
      out.push(`  ${PREFIX[entry.direction]}${line}${marked ? `            <- ${entry.note}` : ''}`);
    });
  }
  return out.join('\n');
}
