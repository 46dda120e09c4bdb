/**
 * Keeps what a reply adds: the text above the quoted original ("On … wrote:", an Outlook
 * "-----Original Message-----" block, or a run of `>` lines). The full message stays in the
 * raw copy; only the comment is trimmed. An answer that is all quote is kept whole.
 */
const MARKERS = [/^On .{1,200}wrote:\s*$/m, /^-{2,}\s*Original Message\s*-{2,}\s*$/im, /^From: .+\nSent: /m, /^(>.*\n?){2,}/m];

export function stripQuotedReply(text: string): string {
  let cut = text.length;
  for (const re of MARKERS) {
    const m = re.exec(text);
    if (m && m.index < cut) cut = m.index;
  }
  const kept = text.slice(0, cut).trim();
  return kept.length > 0 ? kept : text.trim();
}
