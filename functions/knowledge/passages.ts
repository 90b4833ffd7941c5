/**
 * Splits a markdown document into passages for retrieval: sections start at headings and
 * paragraphs are grouped to roughly PASSAGE_MIN..PASSAGE_MAX characters, small enough for a
 * draft to cite precisely and large enough to carry context. Pure and deterministic: the same
 * version always yields the same passages, so passage ids (`doc@v2#3`) stay stable.
 */
export const PASSAGE_MIN_CHARS = 300;
export const PASSAGE_MAX_CHARS = 900;

export interface TextPassage {
  /** 0-based position in the document. */
  readonly index: number;
  readonly text: string;
}

interface Block {
  readonly text: string;
  readonly heading: boolean;
}

export function splitPassages(markdown: string, min = PASSAGE_MIN_CHARS, max = PASSAGE_MAX_CHARS): TextPassage[] {
  const texts: string[] = [];
  let buf: Block[] = [];
  const size = (blocks: Block[]) => blocks.reduce((n, b, i) => n + b.text.length + (i > 0 ? 2 : 0), 0);
  const emit = (blocks: Block[]) => {
    if (blocks.length > 0) texts.push(blocks.map((b) => b.text).join('\n\n'));
  };

  for (const block of toBlocks(markdown).flatMap((b) => (b.text.length > max ? splitLong(b.text, max) : [b]))) {
    const len = size(buf);
    if (block.heading) {
      // A new section starts a new passage once the current one is big enough on its own.
      if (len >= min && buf.some((b) => !b.heading)) {
        emit(buf);
        buf = [];
      }
    } else if (len > 0 && len + 2 + block.text.length > max) {
      // Headings stay with the paragraph they introduce, never dangle at a passage's end.
      const cut = trailingHeadingsStart(buf);
      if (cut > 0) {
        emit(buf.slice(0, cut));
        buf = buf.slice(cut);
      }
    }
    buf.push(block);
  }

  // A short tail (or a document ending in a heading) joins the previous passage if it fits.
  const tail = size(buf);
  const last = texts.at(-1);
  if (last !== undefined && buf.length > 0 && (tail < min || buf.every((b) => b.heading)) && last.length + 2 + tail <= max) {
    texts[texts.length - 1] = `${last}\n\n${buf.map((b) => b.text).join('\n\n')}`;
  } else {
    emit(buf);
  }
  return texts.map((text, index) => ({ index, text }));
}

/** Index of the first of the headings that end `blocks` (blocks.length when none). */
function trailingHeadingsStart(blocks: Block[]): number {
  let i = blocks.length;
  while (i > 0 && blocks[i - 1]!.heading) i--;
  return i;
}

/** Paragraphs (split at blank lines), headings and fenced code blocks, trimmed and non-empty. */
function toBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  let lines: string[] = [];
  let fence: string | undefined;
  const flush = () => {
    const text = lines.join('\n').trim();
    if (text) blocks.push({ text, heading: false });
    lines = [];
  };
  for (const raw of markdown.replace(/\r\n?/g, '\n').split('\n')) {
    const line = raw.replace(/\s+$/, '');
    const marker = /^\s*(```|~~~)/.exec(line)?.[1];
    if (fence) {
      lines.push(line);
      if (marker === fence) fence = undefined;
    } else if (marker) {
      lines.push(line);
      fence = marker;
    } else if (/^#{1,6}\s+\S/.test(line)) {
      flush();
      blocks.push({ text: line.trim(), heading: true });
    } else if (line.trim() === '') {
      flush();
    } else {
      lines.push(line);
    }
  }
  flush();
  return blocks;
}

/** Packs sentences (then words, then characters) of an oversized paragraph into <= max pieces. */
function splitLong(text: string, max: number): Block[] {
  const units = text.split(/(?<=[.!?])\s+/).flatMap((sentence) =>
    sentence.length <= max ? [sentence] : sentence.split(/\s+/).flatMap((word) => chunk(word, max)),
  );
  const pieces: string[] = [];
  let current = '';
  for (const unit of units) {
    if (!unit) continue;
    if (current && current.length + 1 + unit.length > max) {
      pieces.push(current);
      current = unit;
    } else {
      current = current ? `${current} ${unit}` : unit;
    }
  }
  if (current) pieces.push(current);
  return pieces.map((p) => ({ text: p, heading: false }));
}

function chunk(word: string, max: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < word.length; i += max) out.push(word.slice(i, i + max));
  return out;
}
